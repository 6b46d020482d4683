"""The loss landscape (dnn_core.landscape): filter-normalised directions, the cost on a grid
as one stacked pass, the trajectory's principal plane, projections and recorded paths."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import (
    compute_cost,
    cost_surface,
    costs_at,
    filter_normalized_direction,
    forward,
    project,
    random_plane,
    trajectory_plane,
)
from dnn_core.network import params_to_vector, vector_to_params
from tests.core.reference import random_network, reference_cost

DIMS = (2, 6, 4, 1)
LAMBD = 0.4


@pytest.fixture
def net():
    params, X, Y, _ = random_network(DIMS, m=40, seed=5)
    return params, X, Y


def direct_cost(params, X, Y, lambd=LAMBD, activation="relu"):
    """The cost of one network the plain way: its own forward pass."""
    AL, _ = forward(X, params, activation=activation)
    return compute_cost(AL, Y, params, lambd=lambd)


def test_filter_normalisation_gives_every_unit_the_norm_of_its_own_weights(net):
    params, _, _ = net
    direction = filter_normalized_direction(params, np.random.default_rng(0))
    for layer in range(1, len(DIMS)):
        W, d = params[f"W{layer}"], direction[f"W{layer}"]
        assert d.shape == W.shape
        np.testing.assert_allclose(np.linalg.norm(d, axis=1), np.linalg.norm(W, axis=1), rtol=1e-12)
        assert not np.allclose(d, W) and not np.allclose(d, -W)  # a random direction
        np.testing.assert_array_equal(direction[f"b{layer}"], 0.0)  # biases stay put


def test_random_planes_are_seeded_and_scaled_to_each_network(net):
    params, _, _ = net
    first, again = random_plane(params, seed=3), random_plane(params, seed=3)
    np.testing.assert_array_equal(first.directions, again.directions)
    assert not np.allclose(random_plane(params, seed=4).directions, first.directions)
    # Another network of the same shapes draws the same Gaussians, scaled to its weights:
    # halving every weight halves the directions.
    halved = {key: value / 2 for key, value in params.items()}
    np.testing.assert_allclose(random_plane(halved, seed=3).directions, first.directions / 2)


def test_the_centre_of_the_grid_is_the_cost_at_the_weights(net):
    params, X, Y = net
    plane = random_plane(params, seed=1)
    steps = np.linspace(-1.0, 1.0, 7)  # 0 in the middle
    surface = cost_surface(plane, X, Y, steps, np.linspace(-0.5, 0.5, 5), lambd=LAMBD)

    assert surface.costs.shape == (5, 7)
    assert surface.costs[2, 3] == pytest.approx(direct_cost(params, X, Y), rel=1e-12)
    assert surface.costs[2, 3] == pytest.approx(
        reference_cost(params, X, Y, lambd=LAMBD), rel=1e-12
    )


def test_a_grid_point_is_the_cost_of_the_perturbed_network(net):
    params, X, Y = net
    rng = np.random.default_rng(7)
    d1 = filter_normalized_direction(params, rng)
    d2 = filter_normalized_direction(params, rng)
    plane = random_plane(params, seed=7)  # the same two draws from the same seed
    alphas, betas = np.array([-0.8, 0.1, 0.6]), np.array([-0.3, 0.9])
    surface = cost_surface(plane, X, Y, alphas, betas, lambd=LAMBD)

    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            moved = {key: params[key] + alpha * d1[key] + beta * d2[key] for key in params}
            assert surface.costs[i, j] == pytest.approx(
                reference_cost(moved, X, Y, lambd=LAMBD), rel=1e-11
            )


def test_l2_adds_its_term_at_every_point(net):
    params, X, Y = net
    plane = random_plane(params, seed=2)
    coordinates = np.array([[0.5, -0.5], [1.0, 1.0]])
    plain = costs_at(plane, X, Y, coordinates)
    with_l2 = costs_at(plane, X, Y, coordinates, lambd=LAMBD)
    for k, point in enumerate(plane.params_at(coordinates)["W1"]):
        moved = {key: value[k] for key, value in plane.params_at(coordinates).items()}
        squares = sum(np.sum(moved[f"W{layer}"] ** 2) for layer in range(1, len(DIMS)))
        assert point.shape == params["W1"].shape
        assert with_l2[k] - plain[k] == pytest.approx(LAMBD / (2 * X.shape[1]) * squares)


def test_chunked_passes_give_the_one_pass_costs(net):
    params, X, Y = net
    plane = random_plane(params, seed=0)
    coordinates = np.random.default_rng(1).uniform(-1, 1, size=(37, 2))
    whole = costs_at(plane, X, Y, coordinates, lambd=LAMBD, max_bytes=2**40)
    one_by_one = costs_at(plane, X, Y, coordinates, lambd=LAMBD, max_bytes=1)
    a_few = costs_at(plane, X, Y, coordinates, lambd=LAMBD, max_bytes=5 * 2**10)
    np.testing.assert_allclose(one_by_one, whole, rtol=1e-12)
    np.testing.assert_allclose(a_few, whole, rtol=1e-12)


def test_far_from_the_weights_the_cost_is_large_not_an_error(net):
    params, X, Y = net
    far = np.array([[1e150, 0.0], [1e300, 1e300], [0.0, 0.0]])
    costs = costs_at(random_plane(params, seed=0), X, Y, far)
    assert costs[0] > 1e6 and costs[1] == np.inf and np.isfinite(costs[2])


def test_projection_recovers_the_coordinates_of_a_point_in_the_plane(net):
    params, _, _ = net
    plane = random_plane(params, seed=4)
    wanted = np.array([[0.3, -1.2], [2.0, 0.5], [0.0, 0.0]])
    points = plane.center + wanted @ plane.directions  # (3, P)
    np.testing.assert_allclose(project(plane, points), wanted, atol=1e-12)
    # Off the plane, least squares keeps the nearest point's coordinates: a step
    # orthogonal to both directions changes nothing.
    rng = np.random.default_rng(0)
    away = rng.standard_normal(plane.center.size)
    basis, _ = np.linalg.qr(plane.directions.T)  # (P, 2), orthonormal
    away -= basis @ (basis.T @ away)
    np.testing.assert_allclose(project(plane, points + away), wanted, atol=1e-10)


def test_the_principal_plane_holds_paths_that_lie_in_a_plane(net):
    params, _, _ = net
    theta = params_to_vector(params)
    rng = np.random.default_rng(2)
    u, v = rng.standard_normal((2, theta.size))
    ts = np.linspace(0, 1, 12)[:, None]
    # Two paths from a shared start to the centre, bending differently in the u-v plane.
    paths = [theta + (1 - ts) * (3 * u + v) + ts * (1 - ts) * 2 * v, theta + (1 - ts) * (3 * u + v)]
    plane = trajectory_plane(params, paths)

    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(plane.center, theta)
    assert plane.explained == pytest.approx(1.0)
    for path in paths:  # every point is in the plane: projecting and back gives it again
        back = plane.center + project(plane, path) @ plane.directions
        np.testing.assert_allclose(back, path, atol=1e-9)
    # The first direction points from the centre towards the start.
    assert project(plane, paths[0][:1])[0, 0] > 0


def test_a_plane_needs_two_snapshots(net):
    params, _, _ = net
    with pytest.raises(ValueError, match="two snapshots"):
        trajectory_plane(params, [params_to_vector(params)[None]])


def test_a_plane_gives_the_networks_at_its_points_as_stacked_parameters(net):
    params, _, _ = net
    plane = random_plane(params, seed=0)
    stacked = plane.params_at(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert stacked["W2"].shape == (2, 4, 6) and stacked["b2"].shape == (2, 4, 1)
    np.testing.assert_allclose(stacked["W2"][0], params["W2"])
    step = vector_to_params(plane.directions[0], params)
    np.testing.assert_allclose(stacked["W2"][1], params["W2"] + step["W2"])


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_the_grid_uses_the_networks_own_hidden_activation(net, activation):
    params, X, Y = net
    plane = random_plane(params, seed=1)
    steps = np.linspace(-1.0, 1.0, 3)
    surface = cost_surface(plane, X, Y, steps, steps, lambd=LAMBD, activation=activation)
    assert surface.costs[1, 1] == pytest.approx(
        direct_cost(params, X, Y, activation=activation), rel=1e-12
    )
    assert surface.costs[1, 1] != pytest.approx(direct_cost(params, X, Y), rel=1e-3)
    moved = {key: value[0] for key, value in plane.params_at(np.array([[1.0, -1.0]])).items()}
    assert surface.costs[0, 2] == pytest.approx(
        direct_cost(moved, X, Y, activation=activation), rel=1e-11
    )
