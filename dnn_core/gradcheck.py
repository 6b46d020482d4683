"""Gradient checking, as the course does it: backprop's gradient against the cost's
two-sided differences.

    gradapprox[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)
    difference    = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)

Top to bottom: the course's thresholds, the 1-D check (J = theta x, and two curved J), the
network check with the course's ``gradient_check_n`` loop as its reference, and the
planted bugs it should catch. By default the network check gets the same numbers in
stacked passes from :mod:`dnn_core._gradcheck_batched`, verified against the loop in tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ._gradcheck_batched import batched_gradapprox
from .losses import compute_cost
from .network import backward, forward, num_layers, param_keys, params_to_vector, vector_to_params

THRESHOLDS = (1e-7, 1e-5, 1e-2)
"""The course's lines: below 1e-7 correct, below 1e-5 probably fine, from 1e-2 wrong."""


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


ONE_D_FUNCTIONS = ("linear", "cubic", "sine")
"""J(theta) = theta x, theta^3 x and sin(theta x)."""

# The curved J(theta, x) and their exact derivatives dJ/dtheta: unlike theta * x, their
# two-sided difference has a truncation error (about eps^2) besides round-off.
_CURVED = {
    "cubic": (lambda theta, x: theta**3 * x, lambda theta, x: 3 * theta**2 * x),
    "sine": (lambda theta, x: np.sin(theta * x), lambda theta, x: x * np.cos(theta * x)),
}


def one_d_check(
    function: str, x: float, theta: float, epsilons: np.ndarray, dtype=np.float64
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(grad, gradapprox (n,), difference (n,))`` of the 1-D check of ``function`` (one
    of :data:`ONE_D_FUNCTIONS`) for each of ``epsilons (n,)``, in ``dtype`` arithmetic.

    The linear J is :func:`gradient_check_1d`'s; a curved J's difference is 0 where its
    derivative and gradapprox are both 0.
    """
    if function == "linear":
        checks = [gradient_check_1d(x, theta, eps, dtype) for eps in epsilons]
        return (
            float(dtype(x)),
            np.array([check.gradapprox for check in checks]),
            np.array([check.difference for check in checks]),
        )
    if function not in _CURVED:
        raise ValueError(f"Unknown function {function!r}; choose one of {ONE_D_FUNCTIONS}.")
    J, dJ = _CURVED[function]
    x_typed, theta_typed = dtype(x), dtype(theta)
    eps = np.asarray(epsilons, dtype=dtype)  # (n,)
    gradapprox = (J(theta_typed + eps, x_typed) - J(theta_typed - eps, x_typed)) / (2 * eps)
    grad = dJ(theta_typed, x_typed)
    denominator = np.abs(grad) + np.abs(gradapprox)
    difference = np.divide(
        np.abs(grad - gradapprox), denominator, out=np.zeros_like(denominator),
        where=denominator > 0,
    )  # fmt: skip
    return float(grad), gradapprox.astype(np.float64), difference.astype(np.float64)


def epsilon_sweep(
    x: float, theta: float, epsilons: Iterable[float], dtype=np.float64, *, function="linear"
) -> np.ndarray:
    """Relative difference of the 1-D check for each epsilon: truncation error falls as
    epsilon shrinks (curved functions only), round-off error rises (sooner in float32)."""
    epsilons = np.asarray(list(epsilons), dtype=np.float64)
    return one_d_check(function, x, theta, epsilons, dtype)[2]


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
    activation: str = "relu",
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
        batch_size: ``1`` runs the course's loop (:func:`course_gradapprox`), two full
            forward passes per parameter; otherwise the parameters' differences are
            batched, this many per stacked pass (``None``: as many as fit in memory).
        activation: the hidden layers' ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
    """
    started = time.perf_counter()
    cost_lambd = lambd if cost_lambd is None else cost_lambd
    if keep_prob < 1.0 and masks is None and rng is None:
        raise ValueError("Checking with dropout needs fixed masks (or an rng to show it fail).")
    dropout_rng = rng if keep_prob < 1.0 else None
    _, cache = forward(
        X, params, keep_prob=keep_prob, masks=masks, rng=dropout_rng, activation=activation
    )
    grads = (backward_fn or backward)(Y, cache, params, lambd=lambd)
    keys = param_keys(params)
    grad = np.concatenate([grads[f"d{key}"].ravel() for key in keys])  # (P,)

    if batch_size == 1 or (dropout_rng is not None and masks is None):
        # Also the loop when every evaluation draws fresh dropout masks (to show why that
        # fails): no pass can be shared then.
        gradapprox = course_gradapprox(
            params, X, Y, epsilon=epsilon, lambd=cost_lambd, keep_prob=keep_prob,
            masks=masks, rng=dropout_rng, activation=activation,
        )  # fmt: skip
    else:
        gradapprox = batched_gradapprox(
            params, cache, Y, epsilon=epsilon, lambd=cost_lambd, keep_prob=keep_prob,
            batch_size=batch_size,
        )  # fmt: skip

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


def course_gradapprox(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epsilon: float = 1e-7,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    masks: dict[str, np.ndarray] | None = None,
    rng: np.random.Generator | None = None,
    activation: str = "relu",
) -> np.ndarray:
    """The course's ``gradient_check_n`` loop: nudge one parameter at a time by +-epsilon
    and evaluate the whole network's cost each way. Returns ``gradapprox (P,)`` in the
    order W1, b1, W2, b2, ... (the options as in :func:`gradient_check`)."""
    parameters_values = params_to_vector(params)  # (P,)
    num_parameters = parameters_values.size
    J_plus = np.zeros(num_parameters)
    J_minus = np.zeros(num_parameters)
    gradapprox = np.zeros(num_parameters)
    options = {
        "lambd": lambd, "keep_prob": keep_prob, "masks": masks, "rng": rng,
        "activation": activation,
    }  # fmt: skip
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] += epsilon
        J_plus[i] = _cost(vector_to_params(theta_plus, params), X, Y, **options)
        theta_minus = np.copy(parameters_values)
        theta_minus[i] -= epsilon
        J_minus[i] = _cost(vector_to_params(theta_minus, params), X, Y, **options)
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    return gradapprox


def _cost(params, X, Y, *, lambd, keep_prob, masks, rng, activation) -> float:
    """J(theta): a full forward pass and its cost (from the logits, as in training)."""
    AL, cache = forward(X, params, keep_prob=keep_prob, masks=masks, rng=rng, activation=activation)
    return compute_cost(AL, Y, params, lambd=lambd, logits=cache[f"Z{num_layers(params)}"])


def fixed_dropout_masks(
    X: np.ndarray, params: dict[str, np.ndarray], keep_prob: float, seed: int = 0
) -> dict[str, np.ndarray]:
    """The dropout masks ``{"D1": (n_1, m), ...}`` of one forward pass over ``X (n_x, m)``,
    drawn with ``np.random.default_rng(seed)``: hold them fixed to check with dropout."""
    _, cache = forward(X, params, keep_prob=keep_prob, rng=np.random.default_rng(seed))
    hidden = range(1, num_layers(params))
    return {f"D{layer}": cache[f"D{layer}"] for layer in hidden if f"D{layer}" in cache}


# --- planted bugs -------------------------------------------------------------------------

BUGS: dict[str, str] = {
    "dW2_x2": "dW2 multiplied by 2 (the course's first planted bug)",
    "db1_x4": "db1 multiplied by 4 (the course's second planted bug)",
    "relu_mask": "ReLU derivative forgotten: dZ = dA instead of dA * (Z > 0)",
    "missing_1_over_m": "Gradients not divided by m (summed instead of averaged)",
    "l2_forgotten": "L2 term lambd/m * W left out of dW (while the cost includes it)",
}
COURSE_BUGS = ("dW2_x2", "db1_x4")  # the two the course plants
OTHER_BUGS = ("relu_mask", "missing_1_over_m", "l2_forgotten")


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
