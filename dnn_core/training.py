"""The training loop: configuration, progress streaming, divergence, stacks of models,
stopping and resuming."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ._loop import Batches, Dropout, Models, Record, restore
from .config import (
    STACK_SHARED,
    TrainConfig,
    TrainProgress,
    TrainResult,
    TrainState,
    dropout_rng,
    initial_parameters,
    validate,
)
from .stack import StackedNetwork

__all__ = [
    "STACK_SHARED",
    "TrainConfig",
    "TrainProgress",
    "TrainResult",
    "TrainState",
    "continuation",
    "dropout_rng",
    "initial_parameters",
    "train",
    "train_stack",
    "validate",
]


def train(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    *,
    callback: Callable[[TrainProgress], bool | None] | None = None,
    initial_params: dict[str, np.ndarray] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: TrainResult | None = None,
    keep_state: bool = False,
) -> TrainResult:
    """Train a network on ``X (n_x, m)``, ``Y (1, m)``.

    Args:
        config: the run's settings (``layer_dims[0]`` must equal ``n_x``).
        callback: called at every recorded iteration with a :class:`TrainProgress`;
            returning ``False`` stops training (e.g. a time budget), keeping what was learnt.
        initial_params: start from these instead of ``config.init`` (they are copied).
        should_stop: asked before every mini-batch step (every iteration without
            mini-batches); returning True stops training there. A plain, cheap call.
        resume: a result stopped early (by ``should_stop`` or the callback) to continue, on
            the same data and ``config``; the result is then the uninterrupted run's.
        keep_state: also give a run that trained to the end its ``state``, so that it can
            be trained further (:func:`continuation`).

    Raises:
        ValueError: with a plain message when the data or the configuration cannot run.
    """
    X, Y = validate(X, Y, config)
    start = initial_params or initial_parameters(config)
    (result,) = _train_models(
        X,
        Y,
        [config],
        [start],
        lead=(),
        callback=callback,
        should_stop=should_stop,
        resume=None if resume is None else [resume],
        keep_state=keep_state,
    )
    return result


def train_stack(
    X: np.ndarray,
    Y: np.ndarray,
    configs: Sequence[TrainConfig],
    *,
    initial_params: Sequence[dict[str, np.ndarray] | None] | None = None,
    callback: Callable[[TrainProgress], bool | None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: Sequence[TrainResult] | None = None,
    keep_state: bool = False,
) -> list[TrainResult]:
    """Train K configurations as one stack of K models, in one forward/backward pass.

    The configurations must share :data:`STACK_SHARED` (shapes, epochs, mini-batches and
    their seed, recording); each has its own initialization, learning rate and decay, L2,
    dropout, optimizer and its hyper-parameters. All models see the same mini-batches in
    the same order, as the course's comparisons do, and each result equals what
    :func:`train` gives for that configuration alone (to rounding).

    Args:
        configs: one per model.
        initial_params: one start per model (None: that configuration's own).
        callback: as in :func:`train`; its progress carries ``(K,)`` costs and stacked
            parameters. Returning False stops every model.
        should_stop: as in :func:`train`, for the whole stack.
        resume: the K results of a stopped stack, in the same order.
        keep_state: as in :func:`train`, for every model that did not diverge.

    Returns:
        One :class:`TrainResult` per configuration, in order. A model that diverges ends
        its own run (reported in its result); the others carry on.

    Raises:
        ValueError: naming the setting the models disagree on, or as :func:`train` does.
    """
    configs = list(configs)
    if not configs:
        raise ValueError("Give at least one configuration to train.")
    for config in configs:
        X, Y = validate(X, Y, config)
    for name in STACK_SHARED:
        values = {getattr(config, name) for config in configs}
        if len(values) > 1:
            raise ValueError(
                f"Models trained as one stack must share {name}; got "
                f"{', '.join(sorted(map(repr, values)))}."
            )
    starts = list(initial_params) if initial_params is not None else [None] * len(configs)
    if len(starts) != len(configs):
        raise ValueError(f"Give one start per configuration ({len(configs)}), not {len(starts)}.")
    starts = [
        start or initial_parameters(config) for start, config in zip(starts, configs, strict=True)
    ]
    if resume is not None and len(resume) != len(configs):
        raise ValueError(f"Resume needs one result per configuration ({len(configs)}).")
    return _train_models(
        X,
        Y,
        configs,
        starts,
        lead=(len(configs),),
        callback=callback,
        should_stop=should_stop,
        resume=resume,
        keep_state=keep_state,
    )


def continuation(result: TrainResult, config: TrainConfig) -> TrainResult:
    """``result`` (kept with ``keep_state``) as a run of ``config`` stopped where it ended,
    so that ``train(..., config, resume=...)`` trains it on to ``config``'s length with
    its optimizer's averages, learning-rate decay and random streams where they were.

    Raises:
        ValueError: the run kept no state, or ``config`` differs from its own in more
            than its length.
    """
    state = result.state
    if state is None:
        raise ValueError("Only a run that kept its state (and did not diverge) can go on.")
    own = state.config
    if replace(config, num_iterations=own.num_iterations, num_epochs=own.num_epochs) != own:
        raise ValueError("A run goes on only with its own settings, trained for longer.")
    if config.epochs < state.epoch:
        raise ValueError(f"This run has already trained {state.epoch:,} iterations.")
    return replace(result, state=replace(state, config=config))


def _train_models(
    X: np.ndarray,
    Y: np.ndarray,
    configs: list[TrainConfig],
    starts: list[dict[str, np.ndarray]],
    *,
    lead: tuple,
    callback,
    should_stop,
    resume: Sequence[TrainResult] | None,
    keep_state: bool = False,
) -> list[TrainResult]:
    """The course's ``model()`` loop behind :func:`train` and :func:`train_stack`: for each
    epoch, for each mini-batch, forward -> cost -> backward -> update; then decay the
    learning rate.

    ``lead`` is ``()`` for one model, ``(K,)`` for a stack of K: the same loop trains both.
    """
    started = time.perf_counter()
    config = configs[0]  # what every model shares: epochs, mini-batches, recording
    models = Models(configs, lead)
    net = StackedNetwork(config.layer_dims, lead, lambd=models.lambd, activation=config.activation)
    models.load(net, starts)
    optimizer = models.optimizer(net.theta.shape)
    batches = Batches(X, Y, config, should_stop)
    dropout = Dropout(configs, net, lead)
    record = Record(configs, net, callback, lead, examples=X.shape[1])
    if resume is not None:
        restore(resume, configs, models, net, optimizer, batches, dropout, record)
    learning_rate = models.learning_rate(batches.epoch)

    with np.errstate(all="ignore"):  # non-finite values end a model's run in record.epoch_done
        for epoch in range(batches.epoch, config.epochs):
            with_cost = record.wants_cost(epoch)
            for X_batch, Y_batch in batches.of_epoch(epoch):  # [X; 1] batches; should_stop()
                masks = dropout.masks(Y_batch.shape[1]) if dropout.on else None
                _AL, ZL = net.forward(X_batch, masks)  # AL: for backward
                if with_cost:  # the cost only where it is recorded (an epoch's at its end)
                    record.keep_batch(ZL, Y_batch)
                grads = net.backward(X_batch, Y_batch)
                optimizer.step(net.theta, grads, learning_rate)  # every layer of every model
            if batches.stopped:
                record.stop(f"Stopped early after {epoch} of {config.epochs} iterations.")
                break
            # As the course, the rate decays after the epoch's updates: epochs 0 and 1 use lr0.
            learning_rate = models.learning_rate_after(epoch)
            if not record.epoch_done(epoch):
                break
    elapsed = time.perf_counter() - started + record.elapsed_before
    results = record.results(models, optimizer, batches, dropout, elapsed)
    if keep_state:  # a finished run keeps where it stands too, to be trained further
        for k, result in enumerate(results):
            if result.state is None and not result.diverged:
                result.state = record._state(k, configs[k], optimizer, batches, dropout)
    return results
