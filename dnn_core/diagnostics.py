"""What the lessons measure about a network beyond its cost and accuracy: the signals in
each layer, the size of the weights, units that are alike or dead, ReLU's kinks, the cost on
held-out points while training, and the plain-words verdict on a run that cannot learn."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .losses import compute_cost, squared_weights
from .network import backward, forward, num_layers

ROUND_OFF = 1e-9
"""Differences below this fraction of the weights' size are floating-point round-off.

Equal rows receive equal updates, yet BLAS kernels (AVX2 or AVX-512) may sum them in a
different order and leave them ~1e-16 apart; training never amplifies that back into a
real difference, while rows that differ for real do so by far more than 1e-9.
"""


@dataclass(frozen=True)
class UnitSymmetry:
    """How far apart the rows (units) of a weight matrix are.

    ``spread`` is the largest difference between two rows in any column; ``scale`` the
    largest absolute weight; ``identical`` whether the spread is round-off at that scale.
    """

    spread: float
    scale: float
    identical: bool


def unit_symmetry(W: np.ndarray) -> UnitSymmetry:
    """Whether the units of ``W (n_l, n_{l-1})`` compute the same function (rows equal up
    to round-off relative to the weights' size)."""
    W = np.asarray(W, dtype=np.float64)
    spread = float(np.max(np.ptp(W, axis=0))) if W.size else 0.0
    scale = float(np.max(np.abs(W))) if W.size else 0.0
    return UnitSymmetry(spread, scale, spread <= ROUND_OFF * scale)


def layer_signals(
    params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray, *, activation: str = "relu"
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Activations and weight gradients of every layer for one full-batch pass.

    Returns:
        ``({"layer 1": A1 (n_1, m), ..., "layer L": AL (1, m)},
        {"layer 1": dW1 (n_1, n_0), ...})``.
    """
    params = dict(params)
    with np.errstate(all="ignore"):  # huge initial weights may overflow: shown, not warned
        _, cache = forward(X, params, activation=activation)
        grads = backward(Y, cache, params)
    layers = range(1, num_layers(params) + 1)
    activations = {f"layer {layer}": cache[f"A{layer}"] for layer in layers}
    gradients = {f"layer {layer}": grads[f"dW{layer}"] for layer in layers}
    return activations, gradients


def layer_spread(
    activations_start: Mapping[str, np.ndarray],
    activations_end: Mapping[str, np.ndarray],
    gradients_start: Mapping[str, np.ndarray],
) -> dict[str, list]:
    """The initialization lesson's table, a column a key: each layer, the spread (std) of
    its activations at the start and after training, and its mean |dW| at the start.

    The arguments are :func:`layer_signals`' answers, keyed ``"layer 1"``, ...
    """
    with np.errstate(all="ignore"):  # exploding activations may overflow: shown as inf
        return {
            "layer": list(activations_start),
            "std of A[l] at start": [float(np.std(A)) for A in activations_start.values()],
            "std of A[l] after": [float(np.std(A)) for A in activations_end.values()],
            "mean |dW[l]| at start": [
                float(np.mean(np.abs(dW))) for dW in gradients_start.values()
            ],
        }


def squared_weight_norm(params: Mapping[str, np.ndarray]) -> float | np.ndarray:
    """Sum over layers of sum(W{l}**2), what L2 regularization keeps small: a float, or
    ``(K,)`` for K stacked models. (The L2 term of the cost is lambd/(2m) times this.)"""
    with np.errstate(over="ignore"):  # a diverged run's weights may overflow: inf
        total = squared_weights(dict(params))
    return float(total) if np.ndim(total) == 0 else total


def relu_kinks(
    X: np.ndarray, params: Mapping[str, np.ndarray], epsilon: float, *, activation: str = "relu"
) -> dict[int, int]:
    """Hidden layer -> how many pre-activations ``Z{l} (n_l, m)`` lie within one nudge
    (epsilon times the largest input to the layer) of ReLU's kink at 0, where the two-sided
    difference averages the slopes 0 and 1 while backprop takes one of them. (tanh and
    sigmoid are smooth: empty for them.)"""
    if activation != "relu":
        return {}
    params = dict(params)
    _, cache = forward(X, params)
    counts = {}
    for layer in range(1, num_layers(params)):
        reach = epsilon * max(1.0, float(np.max(np.abs(cache[f"A{layer - 1}"]))))
        counts[layer] = int(np.sum(np.abs(cache[f"Z{layer}"]) <= reach))
    return counts


def dead_units(
    params: Mapping[str, np.ndarray], X: np.ndarray, *, activation: str = "relu"
) -> dict[int, float]:
    """Hidden layer -> the fraction of its ReLU units that output 0 on every example of
    ``X (n_x, m)``: such a unit passes no gradient back, so it no longer learns. (tanh and
    sigmoid units are never dead in this sense: empty for them.)"""
    if activation != "relu":
        return {}
    params = dict(params)
    with np.errstate(all="ignore"):  # huge weights may overflow; inf and NaN are not 0
        _, cache = forward(X, params)
    return {
        layer: float(np.mean(np.all(cache[f"A{layer}"] == 0.0, axis=-1)))  # over (n_l,) units
        for layer in range(1, num_layers(params))
    }


def cross_entropy(
    params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray, *, activation: str = "relu"
) -> float | np.ndarray:
    """The cross-entropy of the whole network's predictions on ``X (n_x, m)``, ``Y (1, m)``:
    no L2 term and no dropout, so it compares training and test points, and a regularized
    model with a plain one, on the same footing."""
    params = dict(params)
    with np.errstate(all="ignore"):  # a diverging run's weights may overflow: inf, not a warning
        AL, _ = forward(X, params, activation=activation)
        cost = compute_cost(AL, Y)  # a float, or (K,) for K stacked models
    return float(cost) if np.ndim(cost) == 0 else np.asarray(cost)


@dataclass
class CostRecorder:
    """A training callback (``dnn_core.train(..., callback=recorder)``) that records the
    cross-entropy of the live parameters on named point sets, e.g. ``{"train": (X, Y),
    "test": (X_test, Y_test)}``, at every recorded iteration, then hands the progress on to
    ``then`` and returns its answer (so ``then`` can still stop the run).

    The loop records only the training cost; this lets a lesson watch the test cost fall,
    then rise as a network starts fitting noise, without a change to the loop.
    """

    points: Mapping[str, tuple[np.ndarray, np.ndarray]]
    then: Callable[..., bool | None] | None = None
    activation: str = "relu"  # the network's hidden activation
    iterations: list[int] = field(default_factory=list)
    costs: dict[str, list[float]] = field(default_factory=dict)

    def __call__(self, progress) -> bool | None:
        self.iterations.append(int(progress.iteration))
        for name, (X, Y) in self.points.items():
            self.costs.setdefault(name, []).append(
                cross_entropy(progress.params, X, Y, activation=self.activation)
            )
        return None if self.then is None else self.then(progress)

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Point set -> ``(iterations (n,), cross-entropy (n,))``."""
        iterations = np.asarray(self.iterations)
        return {name: (iterations, np.asarray(costs)) for name, costs in self.costs.items()}


FLAT_SPREAD = 0.02
"""Predicted probabilities that all lie within this of each other carry no information
about the input: the network answers the same for every point."""
DEAD_SHARE = 0.5
"""With at least this share of a layer's ReLU units dead, they explain a flat output."""


@dataclass(frozen=True)
class Stall:
    """Why a network answers the same for every point, if it does: ``kind`` is ``"zeros"``
    (every weight is still exactly 0: no unit receives a gradient), ``"dead"``
    (many ReLU units of a layer output 0 on every point: no signal passes and no gradient
    flows back), ``"vanished"`` (the signal shrank to nothing on its way through tiny
    weights; the answer is 0.5), ``"flat"`` (another constant answer) or ``""`` (the
    answer depends on the input). ``dead`` is hidden layer -> share of dead units; ``mean``
    and ``spread`` (max - min) describe the predicted probabilities."""

    kind: str
    dead: dict[int, float]
    mean: float
    spread: float

    @property
    def deadest_layer(self) -> tuple[int, float]:
        """``(hidden layer, share of dead units)`` of the layer with most dead units."""
        return max(self.dead.items(), key=lambda item: item[1], default=(0, 0.0))


def stall(params: Mapping[str, np.ndarray], X: np.ndarray, *, activation: str = "relu") -> Stall:
    """Diagnose a network on ``X (n_x, m)``. Dead units alone are no stall (a network that
    learnt well may have some); a flat output is, and dead units then explain it."""
    params = dict(params)
    dead = dead_units(params, X, activation=activation)
    with np.errstate(all="ignore"):
        AL, _ = forward(X, params, activation=activation)
    probabilities = np.asarray(AL, dtype=np.float64).ravel()
    finite = probabilities[np.isfinite(probabilities)]
    mean = float(np.mean(finite)) if finite.size else float("nan")
    spread = float(np.ptp(finite)) if finite.size else 0.0
    kind = ""
    weights = [value for name, value in params.items() if name.startswith("W")]
    if spread < FLAT_SPREAD:
        if weights and not any(np.any(W) for W in weights):
            kind = "zeros"
        elif dead and max(dead.values()) >= DEAD_SHARE:
            kind = "dead"
        elif abs(mean - 0.5) < FLAT_SPREAD:
            kind = "vanished"
        else:
            kind = "flat"
    return Stall(kind, dead, mean, spread)
