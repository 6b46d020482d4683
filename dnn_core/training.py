"""The training loop: configuration, progress streaming and divergence handling."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .initializers import SCHEMES, init_params
from .losses import compute_cost
from .network import backward, forward, params_to_vector, vector_to_params
from .optimizers import OPTIMIZERS, epoch_learning_rate, make_optimizer, random_mini_batches

_COUNTS = ("num_iterations", "num_epochs", "mini_batch_size", "record_every", "decay_interval")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (hashable, so runs can be cached by it).

    ``num_iterations`` counts passes over the training set (epochs); ``num_epochs``, when
    given, overrides it (the optimization lesson speaks of epochs). With
    ``mini_batch_size=None`` each pass is one full-batch step.
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
    return run_training(
        X, Y, config, template, lambd=config.lambd, keep_prob=config.keep_prob, callback=callback
    )


def run_training(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    template: dict[str, np.ndarray],
    *,
    lambd,
    keep_prob,
    callback=None,
) -> TrainResult:
    """The loop behind :func:`train`, shape-generic so K stacked models train at once.

    ``template`` holds ``(n_l, n_{l-1})`` or stacked ``(K, n_l, n_{l-1})`` parameters;
    ``lambd`` and ``keep_prob`` are scalars or ``(K, 1, 1)``. With K models the recorded
    costs are ``(n_records, K)``.
    """
    start_time = time.perf_counter()
    initial = {key: value.copy() for key, value in template.items()}
    # One flat vector for all parameters (and one for gradients): the dicts are views into
    # them, so the optimizer updates every layer in a single vectorised step.
    theta = params_to_vector(template)
    params = vector_to_params(theta, template)
    grad_vector = np.zeros_like(theta)
    grads = {f"d{key}": view for key, view in vector_to_params(grad_vector, template).items()}
    optimizer = make_optimizer(
        config.optimizer,
        theta.shape,
        beta=config.beta,
        beta1=config.beta1,
        beta2=config.beta2,
        epsilon=config.epsilon,
    )
    rng = np.random.default_rng(config.seed)
    dropout = bool(np.any(np.asarray(keep_prob) < 1.0))
    m = X.shape[1]
    L = len(template) // 2
    epochs = config.epochs
    full_batch = config.mini_batch_size is None or config.mini_batch_size >= m
    batches = [(X, Y)]

    @functools.cache
    def course_masks(batch_size: int) -> dict[str, np.ndarray]:
        """The course re-seeds with 1 before every forward pass, so its masks depend only
        on the batch size: draw them once, in the same order (D1, D2, ...)."""
        legacy = np.random.RandomState(1)
        shapes = [(*np.shape(template[f"b{layer}"])[:-1], batch_size) for layer in range(1, L)]
        return {
            f"D{layer}": legacy.random(shape) < keep_prob for layer, shape in enumerate(shapes, 1)
        }

    last_finite_theta = theta.copy()
    costs: list = []
    iterations: list[int] = []
    minibatch_costs: list = []
    diverged, stopped_early, message = False, False, ""

    with np.errstate(all="ignore"):  # non-finite values are detected below, not warned about
        for epoch in range(epochs):
            record = epoch % config.record_every == 0 or epoch == epochs - 1
            if not full_batch:
                seed = 10 + epoch + 1  # the course's per-epoch seeds 11, 12, ...
                batches = random_mini_batches(
                    X, Y, config.mini_batch_size, seed, rng=None if config.course_seeding else rng
                )
            learning_rate = epoch_learning_rate(
                config.learning_rate, epoch, config.decay, config.decay_rate, config.decay_interval
            )
            epoch_cost = 0.0
            for X_batch, Y_batch in batches:
                AL, cache = forward(
                    X_batch,
                    params,
                    keep_prob=keep_prob,
                    rng=rng if dropout else None,
                    masks=course_masks(X_batch.shape[1]) if config.course_dropout else None,
                )
                if record or config.record_minibatch_costs:
                    batch_cost = compute_cost(
                        AL, Y_batch, params, lambd=lambd, logits=cache[f"Z{L}"]
                    )
                    epoch_cost = epoch_cost + batch_cost * (Y_batch.shape[1] / m)
                    if config.record_minibatch_costs:
                        minibatch_costs.append(batch_cost)
                backward(Y_batch, cache, params, lambd=lambd, out=grads)
                optimizer.step(theta, grad_vector, learning_rate)

            if record:
                if not (np.all(np.isfinite(epoch_cost)) and np.all(np.isfinite(theta))):
                    diverged = True
                    message = (
                        f"Training diverged at iteration {epoch}: the cost or the weights "
                        f"became infinite or NaN. Lower the learning rate "
                        f"(now {config.learning_rate:g}) or use a smaller initialization."
                    )
                    break
                last_finite_theta[:] = theta
                costs.append(epoch_cost)
                iterations.append(epoch)
                if callback is not None:
                    progress = TrainProgress(epoch, epochs, epoch_cost, params, costs, iterations)
                    if callback(progress) is False:
                        stopped_early = True
                        message = f"Stopped early after {epoch + 1} of {epochs} iterations."
                        break
    if diverged:  # hand back the last parameters that were still finite
        theta[:] = last_finite_theta
    return TrainResult(
        params={key: value.copy() for key, value in params.items()},
        costs=np.asarray(costs),
        iterations=np.asarray(iterations, dtype=np.int64),
        diverged=diverged,
        message=message,
        stopped_early=stopped_early,
        elapsed_s=time.perf_counter() - start_time,
        minibatch_costs=np.asarray(minibatch_costs) if config.record_minibatch_costs else None,
        initial_params=initial,
    )
