"""A pinned run beside the current one on a lesson page (the pin itself: :mod:`ui.pin`).

Near the page's main result: a "Pin this run" button that writes the page's run settings
into the link (``?pin=...``). While the link holds a pin and any setting differs: both
runs' cost curves in one chart (pinned dashed, current solid), their decision boundaries
side by side, and a small table of the difference (the settings that differ, then train
and test accuracy and final cost of each, with the change). Whoever opens the link sees
the same, so a teacher can share "before and after".

The pinned run is a run like any other: built from its settings by the lesson's own
settings classes, checked against the page budget, trained (or found) in the shared cache
under its configuration, and the same for every session that opens the link.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dnn_core import TrainConfig, TrainResult
from dnn_core.datasets import Dataset, DatasetError

from . import budgets, figures, page, pin, runs
from . import lesson_controls as controls
from .i18n import _

ABSENT = "\N{EM DASH}"  # a run one side does not have
Shown = Mapping[str, tuple[TrainResult, TrainConfig]]
"""A side's runs: name (as the page shows it) -> ``(result, its config)``."""


@dataclass(frozen=True)
class Side:
    """One side of the comparison: its data, the data's cache key (a
    :class:`ui.sidebar.DataChoice`) and its runs."""

    data: Dataset
    data_key: Hashable
    runs: Shown


def pin_section(prefix: str, config: Any, settings: Any, shown: Shown, data: Dataset) -> None:
    """The pin button, or (with a pin in the link) the pinned run beside the current one.

    Args:
        prefix: the lesson's key prefix (``"init"``, ``"reg"``, ``"opt"``).
        config: the sidebar's settings in use (:class:`ui.sidebar.SidebarConfig`).
        settings: the lesson's settings dataclass.
        shown: the current runs, name -> ``(result, config)`` (one, or one an optimizer).
        data: the current data set.
    """
    current = pin.snapshot(prefix, config, settings)
    text = _pin_in_link(prefix)
    with st.container(key=f"{prefix}_pin"):
        if text is None:
            _pin_row(prefix, current, pinned=False)
            return
        try:
            pinned = pin.decode(text, prefix)
        except pin.PinError as problem:
            st.warning(
                _(
                    "The pinned run in this link cannot be shown. {problem} The page shows "
                    "the current settings as usual."
                ).format(problem=problem),
                icon=":material/push_pin:",
            )
            _pin_row(prefix, current, pinned=True, valid=False)
            return
        st.session_state[_saved_key(prefix)] = text  # kept when the student comes back
        differences = pin.differences(pinned, current)
        st.subheader(_("Pinned run and current run"))
        _pin_row(prefix, current, pinned=True, differs=bool(differences))
        if not differences:
            st.info(
                _(
                    "Nothing differs: the current settings are the pinned ones. Change any "
                    "setting to see both runs side by side."
                ),
                icon=":material/push_pin:",
            )
            return
        try:
            side = _pinned_side(pinned)
        except (DatasetError, ValueError) as problem:
            st.warning(
                _("The pinned run cannot be trained: {problem}").format(problem=problem),
                icon=":material/push_pin:",
            )
            return
        if side is None:
            return
        _compare(prefix, side, Side(data, config.data, shown), differences, config.show_test)


def _pin_row(
    prefix: str, current: pin.Pinned, *, pinned: bool, differs: bool = True, valid: bool = True
) -> None:
    """The buttons: pin (or, over a valid pin, pin the current run instead), and unpin
    while the link holds a pin."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"{prefix}_pin_row"):
        upload = current.is_upload
        why = _("A run on your own file cannot be pinned: a link cannot carry the file.")
        if not pinned or differs:
            st.button(
                _("Pin the current run instead") if pinned and valid else _("Pin this run"),
                key=f"{prefix}_pin_button",
                icon=":material/push_pin:",
                on_click=_set_pin,
                args=(prefix, None if upload else pin.encode(current)),
                disabled=upload,
                help=why
                if upload
                else _(
                    "Keeps this run's settings in the link and shows this run beside the "
                    "current one while you change anything."
                ),
            )
        if pinned:
            st.button(
                _("Unpin"),
                key=f"{prefix}_unpin_button",
                icon=":material/close:",
                on_click=_unpin,
                args=(prefix,),
            )
        elif not upload:
            page.caption(
                _(
                    "Pin, then change any setting: both runs are shown side by side, and the "
                    "link keeps the pin."
                )
            )


def _saved_key(prefix: str) -> str:
    """Session key (not a widget) of the lesson's pin, kept from visit to visit."""
    return f"{prefix}_pin_saved"


def _pin_in_link(prefix: str) -> str | None:
    """The link's pin; or, when the student comes back to the lesson through the page
    links (Streamlit opens a page without its query parameters), the pin this session
    last had here, put back into the link."""
    text = st.query_params.get(pin.PIN)
    saved = st.session_state.get(_saved_key(prefix))
    if text is None and saved:
        st.query_params[pin.PIN] = text = saved
    return text


def _set_pin(prefix: str, value: str) -> None:
    st.query_params[pin.PIN] = value
    st.session_state[_saved_key(prefix)] = value


def _unpin(prefix: str) -> None:
    st.query_params.pop(pin.PIN, None)
    st.session_state.pop(_saved_key(prefix), None)


# --- The pinned run -------------------------------------------------------------------


def _pinned_side(pinned: pin.Pinned) -> Side | None:
    """The pinned run(s), trained or found in the shared cache; ``None`` (and a message)
    when the pinned settings would need more than a page may take."""
    config = pinned.sidebar_config()
    settings = pinned.lesson_settings()
    data = runs.load_dataset(config.data)
    configs, names, options = RUNS_OF[pinned.prefix](config, settings, data)
    m = data.X_train.shape[1]
    needed = sum(budgets.estimated_seconds(run, m) for run in configs.values())
    if needed > budgets.PAGE_BUDGET_S:
        st.warning(
            _(
                "The pinned settings would need about {seconds:,.0f} s of computing; a page "
                "may take about {budget:g} s, so the pinned run is not trained."
            ).format(seconds=needed, budget=budgets.PAGE_BUDGET_S),
            icon=":material/timer:",
        )
        return None
    trained = runs.train_together(
        data, config.data, configs, label=_("Training the pinned run"), **options
    )
    results = {
        names[name]: (getattr(result, "result", result), configs[name])
        for name, result in trained.items()
    }
    return Side(data, config.data, results)


RunsOf = Callable[[Any, Any, Dataset], tuple[dict[str, TrainConfig], dict[str, str], dict]]


def _initialization_runs(config, settings, data):
    run = settings.configs(config.train_config())[settings.scheme]
    return {settings.scheme: run}, controls.SCHEMES, {}


def _regularization_runs(config, settings, data):
    # As the page: Xavier weights, and train/test cross-entropy recorded (the same cache
    # entry as the page's own run of these settings).
    run = settings.config(config.train_config(init="xavier"))
    return {settings.mode: run}, controls.MODES, {"scored": True}


def _optimization_runs(config, settings, data):
    config = page.cap_epochs(config, settings, data.X_train.shape[1], note=False)
    return settings.configs(config), controls.OPTIMIZER_CHOICES, {"unit": "epoch"}


RUNS_OF: dict[str, RunsOf] = {
    "init": _initialization_runs,
    "reg": _regularization_runs,
    "opt": _optimization_runs,
}
"""Lesson prefix -> ``(sidebar config, lesson settings, data) -> (name -> config, name ->
label, options for runs.train_together)``: the runs a lesson's page trains for its main
result, built the way the page builds them."""


# --- Both runs ------------------------------------------------------------------------


def _compare(
    prefix: str,
    pinned: Side,
    current: Side,
    differences: list[tuple[str, str, str]],
    show_test: bool,
) -> None:
    """Curves overlaid, the tables, and the decision boundaries side by side."""
    if pinned.data_key != current.data_key:
        st.caption(
            _(
                "The two runs use different data: each is trained, scored and drawn on its "
                "own data set."
            )
        )
    curve_column, table_column = st.columns([3, 2])
    x_title = _("epoch") if prefix == "opt" else _("iteration")
    epochs = max(run.epochs for side in (pinned, current) for _r, run in side.runs.values())
    page.chart(
        runs.memoize(
            ("pin costs", _side_key(pinned), _side_key(current), x_title),
            lambda: figures.pinned_costs_figure(
                {name: (run.iterations, run.costs) for name, (run, _c) in pinned.runs.items()},
                {name: (run.iterations, run.costs) for name, (run, _c) in current.runs.items()},
                num_iterations=epochs,
                x_title=x_title,
            ),
        ),
        key=f"{prefix}-pin-costs",
        container=curve_column,
    )
    with table_column:
        page.results_table(settings_table(differences), key=f"{prefix}-pin-settings")
        page.results_table(
            results_table(_scores(pinned), _scores(current)), key=f"{prefix}-pin-results"
        )
    names = list(dict.fromkeys([*current.runs, *pinned.runs]))
    if len(pinned.runs) > 1 or len(current.runs) > 1:
        both = [name for name in names if name in pinned.runs and name in current.runs]
        chosen = st.segmented_control(
            _("Decision boundaries of"),
            names,
            default=(both or names)[-1],
            key=f"{prefix}_pin_map",
            required=True,
        )
        maps = {"pinned": chosen, "current": chosen}
    else:
        maps = {"pinned": next(iter(pinned.runs)), "current": next(iter(current.runs))}
    for column, (which, side) in zip(
        st.columns(2), (("pinned", pinned), ("current", current)), strict=True
    ):
        name = maps[which]
        title = (_("Pinned: {name}") if which == "pinned" else _("Current: {name}")).format(
            name=name
        )
        if name not in side.runs:
            column.info(
                (
                    _("The pinned run has no {name}.")
                    if which == "pinned"
                    else _("The current run has no {name}.")
                ).format(name=name)
            )
            continue
        run, run_config = side.runs[name]
        page.boundary_chart(
            ("pin map", side.data_key, run_config, show_test, title),
            run.params,
            side.data,
            key=f"{prefix}-pin-map-{which}",
            title=title,
            show_test=show_test,
            activation=run_config.activation,
            container=column,
        )


def _side_key(side: Side) -> Hashable:
    return (side.data_key, tuple((name, run) for name, (_r, run) in side.runs.items()))


def _scores(side: Side) -> dict[str, tuple[float, float, float | None]]:
    """name -> ``(train accuracy, test accuracy, final cost or None)`` on its own data."""
    scores = {}
    for name, (run, config) in side.runs.items():
        train, test = runs.accuracies(run.params, side.data, activation=config.activation)
        scores[name] = (train, test, float(run.costs[-1]) if run.costs.size else None)
    return scores


# --- The tables (pure) ----------------------------------------------------------------


def settings_table(differences: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The settings that differ: setting, pinned value, current value."""
    return pd.DataFrame(differences, columns=[_("setting that differs"), _("pinned"), _("current")])


def results_table(
    pinned: Mapping[str, tuple[float, float, float | None]],
    current: Mapping[str, tuple[float, float, float | None]],
) -> pd.DataFrame:
    """Train and test accuracy and final cost of each side (name -> scores), and the
    change (current minus pinned).

    One run a side: a row a measure, with pinned, current and change columns. Several
    (one an optimizer): a row a run (the current ones first), each measure's cell
    "pinned → current (change)"; a run on one side only shows a dash for the other.
    """
    measures = (_("train accuracy"), _("test accuracy"), _("final cost"))
    if len(pinned) <= 1 and len(current) <= 1:
        then = next(iter(pinned.values()), None)
        now = next(iter(current.values()), None)
        rows = []
        for index, measure in enumerate(measures):
            before = then[index] if then is not None else None
            after = now[index] if now is not None else None
            rows.append(
                [measure, _cell(before, index), _cell(after, index), _change(before, after, index)]
            )
        columns = [_("measure"), _("pinned"), _("current"), _("change")]
        return pd.DataFrame(rows, columns=columns)
    rows = []
    for name in dict.fromkeys([*current, *pinned]):
        then, now = pinned.get(name), current.get(name)
        row = [name]
        for index in range(len(measures)):
            before = then[index] if then is not None else None
            after = now[index] if now is not None else None
            row.append(
                _("{pinned} → {current}").format(
                    pinned=_cell(before, index) or ABSENT, current=_cell(after, index) or ABSENT
                )
                + (f" ({change})" if (change := _change(before, after, index)) else "")
            )
        rows.append(row)
    columns = [_("run")] + [
        _("{measure}: pinned → current").format(measure=measure) for measure in measures
    ]
    return pd.DataFrame(rows, columns=columns)


def _cell(value: float | None, index: int) -> str:
    if value is None:
        return ""
    return f"{value:.1%}" if index < 2 else f"{value:.4g}"


def _change(before: float | None, after: float | None, index: int) -> str:
    if before is None or after is None:
        return ""
    if index < 2:
        return _("{points:+.1f} pts").format(points=(after - before) * 100)
    return f"{after - before:+.4g}"
