"""Gradient checking: backprop's gradient against two-sided differences.

    gradapprox_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)
    difference   = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

The network version evaluates all 2P perturbed costs in one stacked forward pass (the
network math is shape-generic), instead of a Python loop over the P parameters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .losses import compute_cost
from .network import backward, forward, num_layers, param_keys, params_to_vector

THRESHOLDS = (1e-7, 1e-5, 1e-2)


def relative_difference(grad: np.ndarray, gradapprox: np.ndarray) -> float:
    """||grad - gradapprox|| / (||grad|| + ||gradapprox||); 0 when both are zero."""
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return float(numerator / denominator) if denominator > 0 else 0.0


def verdict(difference: float) -> tuple[str, str]:
    """``(level, advice)`` for a relative difference, using the course's thresholds."""
    if not np.isfinite(difference):
        return "error", "The check produced NaN or infinity: the cost is not finite here."
    if difference < THRESHOLDS[0]:
        return "great", "Backprop agrees with the numerical gradient (< 1e-7)."
    if difference < THRESHOLDS[1]:
        return "ok", "Probably fine (< 1e-5), but worth a second look at kinks such as ReLU at 0."
    if difference < THRESHOLDS[2]:
        return "suspicious", "Suspicious (< 1e-2): there may be a bug in backprop."
    return "wrong", "Backprop is wrong (>= 1e-2): look at the blocks with the largest difference."


# --- 1-D --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneDCheck:
    grad: float
    gradapprox: float
    difference: float


def gradient_check_1d(x: float, theta: float, epsilon: float = 1e-7, dtype=np.float64) -> OneDCheck:
    """Check J(theta) = theta * x, whose derivative is x, in ``dtype`` arithmetic."""
    x, theta, epsilon = dtype(x), dtype(theta), dtype(epsilon)
    J_plus = (theta + epsilon) * x
    J_minus = (theta - epsilon) * x
    gradapprox = (J_plus - J_minus) / (dtype(2) * epsilon)
    grad = x
    difference = np.abs(grad - gradapprox) / (np.abs(grad) + np.abs(gradapprox))
    return OneDCheck(float(grad), float(gradapprox), float(difference))


def epsilon_sweep(
    x: float, theta: float, epsilons: Iterable[float], dtype=np.float64
) -> np.ndarray:
    """Relative difference of the 1-D check for each epsilon: truncation error falls as
    epsilon shrinks, round-off error rises (sooner in float32)."""
    return np.array([gradient_check_1d(x, theta, eps, dtype).difference for eps in epsilons])


# --- N-D ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradCheckReport:
    """Result of :func:`gradient_check`.

    ``grad`` and ``gradapprox`` are vectors ``(P,)`` in the order W1, b1, W2, b2, ...;
    ``per_param`` maps each block (``"W1"``, ``"b1"``, ...) to its own relative difference;
    ``slices`` maps each block to its range in those vectors.
    """

    difference: float
    per_param: dict[str, float]
    grad: np.ndarray
    gradapprox: np.ndarray
    slices: dict[str, slice]
    elapsed_s: float = 0.0

    @property
    def num_params(self) -> int:
        return int(self.grad.size)

    def worst(self, threshold: float = THRESHOLDS[0]) -> list[str]:
        """Blocks whose difference exceeds ``threshold``, worst first."""
        flagged = [key for key, diff in self.per_param.items() if not diff < threshold]
        return sorted(flagged, key=lambda key: -self.per_param[key])


def _stacked_costs(
    thetas: np.ndarray,
    template: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lambd,
    keep_prob,
    masks,
    rng,
) -> np.ndarray:
    """Costs of K whole networks ``thetas (K, P)`` in one stacked forward pass: ``(K,)``."""
    K = thetas.shape[0]
    params, start = {}, 0
    for key in param_keys(template):
        size = template[key].size
        params[key] = thetas[:, start : start + size].reshape(K, *template[key].shape)
        start += size
    AL, cache = forward(X, params, keep_prob=keep_prob, masks=masks, rng=rng)
    return compute_cost(AL, Y, params, lambd=lambd, logits=cache[f"Z{num_layers(params)}"])


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
    in W-then-b order, all in stacked passes that skip work the perturbation can't change.

    Nudging ``W{l}[i, j]`` (or ``b{l}[i]``) by ``+-eps`` moves only row ``i`` of ``Z{l}``,
    by ``+-eps * A{l-1}[j]`` (or ``+-eps``). So each perturbed network reuses the
    unperturbed ``cache`` below layer l, recomputes one row of layer l, updates
    ``Z{l+1}`` by a rank-one term, and runs only the layers above as K stacked models.
    The masks in ``cache`` are reused, so dropout must be held fixed.
    """
    L = num_layers(params)
    m = Y.shape[-1]
    W = params[f"W{layer}"]
    n_units, n_inputs = W.shape
    A_prev = cache[f"A{layer - 1}"]
    # Per parameter: the unit whose row moves, and by how much per unit of epsilon.
    units = np.concatenate([np.repeat(np.arange(n_units), n_inputs), np.arange(n_units)])
    directions = np.concatenate([np.tile(A_prev, (n_units, 1)), np.ones((n_units, m))])
    # The L2 term changes by (w +- eps)^2 - w^2 for weights, not at all for biases.
    weights = np.concatenate([W.ravel(), np.zeros(n_units)])
    l2_base = sum(np.sum(np.square(params[f"W{l}"])) for l in range(1, L + 1))

    gradapprox = np.empty(units.size)
    for start in range(0, units.size, chunk):
        index = np.arange(start, min(start + chunk, units.size))
        costs = []
        for sign in (1.0, -1.0):
            step = sign * epsilon
            Z_rows = cache[f"Z{layer}"][units[index]] + step * directions[index]  # (k, m)
            if layer == L:
                Z = Z_rows[:, None, :]  # (k, 1, m): the output layer has one unit
            else:
                A_rows = np.maximum(Z_rows, 0.0)
                if f"D{layer}" in cache:
                    A_rows = A_rows * cache[f"D{layer}"][units[index]] / keep_prob
                change = A_rows - cache[f"A{layer}"][units[index]]  # (k, m)
                W_next = params[f"W{layer + 1}"][:, units[index]].T  # (k, n_{l+1})
                Z = cache[f"Z{layer + 1}"] + W_next[:, :, None] * change[:, None, :]
                for above in range(layer + 1, L):
                    A = np.maximum(Z, 0.0)
                    if f"D{above}" in cache:
                        A = A * cache[f"D{above}"] / keep_prob
                    Z = params[f"W{above + 1}"] @ A + params[f"b{above + 1}"]
            cost = compute_cost(None, Y, logits=Z)
            if lambd:
                l2 = l2_base + (weights[index] + step) ** 2 - weights[index] ** 2
                cost = cost + lambd / (2 * m) * np.where(index < W.size, l2, l2_base)
            costs.append(cost)
        gradapprox[index] = (costs[0] - costs[1]) / (2 * epsilon)
    return gradapprox


def _widest(params: dict[str, np.ndarray]) -> int:
    return max(value.shape[0] for key, value in params.items() if key[0] == "W")


def gradient_check(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epsilon: float = 1e-7,
    lambd: float = 0.0,
    cost_lambd: float | None = None,
    keep_prob: float = 1.0,
    masks: dict[str, np.ndarray] | None = None,
    rng: np.random.Generator | None = None,
    backward_fn: Callable | None = None,
    batch_size: int | None = None,
) -> GradCheckReport:
    """Compare backprop's gradient with two-sided differences of the cost.

    Args:
        params: ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.
        X: ``(n_x, m)``; Y: ``(1, m)``.
        lambd: L2 strength used by backprop (and by the cost unless ``cost_lambd`` is
            given, which shows what happens when the two disagree).
        keep_prob, masks, rng: dropout. With ``masks`` fixed the check is meaningful; with
            only an ``rng`` every cost evaluation draws new masks and the check fails,
            which is why one turns dropout off (or fixes the mask) to check gradients.
        backward_fn: replaces :func:`dnn_core.backward` (e.g. a deliberately buggy one).
        batch_size: perturbed parameters evaluated per stacked pass; ``None`` does each
            layer's at once (in memory-sized chunks), ``1`` is the course's per-parameter
            loop of full forward passes (kept to show what batching saves).
    """
    started = time.perf_counter()
    cost_lambd = lambd if cost_lambd is None else cost_lambd
    if keep_prob < 1.0 and masks is None and rng is None:
        raise ValueError("Checking with dropout needs fixed masks (or an rng to show it fail).")
    dropout_rng = rng if keep_prob < 1.0 else None
    _, cache = forward(X, params, keep_prob=keep_prob, masks=masks, rng=dropout_rng)
    grads = (backward_fn or backward)(Y, cache, params, lambd=lambd)
    keys = param_keys(params)
    grad = np.concatenate([grads[f"d{key}"].ravel() for key in keys])

    theta = params_to_vector(params)
    P = theta.size
    gradapprox = np.empty(P)
    common = {"lambd": cost_lambd, "keep_prob": keep_prob, "masks": masks, "rng": dropout_rng}
    if batch_size == 1 or (dropout_rng is not None and masks is None):
        # The course's loop: two full forward passes per parameter. Also used when every
        # evaluation draws fresh dropout masks (to show why that fails): no pass can be
        # shared then, and stacking whole networks would only cost memory.
        for i in range(P):
            thetas = np.tile(theta, (2, 1))
            thetas[0, i] += epsilon
            thetas[1, i] -= epsilon
            plus, minus = _stacked_costs(thetas, params, X, Y, **common)
            gradapprox[i] = (plus - minus) / (2 * epsilon)
    else:
        # Batched, layer by layer, reusing the unperturbed pass below each layer.
        chunk = batch_size or max(1, int(32e6 / (8 * _widest(params) * X.shape[1])))
        start = 0
        for layer in range(1, num_layers(params) + 1):
            size = params[f"W{layer}"].size + params[f"b{layer}"].size
            gradapprox[start : start + size] = _layer_gradapprox(
                params, cache, Y, layer, epsilon=epsilon, lambd=cost_lambd,
                keep_prob=keep_prob, chunk=chunk,
            )  # fmt: skip
            start += size

    slices, start = {}, 0
    for key in keys:
        slices[key] = slice(start, start + params[key].size)
        start += params[key].size
    per_param = {key: relative_difference(grad[s], gradapprox[s]) for key, s in slices.items()}
    return GradCheckReport(
        difference=relative_difference(grad, gradapprox),
        per_param=per_param,
        grad=grad,
        gradapprox=gradapprox,
        slices=slices,
        elapsed_s=time.perf_counter() - started,
    )


# --- planted bugs -------------------------------------------------------------------------

BUGS: dict[str, str] = {
    "dW2_x2": "dW2 multiplied by 2 (the course's first planted bug)",
    "db1_x4": "db1 multiplied by 4 (the course's second planted bug)",
    "relu_mask": "ReLU derivative forgotten: dZ = dA instead of dA * (Z > 0)",
    "missing_1_over_m": "Gradients not divided by m (summed instead of averaged)",
    "l2_forgotten": "L2 term lambd/m * W left out of dW (while the cost includes it)",
}


def buggy_backward(bugs: Iterable[str]) -> Callable:
    """A backward function with the named bugs from :data:`BUGS` planted (opt-in).

    Each bug is expressed as a change to the correct backward pass's inputs or outputs,
    so the correct :func:`dnn_core.backward` stays the only implementation.
    """
    bugs = frozenset(bugs)
    unknown = bugs - BUGS.keys()
    if unknown:
        raise ValueError(f"Unknown bug(s): {', '.join(sorted(unknown))}.")

    def backward_with_bugs(Y, cache, params, *, lambd=0.0):
        L = num_layers(params)
        if "relu_mask" in bugs:
            # Every Z looks positive, so the ReLU mask lets every gradient through.
            cache = {
                **cache,
                **{f"Z{layer}": np.ones_like(cache[f"Z{layer}"]) for layer in range(1, L)},
            }
        grads = backward(Y, cache, params, lambd=0.0 if "l2_forgotten" in bugs else lambd)
        if "missing_1_over_m" in bugs:
            grads = {key: value * Y.shape[-1] for key, value in grads.items()}
        if "dW2_x2" in bugs and "dW2" in grads:
            grads["dW2"] = grads["dW2"] * 2
        if "db1_x4" in bugs:
            grads["db1"] = grads["db1"] * 4
        return grads

    return backward_with_bugs


def course_test_case() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The course's N-D check case: ``X (4, 3)``, ``Y (1, 3)`` and a [4, 5, 3, 1] network
    drawn after ``np.random.seed(1)`` (legacy seeding, for parity)."""
    legacy = np.random.RandomState(1)
    X = legacy.randn(4, 3)
    Y = np.array([[1.0, 1.0, 0.0]])
    params = {}
    for layer, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        params[f"W{layer}"] = legacy.randn(*shape)
        params[f"b{layer}"] = legacy.randn(shape[0], 1)
    return X, Y, params
