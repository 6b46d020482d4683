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
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
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
    init_params,
    train,
)
from dnn_core.datasets import Dataset, load
from dnn_core.diagnostics import CostRecorder
from dnn_core.sweep import SweepResult, sweep

from . import export, figures, flights
from .sidebar import DataChoice

if TYPE_CHECKING:  # the view imports this module's caches
    from .live_view import LiveView

T = TypeVar("T")

MAX_CACHED_RESULTS = 96
MAX_CACHED_FIGURES = 64
MAX_CACHED_BYTES = 64 * 2**20  # per cache: a small container has 0.7-2.7 GB in all
FRAME_SECONDS = 0.3  # redraw figures at most this often: drawing costs more than training
PROGRESS_SECONDS = 0.1
TIME_BUDGET_S = 20.0
"""CPU seconds one training run may take (read at each run, so tests can patch it)."""
PAGE_BUDGET_S = 30.0
"""Estimated CPU seconds one page view may ask for: more is refused before it starts."""
# A training step costs about this per layer, plus this per example and weight (measured on
# a quiet core with one BLAS thread; mini-batch steps carry extra slicing and updates).
STEP_SECONDS_PER_LAYER = 10e-6
MINI_BATCH_STEP_SECONDS = 20e-6
SECONDS_PER_EXAMPLE_WEIGHT = 0.4e-9
MAX_STOPPED_PER_SESSION = 8
# Session state: cache key -> (result, iterations reached, iterations asked, budget).
STOPPED_RUNS_KEY = "dnl_stopped_runs"
PARTIAL_RUN_KEY = "dnl_partial_in_run"  # session state: the page run that showed one
PAGE_RUN_KEY = "dnl_page_run"
"""Session-state counter of page runs, so a run can tell which page run it is shown in."""


def begin_page_run() -> None:
    """Count a new page run (call once at the top of every page)."""
    st.session_state[PAGE_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY, 0) + 1


def approximate_bytes(value: Any) -> int:
    """Memory held by ``value``'s arrays: NumPy arrays inside results, dicts, sequences,
    dataclasses and Plotly figures (their traces' data), and a little for the rest."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, go.Figure):
        return sum(approximate_bytes(trace.to_plotly_json()) for trace in value.data)
    if isinstance(value, Mapping):
        return sum(approximate_bytes(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(approximate_bytes(item) for item in value) if value else 0
    if hasattr(value, "__dataclass_fields__"):
        return sum(approximate_bytes(getattr(value, name)) for name in value.__dataclass_fields__)
    return 64


class BoundedCache:
    """A thread-safe least-recently-used mapping holding at most ``max_entries`` items and
    about ``max_bytes`` of arrays (Streamlit serves every session from its own thread)."""

    def __init__(self, max_entries: int, max_bytes: int | None = None) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1.")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, cache_key: Hashable) -> Any | None:
        with self._lock:
            if cache_key not in self._items:
                return None
            self._items.move_to_end(cache_key)
            return self._items[cache_key][0]

    def put(self, cache_key: Hashable, value: Any) -> None:
        size = approximate_bytes(value) if self.max_bytes is not None else 0
        with self._lock:
            if cache_key in self._items:
                self._bytes -= self._items.pop(cache_key)[1]
            self._items[cache_key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or (
                self.max_bytes is not None and self._bytes > self.max_bytes and len(self._items) > 1
            ):
                self._bytes -= self._items.popitem(last=False)[1][1]

    @property
    def nbytes(self) -> int:
        """About how much the held values' arrays take."""
        with self._lock:
            return self._bytes

    def __contains__(self, cache_key: Hashable) -> bool:
        with self._lock:
            return cache_key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[Hashable]:
        """The keys held, least recently used first (a snapshot)."""
        with self._lock:
            return iter(list(self._items))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


RESULTS = BoundedCache(MAX_CACHED_RESULTS, MAX_CACHED_BYTES)
# Building a Plotly figure costs far more than drawing it, so finished figures are kept too
# (Streamlit only reads them); bounded because a decision boundary holds a dense grid.
FIGURES = BoundedCache(MAX_CACHED_FIGURES, MAX_CACHED_BYTES)


def memoize(cache_key: Hashable, build: Callable[[], T], *, cache: BoundedCache = FIGURES) -> T:
    """``build()`` once per ``cache_key`` (e.g. a figure keyed by what it shows); later calls
    return the same object, so never mutate it.

    Nothing is stored during a page run that used a run stopped by the time budget: its
    figures show part of a run, while their keys name the complete one.
    """
    value = cache.get(cache_key)
    if value is None:
        value = build()
        if not _partial_run_shown():
            cache.put(cache_key, value)
    return value


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
    compute: Callable[[Callable[[TrainProgress], bool]], T],
    *,
    label: str,
    on_frame: Callable[[TrainProgress], None] | None = None,
    cache: BoundedCache = RESULTS,
    unit: str = "iteration",
) -> T:
    """``compute(callback)`` once per ``cache_key`` for every session, with a progress bar
    while it runs (see :mod:`ui.flights`: a request for a run in progress follows it).

    Args:
        cache_key: hashable description of the run, e.g. ``("train", data, config)``.
        compute: runs the training, passing ``callback`` to :func:`dnn_core.train`
            (or :func:`dnn_core.sweep.sweep`); it runs on a worker thread.
        label: what the progress bar says.
        on_frame: called with a snapshot of the progress at most every
            :data:`FRAME_SECONDS` to redraw live figures.
        unit: what the progress bar counts, the page's own word ("iteration", "epoch").
    """
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    stopped_runs = st.session_state.setdefault(STOPPED_RUNS_KEY, OrderedDict())
    if cache_key in stopped_runs:
        result, *stop = stopped_runs[cache_key]
        _show_stopped(label, *stop)
        return result

    def finished(flight: flights.Flight) -> None:
        if flight.stopped is None:  # complete: shared with every session
            cache.put(cache_key, flight.result)

    flight = flights.BOARD.join_or_start(
        cache_key, compute, budget_s=TIME_BUDGET_S, on_done=finished
    )
    _follow(flight, label, on_frame, unit)
    if flight.error is not None:
        raise flight.error
    if flight.stopped == "idle":  # everyone else left it: this session computes it now
        return run_cached(
            cache_key, compute, label=label, on_frame=on_frame, cache=cache, unit=unit
        )
    if flight.stopped is None:
        return flight.result
    stopped_at = (flight.reached, flight.total, flight.budget_s)
    stopped_runs[cache_key] = (flight.result, *stopped_at)
    stopped_runs.move_to_end(cache_key)
    while len(stopped_runs) > MAX_STOPPED_PER_SESSION:
        stopped_runs.popitem(last=False)
    _show_stopped(label, *stopped_at)
    return flight.result


def _follow(
    flight: flights.Flight,
    label: str,
    on_frame: Callable[[TrainProgress], None] | None,
    unit: str = "iteration",
) -> None:
    """Watch ``flight`` until it is done: its progress in a bar, its frames drawn by
    ``on_frame``. A rerun or a closed tab raises out of the Streamlit calls here, which
    ends the watch (and, once nobody watches, the flight)."""
    bar = st.progress(0.0, text=label)
    last_frame = 0.0
    drawn = None
    with flight.watching():
        while not flight.done.wait(PROGRESS_SECONDS):
            progress = flight.progress
            if progress is None:
                waiting = "starting" if flight.started else "waiting for a free worker"
                bar.progress(0.0, text=f"{label}: {waiting}")
                continue
            done = (progress.iteration + 1) / max(progress.num_iterations, 1)
            bar.progress(
                min(done, 1.0),
                text=f"{label}: {unit} {progress.iteration + 1:,} of {progress.num_iterations:,}",
            )
            now = time.monotonic()
            if on_frame is not None and progress is not drawn and now - last_frame >= FRAME_SECONDS:
                on_frame(progress)
                drawn, last_frame = progress, time.monotonic()
    bar.empty()


def estimated_seconds(config: TrainConfig, m: int) -> float:
    """About how many CPU seconds training ``config`` on ``m`` points takes."""
    dims = config.layer_dims
    weights = sum(n * n_prev for n, n_prev in zip(dims[1:], dims[:-1], strict=False))
    batch = min(config.mini_batch_size or m, m)
    steps = config.epochs * math.ceil(m / batch)
    step = STEP_SECONDS_PER_LAYER * (len(dims) - 1) + SECONDS_PER_EXAMPLE_WEIGHT * batch * weights
    if batch < m:
        step += MINI_BATCH_STEP_SECONDS
    return steps * step


def check_page_budget(data: Dataset, configs: Sequence[TrainConfig]) -> None:
    """Refuse, with a plain message that says what to change, a page view whose training
    (``configs``, one per network it trains) would take more than :data:`PAGE_BUDGET_S`;
    the page stops there, before any work starts."""
    m = data.X_train.shape[1]
    needed = sum(estimated_seconds(config, m) for config in configs)
    if needed <= PAGE_BUDGET_S:
        return
    most = max(configs, key=lambda config: estimated_seconds(config, m))
    fits = int(most.epochs * PAGE_BUDGET_S / needed)
    st.warning(
        f"These settings would need about {needed:,.0f} s of computing ({len(configs)} "
        f"networks, {most.epochs:,} iterations each on {m:,} points); a page may take "
        f"about {PAGE_BUDGET_S:g} s, so that everyone sharing the server gets a turn. Use "
        f"at most about {max(fits, 1):,} iterations, or smaller hidden layers, or fewer "
        "points.",
        icon=":material/timer:",
    )
    st.stop()


def _show_stopped(label: str, reached: int, total: int, budget: float) -> None:
    """Say that a run hit the time budget (and mark this page run as showing one)."""
    st.session_state[PARTIAL_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY)
    st.warning(
        f"{label}: stopped after {budget:g} s, at iteration {reached:,} of "
        f"{total:,}, so that one page cannot keep the server busy for everyone. The charts "
        "show what was learnt so far; reduce the iterations (or the network's size) to "
        "train to the end.",
        icon=":material/timer:",
    )


def accuracies(params: Mapping[str, np.ndarray], data: Dataset) -> tuple[float, float]:
    """``(train accuracy, test accuracy)`` of ``params`` on ``data``."""
    params = dict(params)
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow
        return (
            accuracy(data.X_train, data.Y_train, params),
            accuracy(data.X_test, data.Y_test, params),
        )


def train_live(
    data: Dataset,
    data_key: Hashable,
    config: TrainConfig,
    *,
    view: LiveView | None = None,
    label: str = "Training",
) -> TrainResult:
    """Train ``config`` on ``data`` (cached by ``(data_key, config)``), streaming into
    ``view`` while it runs and drawing the final figures there when done.

    Raises:
        ValueError: with a plain message for a configuration that cannot run.
    """
    cache_key = ("train", data_key, config)
    result = run_cached(
        cache_key,
        lambda callback: train(data.X_train, data.Y_train, config, callback=callback),
        label=label,
        on_frame=view.draw_progress if view is not None else None,
    )
    if view is not None:
        view.draw_result(result, config.epochs, cache_key=cache_key)
    return result


def accuracy_table(
    results: Mapping[str, Any],
    data: Dataset,
    *,
    names: Mapping[str, str] | None = None,
    label: str = "model",
):
    """The course's comparison table of ``results`` (name -> TrainResult) on ``data``:
    one row per run, shown as ``names[name]`` (default: the name itself)."""
    scores = [accuracies(result.params, data) for result in results.values()]
    return figures.results_table(
        [(names or {}).get(name, name) for name in results],
        [train for train, _ in scores],
        [test for _, test in scores],
        label=label,
    )


def sweep_run(
    data: Dataset,
    data_key: Hashable,
    config: TrainConfig,
    name: str,
    values: tuple[float, ...],
    *,
    label: str,
) -> SweepResult:
    """``config`` trained once per value of setting ``name`` (all at once, cached), scored
    on the training and test points; ``label`` names the setting in the progress bar."""
    return run_cached(
        ("sweep", data_key, config, name, values),
        lambda callback: sweep(
            data.X_train,
            data.Y_train,
            config,
            name,
            values,
            X_test=data.X_test,
            Y_test=data.Y_test,
            callback=callback,
        ),
        label=f"Sweeping {label} ({len(values)} models at once)",
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
    """Train each of ``configs`` in turn (cached), every one's cost per epoch drawn live in
    one chart here, next to those already finished."""
    place = st.empty()
    results: dict[str, TrainResult] = {}
    frames = itertools.count()

    def draw(curves: dict, *, final: bool) -> go.Figure:
        figure = figures.cost_curves_figure(
            curves, title="Cost per epoch", num_iterations=epochs, x_title="epoch"
        )
        place.plotly_chart(
            figure,
            key="opt-costs" if final else f"opt-costs-frame{next(frames)}",
            theme=None,
            config=export.plotly_config("deep net lab optimization cost per epoch"),
        )
        return figure

    def finished() -> dict:
        return {names[choice]: (run.iterations, run.costs) for choice, run in results.items()}

    for choice, config in configs.items():
        name = names[choice]

        def show_progress(progress, name=name) -> None:
            curve = (list(progress.iterations), list(progress.costs))
            draw(finished() | {name: curve}, final=False)

        results[choice] = run_cached(
            ("train", data_key, config),
            lambda callback, config=config: train(
                data.X_train, data.Y_train, config, callback=callback
            ),
            label=f"Training with {name}",
            on_frame=show_progress,
            unit="epoch",
        )
    return ComparedRuns(results, draw(finished(), final=True))


def train_all(
    data: Dataset,
    data_key: Hashable,
    configs: Mapping[str, TrainConfig],
    *,
    label: str,
    names: Mapping[str, str] | None = None,
) -> dict[str, TrainResult]:
    """Each of ``configs`` trained (cached) without live drawing; the progress bar says
    ``label`` and the run's name (``names[name]``, default the name itself)."""
    return {
        name: train_live(data, data_key, config, label=f"{label}: {(names or {}).get(name, name)}")
        for name, config in configs.items()
    }


def train_scored(
    data: Dataset,
    data_key: Hashable,
    config: TrainConfig,
    *,
    label: str,
    view: LiveView | None = None,
) -> tuple[TrainResult, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """As :func:`train_live`, and the cross-entropy on the training and on the test points
    is recorded as it trains: ``(result, {"train": (iterations, costs), "test": ...})``."""
    cache_key = ("train scored", data_key, config)

    def compute(callback):
        points = {"train": (data.X_train, data.Y_train), "test": (data.X_test, data.Y_test)}
        recorder = CostRecorder(points, then=callback)
        return train(data.X_train, data.Y_train, config, callback=recorder), recorder.curves()

    on_frame = view.draw_progress if view is not None else None
    result, curves = run_cached(cache_key, compute, label=label, on_frame=on_frame)
    if view is not None:
        view.draw_result(result, config.epochs, cache_key=cache_key)
    return result, curves


def train_constant_start(
    data: Dataset, data_key: Hashable, config: TrainConfig, weight: float
) -> TrainResult:
    """``config`` trained from every weight equal to ``weight`` (biases zero): symmetric
    units that never tell themselves apart."""
    constant_start = {
        name: np.full_like(value, weight) if name.startswith("W") else value
        for name, value in init_params(config.layer_dims, "zeros").items()
    }
    return run_cached(
        ("constant start", data_key, config, weight),
        lambda callback: train(
            data.X_train, data.Y_train, config, callback=callback, initial_params=constant_start
        ),
        label=f"Training from constant weights ({weight:g})",
    )
