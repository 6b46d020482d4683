"""L-layer network: LINEAR -> ReLU (x L-1) -> LINEAR -> SIGMOID, with L2 and inverted dropout.

The hidden layers' activation is ReLU unless ``activation="tanh"`` or ``"sigmoid"`` is asked.

Shapes follow the course: ``X (n_x, m)``, ``Y (1, m)``, ``W{l} (n_l, n_{l-1})``,
``b{l} (n_l, 1)``. The math is shape-generic: parameters stacked as ``(K, n_l, n_{l-1})``
run K models at once (used by sweeps and the batched gradient check), activations are then
``(K, n_l, m)``.
"""

from __future__ import annotations

import math

import numpy as np

from .losses import ACTIVATIONS, activation_slope, sigmoid


def _differs(value, neutral: float) -> bool:
    """Whether a scalar or per-model ``(K, 1, 1)`` setting is ever not ``neutral``.

    Checked once per pass with plain Python for the common scalar case: this runs tens of
    thousands of times per training run.
    """
    if isinstance(value, int | float):
        return value != neutral
    return bool(np.any(np.asarray(value) != neutral))


def forward(
    X: np.ndarray,
    params: dict[str, np.ndarray],
    *,
    keep_prob=1.0,
    rng=None,
    masks: dict[str, np.ndarray] | None = None,
    activation: str = "relu",
):
    """Forward propagation.

    Args:
        X: inputs ``(n_x, m)``.
        params: ``{"W1", "b1", ...}`` (optionally stacked ``(K, ...)``).
        keep_prob: probability of keeping a hidden unit (inverted dropout on every hidden
            layer, never on the input or output). A scalar, or ``(K, 1, 1)`` per model.
        rng: ``numpy.random.Generator`` (or legacy ``RandomState``) that draws the masks.
        masks: ``{"D1": (n_1, m), ...}`` to reuse fixed masks (gradient checking).
        activation: the hidden layers' ``"relu"``, ``"tanh"`` or ``"sigmoid"``.

    Returns:
        ``(AL, cache)``: ``AL`` the output probabilities ``(1, m)``; ``cache`` holds
        ``A0`` (= X), ``Z{l}``, ``A{l}``, the activation and, with dropout, ``D{l}`` and
        ``keep_prob``.
    """
    L = num_layers(params)
    g = ACTIVATIONS[activation]
    dropout = masks is not None or _differs(keep_prob, 1.0)
    if dropout and masks is None and rng is None:
        raise ValueError("Dropout needs an rng (numpy.random.Generator) or fixed masks.")
    cache: dict = {"A0": X, "keep_prob": keep_prob, "dropout": dropout, "activation": activation}
    A = X
    for layer in range(1, L):
        Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
        A = g(Z)
        if dropout:
            D = masks[f"D{layer}"] if masks is not None else rng.random(A.shape) < keep_prob
            A = A * D / keep_prob  # inverted dropout keeps the expected activation unchanged
            cache[f"D{layer}"] = D
        cache[f"Z{layer}"] = Z
        cache[f"A{layer}"] = A
    ZL = params[f"W{L}"] @ A + params[f"b{L}"]
    AL = sigmoid(ZL)
    cache[f"Z{L}"] = ZL
    cache[f"A{L}"] = AL
    return AL, cache


def backward(
    Y: np.ndarray,
    cache: dict,
    params: dict[str, np.ndarray],
    *,
    lambd=0.0,
    out: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Backward propagation of the mean cross-entropy (+ L2) cost.

    Args:
        Y: labels ``(1, m)``.
        cache: from :func:`forward` (its dropout masks are reused).
        params: the parameters used in that forward pass.
        lambd: L2 strength; adds ``lambd/m * W`` to every ``dW``. Scalar or ``(K, 1, 1)``.
        out: optional preallocated ``{"dW1": ..., "db1": ...}`` to write into (training
            reuses one buffer instead of allocating every iteration).

    Returns:
        ``{"dW1": (n_1, n_0), "db1": (n_1, 1), ...}``, same shapes as the parameters.
    """
    L = num_layers(params)
    m = Y.shape[-1]
    grads = out if out is not None else {}
    # d(cost)/dZL for sigmoid + cross-entropy simplifies to (AL - Y) / m.
    dZ = (cache[f"A{L}"] - Y) * (1.0 / m)
    l2 = _differs(lambd, 0.0)
    for layer in range(L, 0, -1):
        A_prev = cache[f"A{layer - 1}"]
        W = params[f"W{layer}"]
        if out is not None:
            np.matmul(dZ, A_prev.mT, out=grads[f"dW{layer}"])
            dZ.sum(axis=-1, keepdims=True, out=grads[f"db{layer}"])
        else:
            grads[f"dW{layer}"] = dZ @ A_prev.mT
            grads[f"db{layer}"] = dZ.sum(axis=-1, keepdims=True)
        if l2:
            grads[f"dW{layer}"] += (lambd / m) * W
        if layer > 1:
            dA = W.mT @ dZ
            if cache["dropout"]:
                dA = dA * cache[f"D{layer - 1}"] / cache["keep_prob"]
            # dZ = dA * g'(Z): ReLU passes gradient only where Z > 0, tanh and sigmoid scale it.
            dZ = dA * activation_slope(cache[f"Z{layer - 1}"], cache.get("activation", "relu"))
    return grads


PREDICT_BYTES = 4 * 2**20
"""Working memory of one prediction pass: :func:`forward` keeps every layer's Z and A, so
a 160 x 160 grid through six layers of 100 units would hold 250 MB at once. (Slices this
size are also faster than one pass: they stay in the CPU's cache.)"""


def predict_proba(
    X: np.ndarray, params: dict[str, np.ndarray], *, activation: str = "relu"
) -> np.ndarray:
    """Output probabilities ``(1, m)`` (or ``(K, 1, m)``); dropout is never used here.

    The examples go through in slices that keep the pass within :data:`PREDICT_BYTES`.
    """
    # Z and A of every unit of every model, float64, per example.
    layers = len(params) // 2
    per_example = 16 * sum(
        math.prod(params[f"W{layer}"].shape[:-1]) for layer in range(1, layers + 1)
    )
    step = max(1, PREDICT_BYTES // per_example)
    m = X.shape[-1]
    if m <= step:
        return forward(X, params, activation=activation)[0]
    return np.concatenate(
        [
            forward(X[..., start : start + step], params, activation=activation)[0]
            for start in range(0, m, step)
        ],
        axis=-1,
    )


def predict(
    X: np.ndarray, params: dict[str, np.ndarray], *, activation: str = "relu"
) -> np.ndarray:
    """0/1 predictions ``(1, m)`` (threshold 0.5)."""
    return (predict_proba(X, params, activation=activation) > 0.5).astype(np.int64)


def accuracy(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], *, activation: str = "relu"
):
    """Fraction of correct predictions: a float, or ``(K,)`` for stacked parameters."""
    correct = np.mean(predict(X, params, activation=activation) == Y, axis=(-2, -1))
    return float(correct) if np.ndim(correct) == 0 else correct


def decision_grid(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    *,
    resolution: int = 200,
    margin: float = 0.25,
    activation: str = "relu",
):
    """Probabilities of class 1 on a regular grid covering the data.

    Args:
        params: a trained network with 2 inputs.
        X: points ``(2, m)`` whose range (plus ``margin`` of its span) the grid covers.
        resolution: points per axis.
        activation: the network's hidden activation.

    Returns:
        ``(xs (resolution,), ys (resolution,), probs (resolution, resolution))`` with
        ``probs[i, j]`` the probability at ``(xs[j], ys[i])``.
    """
    lo, hi = X.min(axis=1), X.max(axis=1)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    grid = np.empty((2, resolution * resolution))
    grid[0] = np.tile(xs, resolution)
    grid[1] = np.repeat(ys, resolution)
    probs = predict_proba(grid, params, activation=activation).reshape(resolution, resolution)
    return xs, ys, probs


def params_to_vector(params: dict[str, np.ndarray]) -> np.ndarray:
    """All parameters in one vector ``(P,)``, ordered W1, b1, W2, b2, ... (the course's order)."""
    return np.concatenate([params[key].ravel() for key in param_keys(params)])


def vector_to_params(theta: np.ndarray, like: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Views into ``theta`` (``(P,)``) shaped like ``like``; writing to them writes theta."""
    params, start = {}, 0
    for key in param_keys(like):
        size = like[key].size
        params[key] = theta[start : start + size].reshape(like[key].shape)
        start += size
    return params


def param_keys(params: dict[str, np.ndarray]) -> list[str]:
    """``["W1", "b1", "W2", "b2", ...]`` in layer order."""
    return [f"{kind}{layer}" for layer in range(1, num_layers(params) + 1) for kind in "Wb"]


def num_layers(params: dict[str, np.ndarray]) -> int:
    """Number of weight layers L of a parameter dict (keys come in W, b pairs)."""
    return len(params) // 2
