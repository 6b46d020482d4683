"""Single flight: each distinct run is computed once, by a small pool of worker threads, and
every session that asks for it follows that one computation.

Streamlit serves every session as a thread of one process, so a class of 30 opening the
same link would otherwise train the same networks 30 times over on a shared CPU. Here the
first request for a key starts a :class:`Flight` on a worker; later requests for the same
key (from any session) join it and watch its progress. The pool has one worker per core, so
however many sessions ask, at most that many runs compete for the CPU; the others queue.
Each worker computes with one BLAS thread (sessions already share the cores).

A flight stops early when its CPU-time budget is spent, or when nobody has watched it for
:data:`IDLE_STOP_S` (every session that asked moved on), so a closed tab or a changed slider
does not leave work running for no one.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from dnn_core import TrainProgress

WORKERS = max(1, min(2, os.cpu_count() or 1))
# One BLAS thread for the whole app: sessions and workers already share the cores, and two
# BLAS threads per run on a busy CPU made a 2-50-50-50-1 network train 13x slower. (The
# limit is process-wide, so it is set once rather than per run.)
BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")
IDLE_STOP_S = 0.2
SNAPSHOT_SECONDS = 0.1  # copy the live state for watchers at most this often
CHECK_S = 0.01  # how often a run reads its CPU clock and its watchers (wall seconds)


class Flight:
    """One computation shared by every session that asks for its key.

    ``compute(callback, should_stop)`` runs on a worker; ``callback`` gets each recorded
    :class:`~dnn_core.TrainProgress` and returns False to stop; ``should_stop()`` is for
    the training loop to ask before every step. Watchers read
    :attr:`progress` (a private copy, safe to draw) until :attr:`done` is set, then
    :attr:`result` (or :attr:`error`); :attr:`stopped` says why a run ended early
    (``"budget"`` or ``"idle"``), with :attr:`reached` and :attr:`total` iterations.
    """

    def __init__(
        self, key: Hashable, compute: Callable[[Callable, Callable], Any], budget_s: float
    ):
        self.key = key
        self.budget_s = budget_s
        self.progress: TrainProgress | None = None
        self.started = False
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.stopped: str | None = None
        self.reached = self.total = 0
        self.cpu_s = 0.0  # CPU seconds it has computed, as of its last record
        self._compute = compute
        self._lock = threading.Lock()
        self._frames: dict[int, TrainProgress] = {}
        self._watchers = 0
        self._last_watched = time.monotonic()

    @contextlib.contextmanager
    def watching(self) -> Iterator[Flight]:
        """Count the caller as a watcher while inside (a session's script run)."""
        with self._lock:
            self._watchers += 1
        try:
            yield self
        finally:
            with self._lock:
                self._watchers -= 1
                self._last_watched = time.monotonic()

    def frame_at(self, slot: int, progress: TrainProgress) -> TrainProgress:
        """The progress every watcher draws as live frame ``slot``: the first one a watcher
        offered there (so sessions following this run draw the same moments, and a frame
        is built once for all of them)."""
        with self._lock:
            return self._frames.setdefault(slot, progress)

    def _abandoned(self) -> bool:
        with self._lock:
            idle = time.monotonic() - self._last_watched
            return self._watchers == 0 and idle >= IDLE_STOP_S

    def run(self, on_done: Callable[[Flight], None]) -> None:
        """Compute (on a worker thread) within the CPU-time budget, then ``on_done(self)``
        before the watchers are told it is done."""
        self.started = True
        started_cpu = time.thread_time()
        last_snapshot = 0.0
        next_check = 0.0

        def should_stop() -> bool:
            """Asked before every training step: the budget is spent, or nobody watches.
            (A run always gets as far as its first record, so it has something to show.)

            The thread's CPU clock is a system call that costs as much as a small step, so
            it is read at most every :data:`CHECK_S` of wall time (a thread cannot spend more
            CPU time than that meanwhile)."""
            nonlocal next_check
            if self.stopped is None and self.progress is not None:
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + CHECK_S
                    if time.thread_time() - started_cpu >= self.budget_s:
                        self.stopped = "budget"
                    elif self._abandoned():
                        self.stopped = "idle"
            return self.stopped is not None

        def callback(progress: TrainProgress) -> bool:
            nonlocal last_snapshot
            now = time.monotonic()
            if now - last_snapshot >= SNAPSHOT_SECONDS:
                self.progress = _copied(progress)
                last_snapshot = now
            self.reached, self.total = progress.iteration + 1, progress.num_iterations
            self.cpu_s = time.thread_time() - started_cpu
            # The last record ends the run anyway: nothing is left to stop.
            return progress.iteration + 1 >= progress.num_iterations or not should_stop()

        try:
            # Diverged runs are reported through their result; the overflow on the way
            # there (e.g. a sweep scoring its diverged models) is expected.
            with np.errstate(all="ignore"):
                self.result = self._compute(callback, should_stop)
            on_done(self)
        except BaseException as error:  # handed to the watchers, who show it
            self.error = error
        finally:
            self.done.set()


def _copied(progress: TrainProgress) -> TrainProgress:
    """A snapshot that stays valid while training goes on (the progress holds live arrays
    and growing lists)."""
    return TrainProgress(
        progress.iteration,
        progress.num_iterations,
        progress.cost,
        {key: np.array(value) for key, value in progress.params.items()},
        list(progress.costs),
        list(progress.iterations),
    )


class FlightBoard:
    """The flights in progress, by key; finished ones leave the board."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._flights: dict[Hashable, Flight] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dnl-run")

    def join_or_start(
        self,
        key: Hashable,
        compute: Callable[[Callable, Callable], Any],
        *,
        budget_s: float,
        on_done: Callable[[Flight], None],
    ) -> Flight:
        """The flight of ``key``: the one in progress, else a new one queued on the pool.
        ``on_done(flight)`` runs on the worker when a new flight ends (e.g. to cache it)."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight
            flight = Flight(key, compute, budget_s)
            self._flights[key] = flight

        def fly() -> None:
            try:
                flight.run(on_done)
            finally:
                with self._lock:
                    self._flights.pop(key, None)

        self._pool.submit(fly)
        return flight

    def __len__(self) -> int:
        with self._lock:
            return len(self._flights)


BOARD = FlightBoard()
