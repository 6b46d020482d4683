"""Live training: runs stream their cost curve and decision boundary into placeholders, and
finished results are kept in a bounded cache keyed by configuration.

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

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dnn_core import (
    TrainConfig,
    TrainProgress,
    TrainResult,
    accuracy,
    backward,
    decision_grid,
    forward,
    train,
)
from dnn_core.datasets import Dataset, DatasetError, load

from . import export, figures
from .controls import PAGE_RUN_KEY, DataChoice

T = TypeVar("T")

MAX_CACHED_RESULTS = 96
MAX_CACHED_FIGURES = 64
FRAME_SECONDS = 0.3  # redraw figures at most this often: drawing costs more than training
PROGRESS_SECONDS = 0.1
LIVE_RESOLUTION = 80  # coarse grid while training (small messages), finer when done
FINAL_RESOLUTION = 160
TIME_BUDGET_S = 20.0
"""Longest one training run may take (read at each run, so tests can patch it)."""
MAX_STOPPED_PER_SESSION = 8
# Session state: cache key -> (result, iterations reached, iterations asked, budget).
STOPPED_RUNS_KEY = "dnl_stopped_runs"
PARTIAL_RUN_KEY = "dnl_partial_in_run"  # session state: the page run that showed one


class BoundedCache:
    """A thread-safe least-recently-used mapping holding at most ``max_entries`` items
    (Streamlit serves every session from its own thread)."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1.")
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, cache_key: Hashable) -> Any | None:
        with self._lock:
            if cache_key not in self._items:
                return None
            self._items.move_to_end(cache_key)
            return self._items[cache_key]

    def put(self, cache_key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[cache_key] = value
            self._items.move_to_end(cache_key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

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


RESULTS = BoundedCache(MAX_CACHED_RESULTS)
# Building a Plotly figure costs far more than drawing it, so finished figures are kept too
# (Streamlit only reads them); bounded because a decision boundary holds a dense grid.
FIGURES = BoundedCache(MAX_CACHED_FIGURES)


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


@contextlib.contextmanager
def stop_on_error() -> Iterator[None]:
    """Show a core's ``ValueError`` / ``DatasetError`` as a plain error box and stop the
    page there, instead of a traceback."""
    try:
        yield
    except (DatasetError, ValueError) as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


def run_cached(
    cache_key: Hashable,
    compute: Callable[[Callable[[TrainProgress], None]], T],
    *,
    label: str,
    on_frame: Callable[[TrainProgress], None] | None = None,
    cache: BoundedCache = RESULTS,
) -> T:
    """``compute(callback)`` once per ``cache_key``, with a progress bar while it runs.

    Args:
        cache_key: hashable description of the run, e.g. ``("train", data, config)``.
        compute: runs the training, passing ``callback`` to :func:`dnn_core.train`
            (or :func:`dnn_core.sweep.sweep`).
        label: what the progress bar says.
        on_frame: called with the progress at most every :data:`FRAME_SECONDS` to redraw
            live figures.
    """
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    stopped_runs = st.session_state.setdefault(STOPPED_RUNS_KEY, OrderedDict())
    if cache_key in stopped_runs:
        result, *stop = stopped_runs[cache_key]
        _show_stopped(label, *stop)
        return result
    bar = st.progress(0.0, text=label)
    budget = TIME_BUDGET_S
    start = last_bar = last_frame = time.perf_counter()
    stopped_at: tuple[int, int, float] | None = None

    def callback(progress: TrainProgress) -> bool:
        nonlocal last_bar, last_frame, stopped_at
        now = time.perf_counter()
        if now - last_bar >= PROGRESS_SECONDS:
            done = (progress.iteration + 1) / max(progress.num_iterations, 1)
            bar.progress(
                min(done, 1.0),
                text=f"{label}: iteration {progress.iteration + 1:,} of "
                f"{progress.num_iterations:,}",
            )
            last_bar = now
        if on_frame is not None and now - last_frame >= FRAME_SECONDS:
            on_frame(progress)
            last_frame = time.perf_counter()
        if now - start >= budget and progress.iteration + 1 < progress.num_iterations:
            stopped_at = (progress.iteration + 1, progress.num_iterations, budget)
            return False
        return True

    # Diverged runs are reported through their result (``diverged``, ``message``); the
    # overflow on the way there (e.g. a sweep scoring its diverged models) is expected.
    with np.errstate(all="ignore"):
        result = compute(callback)
    bar.empty()
    if stopped_at is None:
        cache.put(cache_key, result)
        return result
    stopped_runs[cache_key] = (result, *stopped_at)
    stopped_runs.move_to_end(cache_key)
    while len(stopped_runs) > MAX_STOPPED_PER_SESSION:
        stopped_runs.popitem(last=False)
    _show_stopped(label, *stopped_at)
    return result


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


# --- Drawing --------------------------------------------------------------------------


def boundary_figure(
    params: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    show_test: bool = True,
    title: str = "",
    resolution: int = FINAL_RESOLUTION,
    height: int = figures.MAP_HEIGHT,
    compact: bool = False,
):
    """The decision-boundary figure of ``params`` over ``data``'s range (train and test
    points span the grid, so hiding the test points keeps the same view)."""
    everything = np.concatenate([data.X_train, data.X_test], axis=1)
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow: drawn as is
        xs, ys, probs = decision_grid(dict(params), everything, resolution=resolution)
    return figures.decision_boundary_figure(
        xs,
        ys,
        probs,
        data.X_train,
        data.Y_train,
        data.X_test if show_test else None,
        data.Y_test if show_test else None,
        title=title,
        height=height,
        compact=compact,
    )


def accuracies(params: Mapping[str, np.ndarray], data: Dataset) -> tuple[float, float]:
    """``(train accuracy, test accuracy)`` of ``params`` on ``data``."""
    params = dict(params)
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow
        return (
            accuracy(data.X_train, data.Y_train, params),
            accuracy(data.X_test, data.Y_test, params),
        )


@dataclass
class LiveView:
    """Where a single run draws: placeholders (``st.empty()``) for its cost curve and
    decision boundary, and a key prefix for the charts (and their PNG file names).

    After :meth:`draw_result`, ``final_figures`` holds the finished figures by name
    (``"Cost curve"``, ``"Decision boundary"``), e.g. for downloads."""

    cost: Any
    boundary: Any
    data: Dataset
    show_test: bool = True
    key: str = "live"
    cost_title: str = "Cost while training"
    boundary_title: str = "Decision boundary"

    def __post_init__(self) -> None:
        self._frames = 0
        self.final_figures: dict[str, go.Figure] = {}

    def _show(self, place, figure: go.Figure, key: str, title: str) -> None:
        place.plotly_chart(
            figure,
            key=key,
            theme=None,
            config=export.plotly_config(f"deep net lab {self.key} {title}"),
        )

    def _figures(self, params, iterations, costs, num_iterations: int, resolution: int):
        cost_figure = figures.cost_curves_figure(
            {"cost": (np.asarray(iterations), np.asarray(costs))},
            title=self.cost_title,
            num_iterations=num_iterations,
            height=figures.MAP_HEIGHT,  # level with the boundary beside it
        )
        figure = boundary_figure(
            params,
            self.data,
            show_test=self.show_test,
            title=self.boundary_title,
            resolution=resolution,
        )
        return cost_figure, figure

    def draw_progress(self, progress: TrainProgress) -> None:
        """One frame while training (coarse grid)."""
        cost_figure, figure = self._figures(
            progress.params,
            progress.iterations,
            progress.costs,
            progress.num_iterations,
            LIVE_RESOLUTION,
        )
        # Each frame is a new chart in the same placeholder; unique keys keep Streamlit
        # from mistaking two frames for one duplicated element.
        self._frames += 1
        self._show(self.cost, cost_figure, f"{self.key}-cost-frame{self._frames}", "cost")
        self._show(self.boundary, figure, f"{self.key}-boundary-frame{self._frames}", "boundary")

    def draw_result(
        self, result: TrainResult, num_iterations: int, *, cache_key: Hashable = None
    ) -> None:
        """The finished figures, kept in :attr:`final_figures`; memoized under
        ``cache_key`` (with what the view shows) when one is given."""

        def build():
            return self._figures(
                result.params, result.iterations, result.costs, num_iterations, FINAL_RESOLUTION
            )

        if cache_key is None:
            cost_figure, figure = build()
        else:
            view_key = (self.show_test, self.cost_title, self.boundary_title)
            cost_figure, figure = memoize(("live view", cache_key, view_key), build)
        self.final_figures = {"Cost curve": cost_figure, "Decision boundary": figure}
        self._show(self.cost, cost_figure, f"{self.key}-cost", "cost")
        self._show(self.boundary, figure, f"{self.key}-boundary", "boundary")


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


def show_run_status(result: Any, *, what: str | None = None) -> None:
    """A clear warning for a run (or sweep) that diverged; ``what`` names it when the page
    shows several (e.g. "The λ sweep"). The figures show its last finite state."""
    if getattr(result, "diverged", False):
        prefix = f"{what}: " if what else ""
        st.warning(
            f"{prefix}{result.message} The charts show the last finite state.",
            icon=":material/warning:",
        )


# --- Network internals ----------------------------------------------------------------


def layer_signals(
    params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Activations and weight gradients of every layer for one full-batch pass.

    Returns:
        ``({"layer 1": A1 (n_1, m), ..., "layer L": AL (1, m)},
        {"layer 1": dW1 (n_1, n_0), ...})``.
    """
    params = dict(params)
    with np.errstate(all="ignore"):  # huge initial weights may overflow: shown, not warned
        _, cache = forward(X, params)
        grads = backward(Y, cache, params)
    layers = len(params) // 2
    activations = {f"layer {layer}": cache[f"A{layer}"] for layer in range(1, layers + 1)}
    gradients = {f"layer {layer}": grads[f"dW{layer}"] for layer in range(1, layers + 1)}
    return activations, gradients
