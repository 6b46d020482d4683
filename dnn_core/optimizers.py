"""Gradient descent, momentum and Adam, mini-batches and learning-rate decay.

The update rules work on any array in place. Training keeps all parameters in one flat
vector ``theta (P,)`` (the dict entries are views into it), so one update moves every layer.
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("gd", "momentum", "adam")


class GradientDescent:
    """theta := theta - learning_rate * grad."""

    def __init__(self, shape) -> None:
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        self.t += 1
        theta -= learning_rate * grad


class Momentum:
    """Exponentially weighted average of gradients (the course's form):

    v := beta * v + (1 - beta) * grad;  theta := theta - learning_rate * v
    """

    def __init__(self, shape, beta: float = 0.9) -> None:
        self.beta = beta
        self.v = np.zeros(shape)
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        self.t += 1
        self.v *= self.beta
        self.v += (1.0 - self.beta) * grad
        theta -= learning_rate * self.v


class Adam:
    """Momentum plus RMSprop with bias correction (t counts updates from 1):

    v := beta1 v + (1 - beta1) g;    s := beta2 s + (1 - beta2) g**2
    theta := theta - lr * (v / (1 - beta1**t)) / (sqrt(s / (1 - beta2**t)) + epsilon)
    """

    def __init__(
        self, shape, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
    ) -> None:
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.v = np.zeros(shape)
        self.s = np.zeros(shape)
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        self.t += 1
        self.v *= self.beta1
        self.v += (1.0 - self.beta1) * grad
        self.s *= self.beta2
        self.s += (1.0 - self.beta2) * np.square(grad)
        v_corrected = self.v / (1.0 - self.beta1**self.t)
        s_corrected = self.s / (1.0 - self.beta2**self.t)
        theta -= learning_rate * v_corrected / (np.sqrt(s_corrected) + self.epsilon)


def make_optimizer(name: str, shape, *, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """An optimizer by name (``"gd"``, ``"momentum"`` or ``"adam"``) for arrays of ``shape``."""
    if name == "gd":
        return GradientDescent(shape)
    if name == "momentum":
        return Momentum(shape, beta)
    if name == "adam":
        return Adam(shape, beta1, beta2, epsilon)
    raise ValueError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, mini_batch_size: int = 64, seed: int = 0, *, rng=None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the examples and cut them into mini-batches (the last one may be smaller).

    Args:
        X: ``(n_x, m)``; Y: ``(1, m)``.
        seed: the course's per-epoch seed (``np.random.seed(seed)`` then ``permutation``),
            used when no ``rng`` (``numpy.random.Generator``) is given.

    Returns:
        ``[(X_batch (n_x, b), Y_batch (1, b)), ...]`` covering every example once.
    """
    m = X.shape[1]
    permutation = (rng if rng is not None else np.random.RandomState(seed)).permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    return [
        (
            shuffled_X[:, start : start + mini_batch_size],
            shuffled_Y[:, start : start + mini_batch_size],
        )
        for start in range(0, m, mini_batch_size)
    ]


def learning_rate_at(
    learning_rate0: float,
    epoch: int,
    decay: str | None = None,
    decay_rate: float = 1.0,
    time_interval: int = 1000,
) -> float:
    """Learning rate for ``epoch`` (0-based).

    ``None``: constant. ``"inverse"``: lr0 / (1 + decay_rate * epoch).
    ``"scheduled"``: lr0 / (1 + decay_rate * floor(epoch / time_interval)) (the course's
    fixed-interval schedule, which avoids decaying to nearly zero too fast).
    """
    if decay is None or decay == "none":
        return learning_rate0
    if decay == "inverse":
        return learning_rate0 / (1.0 + decay_rate * epoch)
    if decay == "scheduled":
        return learning_rate0 / (1.0 + decay_rate * math.floor(epoch / time_interval))
    raise ValueError(f"Unknown learning-rate decay {decay!r}; use 'inverse' or 'scheduled'.")


def epoch_learning_rate(
    learning_rate0: float,
    epoch: int,
    decay: str | None = None,
    decay_rate: float = 1.0,
    time_interval: int = 1000,
) -> float:
    """The learning rate epoch ``epoch`` (0-based) trains at.

    The course computes the decayed rate *after* each epoch's updates, so epochs 0 and 1
    both train at ``learning_rate0`` and epoch e trains at ``learning_rate_at(e - 1)``.
    """
    return learning_rate_at(learning_rate0, max(epoch - 1, 0), decay, decay_rate, time_interval)
