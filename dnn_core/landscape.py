"""The loss landscape: a trained network's cost on a plane through its weights.

After Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of Neural Nets"
(NeurIPS 2018). The cost ``J(theta)`` has as many dimensions as the network has parameters;
a picture has two. Choose two directions ``d1``, ``d2`` in parameter space and draw

    f(alpha, beta) = J(theta* + alpha * d1 + beta * d2)

around the weights ``theta*``. Two choices of directions, both from the paper:

- **Filter-normalised random directions** (its Section 4): Gaussian directions, each row of
  a direction's ``W{l}`` (the incoming weights of one unit: a fully connected layer's
  "filter") rescaled to the norm of the same row of ``theta*``. A step ``alpha = 1`` then
  changes every unit by as much as it is large, so networks whose weights differ in scale
  (with and without L2) can be compared. Biases are not perturbed (their direction is 0),
  as the authors' code does with ``ignore="biasbn"``.
- **The trajectory's principal directions** (its Section 7): in many dimensions a random
  direction is almost orthogonal to an optimizer's path, which would show as a dot. The
  path's snapshots, centred on the final weights, are summarised by their top two principal
  directions (PCA), and the path is drawn at its least-squares coordinates in that plane.
  Here several optimizers' paths share one plane, through one of their endpoints; weights
  and biases alike, since the optimizers move both.

Parameters are handled as vectors ``(P,)`` in the course's order (W1, b1, W2, ...): see
:func:`dnn_core.network.params_to_vector`. The cost on a whole grid is one stacked forward
pass (parameters ``(K, n_l, n_{l-1})``, one model per grid point), in chunks of K that
keep its memory bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .losses import compute_cost
from .network import forward, num_layers, param_keys, params_to_vector

LANDSCAPE_BYTES = 2 * 2**20
"""Working memory of one stacked pass over grid points (the grid goes through in chunks)."""


@dataclass(frozen=True)
class Plane:
    """``theta* + alpha * d1 + beta * d2``: the centre ``(P,)`` and the directions ``(2, P)``
    as parameter vectors; ``shapes`` the parameters' names and shapes, in order.

    ``explained`` is, for a plane of principal directions, the share of the paths' spread
    (sum of squared distances from the centre) that lies in the plane; None otherwise.
    """

    center: np.ndarray
    directions: np.ndarray
    shapes: tuple[tuple[str, tuple[int, ...]], ...]
    explained: float | None = None

    def params_at(self, coordinates: np.ndarray) -> dict[str, np.ndarray]:
        """The networks at ``coordinates (K, 2)`` of ``(alpha, beta)``, stacked
        ``{"W1": (K, n_1, n_0), ...}``."""
        coordinates = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
        vectors = self.center + coordinates @ self.directions  # (K, P)
        return unflatten(vectors, self.shapes)


def shapes_of(params: dict[str, np.ndarray]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """``(("W1", (n_1, n_0)), ("b1", (n_1, 1)), ...)``: names and shapes in vector order."""
    return tuple((key, tuple(params[key].shape)) for key in param_keys(params))


def unflatten(
    vectors: np.ndarray, shapes: tuple[tuple[str, tuple[int, ...]], ...]
) -> dict[str, np.ndarray]:
    """Parameter vectors ``(..., P)`` as a dict of arrays ``(..., *shape)`` (views)."""
    lead = vectors.shape[:-1]
    params, start = {}, 0
    for key, shape in shapes:
        size = int(np.prod(shape))
        params[key] = vectors[..., start : start + size].reshape(*lead, *shape)
        start += size
    if start != vectors.shape[-1]:
        raise ValueError(f"Vectors of {vectors.shape[-1]} values do not fit {start} parameters.")
    return params


def flatten(params: dict[str, np.ndarray]) -> np.ndarray:
    """Parameters (one network, or stacked ``(..., *shape)``) as vectors ``(..., P)``."""
    lead = params["W1"].shape[:-2]
    return np.concatenate([params[key].reshape(*lead, -1) for key in param_keys(params)], axis=-1)


# --- Directions ---


def filter_normalized_direction(
    params: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A Gaussian direction like ``params`` with each row of every ``W{l}`` scaled to the
    norm of the same row of ``params``' ``W{l}`` (Li et al., eq. in Section 4:
    ``d_ij <- d_ij / ||d_ij|| * ||theta_ij||``); the biases' directions are zero.

    The W's are drawn in layer order (W1, W2, ...) from ``rng``.
    """
    direction = {}
    for layer in range(1, num_layers(params) + 1):
        W = params[f"W{layer}"]
        d = rng.standard_normal(W.shape)
        row_norms = np.linalg.norm(d, axis=-1, keepdims=True)  # (n_l, 1): one per unit
        target = np.linalg.norm(W, axis=-1, keepdims=True)
        direction[f"W{layer}"] = d / np.maximum(row_norms, np.finfo(np.float64).tiny) * target
        direction[f"b{layer}"] = np.zeros_like(params[f"b{layer}"])
    return direction


def random_plane(params: dict[str, np.ndarray], *, seed: int) -> Plane:
    """The plane through ``params`` of two filter-normalised random directions, drawn from
    ``numpy.random.default_rng(seed)`` (d1 first): with the same seed, networks of the
    same shapes get the same Gaussian draws, each scaled to its own weights."""
    rng = np.random.default_rng(seed)
    first = filter_normalized_direction(params, rng)
    second = filter_normalized_direction(params, rng)
    directions = np.stack([params_to_vector(first), params_to_vector(second)])
    return Plane(params_to_vector(params).copy(), directions, shapes_of(params))


def trajectory_plane(center: dict[str, np.ndarray], paths: Sequence[np.ndarray]) -> Plane:
    """The plane through ``center`` of the top two principal directions of ``paths``: each
    ``(n_i, P)``, one optimizer's parameter vectors along its run.

    As Li et al. take ``M = [theta_i - theta_n]``, the snapshots' offsets from the final
    weights, the snapshots are taken as offsets from ``center``, and not centred again on
    their mean (as a PCA of M would): the plane then passes through ``center`` itself. The
    directions are the first two right singular vectors of all the offsets stacked:
    orthogonal unit vectors.
    """
    theta = params_to_vector(center)
    offsets = np.concatenate([np.asarray(path, dtype=np.float64) for path in paths]) - theta
    if offsets.shape[0] < 2 or offsets.shape[1] < 2:
        raise ValueError("A plane needs at least two snapshots and two parameters.")
    # (n, P) with n snapshots, P parameters: the economy SVD's rows are (min(n, P), P).
    _, singular, rows = np.linalg.svd(offsets, full_matrices=False)
    directions = rows[:2]
    spread = float(np.sum(singular**2))
    explained = float(np.sum(singular[:2] ** 2) / spread) if spread > 0 else 1.0
    # Singular vectors have no sign: point d1 from the centre towards the paths' starts.
    for index in range(2):
        if offsets[0] @ directions[index] < 0:
            directions[index] = -directions[index]
    return Plane(theta.copy(), directions.copy(), shapes_of(center), explained)


def project(plane: Plane, points: np.ndarray) -> np.ndarray:
    """Least-squares coordinates ``(n, 2)`` of ``(alpha, beta)`` of parameter vectors
    ``points (n, P)`` in ``plane``: the point of the plane nearest to each."""
    offsets = np.atleast_2d(np.asarray(points, dtype=np.float64)) - plane.center  # (n, P)
    coordinates, *_ = np.linalg.lstsq(plane.directions.T, offsets.T, rcond=None)
    return coordinates.T


# --- The cost on the plane ---


def costs_at(
    plane: Plane,
    X: np.ndarray,
    Y: np.ndarray,
    coordinates: np.ndarray,
    *,
    lambd: float = 0.0,
    activation: str = "relu",
    max_bytes: int = LANDSCAPE_BYTES,
) -> np.ndarray:
    """The cost (cross-entropy plus L2's ``lambd/(2m) sum W**2``) of the networks at
    ``coordinates (K, 2)`` of ``plane`` on ``X (n_x, m)``, ``Y (1, m)``: ``(K,)``, with
    hidden layers ``activation`` (``"relu"``, ``"tanh"`` or ``"sigmoid"``).

    All K networks go through one stacked forward pass, in chunks of as many as keep a
    pass within ``max_bytes`` (every layer's Z and A and the stacked parameters).
    """
    coordinates = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
    m = X.shape[-1]
    units = sum(shape[0] for key, shape in plane.shapes if key[0] == "W")
    per_network = 8 * (2 * units * m + plane.center.size)
    step = max(1, max_bytes // per_network)
    costs = np.empty(coordinates.shape[0])
    with np.errstate(all="ignore"):  # far from theta* the weights may overflow: inf is drawn
        for start in range(0, coordinates.shape[0], step):
            params = plane.params_at(coordinates[start : start + step])
            _, cache = forward(X, params, activation=activation)
            logits = cache[f"Z{num_layers(params)}"]  # (k, 1, m): the exact cost from Z
            costs[start : start + step] = compute_cost(None, Y, params, lambd=lambd, logits=logits)
    costs[np.isnan(costs)] = np.inf  # inf - inf in a huge network's pass: too large to tell
    return costs


@dataclass(frozen=True)
class Surface:
    """The cost on a grid of ``plane``: ``costs[i, j]`` at ``(alphas[j], betas[i])``
    (rows along beta, as a heatmap or contour draws them)."""

    plane: Plane
    alphas: np.ndarray
    betas: np.ndarray
    costs: np.ndarray


def cost_surface(
    plane: Plane,
    X: np.ndarray,
    Y: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    *,
    lambd: float = 0.0,
    activation: str = "relu",
    max_bytes: int = LANDSCAPE_BYTES,
) -> Surface:
    """The cost at every ``(alpha, beta)`` of ``alphas (a,)`` x ``betas (b,)``: a
    :class:`Surface` with ``costs (b, a)``, evaluated as one stacked pass (see
    :func:`costs_at`)."""
    alphas = np.asarray(alphas, dtype=np.float64)
    betas = np.asarray(betas, dtype=np.float64)
    grid = np.stack(np.meshgrid(alphas, betas), axis=-1).reshape(-1, 2)  # beta-major rows
    costs = costs_at(plane, X, Y, grid, lambd=lambd, activation=activation, max_bytes=max_bytes)
    return Surface(plane, alphas, betas, costs.reshape(betas.size, alphas.size))
