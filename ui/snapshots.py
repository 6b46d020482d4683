"""Parameter snapshots kept as a run trains, for replays: a training callback
(:class:`SnapshotRecorder`) keeps a few of them, evenly spaced over the run, so the page's
own run keeps them at no extra cost (:func:`ui.runs.train_together`); they are shared like
every result, in :data:`SNAPSHOTS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dnn_core import TrainProgress

from .caches import BoundedCache

REPLAY_FRAMES = 24
"""Snapshots a run keeps, at evenly spaced recorded iterations (the first and last
included): a replay's frames, each sent to every student who opens it."""
SNAPSHOTS = BoundedCache(96, 16 * 2**20)
"""Run key (as in :data:`ui.runs.RESULTS`) -> :class:`Snapshots` of that run."""


@dataclass(frozen=True)
class Snapshots:
    """Parameters at a few recorded iterations: ``params[s]`` at ``iterations[s]``, as
    float32 (they are kept to be drawn). A stack's snapshots hold its models stacked,
    ``(K, n_l, n_{l-1})``; :meth:`model` takes one out."""

    iterations: tuple[int, ...]
    params: tuple[dict[str, np.ndarray], ...]

    def model(self, k: int) -> Snapshots:
        """Model ``k``'s snapshots of a stack's."""
        return Snapshots(
            self.iterations,
            # Copies, not views: a model's snapshots then free their memory on their own.
            tuple(
                {key: value[k].copy() for key, value in params.items()} for params in self.params
            ),
        )

    def until(self, iteration: int) -> Snapshots:
        """The snapshots up to ``iteration`` (a model whose run diverged stops there)."""
        count = int(np.searchsorted(self.iterations, iteration, side="right"))
        return Snapshots(self.iterations[:count], self.params[:count])

    def thinned(self, count: int = REPLAY_FRAMES) -> Snapshots:
        """At most ``count`` snapshots, the nearest to evenly spaced iterations from the
        first to the last (both kept)."""
        if len(self.iterations) <= count:
            return self
        iterations = np.asarray(self.iterations)
        targets = np.linspace(iterations[0], iterations[-1], count)
        chosen = np.unique(np.abs(iterations[None, :] - targets[:, None]).argmin(axis=1))
        return Snapshots(
            tuple(self.iterations[i] for i in chosen), tuple(self.params[i] for i in chosen)
        )


NO_SNAPSHOTS = Snapshots((), ())


class SnapshotRecorder:
    """A training callback that keeps the parameters at the recorded iterations nearest to
    ``count`` evenly spaced ones from ``start`` to ``end`` (the run's last iteration, always
    kept), after those ``kept`` from before (a run resumed, or continued), then hands the
    progress on to ``then`` and returns its answer (so ``then`` can still stop the run)."""

    def __init__(
        self,
        end: int,
        *,
        start: int = 0,
        count: int = REPLAY_FRAMES,
        then: Callable[[TrainProgress], bool | None] | None = None,
        kept: Snapshots | None = None,
    ) -> None:
        kept = kept or NO_SNAPSHOTS
        self.then = then
        self._targets = np.linspace(start, end, count)
        self._iterations = list(kept.iterations)
        self._params = list(kept.params)
        # Resumed within the same stretch: the targets it has passed are done.
        resumed = bool(kept.iterations) and kept.iterations[-1] >= start
        self._next = (
            int(np.searchsorted(self._targets, kept.iterations[-1], side="right")) if resumed else 0
        )

    def __call__(self, progress: TrainProgress) -> bool | None:
        iteration = progress.iteration
        last = iteration + 1 >= progress.num_iterations
        if last or (self._next < len(self._targets) and iteration >= self._targets[self._next]):
            self._iterations.append(int(iteration))
            self._params.append(
                {key: np.asarray(value, dtype=np.float32) for key, value in progress.params.items()}
            )
            while self._next < len(self._targets) and self._targets[self._next] <= iteration:
                self._next += 1
        return None if self.then is None else self.then(progress)

    def snapshots(self) -> Snapshots:
        """What was kept, thinned to :data:`REPLAY_FRAMES` over the whole history."""
        return Snapshots(tuple(self._iterations), tuple(self._params)).thinned()
