"""Replays and runs trained further: a run's history with its snapshots
(:mod:`ui.snapshots`), and "Continue training", which trains a finished run on from where
it ended, its cost curve and snapshots carried on.

A continued run is a shared, cached run of its own, keyed by the run it continues and how
many times it was continued, so every student who continues the same run follows one
computation (and one who comes back later finds it done).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import replace

import numpy as np

from dnn_core import TrainConfig, TrainResult, train
from dnn_core.datasets import Dataset
from dnn_core.training import continuation

from . import budgets, runs
from .runs import RESULTS, run_cached
from .snapshots import NO_SNAPSHOTS, SNAPSHOTS, SnapshotRecorder, Snapshots

MAX_CONTINUES = 3
"""How many times a run can be continued, each time by :func:`continue_length` more."""


Replayable = tuple[TrainResult, Snapshots]
"""A run and its snapshots."""


def _train_alone(
    data: Dataset,
    config: TrainConfig,
    *,
    continues: Replayable | None = None,
    initial_params: Mapping[str, np.ndarray] | None = None,
):
    """A ``compute`` for :func:`ui.runs.run_cached` that trains ``config`` with snapshots:
    from its start (or ``initial_params``), or on from the end of ``continues``."""

    def compute(callback, should_stop, resume: Replayable | None) -> Replayable:
        # Snapshots are spaced over the stretch this run adds (a continued run's begins
        # where the run it continues ended).
        start = 0 if continues is None else continues[0].state.epoch
        if resume is not None:  # cut short by the time budget before: carry on from there
            done, kept = resume
        elif continues is not None:
            done, kept = continuation(continues[0], config), continues[1]
        else:
            done, kept = None, NO_SNAPSHOTS
        recorder = SnapshotRecorder(config.epochs - 1, start=start, then=callback, kept=kept)
        result = train(
            data.X_train,
            data.Y_train,
            config,
            callback=recorder,
            should_stop=should_stop,
            initial_params=None if initial_params is None else dict(initial_params),
            resume=done,
            keep_state=True,
        )
        return result, recorder.snapshots()

    return compute


def history(
    data: Dataset,
    run_key: Hashable,
    config: TrainConfig,
    result: TrainResult,
    *,
    label: str,
    unit: str = "iteration",
) -> Replayable:
    """``result`` (the run of ``config`` cached under ``run_key``) with its snapshots:
    those it kept as it trained, else (they were dropped from the cache) trained again
    with snapshots, once for everyone."""
    snapshots = SNAPSHOTS.get(run_key)
    if snapshots is not None:
        return result, snapshots
    replayed = run_cached(
        ("replay", run_key),
        _train_alone(data, config, initial_params=result.initial_params),
        label=label,
        unit=unit,
    )
    if ("replay", run_key) in RESULTS:
        SNAPSHOTS.put(run_key, replayed[1])
    return replayed


def continue_length(config: TrainConfig, m: int) -> int:
    """Iterations one "Continue training" adds to ``config``'s run on ``m`` points: as many
    again, or as many as take about half a run's time budget (:data:`ui.runs.TIME_BUDGET_S`,
    and a page's, :data:`ui.budgets.PAGE_BUDGET_S`), so that it ends rather than stops."""
    seconds = budgets.estimated_seconds(config, m)
    allowed = min(runs.TIME_BUDGET_S, budgets.PAGE_BUDGET_S) / 2
    fits = int(config.epochs * allowed / seconds) if seconds > 0 else config.epochs
    return max(1, min(config.epochs, fits))


def longer(config: TrainConfig, epochs: int) -> TrainConfig:
    """``config`` trained for ``epochs``, counted the way it counts them."""
    if config.num_epochs is not None:
        return replace(config, num_epochs=epochs)
    return replace(config, num_iterations=epochs)


def continued(
    data: Dataset,
    run_key: Hashable,
    config: TrainConfig,
    base: Replayable,
    times: int,
    *,
    label: str,
    unit: str = "iteration",
) -> tuple[Replayable, TrainConfig]:
    """The run of ``config`` (``base``, cached under ``run_key``) continued ``times``
    times by :func:`continue_length` each, from where it ended: shared and cached under
    ``("continued", run_key, times, length)`` (each time resumes the one before).
    Returns the run and its configuration (the longer one)."""
    if times <= 0:
        return base, config
    more = continue_length(config, data.X_train.shape[1])
    before, before_config = continued(
        data, run_key, config, base, times - 1, label=label, unit=unit
    )
    if before[0].state is None or before[0].stopped_early:  # diverged, or not done yet
        return before, before_config
    going_on = longer(config, config.epochs + times * more)
    run = run_cached(
        ("continued", run_key, times, more),
        _train_alone(data, going_on, continues=before),
        label=label,
        unit=unit,
    )
    return run, going_on
