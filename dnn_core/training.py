"""The training loop: configuration, progress streaming, divergence, stacks of models,
stopping and resuming."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .initializers import SCHEMES, init_params
from .optimizers import (
    OPTIMIZERS,
    StackedOptimizer,
    cut_into_mini_batches,
    epoch_learning_rate,
    learning_rate_at,
    shuffled_order,
)
from .stack import StackedNetwork, with_ones_row

_COUNTS = ("num_iterations", "num_epochs", "mini_batch_size", "record_every", "decay_interval")
STACK_SHARED = (
    "layer_dims",
    "epochs",
    "mini_batch_size",
    "seed",
    "course_seeding",
    "record_every",
    "record_minibatch_costs",
)
"""What the models of one stack must agree on: what fixes the data path (the shapes, the
mini-batches and their order, the recorded epochs)."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (hashable, so runs can be cached by it).

    How long it trains: ``num_iterations`` counts epochs, passes over the whole training
    set (without mini-batches, ``mini_batch_size=None``, an epoch is one gradient step: the
    course's "iterations"). ``num_epochs``, when given, overrides it (the optimization lesson
    speaks of epochs). Read the count as :attr:`epochs`, which applies that rule.

    Several configurations train as one stack (:func:`train_stack`) when they share
    :data:`STACK_SHARED`; everything else may differ from model to model.
    """

    layer_dims: tuple[int, ...] = (2, 20, 3, 1)
    init: str = "he"
    init_scale: float = 10.0
    learning_rate: float = 0.3
    num_iterations: int = 10000
    num_epochs: int | None = None
    lambd: float = 0.0
    keep_prob: float = 1.0
    optimizer: str = "gd"
    mini_batch_size: int | None = None
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    seed: int = 3
    record_every: int = 100
    decay: str | None = None
    decay_rate: float = 1.0
    decay_interval: int = 1000
    record_minibatch_costs: bool = False
    course_seeding: bool = False
    """Legacy seeding as in the course: ``np.random.seed`` before init and per epoch."""
    course_dropout: bool = False
    """Re-seed dropout with 1 before every forward pass, as the course's notebook does
    (so its mask never changes between iterations). Real dropout draws fresh masks."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "layer_dims", tuple(int(d) for d in self.layer_dims))
        # Number inputs may send whole counts as floats (64.0); keep those as ints.
        for name in _COUNTS:
            value = getattr(self, name)
            if isinstance(value, float) and value.is_integer():
                object.__setattr__(self, name, int(value))

    @property
    def epochs(self) -> int:
        """Epochs to train: ``num_epochs`` when given, else ``num_iterations``."""
        return self.num_epochs if self.num_epochs is not None else self.num_iterations

    def problems(self) -> list[str]:
        """Plain-language reasons this configuration cannot run (empty when it can)."""
        found = []
        fractional = [
            name
            for name in _COUNTS
            if isinstance(getattr(self, name), float) and not getattr(self, name).is_integer()
        ]
        if fractional:
            found.append(f"{', '.join(fractional)} must be whole numbers.")
            return found
        if len(self.layer_dims) < 2 or min(self.layer_dims) < 1:
            found.append("The network needs an input size, an output size and no empty layer.")
        elif self.layer_dims[-1] != 1:
            found.append("The output layer must have exactly one unit (binary classification).")
        if self.init not in SCHEMES:
            found.append(f"Unknown initialization {self.init!r}.")
        if self.optimizer not in OPTIMIZERS:
            found.append(f"Unknown optimizer {self.optimizer!r}.")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            found.append("The learning rate must be a positive number.")
        if self.epochs < 1:
            found.append("Train for at least one iteration.")
        if not (math.isfinite(self.lambd) and self.lambd >= 0):
            found.append("The L2 strength lambda must be zero or positive.")
        if not (0.0 < self.keep_prob <= 1.0):
            found.append("keep_prob must be in (0, 1]: it is the probability of keeping a unit.")
        if self.mini_batch_size is not None and self.mini_batch_size < 1:
            found.append("The mini-batch size must be at least 1.")
        if not (0.0 <= self.beta < 1.0 and 0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            found.append("The momentum and Adam betas must be in [0, 1).")
        if not self.epsilon > 0:
            found.append("Adam's epsilon must be positive.")
        if self.decay not in (None, "none", "inverse", "scheduled"):
            found.append(f"Unknown learning-rate decay {self.decay!r}; use inverse or scheduled.")
        if not (math.isfinite(self.decay_rate) and self.decay_rate >= 0):
            found.append("The decay rate must be zero or positive.")
        if self.decay_interval < 1:
            found.append("The decay interval must be at least one epoch.")
        if self.record_every < 1:
            found.append("record_every must be at least 1.")
        return found


@dataclass(frozen=True)
class TrainProgress:
    """What the callback receives at every recorded iteration.

    ``params`` are the live parameters: copy them if you keep them past the callback. For a
    stack of K models (:func:`train_stack`) ``cost`` is ``(K,)``, ``costs`` a list of them
    and ``params`` stacked ``(K, n_l, n_{l-1})``.
    """

    iteration: int
    num_iterations: int
    cost: float
    params: dict[str, np.ndarray]
    costs: list[float]
    iterations: list[int]


@dataclass(frozen=True)
class TrainState:
    """Where a stopped run stands, so that ``train(..., resume=result)`` continues it
    exactly as if it had never stopped.

    ``epoch`` is the epoch under way and ``batch`` its next mini-batch; ``order`` that
    epoch's order of examples once it is drawn. The random streams are kept as their
    ``bit_generator.state``. Parameters and the optimizer's averages are the course's dicts
    (``optimizer``: ``{"t": steps, "v": {...}, "s": {...}}``, what the rule keeps).
    """

    config: TrainConfig
    epoch: int
    batch: int
    params: dict[str, np.ndarray]
    optimizer: dict
    epoch_cost: float
    last_finite_params: dict[str, np.ndarray]
    order: np.ndarray | None = None
    shuffle_rng: dict | None = None
    dropout_rng: dict | None = None


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    ``costs[i]`` is the cost at iteration (epoch) ``iterations[i]``. ``minibatch_costs``
    holds one cost per mini-batch step when requested. ``diverged`` is True when the cost
    or the parameters stopped being finite; ``message`` says so in plain words. A run
    stopped early (``stopped_early``) carries the ``state`` it can be resumed from.
    """

    params: dict[str, np.ndarray]
    costs: np.ndarray
    iterations: np.ndarray
    diverged: bool = False
    message: str = ""
    stopped_early: bool = False
    elapsed_s: float = 0.0
    minibatch_costs: np.ndarray | None = None
    initial_params: dict[str, np.ndarray] = field(default_factory=dict)
    state: TrainState | None = None


def validate(X: np.ndarray, Y: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """``X``, ``Y`` as float64, or ValueError listing every problem in plain words."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    problems = config.problems()
    if X.ndim != 2 or Y.shape != (1, X.shape[1]):
        problems.append("X must be (n_x, m) and Y (1, m) with the same number of examples.")
    elif config.layer_dims[0] != X.shape[0]:
        problems.append(
            f"The input layer has {config.layer_dims[0]} units but X has {X.shape[0]} features."
        )
    if problems:
        raise ValueError(" ".join(problems))
    return X, Y


def initial_parameters(config: TrainConfig) -> dict[str, np.ndarray]:
    """The parameters ``config`` starts from."""
    return init_params(
        config.layer_dims,
        config.init,
        scale=config.init_scale,
        seed=config.seed,
        course=config.course_seeding,
    )


def dropout_rng(seed: int) -> np.random.Generator:
    """The Generator a run's fresh dropout masks come from: a stream of its own, spawned
    from the run's seed (the shuffles draw from ``default_rng(seed)``), so that a model
    draws the same masks whether it trains alone or in a stack."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


def train(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    *,
    callback: Callable[[TrainProgress], bool | None] | None = None,
    initial_params: dict[str, np.ndarray] | None = None,
    should_stop: Callable[[], bool] | None = None,
    resume: TrainResult | None = None,
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
    )


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
) -> list[TrainResult]:
    """The course's ``model()`` loop behind :func:`train` and :func:`train_stack`: for each
    epoch, for each mini-batch, forward -> cost -> backward -> update; then decay the
    learning rate.

    ``lead`` is ``()`` for one model, ``(K,)`` for a stack of K: the same loop trains both.
    """
    started = time.perf_counter()
    config = configs[0]  # what every model shares: epochs, mini-batches, recording
    models = _Models(configs, lead)
    net = StackedNetwork(config.layer_dims, lead, lambd=models.lambd)
    models.load(net, starts)
    optimizer = models.optimizer(net.theta.shape)
    batches = _Batches(X, Y, config, should_stop)
    dropout = _Dropout(configs, net, lead)
    record = _Record(configs, net, callback, lead)
    if resume is not None:
        _restore(resume, configs, models, net, optimizer, batches, dropout, record)
    learning_rate = models.learning_rate(batches.epoch)
    m = X.shape[1]

    with np.errstate(all="ignore"):  # non-finite values end a model's run in record.epoch_done
        for epoch in range(batches.epoch, config.epochs):
            with_cost = record.wants_cost(epoch)
            for X_batch, Y_batch in batches.of_epoch(epoch):  # [X; 1] batches; should_stop()
                AL, ZL = net.forward(X_batch, dropout.masks(Y_batch.shape[1]))
                if with_cost:  # the cost is only computed where it is recorded
                    record.batch_cost(net.cost(AL, ZL, Y_batch), Y_batch.shape[1] / m)
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
    return record.results(models, optimizer, batches, dropout, elapsed)


# --- the loop's machinery -------------------------------------------------------------------


class _Models:
    """The per-model settings of a stack as columns (plain scalars for one model)."""

    def __init__(self, configs: list[TrainConfig], lead: tuple) -> None:
        self.configs, self.lead = configs, lead
        self.lambd = self.column([c.lambd for c in configs], ndim=3)
        self.decays = any(c.decay not in (None, "none") for c in configs)
        self._constant_rate = self.column([c.learning_rate for c in configs], ndim=2)

    def column(self, values, *, ndim: int):
        """One value per model: a float for one model, else ``(K, 1, ...)`` of ``ndim``."""
        if not self.lead:
            return float(values[0])
        return np.asarray(values, dtype=np.float64).reshape(-1, *[1] * (ndim - 1))

    def load(self, net: StackedNetwork, starts: list[dict[str, np.ndarray]]) -> None:
        """Copy each model's start into the network's parameters."""
        for k, start in enumerate(starts):
            net.theta[self.row(k)] = net.as_vector(start)

    def row(self, k: int):
        """Model k's row of a ``(K, ...)`` array (the whole array for one model)."""
        return k if self.lead else Ellipsis

    def optimizer(self, shape) -> StackedOptimizer:
        configs = self.configs
        return StackedOptimizer(
            [c.optimizer for c in configs],
            shape,
            beta=[c.beta for c in configs],
            beta1=[c.beta1 for c in configs],
            beta2=[c.beta2 for c in configs],
            epsilon=[c.epsilon for c in configs],
        )

    def learning_rate(self, epoch: int):
        """The rate each model trains epoch ``epoch`` at."""
        if not self.decays:
            return self._constant_rate
        return self.column(
            [epoch_learning_rate(c.learning_rate, epoch, *_decay(c)) for c in self.configs],
            ndim=2,
        )

    def learning_rate_after(self, epoch: int):
        """Each model's rate once epoch ``epoch`` is done (the course's decay step)."""
        if not self.decays:
            return self._constant_rate
        return self.column(
            [learning_rate_at(c.learning_rate, epoch, *_decay(c)) for c in self.configs], ndim=2
        )


def _decay(config: TrainConfig) -> tuple:
    return config.decay, config.decay_rate, config.decay_interval


class _Batches:
    """Each epoch's mini-batches of ``[X; 1]`` (the inputs with a row of ones for the bias)
    and ``Y``, asking ``should_stop`` before each, and where a stop left off.

    Without mini-batches an epoch is the whole set, drawn without shuffling. With them, the
    epoch's order comes from the course's seed 11, 12, ... under course seeding, else from
    the run's Generator (``default_rng(seed)``, drawn once per epoch).
    """

    def __init__(self, X, Y, config: TrainConfig, should_stop) -> None:
        self.X1, self.Y = with_ones_row(X), Y
        self.m = X.shape[1]
        self.size = config.mini_batch_size
        self.shuffles = self.size is not None and self.size < self.m
        self.count = -(-self.m // self.size) if self.shuffles else 1
        self.whole = [(self.X1, self.Y)]
        self.rng = np.random.default_rng(config.seed)
        # Under course seeding each epoch re-seeds one RandomState: the same draws as the
        # course's np.random.seed(epoch_seed), without building a generator every epoch.
        self.course = np.random.RandomState() if config.course_seeding else None
        self.should_stop = should_stop
        # Where the loop begins: epoch 0 from its first batch, or where a stop left off.
        self.epoch, self.batch, self.order = 0, 0, None
        self.stopped = False

    def of_epoch(self, epoch: int):
        start, order = (self.batch, self.order) if epoch == self.epoch else (0, None)
        batches = None
        for index in range(start, self.count):
            if self.should_stop is not None and self.should_stop():
                self.stopped = True
                self.epoch, self.batch, self.order = epoch, index, order
                return
            if batches is None:
                order, batches = self._cut(epoch, order)
            yield batches[index]

    def _cut(self, epoch: int, order):
        if not self.shuffles:
            return None, self.whole
        if order is None:
            if self.course is not None:
                self.course.seed(10 + epoch + 1)  # the course's seeds: 11, 12, ...
            order = shuffled_order(self.m, rng=self.course or self.rng)
        X1, Y = np.take(self.X1, order, axis=1), np.take(self.Y, order, axis=1)
        return order, cut_into_mini_batches(X1, Y, self.size)


class _Dropout:
    """Each model's inverted-dropout factors for a batch, per hidden layer: ``D / keep_prob``
    with ``D`` the 0/1 mask (1 everywhere for a model without dropout).

    Real dropout draws fresh masks in every pass, from the model's own Generator
    (:func:`dropout_rng`). The course's notebook re-seeds with 1 before every forward pass,
    so its masks depend only on the batch size: they are drawn once per size, in the same
    order (D1, D2, ...). Models without dropout keep every unit.
    """

    def __init__(self, configs: list[TrainConfig], net: StackedNetwork, lead: tuple) -> None:
        self.lead = lead
        self.hidden = net.layer_dims[1:-1]
        rows = [k if lead else Ellipsis for k in range(len(configs))]
        self.keep_prob = dict(zip(rows, (c.keep_prob for c in configs), strict=True))
        self.fresh = {
            row: dropout_rng(c.seed)
            for row, c in zip(rows, configs, strict=True)
            if c.keep_prob < 1.0 and not c.course_dropout
        }
        self.course_rows = [
            row
            for row, c in zip(rows, configs, strict=True)
            if c.keep_prob < 1.0 and c.course_dropout
        ]
        self.on = bool(self.fresh or self.course_rows)
        self._sizes: dict[int, tuple] = {}

    def masks(self, batch_size: int) -> list[np.ndarray] | None:
        if not self.on:
            return None
        uniform, factors, layers = self._buffers(batch_size)
        for row, rng in self.fresh.items():
            self._factors(rng.random(out=uniform[row]), row, factors)  # D1's draws first
        return layers

    def _factors(self, uniform, row, factors) -> None:
        """``D / keep_prob`` of model ``row`` from its uniform draws (D = draw < keep_prob)."""
        np.less(uniform, self.keep_prob[row], out=factors[row])
        factors[row] *= 1.0 / self.keep_prob[row]

    def _buffers(self, batch_size: int):
        """Uniform draws and factors ``(..., sum(n_l) * b)`` for one batch size, and the
        factors' per-layer views ``(..., n_l, b)``; the course's masks are made here, once."""
        if batch_size not in self._sizes:
            uniform = np.zeros((*self.lead, sum(self.hidden) * batch_size))
            factors = np.ones_like(uniform)
            for row in self.course_rows:
                legacy = np.random.RandomState(1)
                for part in self._layers(uniform[row], batch_size):
                    part[...] = legacy.random(part.shape)
                self._factors(uniform[row], row, factors)
            self._sizes[batch_size] = (uniform, factors, self._layers(factors, batch_size))
        return self._sizes[batch_size]

    def _layers(self, flat: np.ndarray, batch_size: int) -> list[np.ndarray]:
        views, start = [], 0
        for n in self.hidden:
            view = flat[..., start : start + n * batch_size].view()
            view.shape = (*flat.shape[:-1], n, batch_size)
            views.append(view)
            start += n * batch_size
        return views

    def state(self, row) -> dict | None:
        rng = self.fresh.get(row)
        return None if rng is None else rng.bit_generator.state

    def restore(self, row, state: dict | None) -> None:
        if state is not None:
            self.fresh[row].bit_generator.state = state


class _Record:
    """What a run keeps: the cost at every recorded epoch (and per mini-batch when asked),
    each model's last parameters that were still finite, and why a model's run ended early,
    if it did. In a stack a diverged model stops recording while the others go on."""

    def __init__(self, configs: list[TrainConfig], net: StackedNetwork, callback, lead) -> None:
        self.configs, self.config, self.net, self.callback = configs, configs[0], net, callback
        self.lead = lead
        self.last_finite_theta = net.theta.copy()
        self.costs: list = []
        self.iterations: list[int] = []
        self.minibatch_costs: list = []
        self.epoch_cost = 0.0
        self.alive = np.ones(lead, dtype=bool)
        self.recorded = np.zeros(lead, dtype=np.int64)  # each model's number of records
        self.minibatch_count = np.zeros(lead, dtype=np.int64)  # its mini-batch costs kept
        self.messages = [""] * len(configs)
        self.stopped_early = False
        self.elapsed_before = 0.0
        self.initial_params: list[dict[str, np.ndarray]] = [
            net.as_dict(net.theta[k if lead else Ellipsis]) for k in range(len(configs))
        ]

    def is_recorded(self, epoch: int) -> bool:
        return epoch % self.config.record_every == 0 or epoch == self.config.epochs - 1

    def wants_cost(self, epoch: int) -> bool:
        return self.config.record_minibatch_costs or self.is_recorded(epoch)

    def batch_cost(self, cost, share: float) -> None:
        """Add a mini-batch's cost (its ``share`` of the examples) to the epoch's cost."""
        if self.config.record_minibatch_costs:
            self.minibatch_costs.append(cost)
        self.epoch_cost = self.epoch_cost + cost * share

    def epoch_done(self, epoch: int) -> bool:
        """Record a recorded epoch; False when training must end: every model's cost or
        parameters stopped being finite, or the callback asked to stop."""
        cost, self.epoch_cost = self.epoch_cost, 0.0
        if not self.is_recorded(epoch):
            return True
        theta = self.net.theta
        finite = np.isfinite(cost) & np.all(np.isfinite(theta), axis=-1)
        for k in np.flatnonzero(self.alive & ~finite):
            self.messages[k] = (
                f"Training diverged at iteration {epoch}: the cost or the weights "
                f"became infinite or NaN. Lower the learning rate "
                f"(now {self.configs[k].learning_rate:g}) or use a smaller initialization."
            )
            self.minibatch_count[k if self.lead else ()] = len(self.minibatch_costs)
        self.alive &= finite
        if not self.alive.any():
            return False
        self.last_finite_theta[self.alive] = theta[self.alive]
        self.recorded[self.alive] += 1
        self.costs.append(cost)
        self.iterations.append(epoch)
        if self.callback is not None:
            progress = TrainProgress(
                epoch, self.config.epochs, cost, self.net.params, self.costs, self.iterations
            )
            if self.callback(progress) is False:
                self.stop(f"Stopped early after {epoch + 1} of {self.config.epochs} iterations.")
                return False
        return True

    def stop(self, message: str) -> None:
        self.stopped_early = True
        for k in range(len(self.configs)):
            if self.alive[k if self.lead else ()]:
                self.messages[k] = message

    def results(self, models: _Models, optimizer, batches, dropout, elapsed_s) -> list:
        """One :class:`TrainResult` per model (with its resumable state if it stopped)."""
        self.minibatch_count[self.alive] = len(self.minibatch_costs)
        results = []
        for k, config in enumerate(self.configs):
            row, pick = models.row(k), (lambda value, k=k: value[k] if self.lead else value)
            alive = bool(self.alive[row])
            theta = self.net.theta[row] if alive else self.last_finite_theta[row]
            count = self.recorded[row]
            state = None
            if self.stopped_early and alive:
                state = self._state(k, config, optimizer, batches, dropout)
            results.append(
                TrainResult(
                    params=self.net.as_dict(theta),
                    costs=np.asarray([pick(cost) for cost in self.costs[:count]]),
                    iterations=np.asarray(self.iterations[:count], dtype=np.int64),
                    diverged=not alive,
                    message=self.messages[k],
                    stopped_early=self.stopped_early and alive,
                    elapsed_s=elapsed_s,
                    minibatch_costs=(
                        np.asarray(
                            [
                                pick(cost)
                                for cost in self.minibatch_costs[: self.minibatch_count[row]]
                            ]
                        )
                        if self.config.record_minibatch_costs
                        else None
                    ),
                    initial_params=self.initial_params[k],
                    state=state,
                )
            )
        return results

    def _state(self, k: int, config, optimizer: StackedOptimizer, batches, dropout) -> TrainState:
        row = k if self.lead else Ellipsis
        optimizer_state = optimizer.model_state(k)
        as_dict = self.net.as_dict
        return TrainState(
            config=config,
            epoch=batches.epoch if batches.stopped else self.iterations[-1] + 1,
            batch=batches.batch if batches.stopped else 0,
            params=as_dict(self.net.theta[row]),
            optimizer={
                key: as_dict(value) if isinstance(value, np.ndarray) else value
                for key, value in optimizer_state.items()
            },
            epoch_cost=float(np.broadcast_to(self.epoch_cost, self.lead)[row])
            if batches.stopped
            else 0.0,
            last_finite_params=as_dict(self.last_finite_theta[row]),
            order=None if not batches.stopped or batches.order is None else batches.order.copy(),
            shuffle_rng=batches.rng.bit_generator.state,
            dropout_rng=dropout.state(row),
        )


def _restore(resume, configs, models, net, optimizer, batches, dropout, record) -> None:
    """Put a stopped run's state back into the loop's machinery."""
    states = [result.state for result in resume]
    if any(state is None for state in states):
        raise ValueError("Only a run that was stopped early (and did not diverge) can resume.")
    for state, config in zip(states, configs, strict=True):
        if state.config != config:
            raise ValueError("A run resumes only with the configuration it was stopped with.")
    first = states[0]
    if any((state.epoch, state.batch) != (first.epoch, first.batch) for state in states):
        raise ValueError("The results to resume were not stopped together.")
    batches.epoch, batches.batch, batches.order = first.epoch, first.batch, first.order
    batches.rng.bit_generator.state = first.shuffle_rng
    for k, (state, result) in enumerate(zip(states, resume, strict=True)):
        row = models.row(k)
        net.theta[row] = net.as_vector(state.params)
        record.last_finite_theta[row] = net.as_vector(state.last_finite_params)
        optimizer.set_model_state(
            k,
            {
                key: net.as_vector(value) if isinstance(value, dict) else value
                for key, value in state.optimizer.items()
            },
        )
        dropout.restore(row, state.dropout_rng)
        record.initial_params[k] = {
            key: value.copy() for key, value in result.initial_params.items()
        }
    stacked = (lambda values: np.stack(values, axis=-1)) if models.lead else (lambda v: v[0])
    record.costs = [stacked(values) for values in zip(*(r.costs for r in resume), strict=True)]
    record.iterations = [int(i) for i in resume[0].iterations]
    record.recorded[...] = len(record.iterations)
    if resume[0].minibatch_costs is not None:
        record.minibatch_costs = [
            stacked(values) for values in zip(*(r.minibatch_costs for r in resume), strict=True)
        ]
    record.epoch_cost = stacked([state.epoch_cost for state in states])
    record.elapsed_before = resume[0].elapsed_s
