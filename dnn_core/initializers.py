"""Parameter initialization: zeros, random x scale, He and Xavier.

Shapes follow the course: ``W{l}`` is ``(n_l, n_{l-1})`` and ``b{l}`` is ``(n_l, 1)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .network import num_layers  # noqa: F401 - re-exported for imports from its old home

SCHEMES = ("zeros", "random", "he", "xavier")


def weight_std(scheme: str, n_prev: int, scale: float = 10.0) -> float:
    """Standard deviation of the weights of a layer fed by ``n_prev`` units."""
    if scheme == "zeros":
        return 0.0
    if scheme == "random":
        return float(scale)
    if scheme == "he":
        return float(np.sqrt(2.0 / n_prev))
    if scheme == "xavier":
        return float(np.sqrt(1.0 / n_prev))
    raise ValueError(f"Unknown initialization {scheme!r}; choose one of {', '.join(SCHEMES)}.")


def init_params(
    layer_dims: Sequence[int],
    scheme: str = "he",
    *,
    scale: float = 10.0,
    seed: int | None = 3,
    course: bool = False,
) -> dict[str, np.ndarray]:
    """Initialize an L-layer network.

    Args:
        layer_dims: ``[n_x, n_1, ..., n_L]``, input size first, output size last.
        scheme: ``"zeros"``, ``"random"`` (standard normal x ``scale``), ``"he"``
            (x sqrt(2/n_prev)) or ``"xavier"`` (x sqrt(1/n_prev)).
        scale: multiplier of the ``"random"`` scheme (the course uses 10).
        seed: seed of the ``numpy.random.Generator`` that draws the weights.
        course: draw with the course's legacy seeding instead
            (``np.random.seed(seed)`` then ``randn`` for W1, W2, ... in order), which the
            course's published numbers depend on. Uses a private ``RandomState``, so the
            global NumPy state is left alone.

    Returns:
        ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``, float64, biases zero.
    """
    dims = [int(d) for d in layer_dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError("layer_dims needs at least an input and an output size, all >= 1.")
    legacy = np.random.RandomState(seed) if course else None
    rng = None if course else np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for layer in range(1, len(dims)):
        shape = (dims[layer], dims[layer - 1])
        std = weight_std(scheme, dims[layer - 1], scale)
        if scheme == "zeros":
            weights = np.zeros(shape)
        elif course:
            weights = legacy.randn(*shape) * std
        else:
            weights = rng.standard_normal(shape) * std
        params[f"W{layer}"] = weights
        params[f"b{layer}"] = np.zeros((dims[layer], 1))
    return params
