"""Sigmoid and cost numerics: no warnings, no infinities, the L2 term.

pytest turns RuntimeWarning into errors (pyproject), so an overflow or a log(0) fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import compute_cost, relu, sigmoid

EXTREMES = np.array([[-1e4, -800.0, -710.0, -40.0, 0.0, 40.0, 710.0, 800.0, 1e4]])


def test_sigmoid_is_quiet_and_bounded_at_extremes():
    values = sigmoid(EXTREMES)
    assert np.all(np.isfinite(values))
    assert np.all((values >= 0.0) & (values <= 1.0))
    assert values[0, 0] == 0.0 and values[0, -1] == 1.0
    assert values[0, 4] == 0.5
    assert np.all(np.diff(values) >= 0)


def test_sigmoid_is_symmetric_on_moderate_values():
    z = np.linspace(-30, 30, 121).reshape(1, -1)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(sigmoid(np.log(3.0)), 0.75, rtol=1e-15)


def test_relu():
    np.testing.assert_array_equal(relu(np.array([[-2.0, 0.0, 3.5]])), [[0.0, 0.0, 3.5]])


@pytest.mark.parametrize("z", [40.0, 800.0, 1e4])
def test_confidently_wrong_predictions_give_a_large_finite_cost(z):
    # Label 0 predicted with logit +z (and label 1 with -z): the true loss is about z.
    logits = np.array([[z, -z]])
    Y = np.array([[0.0, 1.0]])
    AL = sigmoid(logits)
    from_logits = compute_cost(AL, Y, logits=logits)
    assert from_logits == pytest.approx(z, rel=1e-12)
    from_probabilities = compute_cost(AL, Y)  # saturated probabilities are clipped
    assert np.isfinite(from_probabilities)
    assert from_probabilities > 30


def test_confidently_right_predictions_cost_nothing():
    logits = np.array([[-1e4, 1e4]])
    Y = np.array([[0.0, 1.0]])
    assert compute_cost(sigmoid(logits), Y, logits=logits) == 0.0
    assert 0.0 <= compute_cost(sigmoid(logits), Y) < 1e-15


def test_cost_from_logits_equals_the_probability_form_on_moderate_values():
    rng = np.random.default_rng(0)
    logits = rng.uniform(-8, 8, size=(1, 50))
    Y = (rng.random((1, 50)) < 0.5).astype(float)
    AL = sigmoid(logits)
    course_form = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    assert compute_cost(AL, Y) == pytest.approx(course_form, rel=1e-12)
    assert compute_cost(AL, Y, logits=logits) == pytest.approx(course_form, rel=1e-12)
    assert isinstance(compute_cost(AL, Y), float)


def test_l2_term_value():
    # sum of squared weights: W1 = 6 ones -> 6, W2 = [2, 2] -> 8; biases never count.
    params = {
        "W1": np.ones((2, 3)),
        "b1": np.full((2, 1), 5.0),
        "W2": np.full((1, 2), 2.0),
        "b2": np.full((1, 1), 7.0),
    }
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    AL = np.array([[0.8, 0.3, 0.6, 0.1]])
    plain = compute_cost(AL, Y)
    assert compute_cost(AL, Y, params, lambd=0.7) - plain == pytest.approx(0.7 / (2 * 4) * 14)
    assert compute_cost(AL, Y, params, lambd=0.0) == plain
    assert compute_cost(AL, Y, params) == plain


def test_stacked_costs_give_one_value_per_model():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 1, 6))
    Y = (rng.random((1, 6)) < 0.5).astype(float)
    params = {"W1": rng.normal(size=(3, 1, 2)), "b1": np.zeros((3, 1, 1))}
    lambd = np.array([0.0, 0.5, 1.0]).reshape(3, 1, 1)
    costs = compute_cost(sigmoid(logits), Y, params, lambd=lambd, logits=logits)
    assert costs.shape == (3,)
    for k in range(3):
        single = {key: value[k] for key, value in params.items()}
        expected = compute_cost(sigmoid(logits[k]), Y, single, lambd=float(lambd[k, 0, 0]))
        assert costs[k] == pytest.approx(expected, rel=1e-12)
