"""The one way pages get results: runs stream their cost curve and decision boundary into
placeholders, finished results are kept in bounded caches keyed by configuration, and every
run has a time budget.

A function cached with ``st.cache_data`` cannot stream while it computes, so results live
in :data:`RESULTS`, a small LRU keyed by ``(kind, data key, config)``: a miss trains with a
callback that redraws the placeholders, a hit returns at once. Interrupted runs (the
student moved a slider) raise out of the callback and are never stored.

Every run has a time budget (:data:`TIME_BUDGET_S`), so one page cannot keep the server
busy for everyone: a run over budget stops, says so, and shows what it learnt. Such a run is
kept for its own session only (redrawing it costs nothing), never in the shared caches,
where it would pass for the complete run of its settings.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dnn_core import (
    TrainConfig,
    TrainProgress,
    TrainResult,
    accuracy,
    diagnostics,
    init_params,
    train_stack,
)
from dnn_core.datasets import Dataset, load
from dnn_core.training import STACK_SHARED

from . import figures, flights, i18n, memory
from .caches import BoundedCache
from .i18n import N_, _, ngettext
from .sidebar import DataChoice

if TYPE_CHECKING:  # the view imports this module's caches
    pass

T = TypeVar("T")

MAX_CACHED_RESULTS = 96
MAX_CACHED_FIGURES = 64
MAX_CACHED_BYTES = 64 * 2**20  # per cache: a small container has 0.7-2.7 GB in all
FRAME_SECONDS = 0.3  # redraw figures at most this often: drawing costs more than training
LIVE_FRAMES = 8
"""Frames one run draws at most while it trains, at evenly spaced moments of its progress:
a long run, or one on a busy server, costs no more drawing than a short one, and every
session following it draws the same moments, each built once
(:meth:`ui.flights.Flight.frame_at`)."""
FIRST_FRAME_CPU_S = 1.0
"""A run draws live frames once it has computed this many CPU seconds: a run done sooner
shows its final charts at once (a frame would cost a short run a large share of its time,
and on a busy server wall-clock time says little about how long a run is)."""
PROGRESS_SECONDS = 0.1
KEEPALIVE_SECONDS = 0.5  # a follower calls Streamlit at least this often
TIME_BUDGET_S = 20.0
"""CPU seconds one training run may take (read at each run, so tests can patch it)."""
MAX_STOPPED_PER_SESSION = 8
STOPPED_BYTES_PER_SESSION = 16 * 2**20
# Session state: cache key -> (result, iterations reached, iterations asked, budget).
STOPPED_RUNS_KEY = "dnl_stopped_runs"
PARTIAL_RUN_KEY = "dnl_partial_in_run"  # session state: the page run that showed one
PAGE_RUN_KEY = "dnl_page_run"
"""Session-state counter of page runs, so a run can tell which page run it is shown in."""


def begin_page_run() -> None:
    """Count a new page run (call once at the top of every page)."""
    st.session_state[PAGE_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY, 0) + 1


RESULTS = BoundedCache(MAX_CACHED_RESULTS, MAX_CACHED_BYTES)
# Building a Plotly figure costs far more than drawing it, so finished figures are kept too
# (Streamlit only reads them); bounded because a decision boundary holds a dense grid.
FIGURES = BoundedCache(MAX_CACHED_FIGURES, MAX_CACHED_BYTES)
# Live frames, built once for every session following the same run.
FRAMES = BoundedCache(16, MAX_CACHED_BYTES // 8)
# Stacks just trained, while their models go into RESULTS one by one.
STACKS = BoundedCache(8, MAX_CACHED_BYTES // 4)
# Runs cut short by their budget (or left by everyone), kept so the next request for them
# carries on where they stopped instead of starting over.
PARTIAL = BoundedCache(MAX_STOPPED_PER_SESSION * 4, MAX_CACHED_BYTES // 4)


def memoize(cache_key: Hashable, build: Callable[[], T], *, cache: BoundedCache = FIGURES) -> T:
    """``build()`` once per ``cache_key`` (e.g. a figure keyed by what it shows) and reader's
    language (a figure's titles and labels are in it); later calls return the same object,
    so never mutate it. (Training runs, whose numbers are the same in every language, are
    cached by :func:`run_cached` without the language.)

    Nothing is stored during a page run that used a run stopped by the time budget: its
    figures show part of a run, while their keys name the complete one.
    """
    cache_key = (cache_key, i18n.language())
    value = cache.get(cache_key)
    if value is not None:
        return value
    # Sessions opening one link at once would each build the same figure: the first builds
    # it, the others wait for it (locks striped by key, so unrelated figures don't wait).
    with _BUILD_LOCKS[hash(cache_key) % len(_BUILD_LOCKS)]:
        value = cache.get(cache_key)
        if value is None:
            value = figures.packed(build())  # shown by many sessions: encoded once
            if not _partial_run_shown():
                cache.put(cache_key, value)
    return value


_BUILD_LOCKS = tuple(threading.RLock() for _ in range(64))  # re-entrant: a build may memoize


def _partial_run_shown() -> bool:
    """Whether this page run has used a run stopped by the time budget."""
    page_run = st.session_state.get(PAGE_RUN_KEY)
    return page_run is not None and st.session_state.get(PARTIAL_RUN_KEY) == page_run


@st.cache_data(max_entries=24, show_spinner=False)
def _load_catalogued(name: str, noise: float, seed: int) -> Dataset:
    return load(name, noise=noise, seed=seed)


def load_dataset(choice: DataChoice) -> Dataset:
    """The data set the sidebar chose: the uploaded one, or a catalogued one (cached;
    raises DatasetError with a plain message)."""
    if choice.uploaded is not None:
        return choice.uploaded
    return _load_catalogued(choice.name, choice.noise, choice.seed)


def run_cached(
    cache_key: Hashable,
    compute: Callable[[Callable, Callable, Any], T],
    *,
    label: str,
    on_frame: Callable[[TrainProgress], None] | None = None,
    cache: BoundedCache = RESULTS,
    unit: str = N_("iteration"),
) -> T:
    """``compute(callback, should_stop, resume)`` once per ``cache_key`` for every session,
    with a progress bar while it runs (see :mod:`ui.flights`: a request for a run in
    progress follows it).

    Args:
        cache_key: hashable description of the run, e.g. ``("train", data, config)``.
        compute: runs the training on a worker thread, passing ``callback`` and
            ``should_stop`` to :func:`dnn_core.train` (or ``train_stack``) and ``resume``
            (None, or the run cut short before, to continue rather than start over).
        label: what the progress bar says.
        on_frame: called with a snapshot of the progress to redraw live figures, at most
            :data:`LIVE_FRAMES` times and every :data:`FRAME_SECONDS`, once the run has
            computed :data:`FIRST_FRAME_CPU_S`.
        unit: what the progress bar counts, the page's own word ("iteration", "epoch").
    """
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    # A closed tab's session stays a while: its runs are bounded by bytes as well.
    stopped_runs = st.session_state.setdefault(
        STOPPED_RUNS_KEY, BoundedCache(MAX_STOPPED_PER_SESSION, STOPPED_BYTES_PER_SESSION)
    )
    memory.forget_when_closed(stopped_runs)  # gone with the tab: it can train them again
    if cache_key in stopped_runs:  # this session saw it cut short: it redraws that
        result, *stop = stopped_runs.get(cache_key)
        _show_stopped(label, *stop)
        return result
    resume = PARTIAL.get(cache_key)  # cut short for someone else: carry on from there

    def finished(flight: flights.Flight) -> None:
        if flight.stopped is None:  # complete: shared with every session
            cache.put(cache_key, flight.result)
            PARTIAL.pop(cache_key)
        elif _resumable(flight.result):
            PARTIAL.put(cache_key, flight.result)

    flight = flights.BOARD.join_or_start(
        cache_key,
        lambda callback, should_stop: compute(callback, should_stop, resume),
        budget_s=TIME_BUDGET_S,
        on_done=finished,
    )
    _follow(flight, label, on_frame, unit)
    if flight.error is not None:
        raise flight.error
    if flight.stopped == "idle":  # everyone else left it: this session carries it on now
        return run_cached(
            cache_key, compute, label=label, on_frame=on_frame, cache=cache, unit=unit
        )
    if flight.stopped is None:
        return flight.result
    stopped_at = (flight.reached, flight.total, flight.budget_s)
    stopped_runs.put(cache_key, (flight.result, *stopped_at))
    _show_stopped(label, *stopped_at)
    return flight.result


def _resumable(result: Any) -> bool:
    """Whether a run cut short can be carried on (a result, or a stack's list of them with
    its cost curves)."""
    if isinstance(result, tuple):
        result = result[0]
    results = result if isinstance(result, list) else [result]
    return all(getattr(item, "state", None) is not None for item in results)


def _follow(
    flight: flights.Flight,
    label: str,
    on_frame: Callable[[TrainProgress], None] | None,
    unit: str = N_("iteration"),
) -> None:
    """Watch ``flight`` until it is done: its progress in a bar, its frames drawn by
    ``on_frame``. A rerun or a closed tab raises out of the Streamlit calls here, which
    ends the watch (and, once nobody watches, the flight)."""
    bar = st.progress(0.0, text=label)
    last_frame = last_bar = 0.0
    said, drawn_slot = None, 0
    with flight.watching():
        while not flight.done.wait(PROGRESS_SECONDS):
            progress = flight.progress
            if progress is None:
                waiting = _("starting") if flight.started else _("waiting for a free worker")
                text, done = f"{label}: {waiting}", 0.0
            else:
                text = _("{label}: {unit} {done} of {total}").format(
                    label=label,
                    unit=_(unit),
                    done=f"{progress.iteration + 1:,}",
                    total=f"{progress.num_iterations:,}",
                )
                done = min((progress.iteration + 1) / max(progress.num_iterations, 1), 1.0)
            now = time.monotonic()
            # Redraw only what changed (a class of sessions follows one run), but touch the
            # bar now and then: a rerun or a closed tab can only interrupt at a Streamlit call.
            if text != said or now - last_bar >= KEEPALIVE_SECONDS:
                bar.progress(done, text=text)
                said, last_bar = text, now
            slot = _frame_slot(progress) if flight.cpu_s >= FIRST_FRAME_CPU_S else 0
            if on_frame is not None and slot > drawn_slot and now - last_frame >= FRAME_SECONDS:
                on_frame(flight.frame_at(slot, progress))
                drawn_slot, last_frame = slot, time.monotonic()
    bar.empty()


def _frame_slot(progress: TrainProgress | None) -> int:
    """Which of the run's :data:`LIVE_FRAMES` moments ``progress`` has reached (0: none)."""
    if progress is None:
        return 0
    return (progress.iteration + 1) * LIVE_FRAMES // max(progress.num_iterations, 1)


def _show_stopped(label: str, reached: int, total: int, budget: float) -> None:
    """Say that a run hit the time budget (and mark this page run as showing one)."""
    st.session_state[PARTIAL_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY)
    st.warning(
        _(
            "{label}: stopped after {budget} s, at iteration {reached} of {total}, so that "
            "one page cannot keep the server busy for everyone. The charts show what was "
            "learnt so far; reduce the iterations (or the network's size) to train to the end."
        ).format(label=label, budget=f"{budget:g}", reached=f"{reached:,}", total=f"{total:,}"),
        icon=":material/timer:",
    )


def accuracies(
    params: Mapping[str, np.ndarray], data: Dataset, *, activation: str = "relu"
) -> tuple[float, float]:
    """``(train accuracy, test accuracy)`` of ``params`` (hidden layers ``activation``) on
    ``data``."""
    params = dict(params)
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow
        return (
            accuracy(data.X_train, data.Y_train, params, activation=activation),
            accuracy(data.X_test, data.Y_test, params, activation=activation),
        )


@dataclass(frozen=True)
class Scored:
    """A run and its cross-entropy on named point sets as it trained:
    ``curves[name] = (iterations (n,), costs (n,))``."""

    result: TrainResult
    curves: dict[str, tuple[np.ndarray, np.ndarray]]


def train_together(
    data: Dataset,
    data_key: Hashable,
    configs: Mapping[str, TrainConfig],
    *,
    label: str,
    starts: Mapping[str, tuple[Hashable, dict[str, np.ndarray]]] | None = None,
    on_frame: Callable[[dict[str, TrainProgress], Hashable], None] | None = None,
    unit: str = N_("iteration"),
    scored: bool = False,
) -> dict[str, Any]:
    """Every run of ``configs`` (name -> config) a page shows side by side, trained as one
    stack of models per kind of data path (:data:`dnn_core.training.STACK_SHARED`: e.g.
    batch and mini-batch runs apart) instead of one by one.

    Each model's result is cached as its own run (the same as training it alone), so a run
    another page or stack already has is not trained again, and two names for one run
    train it once.

    Args:
        starts: name -> ``(start key, initial parameters)`` for a run that starts from given
            weights (the key names them in the cache).
        on_frame: called while a stack trains with ``{name: its progress}`` for the names
            in that stack (see :data:`LIVE_FRAMES`), and a key naming that
            moment of that stack (for sessions following it to share one drawing).
        unit: what the progress bar counts ("iteration", "epoch").
        scored: also record each run's cross-entropy on the training and the test points
            as it trains; the values are then :class:`Scored`.

    Returns:
        name -> :class:`~dnn_core.TrainResult` (or :class:`Scored`).

    Raises:
        ValueError: with a plain message for a configuration that cannot run.
    """
    starts = starts or {}
    kind = "train scored" if scored else "train"
    points = {"train": (data.X_train, data.Y_train), "test": (data.X_test, data.Y_test)}

    def run_key(name: str) -> Hashable:
        if name in starts:
            return (kind, data_key, configs[name], starts[name][0])
        return (kind, data_key, configs[name])

    results = {name: RESULTS.get(run_key(name)) for name in configs}
    groups: dict[tuple, dict[Hashable, list[str]]] = {}
    for name, config in configs.items():
        if results[name] is None:
            shared = tuple(getattr(config, field) for field in STACK_SHARED)
            groups.setdefault(shared, {}).setdefault(run_key(name), []).append(name)
    for group in groups.values():
        keys = list(group)
        first = [group[key][0] for key in keys]  # one name per distinct run
        stack_configs = [configs[name] for name in first]
        stack_starts = [starts[name][1] if name in starts else None for name in first]

        def frame(progress: TrainProgress, first=first, keys=keys) -> None:
            models = {name: model_progress(progress, k) for k, name in enumerate(first)}
            on_frame(models, ("stack", data_key, tuple(keys), progress.iteration))

        def compute(callback, should_stop, resume, cs=stack_configs, ss=stack_starts):
            # A stack keeps its cost curves beside its results, also when it is resumed.
            done, curves = resume if resume is not None else (None, {})
            recorder = diagnostics.CostRecorder(
                points if scored else {},
                then=callback,
                activation=cs[0].activation,
                iterations=list(curves.get("train", ([], []))[0]),
                costs={name: list(values) for name, (_, values) in curves.items()},
            )
            trained = train_stack(
                data.X_train,
                data.Y_train,
                cs,
                initial_params=ss,
                callback=recorder,
                should_stop=should_stop,
                resume=done,
            )
            return trained, recorder.curves()

        stacked, curves = run_cached(
            ("stack", data_key, tuple(keys)),
            compute,
            label=ngettext(
                "{label} ({count} network at once)", "{label} ({count} networks at once)", len(keys)
            ).format(label=label, count=len(keys)),
            on_frame=frame if on_frame is not None else None,
            cache=STACKS,
            unit=unit,
        )
        complete = STACKS.get(("stack", data_key, tuple(keys))) is not None
        for k, (key, result) in enumerate(zip(keys, stacked, strict=True)):
            if scored:
                model_curves = {
                    name: (iterations, np.asarray(costs).reshape(len(iterations), -1)[:, k])
                    for name, (iterations, costs) in curves.items()
                }
                result = Scored(result, model_curves)
            if complete:
                RESULTS.put(key, result)
            for name in group[key]:
                results[name] = result
    return results


@dataclass(frozen=True)
class SweepScores:
    """A sweep's networks scored: accuracies ``(K,)`` and whether one of them diverged."""

    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    diverged: bool
    message: str


def sweep_scores(
    results: Sequence[TrainResult], data: Dataset, *, activation: str = "relu"
) -> SweepScores:
    """Train and test accuracy of each network of a sweep (in order) on ``data``."""
    scores = np.array(
        [accuracies(result.params, data, activation=activation) for result in results]
    )  # (K, 2)
    diverged = [result for result in results if result.diverged]
    return SweepScores(
        scores[:, 0], scores[:, 1], bool(diverged), diverged[0].message if diverged else ""
    )


def model_progress(progress: TrainProgress, k: int) -> TrainProgress:
    """Model ``k``'s part of a stack's progress (costs ``(K,)``, parameters ``(K, ...)``)."""
    return TrainProgress(
        progress.iteration,
        progress.num_iterations,
        float(np.asarray(progress.cost)[k]),
        {key: value[k] for key, value in progress.params.items()},
        [float(np.asarray(cost)[k]) for cost in progress.costs],
        list(progress.iterations),
    )


def accuracy_table(
    results: Mapping[str, Any],
    data: Dataset,
    *,
    names: Mapping[str, str] | None = None,
    label: str = "model",
    activation: str = "relu",
):
    """The course's comparison table of ``results`` (name -> TrainResult) on ``data``:
    one row per run, shown as ``names[name]`` (default: the name itself)."""
    scores = [accuracies(r.params, data, activation=activation) for r in results.values()]
    return figures.results_table(
        [(names or {}).get(name, name) for name in results],
        [train for train, _ in scores],
        [test for _, test in scores],
        label=label,
    )


@dataclass
class ComparedRuns:
    """Runs drawn together in one cost chart: name -> result, and the finished chart."""

    results: dict[str, TrainResult]
    final_figure: go.Figure


def train_compared(
    data: Dataset,
    data_key: Hashable,
    configs: Mapping[str, TrainConfig],
    names: Mapping[str, str],
    *,
    epochs: int,
) -> ComparedRuns:
    """Train ``configs`` together (as stacks, cached), every one's cost per epoch drawn
    live in one chart here."""
    place = st.empty()
    frames = itertools.count()

    def draw(curves: dict, *, final: bool) -> go.Figure:
        figure = figures.cost_curves_figure(
            curves, title=_("Cost per epoch"), num_iterations=epochs, x_title=_("epoch")
        )
        key = "opt-costs" if final else f"opt-costs-frame{next(frames)}"
        from .page import chart  # page imports this module: imported when first drawn

        chart(figure, key=key, container=place, filename="optimization cost per epoch")
        return figure

    def frame(progress: dict[str, TrainProgress], frame_key: Hashable) -> None:
        draw(
            {names[name]: (run.iterations, run.costs) for name, run in progress.items()},
            final=False,
        )

    results = train_together(
        data,
        data_key,
        configs,
        label=_("Training the optimizers"),
        on_frame=frame,
        unit=N_("epoch"),
    )
    curves = {names[name]: (run.iterations, run.costs) for name, run in results.items()}
    return ComparedRuns(results, draw(curves, final=True))


def constant_start(config: TrainConfig, weight: float) -> tuple[Hashable, dict[str, np.ndarray]]:
    """``(start key, parameters)``: every weight of ``config``'s network equal to ``weight``
    (biases zero), symmetric units that never tell themselves apart; for
    :func:`train_together`'s ``starts``."""
    params = {
        name: np.full_like(value, weight) if name.startswith("W") else value
        for name, value in init_params(config.layer_dims, "zeros").items()
    }
    return ("constant start", weight), params
