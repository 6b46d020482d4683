"""Independent, deliberately plain reference code the core is checked against, and helpers.

The reference math imports nothing from the core: the cost is written from its definition
and the numerical gradient is the course's one-parameter-at-a-time loop, so a bug shared by
the core's forward pass and its batched gradient checker would still be caught.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


def random_network(layer_dims, m: int, seed: int, *, keep_prob: float = 1.0):
    """A network with random weights and biases, inputs ``X (n_x, m)`` with both labels in
    ``Y (1, m)``, and (when ``keep_prob < 1``) fixed dropout masks ``{"D1": (n_1, m), ...}``.

    Biases are non-zero so that no pre-activation sits exactly on ReLU's kink at 0, where
    the numerical and the analytic derivative legitimately disagree.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_dims)):
        n, n_prev = layer_dims[layer], layer_dims[layer - 1]
        params[f"W{layer}"] = rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev)
        params[f"b{layer}"] = rng.standard_normal((n, 1)) * 0.1
    X = rng.standard_normal((layer_dims[0], m))
    Y = np.zeros((1, m))
    Y[0, rng.permutation(m)[: m // 2]] = 1.0
    masks = None
    if keep_prob < 1.0:
        masks = {
            f"D{layer}": rng.random((layer_dims[layer], m)) < keep_prob
            for layer in range(1, len(layer_dims) - 1)
        }
    return params, X, Y, masks


HIDDEN = {
    "relu": lambda Z: np.maximum(Z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda Z: 1.0 / (1.0 + np.exp(-Z)),
}
"""The hidden activations from their definitions."""


def reference_cost(
    params, X, Y, *, lambd=0.0, masks=None, keep_prob=1.0, from_logits=True, activation="relu"
):
    """Cross-entropy (+ L2) of a network with ``activation`` hidden layers (ReLU unless
    asked) and a sigmoid output, from the definitions.

    ``from_logits``: ``softplus(z) - y z``, exact for any ``z``; otherwise the course's
    ``-y log(a) - (1 - y) log(1 - a)`` with ``a = sigmoid(z)``.
    """
    L = len(params) // 2
    A = X
    for layer in range(1, L):
        A = HIDDEN[activation](params[f"W{layer}"] @ A + params[f"b{layer}"])
        if masks is not None:
            A = A * masks[f"D{layer}"] / keep_prob
    Z = params[f"W{L}"] @ A + params[f"b{L}"]
    m = Y.shape[1]
    if from_logits:
        cross_entropy = np.sum(np.logaddexp(0.0, Z) - Y * Z) / m
    else:
        a = 1.0 / (1.0 + np.exp(-Z))
        cross_entropy = np.sum(-Y * np.log(a) - (1.0 - Y) * np.log(1.0 - a)) / m
    weights = sum(np.sum(params[f"W{layer}"] ** 2) for layer in range(1, L + 1))
    return float(cross_entropy + lambd / (2 * m) * weights)


def numerical_gradient(params, X, Y, *, epsilon=1e-7, **cost_options):
    """Two-sided differences of :func:`reference_cost`, one parameter at a time:
    ``{"dW1": (n_1, n_0), "db1": (n_1, 1), ...}``."""
    grads = {}
    for key, value in params.items():
        grad = np.empty_like(value)
        for index in np.ndindex(value.shape):
            shifted = {name: array.copy() for name, array in params.items()}
            shifted[key][index] = value[index] + epsilon
            plus = reference_cost(shifted, X, Y, **cost_options)
            shifted[key][index] = value[index] - epsilon
            minus = reference_cost(shifted, X, Y, **cost_options)
            grad[index] = (plus - minus) / (2 * epsilon)
        grads[f"d{key}"] = grad
    return grads


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), the course's measure (0 when both are zero)."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator else 0.0


def as_vector(grads, params) -> np.ndarray:
    """Gradients flattened in the course's order W1, b1, W2, b2, ...: ``(P,)``."""
    L = len(params) // 2
    return np.concatenate(
        [grads[f"d{kind}{layer}"].ravel() for layer in range(1, L + 1) for kind in "Wb"]
    )


@contextmanager
def course_global_seed(seed: int) -> Iterator:
    """``np.random.seed(seed)`` exactly as the course calls it, yielding ``np.random`` (the
    legacy global generator) and restoring its previous state afterwards."""
    saved = np.random.get_state()  # noqa: NPY002 - the course's legacy seeding, on purpose
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield np.random
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def train_strictly(X, Y, config):
    """``dnn_core.train`` with every warning an error: for runs in worker processes, which
    pytest's warning filters do not reach."""
    from dnn_core import train

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return train(X, Y, config)
