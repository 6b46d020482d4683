"""The fast gradient check: every parameter's two-sided difference in stacked passes.

:func:`dnn_core.gradcheck.gradient_check` uses this by default; its ``batch_size=1`` runs
the course's loop instead, and the tests hold the two to the same answer.

Nudging ``W{l}[i, j]`` (or ``b{l}[i]``) by ``+-eps`` moves only row ``i`` of ``Z{l}``, by
``+-eps * A{l-1}[j]`` (or ``+-eps``). So each perturbed network reuses the unperturbed
forward pass below layer l, recomputes one row of layer l, updates ``Z{l+1}`` by a rank-one
term, and runs only the layers above, as K stacked models at once.
"""

from __future__ import annotations

import numpy as np

from .losses import ACTIVATIONS, compute_cost
from .network import num_layers

CHUNK_BYTES = 32e6
"""Memory the activations of one stacked pass may use (perturbed networks go in chunks)."""
WEIGHT_CHUNK_BYTES = 2e6
"""Memory the L2 term's copies of a layer's W may use per pass. The ordinary cost sums every
copy's squares, so the copies are kept small enough to stay in the CPU's cache (in 32 MB
chunks the L2 term doubled the time of a check of 40 x 40 hidden layers)."""


def batched_gradapprox(
    params: dict[str, np.ndarray],
    cache: dict,
    Y: np.ndarray,
    *,
    epsilon: float,
    lambd: float,
    keep_prob: float,
    batch_size: int | None = None,
) -> np.ndarray:
    """Two-sided differences of the cost for every parameter: ``gradapprox (P,)`` in the
    course's order W1, b1, W2, b2, ...

    ``cache`` is the unperturbed :func:`dnn_core.forward` pass's; its dropout masks are
    reused, so dropout must be held fixed. ``batch_size`` perturbed networks go in one
    stacked pass (``None``: as many as fit in :data:`CHUNK_BYTES` and, with L2,
    :data:`WEIGHT_CHUNK_BYTES`).
    """
    blocks = []
    for layer in range(1, num_layers(params) + 1):
        chunk = batch_size or _chunk(params, layer, Y.shape[-1], lambd)
        options = {"epsilon": epsilon, "lambd": lambd, "keep_prob": keep_prob, "chunk": chunk}
        blocks.append(_layer_gradapprox(params, cache, Y, layer, **options))
    return np.concatenate(blocks)


def _chunk(params: dict[str, np.ndarray], layer: int, m: int, lambd: float) -> int:
    """How many perturbed networks of ``layer`` go in one stacked pass."""
    widest = max(value.shape[0] for key, value in params.items() if key[0] == "W")
    chunk = int(CHUNK_BYTES / (8 * widest * m))
    if lambd:  # each perturbed network also brings its own copy of W{layer}
        chunk = min(chunk, int(WEIGHT_CHUNK_BYTES / (8 * params[f"W{layer}"].size)))
    return max(1, chunk)


def _layer_gradapprox(
    params: dict[str, np.ndarray],
    cache: dict,
    Y: np.ndarray,
    layer: int,
    *,
    epsilon: float,
    lambd: float,
    keep_prob: float,
    chunk: int,
) -> np.ndarray:
    """Two-sided differences for every parameter of ``layer``: ``(n_l * (n_{l-1} + 1),)``
    in W-then-b order, ``chunk`` perturbed networks per stacked pass."""
    L = num_layers(params)
    m = Y.shape[-1]
    g = ACTIVATIONS[cache.get("activation", "relu")]  # the hidden layers' activation
    W = params[f"W{layer}"]
    n_units, n_inputs = W.shape
    A_prev = cache[f"A{layer - 1}"]
    # Per parameter: the unit whose row moves, and by how much per unit of epsilon.
    units = np.concatenate([np.repeat(np.arange(n_units), n_inputs), np.arange(n_units)])
    directions = np.concatenate([np.tile(A_prev, (n_units, 1)), np.ones((n_units, m))])

    gradapprox = np.empty(units.size)
    for start in range(0, units.size, chunk):
        index = np.arange(start, min(start + chunk, units.size))  # (k,) parameters
        costs = []
        for step in (epsilon, -epsilon):
            Z_rows = cache[f"Z{layer}"][units[index]] + step * directions[index]  # (k, m)
            if layer == L:
                Z = Z_rows[:, None, :]  # (k, 1, m): the output layer has one unit
            else:
                A_rows = g(Z_rows)
                if f"D{layer}" in cache:
                    A_rows = A_rows * cache[f"D{layer}"][units[index]] / keep_prob
                change = A_rows - cache[f"A{layer}"][units[index]]  # (k, m)
                W_next = params[f"W{layer + 1}"][:, units[index]].T  # (k, n_{l+1})
                Z = cache[f"Z{layer + 1}"] + W_next[:, :, None] * change[:, None, :]
                for above in range(layer + 1, L):
                    A = g(Z)  # (k, n_above, m)
                    if f"D{above}" in cache:
                        A = A * cache[f"D{above}"] / keep_prob
                    Z = params[f"W{above + 1}"] @ A + params[f"b{above + 1}"]
            perturbed = {**params, f"W{layer}": _nudged_weights(W, index, step)} if lambd else None
            costs.append(compute_cost(None, Y, perturbed, lambd=lambd, logits=Z))
        gradapprox[index] = (costs[0] - costs[1]) / (2 * epsilon)
    return gradapprox


def _nudged_weights(W: np.ndarray, index: np.ndarray, step: float) -> np.ndarray:
    """``W (n_l, n_{l-1})`` once per parameter in ``index`` (``(k,)``, weights first, then
    biases), with that weight moved by ``step``: ``(k, n_l, n_{l-1})``, for the L2 term."""
    stacked = np.repeat(W[None], index.size, axis=0)  # (k, n_l, n_{l-1})
    is_weight = index < W.size  # a bias leaves W as it is
    stacked.reshape(index.size, -1)[np.flatnonzero(is_weight), index[is_weight]] += step
    return stacked
