"""The training loop: configuration, progress streaming and divergence handling."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .initializers import SCHEMES, init_params
from .losses import compute_cost
from .network import backward, forward, num_layers, params_to_vector, vector_to_params
from .optimizers import OPTIMIZERS, learning_rate_at, make_optimizer, random_mini_batches

_COUNTS = ("num_iterations", "num_epochs", "mini_batch_size", "record_every", "decay_interval")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (hashable, so runs can be cached by it).

    How long it trains: ``num_iterations`` counts epochs, passes over the whole training
    set (without mini-batches, ``mini_batch_size=None``, an epoch is one gradient step: the
    course's "iterations"). ``num_epochs``, when given, overrides it (the optimization lesson
    speaks of epochs). Read the count as :attr:`epochs`, which applies that rule.

    A sweep hands the loop a copy whose ``lambd`` or ``keep_prob`` is ``(K, 1, 1)``, one
    value per stacked model; such a copy is neither hashed nor checked by :meth:`problems`.
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

    ``params`` are the live parameters: copy them if you keep them past the callback.
    """

    iteration: int
    num_iterations: int
    cost: float
    params: dict[str, np.ndarray]
    costs: list[float]
    iterations: list[int]


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    ``costs[i]`` is the cost at iteration (epoch) ``iterations[i]``. ``minibatch_costs``
    holds one cost per mini-batch step when requested. ``diverged`` is True when the cost
    or the parameters stopped being finite; ``message`` says so in plain words.
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


def train(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    *,
    callback: Callable[[TrainProgress], bool | None] | None = None,
    initial_params: dict[str, np.ndarray] | None = None,
) -> TrainResult:
    """Train a network on ``X (n_x, m)``, ``Y (1, m)``.

    Args:
        config: the run's settings (``layer_dims[0]`` must equal ``n_x``).
        callback: called at every recorded iteration with a :class:`TrainProgress`;
            returning ``False`` stops training (e.g. a time budget), keeping what was learnt.
        initial_params: start from these instead of ``config.init`` (they are copied).

    Raises:
        ValueError: with a plain message when the data or the configuration cannot run.
    """
    X, Y = validate(X, Y, config)
    template = initial_params or initial_parameters(config)
    return run_training(X, Y, config, template, callback=callback)


def run_training(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    initial_params: dict[str, np.ndarray],
    *,
    callback: Callable[[TrainProgress], bool | None] | None = None,
) -> TrainResult:
    """The course's ``model()`` loop behind :func:`train`: for each epoch, for each
    mini-batch, forward -> cost -> backward -> update; then decay the learning rate.

    Shape-generic, so that K stacked models train at once.

    ``initial_params`` hold ``(n_l, n_{l-1})`` or stacked ``(K, n_l, n_{l-1})`` parameters
    (they are copied). ``config.lambd`` and ``config.keep_prob`` are scalars, or ``(K, 1, 1)``
    for a sweep (one value per model). With K models the recorded costs are
    ``(n_records, K)``.
    """
    started = time.perf_counter()
    theta, params, grad_vector, grads = _flat_parameters(initial_params)
    optimizer = make_optimizer(
        config.optimizer,
        theta.shape,
        beta=config.beta,
        beta1=config.beta1,
        beta2=config.beta2,
        epsilon=config.epsilon,
    )
    rng = np.random.default_rng(config.seed)  # shuffles and dropout masks, in that order
    dropout = _Dropout(config, initial_params, rng)
    record = _Record(config, theta, callback)
    m = X.shape[1]
    L = num_layers(params)
    learning_rate = config.learning_rate

    with np.errstate(all="ignore"):  # non-finite values end the run in record.epoch_done
        for epoch in range(config.epochs):
            with_cost = record.wants_cost(epoch)
            epoch_cost = 0.0
            for X_batch, Y_batch in _mini_batches(X, Y, config, epoch, rng):
                AL, cache = forward(X_batch, params, keep_prob=config.keep_prob, **dropout(X_batch))
                if with_cost:  # the cost is only computed where it is recorded
                    cost = compute_cost(
                        AL, Y_batch, params, lambd=config.lambd, logits=cache[f"Z{L}"]
                    )
                    epoch_cost = epoch_cost + record.batch_cost(cost) * (Y_batch.shape[1] / m)
                backward(Y_batch, cache, params, lambd=config.lambd, out=grads)
                optimizer.step(theta, grad_vector, learning_rate)  # updates every layer's view
            # As the course, the rate decays after the epoch's updates: epochs 0 and 1 use lr0.
            learning_rate = learning_rate_at(
                config.learning_rate, epoch, config.decay, config.decay_rate, config.decay_interval
            )
            if not record.epoch_done(epoch, epoch_cost, params):
                break
    return record.result(params, initial_params, time.perf_counter() - started)


# --- the loop's machinery -------------------------------------------------------------------


def _flat_parameters(initial_params: dict[str, np.ndarray]):
    """``(theta (P,), params, grad_vector (P,), grads)``: one flat vector for all parameters
    and one for their gradients, with dicts of views into them, so that backward writes its
    gradients into ``grad_vector`` and one optimizer step moves every layer."""
    theta = params_to_vector(initial_params)  # a copy: the caller's parameters stay as they are
    params = vector_to_params(theta, initial_params)
    grad_vector = np.zeros_like(theta)
    views = vector_to_params(grad_vector, initial_params)
    grads = {f"d{key}": view for key, view in views.items()}
    return theta, params, grad_vector, grads


def _mini_batches(X, Y, config: TrainConfig, epoch: int, rng: np.random.Generator):
    """The epoch's ``[(X_batch, Y_batch), ...]``: the whole set when there are no
    mini-batches, else a fresh shuffle (with the course's seed 11, 12, ... per epoch under
    course seeding)."""
    size = config.mini_batch_size
    if size is None or size >= X.shape[1]:
        return [(X, Y)]
    return random_mini_batches(
        X, Y, size, seed=10 + epoch + 1, rng=None if config.course_seeding else rng
    )


class _Dropout:
    """:func:`forward`'s dropout arguments for a mini-batch.

    Real dropout draws fresh masks from the run's Generator in every pass. The course's
    notebook re-seeds with 1 before every forward pass, so its masks depend only on the
    batch size: they are drawn once per size, in the same order (D1, D2, ...).
    """

    def __init__(self, config: TrainConfig, params: dict[str, np.ndarray], rng) -> None:
        self.keep_prob = config.keep_prob
        self.course = config.course_dropout
        self.fresh = {"rng": rng} if np.any(np.asarray(config.keep_prob) < 1.0) else {}
        # Hidden layers' shapes without the examples axis: (n_l,) or (K, n_l).
        self.hidden_shapes = [np.shape(params[f"b{l}"])[:-1] for l in range(1, num_layers(params))]
        self.course_masks: dict[int, dict[str, np.ndarray]] = {}

    def __call__(self, X_batch: np.ndarray) -> dict:
        if not self.course:
            return self.fresh
        batch_size = X_batch.shape[1]
        if batch_size not in self.course_masks:
            legacy = np.random.RandomState(1)
            self.course_masks[batch_size] = {
                f"D{layer}": legacy.random((*shape, batch_size)) < self.keep_prob  # (n_l, m)
                for layer, shape in enumerate(self.hidden_shapes, start=1)
            }
        return {"masks": self.course_masks[batch_size]}


class _Record:
    """What a run keeps: the cost at every recorded epoch (and per mini-batch when asked),
    the last parameters that were still finite, and why it ended early, if it did."""

    def __init__(self, config: TrainConfig, theta: np.ndarray, callback) -> None:
        self.config, self.theta, self.callback = config, theta, callback
        self.last_finite_theta = theta.copy()
        self.costs: list = []
        self.iterations: list[int] = []
        self.minibatch_costs: list = []
        self.diverged = self.stopped_early = False
        self.message = ""

    def is_recorded(self, epoch: int) -> bool:
        return epoch % self.config.record_every == 0 or epoch == self.config.epochs - 1

    def wants_cost(self, epoch: int) -> bool:
        return self.config.record_minibatch_costs or self.is_recorded(epoch)

    def batch_cost(self, cost):
        """Keep a mini-batch's cost when asked to; returns it."""
        if self.config.record_minibatch_costs:
            self.minibatch_costs.append(cost)
        return cost

    def epoch_done(self, epoch: int, cost, params: dict[str, np.ndarray]) -> bool:
        """Record a recorded epoch; False when training must end: the cost or the
        parameters stopped being finite, or the callback asked to stop."""
        if not self.is_recorded(epoch):
            return True
        epochs = self.config.epochs
        if not (np.all(np.isfinite(cost)) and np.all(np.isfinite(self.theta))):
            self.diverged = True
            self.message = (
                f"Training diverged at iteration {epoch}: the cost or the weights "
                f"became infinite or NaN. Lower the learning rate "
                f"(now {self.config.learning_rate:g}) or use a smaller initialization."
            )
            return False
        self.last_finite_theta[:] = self.theta
        self.costs.append(cost)
        self.iterations.append(epoch)
        if self.callback is not None:
            progress = TrainProgress(epoch, epochs, cost, params, self.costs, self.iterations)
            if self.callback(progress) is False:
                self.stopped_early = True
                self.message = f"Stopped early after {epoch + 1} of {epochs} iterations."
                return False
        return True

    def result(self, params, initial_params, elapsed_s: float) -> TrainResult:
        if self.diverged:  # hand back the last parameters that were still finite
            self.theta[:] = self.last_finite_theta
        return TrainResult(
            params={key: value.copy() for key, value in params.items()},
            costs=np.asarray(self.costs),
            iterations=np.asarray(self.iterations, dtype=np.int64),
            diverged=self.diverged,
            message=self.message,
            stopped_early=self.stopped_early,
            elapsed_s=elapsed_s,
            minibatch_costs=(
                np.asarray(self.minibatch_costs) if self.config.record_minibatch_costs else None
            ),
            initial_params={key: value.copy() for key, value in initial_params.items()},
        )
