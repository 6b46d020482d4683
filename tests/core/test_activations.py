"""tanh and sigmoid hidden layers beside ReLU: the forward pass from the definitions,
backprop against numerical gradients, the training loop's fast passes against the plain
ones, and the vanishing gradients a deep sigmoid network shows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dnn_core import (
    TrainConfig,
    backward,
    compute_cost,
    datasets,
    forward,
    gradient_check,
    train,
    train_stack,
)
from dnn_core.diagnostics import layer_signals
from dnn_core.gradcheck import buggy_backward
from dnn_core.losses import ACTIVATIONS, activation_slope
from dnn_core.stack import StackedNetwork, with_ones_row
from tests.core.reference import (
    HIDDEN,
    as_vector,
    numerical_gradient,
    random_network,
    reference_cost,
    relative_difference,
)

SMOOTH = ["tanh", "sigmoid"]
DATA = datasets.moons(n_train=120, n_test=40)


def test_every_activation_has_a_reference():
    assert set(ACTIVATIONS) == set(HIDDEN) == {"relu", "tanh", "sigmoid"}


@pytest.mark.parametrize("activation", SMOOTH)
def test_forward_is_the_activation_of_the_linear_step(activation):
    params, X, _, _ = random_network((3, 5, 4, 1), m=9, seed=1)
    AL, cache = forward(X, params, activation=activation)
    A1 = HIDDEN[activation](params["W1"] @ X + params["b1"])
    A2 = HIDDEN[activation](params["W2"] @ A1 + params["b2"])
    expected = 1.0 / (1.0 + np.exp(-(params["W3"] @ A2 + params["b3"])))
    np.testing.assert_allclose(cache["A1"], A1, rtol=1e-14)
    np.testing.assert_allclose(AL, expected, rtol=1e-13)
    assert cache["activation"] == activation


@pytest.mark.parametrize("activation", SMOOTH)
def test_slopes_are_the_derivatives(activation):
    Z = np.linspace(-4, 4, 81).reshape(9, 9)
    h = 1e-6
    g = HIDDEN[activation]
    numerical = (g(Z + h) - g(Z - h)) / (2 * h)
    np.testing.assert_allclose(activation_slope(Z, activation), numerical, atol=1e-9)


@pytest.mark.parametrize("activation", SMOOTH)
@pytest.mark.parametrize("lambd", [0.0, 0.7])
@pytest.mark.parametrize("dims", [(3, 5, 1), (2, 6, 4, 1), (4, 5, 4, 3, 1)], ids=str)
def test_backprop_matches_numerical_gradients(activation, lambd, dims):
    params, X, Y, _ = random_network(dims, m=11, seed=len(dims))
    _, cache = forward(X, params, activation=activation)
    grads = backward(Y, cache, params, lambd=lambd)
    numerical = numerical_gradient(params, X, Y, lambd=lambd, activation=activation)
    assert relative_difference(as_vector(grads, params), as_vector(numerical, params)) < 1e-7
    for batch_size in (None, 1):  # the batched check and the course's loop
        report = gradient_check(
            params, X, Y, lambd=lambd, activation=activation, batch_size=batch_size
        )
        assert report.difference < 1e-7


@pytest.mark.parametrize("activation", SMOOTH)
def test_dropout_gradients_with_fixed_masks(activation):
    params, X, Y, masks = random_network((3, 6, 4, 1), m=13, seed=4, keep_prob=0.7)
    report = gradient_check(params, X, Y, keep_prob=0.7, masks=masks, activation=activation)
    assert report.difference < 1e-7
    expected = reference_cost(params, X, Y, masks=masks, keep_prob=0.7, activation=activation)
    AL, _ = forward(X, params, keep_prob=0.7, masks=masks, activation=activation)
    assert compute_cost(AL, Y) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("activation", SMOOTH)
def test_the_check_catches_a_backward_pass_that_assumes_relu(activation):
    params, X, Y, _ = random_network((3, 5, 4, 1), m=11, seed=2)

    def relu_backward(Y, cache, params, *, lambd=0.0):  # forgets the activation it was given
        return backward(Y, {**cache, "activation": "relu"}, params, lambd=lambd)

    report = gradient_check(params, X, Y, activation=activation, backward_fn=relu_backward)
    assert report.difference > 1e-2
    assert gradient_check(params, X, Y, activation=activation).difference < 1e-7


@pytest.mark.parametrize("activation", SMOOTH)
def test_a_planted_bug_is_caught_with_any_activation(activation):
    params, X, Y, _ = random_network((3, 5, 4, 1), m=11, seed=3)
    report = gradient_check(
        params, X, Y, activation=activation, backward_fn=buggy_backward(["dW2_x2"])
    )
    assert report.worst(threshold=1e-5) == ["W2"]


@pytest.mark.parametrize("keep_prob", [1.0, 0.6])
@pytest.mark.parametrize("activation", SMOOTH)
@pytest.mark.parametrize("lead", [(), (3,)], ids=["one model", "three models"])
def test_the_fast_passes_equal_forward_and_backward(activation, keep_prob, lead):
    dims = (3, 6, 5, 1)
    K = lead[0] if lead else 1
    cases = [random_network(dims, m=21, seed=seed, keep_prob=keep_prob) for seed in range(K)]
    lambd = np.full((*lead, 1, 1), 0.3) if lead else 0.3
    net = StackedNetwork(dims, lead, lambd=lambd, activation=activation)
    for k, (params, *_) in enumerate(cases):
        net.theta[k if lead else ...] = net.as_vector(params)
    masks = None
    if keep_prob < 1:
        masks = [np.stack([c[3][f"D{l}"] for c in cases]).reshape(*lead, -1, 21) / keep_prob
                 for l in (1, 2)]  # fmt: skip
    X_case, Y_case = cases[0][1], cases[0][2]
    X1 = with_ones_row(X_case)
    AL, _ = net.forward(X1, masks)
    grads = net.backward(X1, Y_case)
    for k, (params, _, _, case_masks) in enumerate(cases):
        row = k if lead else ...
        expected_AL, cache = forward(
            X_case, params, keep_prob=keep_prob, masks=case_masks, activation=activation
        )
        expected = backward(Y_case, cache, params, lambd=0.3)
        np.testing.assert_allclose(AL[row], expected_AL, rtol=1e-12)
        ours = net.as_dict(grads[row])
        for key in params:
            np.testing.assert_allclose(ours[key], expected[f"d{key}"], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("activation", SMOOTH)
def test_training_follows_the_plain_loop_and_stacks_alike(activation):
    config = TrainConfig(
        layer_dims=(2, 6, 3, 1), init="xavier", learning_rate=0.5, num_iterations=30,
        record_every=10, activation=activation,
    )  # fmt: skip
    X, Y = DATA.X_train, DATA.Y_train
    params = train(X, Y, replace(config, num_iterations=1)).initial_params
    for _ in range(30):  # the course's model(): forward -> backward -> update
        _, cache = forward(X, params, activation=activation)
        grads = backward(Y, cache, params)
        params = {key: value - 0.5 * grads[f"d{key}"] for key, value in params.items()}
    result = train(X, Y, config)
    for key in params:
        np.testing.assert_allclose(result.params[key], params[key], rtol=1e-10, atol=1e-14)
    stacked = train_stack(X, Y, [config, replace(config, learning_rate=0.1, keep_prob=0.8)])
    for key in params:
        np.testing.assert_allclose(stacked[0].params[key], params[key], rtol=1e-10, atol=1e-14)


def test_models_of_one_stack_share_their_activation():
    config = TrainConfig(layer_dims=(2, 4, 1), num_iterations=2)
    with pytest.raises(ValueError, match="share activation"):
        train_stack(DATA.X_train, DATA.Y_train, [config, replace(config, activation="tanh")])


def test_an_unknown_activation_is_refused_in_plain_words():
    config = TrainConfig(layer_dims=(2, 4, 1), activation="swish")
    with pytest.raises(ValueError, match="Unknown activation 'swish'; use relu, tanh, sigmoid"):
        train(DATA.X_train, DATA.Y_train, config)


def test_a_deep_sigmoid_network_shows_vanishing_gradients_and_relu_does_not():
    """Each sigmoid layer scales the gradient by at most 1/4 on its way back, so the first
    layers of a deep sigmoid network barely learn; ReLU with He keeps them alive."""
    dims = (2, 10, 10, 10, 10, 10, 1)
    X, Y = DATA.X_train, DATA.Y_train

    def first_over_last(init, activation):
        params = train(
            X, Y, TrainConfig(layer_dims=dims, init=init, num_iterations=1)
        ).initial_params
        _, gradients = layer_signals(params, X, Y, activation=activation)
        mean = [float(np.mean(np.abs(dW))) for dW in gradients.values()]
        return mean[0] / mean[-1]

    assert first_over_last("xavier", "sigmoid") < 1e-2
    assert first_over_last("he", "relu") > 5e-2
