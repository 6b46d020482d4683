"""Numerically stable sigmoid, ReLU, tanh and binary cross-entropy (with the L2 term).

All functions are shape-generic: ``(n, m)`` for one model or ``(K, n, m)`` for K stacked
models, with examples always on the last axis.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z)), elementwise.

    For Z < -709, exp(-Z) overflows to inf and the result is exactly 0, the correctly
    rounded answer, so that overflow is expected and silenced rather than warned about.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-Z))


def relu(Z: np.ndarray) -> np.ndarray:
    """max(Z, 0), elementwise: the hidden layers' activation (by default)."""
    return np.maximum(Z, 0.0)


def tanh(Z: np.ndarray) -> np.ndarray:
    """tanh(Z), elementwise: a hidden-layer activation centred on 0 (Xavier's case)."""
    return np.tanh(Z)


ACTIVATIONS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}
"""The hidden layers' activations by name (the output layer is always sigmoid)."""


def activation_slope(Z: np.ndarray, name: str) -> np.ndarray:
    """g'(Z) of the hidden activation ``name``, elementwise: ReLU's is 1 where Z > 0 and 0
    elsewhere, tanh's is 1 - tanh(Z)**2 and sigmoid's is s(Z) * (1 - s(Z)) (at most 1/4:
    why deep sigmoid networks' gradients vanish)."""
    if name == "relu":
        return (Z > 0).astype(np.float64)
    A = ACTIVATIONS[name](Z)
    return 1.0 - A * A if name == "tanh" else A * (1.0 - A)


def squared_weights(params: dict[str, np.ndarray]):
    """Sum over layers of sum(W{l}**2): a float, or ``(K,)`` for K stacked models."""
    return sum(np.sum(np.square(W), axis=(-2, -1)) for key, W in params.items() if key[0] == "W")


def l2_penalty(params: dict[str, np.ndarray], lambd, m: int):
    """lambd / (2m) * sum of squared weights.

    ``lambd`` is a scalar, or ``(K, 1, 1)`` for K stacked models (then one value per model).
    """
    total = squared_weights(params)
    lambd = np.asarray(lambd)
    if lambd.ndim:  # (K, 1, 1) -> (K,) to line up with one total per model
        lambd = lambd.reshape(np.shape(total))
    return lambd * total / (2 * m)


def compute_cost(
    AL: np.ndarray | None,
    Y: np.ndarray,
    params: dict[str, np.ndarray] | None = None,
    *,
    lambd=0.0,
    logits: np.ndarray | None = None,
):
    """Mean binary cross-entropy plus the L2 term ``lambd/(2m) * sum(W**2)``.

    Args:
        AL: predicted probabilities, ``(1, m)`` or ``(K, 1, m)`` (unused when
            ``logits`` is given).
        Y: labels 0/1, ``(1, m)``.
        params: needed only when ``lambd`` is non-zero.
        lambd: L2 strength (a scalar, or ``(K, 1, 1)`` for K stacked models).
        logits: the output pre-activation ``ZL`` if known. The cost is then computed as
            ``softplus(-Z) + (1 - Y) * Z`` which is exact for any Z; from ``AL`` alone a
            saturated probability (exactly 0 or 1) is clipped, so the cost stays a large
            finite number instead of ``inf`` and ``log(0)`` never warns.

    Returns:
        A float for one model, an array ``(K,)`` for stacked models.
    """
    m = Y.shape[-1]
    if logits is not None:
        losses = np.logaddexp(0.0, -logits) + (1.0 - Y) * logits
    else:
        tiny = np.finfo(np.float64).tiny
        eps = np.finfo(np.float64).epsneg
        probs = np.clip(AL, tiny, 1.0 - eps)
        losses = -(Y * np.log(probs) + (1.0 - Y) * np.log1p(-probs))
    cost = np.sum(losses, axis=(-2, -1)) / m
    if params is not None and np.any(np.asarray(lambd) != 0):
        cost = cost + l2_penalty(params, lambd, m)
    return float(cost) if np.ndim(cost) == 0 else cost
