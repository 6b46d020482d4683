"""Live training: runs stream their cost curve and decision boundary into placeholders, and
finished results are kept in a bounded cache keyed by configuration.

A function cached with ``st.cache_data`` cannot stream while it computes, so results live
in :data:`RESULTS`, a small LRU keyed by ``(kind, data key, config)``: a miss trains with a
callback that redraws the placeholders, a hit returns at once. Interrupted runs (the
student moved a slider) raise out of the callback and are never stored.
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
import streamlit as st

from dnn_core import TrainConfig, TrainProgress, TrainResult, decision_grid, train
from dnn_core.datasets import Dataset, DatasetError, load

from . import figures
from .controls import DataChoice

T = TypeVar("T")

MAX_CACHED_RESULTS = 96
FRAME_SECONDS = 0.3  # redraw figures at most this often: drawing costs more than training
PROGRESS_SECONDS = 0.1
LIVE_RESOLUTION = 80  # coarse grid while training (small messages), finer when done
FINAL_RESOLUTION = 160


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

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = BoundedCache(MAX_CACHED_RESULTS)


@st.cache_data(max_entries=24, show_spinner=False)
def _load_catalogued(name: str, noise: float, seed: int) -> Dataset:
    return load(name, noise=noise, seed=seed)


def load_dataset(choice: DataChoice) -> Dataset:
    """The data set the sidebar chose (cached; raises DatasetError with a plain message)."""
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
    bar = st.progress(0.0, text=label)
    last_bar = last_frame = time.perf_counter()

    def callback(progress: TrainProgress) -> None:
        nonlocal last_bar, last_frame
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

    result = compute(callback)
    bar.empty()
    cache.put(cache_key, result)
    return result


# --- Drawing --------------------------------------------------------------------------


def boundary_figure(
    params: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    show_test: bool = True,
    title: str = "",
    resolution: int = FINAL_RESOLUTION,
    height: int = figures.HEIGHT,
):
    """The decision-boundary figure of ``params`` over ``data``'s range (train and test
    points span the grid, so hiding the test points keeps the same view)."""
    everything = np.concatenate([data.X_train, data.X_test], axis=1)
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
    )


@dataclass
class LiveView:
    """Where a single run draws: placeholders (``st.empty()``) for its cost curve and
    decision boundary, and a key prefix for the charts."""

    cost: Any
    boundary: Any
    data: Dataset
    show_test: bool = True
    key: str = "live"
    cost_title: str = "Cost while training"
    boundary_title: str = "Decision boundary"

    def __post_init__(self) -> None:
        self._frames = 0

    def draw(
        self,
        params: Mapping[str, np.ndarray],
        iterations: np.ndarray,
        costs: np.ndarray,
        num_iterations: int,
        *,
        final: bool,
    ) -> None:
        """Draw one frame (``final=False``, coarse grid) or the finished figures."""
        # Each frame is a new chart in the same placeholder; unique keys keep Streamlit
        # from mistaking two frames for one duplicated element.
        suffix = "" if final else f"-frame{self._frames}"
        self._frames += 1
        cost_figure = figures.cost_curves_figure(
            {"cost": (np.asarray(iterations), np.asarray(costs))},
            title=self.cost_title,
            num_iterations=num_iterations,
        )
        self.cost.plotly_chart(cost_figure, key=f"{self.key}-cost{suffix}")
        figure = boundary_figure(
            params,
            self.data,
            show_test=self.show_test,
            title=self.boundary_title,
            resolution=FINAL_RESOLUTION if final else LIVE_RESOLUTION,
        )
        self.boundary.plotly_chart(figure, key=f"{self.key}-boundary{suffix}")

    def draw_progress(self, progress: TrainProgress) -> None:
        self.draw(
            progress.params,
            progress.iterations,
            progress.costs,
            progress.num_iterations,
            final=False,
        )

    def draw_result(self, result: TrainResult, num_iterations: int) -> None:
        self.draw(result.params, result.iterations, result.costs, num_iterations, final=True)


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
    result = run_cached(
        ("train", data_key, config),
        lambda callback: train(data.X_train, data.Y_train, config, callback=callback),
        label=label,
        on_frame=view.draw_progress if view is not None else None,
    )
    if view is not None:
        view.draw_result(result, config.epochs)
    return result


def show_run_status(result: TrainResult | Any, *, what: str = "Training") -> None:
    """A clear warning for a run that diverged (the figures show its last finite state)."""
    if getattr(result, "diverged", False):
        st.warning(
            f"{what}: {result.message} The charts show the last finite state.",
            icon=":material/warning:",
        )
