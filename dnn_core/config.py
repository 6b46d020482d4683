"""What determines a training run and what it gives back: the configuration (with its
plain-language checks), the progress streamed while it trains, the state a stopped run keeps
and the result."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .initializers import SCHEMES, init_params
from .losses import ACTIVATIONS
from .optimizers import OPTIMIZERS

_COUNTS = ("num_iterations", "num_epochs", "mini_batch_size", "record_every", "decay_interval")
STACK_SHARED = (
    "layer_dims",
    "activation",
    "epochs",
    "mini_batch_size",
    "seed",
    "course_seeding",
    "record_every",
    "record_minibatch_costs",
)
"""What the models of one stack must agree on: what fixes the data path (the shapes and
their activation, the mini-batches and their order, the recorded epochs)."""


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
    activation: str = "relu"
    """The hidden layers' activation: ``"relu"`` (the course's), ``"tanh"`` or ``"sigmoid"``."""

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
        if self.activation not in ACTIVATIONS:
            found.append(f"Unknown activation {self.activation!r}; use {', '.join(ACTIVATIONS)}.")
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
    (``optimizer``: ``{"t": steps, "v_sum": {...}, "s_sum": {...}}``, what the rule keeps).
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
