"""Forward pass, predictions and the decision grid; stacked models equal separate ones."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from dnn_core import (
    accuracy,
    backward,
    compute_cost,
    decision_grid,
    forward,
    network,
    predict,
    predict_proba,
)
from tests.core.reference import random_network, reference_cost


def test_forward_cache_and_output():
    params, X, _, _ = random_network((3, 5, 4, 1), m=6, seed=0)
    AL, cache = forward(X, params)
    assert AL.shape == (1, 6)
    assert np.all((AL > 0) & (AL < 1))
    assert cache["A0"] is X
    for layer, n in ((1, 5), (2, 4), (3, 1)):
        assert cache[f"Z{layer}"].shape == cache[f"A{layer}"].shape == (n, 6)
    np.testing.assert_array_equal(cache["A1"], np.maximum(cache["Z1"], 0))
    np.testing.assert_allclose(AL, 1 / (1 + np.exp(-cache["Z3"])), rtol=1e-15)
    assert not any(key.startswith("D") for key in cache)


def test_inverted_dropout_zeroes_dropped_units_and_rescales_the_rest():
    params, X, _, masks = random_network((3, 8, 6, 1), m=10, seed=1, keep_prob=0.5)
    _, plain = forward(X, params)
    _, dropped = forward(X, params, keep_prob=0.5, masks=masks)
    np.testing.assert_array_equal(dropped["D1"], masks["D1"])
    np.testing.assert_allclose(dropped["A1"], plain["A1"] * masks["D1"] / 0.5, rtol=1e-15)
    assert "D2" in dropped and "D3" not in dropped  # never on the output layer


def test_dropout_draws_masks_from_the_rng_and_needs_one():
    params, X, _, _ = random_network((3, 50, 1), m=400, seed=2)
    _, cache = forward(X, params, keep_prob=0.8, rng=np.random.default_rng(0))
    assert cache["D1"].mean() == pytest.approx(0.8, abs=0.01)
    with pytest.raises(ValueError, match="Dropout needs an rng"):
        forward(X, params, keep_prob=0.8)


def test_stacked_models_equal_separate_ones():
    models = [random_network((2, 5, 3, 1), m=7, seed=seed)[0] for seed in range(3)]
    _, X, Y, _ = random_network((2, 5, 3, 1), m=7, seed=9)
    stacked = {key: np.stack([model[key] for model in models]) for key in models[0]}
    AL, cache = forward(X, stacked)
    grads = backward(Y, cache, stacked, lambd=np.array([0.0, 0.5, 1.0]).reshape(3, 1, 1))
    assert AL.shape == (3, 1, 7)
    assert accuracy(X, Y, stacked).shape == (3,)
    for k, (model, lambd) in enumerate(zip(models, (0.0, 0.5, 1.0), strict=True)):
        single_AL, single_cache = forward(X, model)
        np.testing.assert_allclose(AL[k], single_AL, rtol=1e-12)
        single_grads = backward(Y, single_cache, model, lambd=lambd)
        for key, value in single_grads.items():
            np.testing.assert_allclose(grads[key][k], value, rtol=1e-12, atol=1e-15)
        assert accuracy(X, Y, stacked)[k] == accuracy(X, Y, model)


def test_predictions_threshold_at_one_half():
    # One input, weight 1, no bias: the probability is sigmoid(x).
    params = {"W1": np.array([[1.0]]), "b1": np.zeros((1, 1))}
    X = np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.0]])
    np.testing.assert_array_equal(predict(X, params), [[0, 0, 0, 1, 1]])
    assert predict(X, params).dtype.kind == "i"
    np.testing.assert_allclose(predict_proba(X, params)[0, 2], 0.5)
    assert accuracy(X, np.array([[0.0, 0.0, 0.0, 1.0, 0.0]]), params) == pytest.approx(0.8)


def test_decision_grid_orientation_and_extent():
    # Class 1 to the right (x > 0.5) whatever y is: probs must vary along columns only.
    params = {"W1": np.array([[20.0, 0.0]]), "b1": np.array([[-10.0]])}
    X = np.array([[0.0, 1.0, 0.2], [-3.0, 3.0, 0.0]])
    xs, ys, probs = decision_grid(params, X, resolution=41, margin=0.25)
    assert xs.shape == ys.shape == (41,)
    assert probs.shape == (41, 41)
    assert xs[0] == pytest.approx(-0.25) and xs[-1] == pytest.approx(1.25)
    assert ys[0] == pytest.approx(-4.5) and ys[-1] == pytest.approx(4.5)
    for i in (0, 20, 40):
        for j in (0, 20, 40):
            expected = 1 / (1 + np.exp(-(20 * xs[j] - 10)))
            assert probs[i, j] == pytest.approx(expected, rel=1e-12)


def test_predictions_of_a_wide_network_on_a_dense_grid_take_bounded_memory():
    # Six layers of 100 units on a 160 x 160 grid: one forward pass holds 250 MB.
    params, X, _, _ = random_network((2, *[100] * 6, 1), m=50, seed=2)
    stacked = {key: np.stack([value, 1.1 * value]) for key, value in params.items()}
    tracemalloc.start()
    try:
        xs, ys, probs = decision_grid(params, X, resolution=160)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * network.PREDICT_BYTES
    grid = np.vstack([np.tile(xs, 160), np.repeat(ys, 160)])
    for model in (params, stacked):  # the slices give what one pass over all points gives
        np.testing.assert_allclose(predict_proba(grid, model), forward(grid, model)[0], rtol=1e-12)
    np.testing.assert_allclose(probs, forward(grid, params)[0].reshape(160, 160), rtol=1e-12)


def test_cost_of_forward_pass_matches_reference():
    params, X, Y, _ = random_network((3, 6, 4, 1), m=8, seed=6)
    AL, cache = forward(X, params)
    assert compute_cost(AL, Y, params, lambd=0.3, logits=cache["Z3"]) == pytest.approx(
        reference_cost(params, X, Y, lambd=0.3), rel=1e-13
    )
