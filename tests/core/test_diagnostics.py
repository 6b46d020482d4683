"""What the lessons measure inside a network: signals per layer, their spread, the size of
the weights, alike units, dead units and ReLU's kinks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from dnn_core import TrainConfig, backward, compute_cost, datasets, forward, init_params, train
from dnn_core.diagnostics import (
    CostRecorder,
    cross_entropy,
    dead_units,
    layer_signals,
    layer_spread,
    relu_kinks,
    squared_weight_norm,
    stall,
    unit_symmetry,
)
from dnn_core.losses import l2_penalty
from tests.core.reference import random_network

# --- unit symmetry ----------------------------------------------------------------------------


def test_identical_rows_are_identical_units():
    W = np.tile([[0.5, -0.25, 0.125]], (4, 1))
    symmetry = unit_symmetry(W)
    assert symmetry.spread == 0.0 and symmetry.scale == 0.5 and symmetry.identical


def test_rows_a_few_ulps_apart_are_round_off_not_distinct_units():
    # What different BLAS kernels leave of equal updates to equal rows.
    W = np.full((3, 4), 0.5)
    W[1] = np.nextafter(W[1], 1.0)
    W[2, 0] = np.nextafter(np.nextafter(0.5, 0.0), 0.0)
    symmetry = unit_symmetry(W)
    assert 0 < symmetry.spread < 1e-15 and symmetry.scale == pytest.approx(0.5)
    assert symmetry.identical


def test_distinct_rows_are_distinct_units():
    W = np.array([[0.5, 0.5], [0.5, 0.4999]])
    symmetry = unit_symmetry(W)
    assert symmetry.spread == pytest.approx(1e-4) and not symmetry.identical
    assert not unit_symmetry(init_params((2, 5, 1), "he", seed=0)["W1"]).identical


# --- layer signals and their spread -----------------------------------------------------------


def test_layer_signals_are_the_activations_and_weight_gradients_of_each_layer():
    params, X, Y, _ = random_network((3, 5, 4, 1), m=6, seed=0)
    activations, gradients = layer_signals(params, X, Y)
    _, cache = forward(X, params)
    grads = backward(Y, cache, params)
    assert list(activations) == list(gradients) == ["layer 1", "layer 2", "layer 3"]
    for layer in (1, 2, 3):
        np.testing.assert_array_equal(activations[f"layer {layer}"], cache[f"A{layer}"])
        np.testing.assert_array_equal(gradients[f"layer {layer}"], grads[f"dW{layer}"])
    assert activations["layer 3"].shape == (1, 6) and gradients["layer 1"].shape == (5, 3)


def test_layer_signals_of_exploding_weights_come_without_warnings():
    params = init_params((2, 50, 50, 50, 1), "random", scale=1e120, seed=0)
    X, Y = np.ones((2, 4)), np.array([[0.0, 1.0, 0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        activations, gradients = layer_signals(params, X, Y)
        spread = layer_spread(activations, activations, gradients)
    assert not np.all(np.isfinite(activations["layer 3"]))
    assert not np.isfinite(spread["std of A[l] at start"][2])


def test_layer_spread_gives_the_initialization_table_as_plain_lists():
    params, X, Y, _ = random_network((3, 5, 4, 1), m=6, seed=1)
    start_activations, start_gradients = layer_signals(params, X, Y)
    trained = {key: value * 2 for key, value in params.items()}
    end_activations, _ = layer_signals(trained, X, Y)
    spread = layer_spread(start_activations, end_activations, start_gradients)
    assert spread["layer"] == ["layer 1", "layer 2", "layer 3"]
    for layer, name in enumerate(spread["layer"]):
        assert spread["std of A[l] at start"][layer] == np.std(start_activations[name])
        assert spread["std of A[l] after"][layer] == np.std(end_activations[name])
        assert spread["mean |dW[l]| at start"][layer] == np.mean(np.abs(start_gradients[name]))
    assert all(type(value) is float for column in list(spread.values())[1:] for value in column)


# --- weights ----------------------------------------------------------------------------------


def test_squared_weight_norm_sums_every_weight_squared_and_is_the_l2_terms_sum():
    params, *_ = random_network((3, 5, 4, 1), m=2, seed=2)
    norm = squared_weight_norm(params)
    by_hand = sum(float(np.sum(params[f"W{layer}"] ** 2)) for layer in (1, 2, 3))
    assert isinstance(norm, float) and norm == pytest.approx(by_hand, rel=1e-14)
    assert l2_penalty(params, 0.7, 10) == pytest.approx(0.7 / 20 * norm, rel=1e-14)
    stacked = {key: np.stack([value, 3 * value]) for key, value in params.items()}
    np.testing.assert_allclose(squared_weight_norm(stacked), [norm, 9 * norm], rtol=1e-14)


def test_dead_units_are_those_that_output_zero_on_every_example():
    params, X, _, _ = random_network((3, 4, 5, 1), m=20, seed=3)
    params["b1"][:2] = -1e6  # two of four units of layer 1 never fire
    params["W2"][:] = np.abs(params["W2"])
    params["b2"][:] = 1e6  # every unit of layer 2 fires on every example
    assert dead_units(params, X) == {1: 0.5, 2: 0.0}
    params["b2"][3:] = -1e9
    assert dead_units(params, X) == {1: 0.5, 2: 0.4}


def test_dead_units_of_a_network_without_hidden_layers_are_none():
    params, X, _, _ = random_network((3, 1), m=4, seed=0)
    assert dead_units(params, X) == {}


# --- ReLU's kinks -----------------------------------------------------------------------------


def test_relu_kinks_count_pre_activations_within_a_nudge_of_zero():
    params, X, _, _ = random_network((3, 4, 3, 1), m=10, seed=4)
    assert relu_kinks(X, params, 1e-7) == {1: 0, 2: 0}
    params["W1"][0] = 0.0
    params["b1"][0] = 0.0  # unit 1 of layer 1 sits on the kink for every example
    params["b2"][1] = -params["W2"][1] @ np.maximum(params["W1"] @ X[:, :1] + params["b1"], 0)
    kinks = relu_kinks(X, params, 1e-7)
    assert kinks[1] == 10  # Z = 0 exactly, on all 10 examples
    assert kinks[2] >= 1  # unit 2 of layer 2 is at 0 on the first example (up to round-off)


def test_relu_kinks_reach_grows_with_epsilon_and_the_layer_inputs():
    params, X, _, _ = random_network((3, 4, 1), m=50, seed=5)
    _, cache = forward(X, params)
    epsilon = 0.1
    reach = epsilon * max(1.0, float(np.max(np.abs(X))))
    assert relu_kinks(X, params, epsilon) == {1: int(np.sum(np.abs(cache["Z1"]) <= reach))}
    assert relu_kinks(X, params, 10.0) == {1: 4 * 50}


def test_layer_signals_give_activations_and_weight_gradients_per_layer():
    data = datasets.load("circles")
    params = init_params((2, 10, 5, 1), "he")

    activations, gradients = layer_signals(params, data.X_train, data.Y_train)

    m = data.X_train.shape[1]
    assert {name: a.shape for name, a in activations.items()} == {
        "layer 1": (10, m),
        "layer 2": (5, m),
        "layer 3": (1, m),
    }
    assert {name: g.shape for name, g in gradients.items()} == {
        "layer 1": (10, 2),
        "layer 2": (5, 10),
        "layer 3": (1, 5),
    }
    assert np.all(activations["layer 1"] >= 0)  # ReLU
    zeros = init_params((2, 10, 5, 1), "zeros")
    _, zero_gradients = layer_signals(zeros, data.X_train, data.Y_train)
    assert not np.any(zero_gradients["layer 1"])  # symmetric start: no signal at all


def test_cost_recorder_scores_every_recorded_iteration_and_passes_the_stop_on():
    data = datasets.football()
    config = TrainConfig(layer_dims=(2, 5, 1), num_iterations=50, record_every=10, lambd=0.7)
    asked = []
    recorder = CostRecorder(
        {"train": (data.X_train, data.Y_train), "test": (data.X_test, data.Y_test)},
        then=lambda progress: asked.append(progress.iteration) or progress.iteration < 20,
    )

    result = train(data.X_train, data.Y_train, config, callback=recorder)

    curves = recorder.curves()
    assert asked == recorder.iterations == list(curves["test"][0])
    assert result.iterations[-1] <= 30  # the chained callback's False stopped the run
    # Cross-entropy alone: the recorded training cost carries the L2 term on top.
    train_costs = curves["train"][1]
    assert train_costs[-1] < result.costs[-1]
    AL, _ = forward(data.X_test, result.params)
    assert curves["test"][1][-1] == pytest.approx(compute_cost(AL, data.Y_test), rel=1e-9)
    assert cross_entropy(result.params, data.X_test, data.Y_test) == pytest.approx(
        curves["test"][1][-1], rel=1e-9
    )


def test_stall_names_dead_units_and_a_vanished_signal():
    X = datasets.circles().X_train
    params = init_params((2, 4, 1), "he", seed=1)
    assert stall(params, X).kind == ""
    dead = dict(params, b1=np.full_like(params["b1"], -100.0))  # every unit below its kink
    assert stall(dead, X).kind == "dead" and stall(dead, X).deadest_layer == (1, 1.0)
    assert stall(init_params((2, 4, 1), "zeros"), X).kind == "zeros"
    tiny = {name: value * 1e-4 for name, value in params.items()}
    verdict = stall(tiny, X)
    assert verdict.kind == "vanished" and verdict.mean == pytest.approx(0.5, abs=1e-3)
