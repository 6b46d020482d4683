"""A lesson's "Replay training" section: a page's run replayed (its decision boundary and
cost curve at a few moments, scrubbed in the browser without asking the server anything)
and "Continue training", which trains that run further from where it ended."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, TrainResult, decision_grid
from dnn_core.datasets import Dataset
from ui.i18n import _

from . import figures, page, replay, runs, snapshots, state


def replay_section(
    data: Dataset,
    data_key: Hashable,
    replayed: Mapping[str, tuple[TrainConfig, Any]],
    *,
    prefix: str,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
    default: str | None = None,
    show_test: bool = True,
    scored: bool = False,
    unit: str = "iteration",
) -> None:
    """The section for the page's runs ``replayed`` (name -> ``(config, result)``, as
    :func:`ui.runs.train_together` gave them; the student picks one when there are
    several, shown as ``names[name]``, starting at ``default``; the chart's ``title`` has
    the name at ``{name}``). Off until the student turns it on (``?<prefix>_replay=true``
    in a link), so a page view that does not replay sends no frames."""
    st.header(_("Replay training"))
    shown = state.bound_widget(
        st.toggle,
        _("Replay the training"),
        state.key(prefix, "replay"),
        False,
        help=_(
            "Scrub through the run: its decision boundary and cost curve at "
            "{count} moments of its training. Play, pause and the slider run in your "
            "browser."
        ).format(count=snapshots.REPLAY_FRAMES),
    )
    if not shown:
        return
    names = names or {name: name for name in replayed}
    choice = default if default in replayed else next(iter(replayed))
    if len(replayed) > 1:
        choice = state.bound_widget(
            st.segmented_control,
            _("Run to replay"),
            state.key(prefix, "replay_run"),
            choice,
            options=list(replayed),
            format_func=lambda name: names[name],
            required=True,
        )
    config, run = replayed[choice]
    result = runs.result_of(run)
    if result.stopped_early or not result.costs.size:
        st.info(_("The replay opens once this run has trained to the end."), icon=":material/info:")
        return
    run_key = runs.train_key(data_key, config, scored=scored)
    label = _("Replaying {name}").format(name=names[choice])
    base = replay.history(data, run_key, config, result, label=label, unit=unit)
    times_key = f"dnl_{prefix}_continued"
    times = st.session_state.get(times_key, {}).get(run_key, 0)
    with page.stop_on_error():
        (trained, kept), trained_config = replay.continued(
            data, run_key, config, base, times, label=_("Continuing training"), unit=unit
        )
    title = (title or _("Replay: {name}")).format(name=names[choice])
    figure = runs.memoize(
        ("replay", run_key, times, show_test, unit, title),
        lambda: _replay_figure(trained, kept, trained_config, data, show_test, title, unit),
    )
    page.chart(figure, key=f"{prefix}-replay", filename=f"{prefix} replay")
    page.explain(
        _(
            "Drag the slider, or press play: the cost curve grows up to the moment chosen "
            "(the dot) and the map shows the network's boundary at that moment."
        ),
        look_for=_(
            "the boundary moves most where the cost falls fastest; where the curve is flat, "
            "it hardly moves."
        ),
    )
    _continue_row(data, config, trained, times, times_key, run_key, unit)


def _replay_figure(
    result: TrainResult,
    kept: snapshots.Snapshots,
    config: TrainConfig,
    data: Dataset,
    show_test: bool,
    title: str,
    unit: str,
):
    """The replay figure of ``result`` from the snapshots it ``kept``."""
    everything = np.concatenate([data.X_train, data.X_test], axis=1)
    maps = []
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow
        for params in kept.params:
            xs, ys, probs = decision_grid(
                dict(params),
                everything,
                resolution=figures.REPLAY_RESOLUTION,
                margin=figures.MAP_MARGIN,
                activation=config.activation,
            )
            maps.append(probs)
    return figures.replay_figure(
        xs,
        ys,
        np.stack(maps),
        kept.iterations,
        result.iterations,
        result.costs,
        data.X_train,
        data.Y_train,
        data.X_test if show_test else None,
        data.Y_test if show_test else None,
        title=title,
        num_iterations=config.epochs,
        x_title=_unit_title(unit),
    )


def _unit_title(unit: str) -> str:
    """The axis title of a run's count: ``"iteration"`` or ``"epoch"``."""
    return _("epoch") if unit == "epoch" else _("iteration")


def _continue_row(
    data: Dataset,
    config: TrainConfig,
    trained: TrainResult,
    times: int,
    times_key: str,
    run_key: Hashable,
    unit: str,
) -> None:
    """The buttons that train the replayed run further (or go back to the page's run),
    and what it has reached."""
    more = replay.continue_length(config, data.X_train.shape[1])
    # (A step cut short by the time budget shows where it stopped; it cannot go on from there.)
    can_go_on = trained.state is not None and not trained.stopped_early
    can_go_on = can_go_on and times < replay.MAX_CONTINUES
    units = _("iterations") if unit == "iteration" else _("epochs")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            _("Continue training (+{count} {units})").format(count=f"{more:,}", units=units),
            key=f"{times_key}_more",
            icon=":material/fast_forward:",
            disabled=not can_go_on,
            on_click=_count_continue,
            args=(times_key, run_key, times + 1),
            help=_(
                "Train this run further from where it ended (its weights and optimizer "
                "state), up to {count} times; everyone who continues the same run shares "
                "the work."
            ).format(count=replay.MAX_CONTINUES),
        )
        if times:
            st.button(
                _("Back to the page's run"),
                key=f"{times_key}_back",
                icon=":material/undo:",
                on_click=_count_continue,
                args=(times_key, run_key, 0),
            )
    if times:
        reached = int(trained.iterations[-1]) + 1 if trained.iterations.size else 0
        train_accuracy, test_accuracy = runs.accuracies(
            trained.params, data, activation=config.activation
        )
        st.caption(
            _(
                "Trained {total} {units} in all ({extra} more than the page's run): train "
                "accuracy {train}, test accuracy {test}, final cost {cost}."
            ).format(
                total=f"{reached:,}",
                units=units,
                extra=f"{reached - config.epochs:,}",
                train=page.percent(train_accuracy),
                test=page.percent(test_accuracy),
                cost=page.final_cost(trained),
            )
        )
    elif trained.diverged:
        st.caption(_("This run diverged: it cannot be trained further."))


def _count_continue(times_key: str, run_key: Hashable, times: int) -> None:
    """Remember how many times this session continued the run of ``run_key``."""
    counts = dict(st.session_state.get(times_key, {}))
    counts[run_key] = times
    st.session_state[times_key] = counts
