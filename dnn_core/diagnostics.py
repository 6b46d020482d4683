"""What the lessons measure about a network (beyond its cost and accuracy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .initializers import num_layers
from .losses import l2_penalty
from .network import backward, forward

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
    params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Activations and weight gradients of every layer for one full-batch pass.

    Returns:
        ``({"layer 1": A1 (n_1, m), ..., "layer L": AL (1, m)},
        {"layer 1": dW1 (n_1, n_0), ...})``.
    """
    params = dict(params)
    with np.errstate(all="ignore"):  # huge initial weights may overflow: shown, not warned
        _, cache = forward(X, params)
        grads = backward(Y, cache, params)
    layers = num_layers(params)
    activations = {f"layer {layer}": cache[f"A{layer}"] for layer in range(1, layers + 1)}
    gradients = {f"layer {layer}": grads[f"dW{layer}"] for layer in range(1, layers + 1)}
    return activations, gradients


def layer_spread(
    activations_start: dict[str, np.ndarray],
    activations_end: dict[str, np.ndarray],
    gradients_start: dict[str, np.ndarray],
) -> dict[str, list]:
    """Per layer: the spread of its activations at the start and after training, and the
    mean size of its weight gradients at the start (columns of a table)."""
    with np.errstate(all="ignore"):  # exploding activations may overflow: shown as inf
        return {
            "layer": list(activations_start),
            "std of A[l] at start": [float(np.std(a)) for a in activations_start.values()],
            "std of A[l] after": [float(np.std(a)) for a in activations_end.values()],
            "mean |dW[l]| at start": [float(np.mean(np.abs(g))) for g in gradients_start.values()],
        }


def squared_weight_norm(params: dict[str, np.ndarray]) -> float:
    """Sum over layers of the squared weights (the L2 penalty without lambda / 2m)."""
    with np.errstate(all="ignore"):  # a diverged run's weights may overflow: inf
        return float(l2_penalty(params, 2.0, 1))


def relu_kinks(X: np.ndarray, params: dict[str, np.ndarray], epsilon: float) -> dict[int, int]:
    """Hidden layer -> how many pre-activations ``Z[l] (n_l, m)`` lie within one nudge
    (epsilon times the largest input to the layer) of ReLU's kink at 0, where the two-sided
    difference averages the slopes 0 and 1 while backprop takes one of them."""
    _, cache = forward(X, params)
    counts = {}
    for layer in range(1, num_layers(params)):
        reach = epsilon * max(1.0, float(np.max(np.abs(cache[f"A{layer - 1}"]))))
        counts[layer] = int(np.sum(np.abs(cache[f"Z{layer}"]) <= reach))
    return counts
