"""Every hidden unit's map over the input plane: shapes, values against a hand-written
forward pass, identical maps for a symmetric start, and slices that change nothing."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from dnn_core import hidden_unit_maps, init_params, network
from tests.core.reference import random_network


def relu(z):
    return z if z > 0 else 0.0


def test_one_map_per_hidden_unit_layer_by_layer():
    params, X, _, _ = random_network((2, 10, 5, 3, 1), m=40, seed=0)
    xs, ys, maps = hidden_unit_maps(params, X, resolution=12)

    assert xs.shape == ys.shape == (12,)
    assert list(maps) == [1, 2, 3]  # the hidden layers, not the output
    assert [value.shape for value in maps.values()] == [(10, 12, 12), (5, 12, 12), (3, 12, 12)]
    assert all(np.all(value >= 0) for value in maps.values())  # ReLU units
    # The grid covers the points plus a quarter of their span on each side, as the
    # decision map's does.
    span = X[0].max() - X[0].min()
    assert xs[0] == pytest.approx(X[0].min() - 0.25 * span)
    assert xs[-1] == pytest.approx(X[0].max() + 0.25 * span)


def test_values_are_the_forward_pass_written_out_by_hand():
    params, X, _, _ = random_network((2, 4, 3, 1), m=30, seed=1)
    W1, b1, W2, b2 = (params[name] for name in ("W1", "b1", "W2", "b2"))
    xs, ys, maps = hidden_unit_maps(params, X, resolution=9)

    for i, j in ((0, 0), (4, 7), (8, 2)):
        point = (xs[j], ys[i])
        layer1 = [relu(W1[u, 0] * point[0] + W1[u, 1] * point[1] + b1[u, 0]) for u in range(4)]
        for unit in (0, 3):
            assert maps[1][unit, i, j] == pytest.approx(layer1[unit], rel=1e-12, abs=1e-14)
        for unit in (1, 2):
            z = sum(W2[unit, k] * layer1[k] for k in range(4)) + b2[unit, 0]
            assert maps[2][unit, i, j] == pytest.approx(relu(z), rel=1e-12, abs=1e-14)


def test_chosen_units_come_back_in_the_order_asked_for():
    params, X, _, _ = random_network((2, 6, 4, 1), m=30, seed=2)
    _, _, every = hidden_unit_maps(params, X, resolution=10)
    _, _, chosen = hidden_unit_maps(params, X, resolution=10, units={2: [3, 0]})

    assert list(chosen) == [2]
    np.testing.assert_array_equal(chosen[2], every[2][[3, 0]])


@pytest.mark.parametrize("units", [{3: [0]}, {0: [0]}, {1: [6]}, {2: [-1]}])
def test_a_unit_the_network_lacks_is_refused_in_plain_words(units):
    params, X, _, _ = random_network((2, 6, 4, 1), m=10, seed=3)
    with pytest.raises(ValueError, match="layer"):
        hidden_unit_maps(params, X, units=units)


def test_a_symmetric_start_gives_every_unit_of_a_layer_the_same_map():
    X = np.random.default_rng(4).standard_normal((2, 50))
    constant = {
        name: np.full_like(value, 0.5) if name.startswith("W") else value
        for name, value in init_params([2, 10, 5, 1], "zeros").items()
    }
    _, _, zeros = hidden_unit_maps(init_params([2, 10, 5, 1], "zeros"), X, resolution=16)
    _, _, same = hidden_unit_maps(constant, X, resolution=16)
    _, _, he = hidden_unit_maps(init_params([2, 10, 5, 1], "he", seed=3), X, resolution=16)

    for layer in (1, 2):
        assert np.all(zeros[layer] == 0.0)  # every unit off everywhere
        assert np.ptp(same[layer], axis=0).max() < 1e-12  # one map, repeated ...
        assert same[layer].max() > 0.1  # ... that is not empty
        assert np.ptp(he[layer], axis=0).max() > 0.1  # He: the units differ


def test_slices_within_the_memory_bound_give_what_one_pass_gives():
    # Six layers of 100 units: one pass over a 60 x 60 grid would hold 28 MB of Z and A.
    params, X, _, _ = random_network((2, *[100] * 6, 1), m=50, seed=5)
    units = {1: [0, 50, 99], 6: [7]}
    _, _, whole = hidden_unit_maps(params, X, resolution=60, units=units, max_bytes=2**40)
    tracemalloc.start()
    try:
        _, _, sliced = hidden_unit_maps(params, X, resolution=60, units=units)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 1.5 * network.PREDICT_BYTES
    for layer in units:
        np.testing.assert_allclose(sliced[layer], whole[layer], rtol=1e-12, atol=1e-15)
    # A slice of a few points at a time is the same again.
    _, _, tiny = hidden_unit_maps(params, X, resolution=60, units=units, max_bytes=16 * 601 * 7)
    for layer in units:
        np.testing.assert_allclose(tiny[layer], whole[layer], rtol=1e-12, atol=1e-15)
