"""Backprop against numerical gradients, and the gradient checker against a plain loop.

Every gradient the core computes (plain, L2, dropout with fixed masks, 1 to 4 hidden
layers, random shapes) must agree with two-sided differences to < 1e-7. The batched
``gradient_check`` is verified against an independent one-parameter-at-a-time loop.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_core import backward, forward, gradient_check
from dnn_core.gradcheck import (
    BUGS,
    COURSE_BUGS,
    ONE_D_FUNCTIONS,
    OTHER_BUGS,
    THRESHOLDS,
    buggy_backward,
    course_gradapprox,
    course_test_case,
    epsilon_sweep,
    fixed_dropout_masks,
    gradient_check_1d,
    one_d_check,
    verdict,
)
from tests.core.reference import as_vector, numerical_gradient, random_network, relative_difference

DEPTHS = [
    pytest.param((3, 1), id="no hidden layer"),
    pytest.param((3, 5, 1), id="1 hidden"),
    pytest.param((2, 6, 4, 1), id="2 hidden"),
    pytest.param((4, 5, 4, 3, 1), id="3 hidden"),
    pytest.param((3, 6, 5, 4, 3, 1), id="4 hidden"),
    pytest.param((2, 4, 4, 4, 4, 4, 1), id="5 hidden"),
]


def assert_gradients_verified(params, X, Y, *, lambd=0.0, keep_prob=1.0, masks=None):
    """Backprop, the batched checker and a plain numerical loop all agree."""
    _, cache = forward(X, params, keep_prob=keep_prob, masks=masks)
    grads = backward(Y, cache, params, lambd=lambd)
    numerical = numerical_gradient(params, X, Y, lambd=lambd, masks=masks, keep_prob=keep_prob)
    for key in params:
        assert grads[f"d{key}"].shape == params[key].shape
    backprop_vector = as_vector(grads, params)
    loop_vector = as_vector(numerical, params)
    assert relative_difference(backprop_vector, loop_vector) < 1e-7

    report = gradient_check(params, X, Y, lambd=lambd, keep_prob=keep_prob, masks=masks)
    assert report.difference < 1e-7
    # A block with a small gradient carries relatively more round-off (about 1e-9 / |g|).
    assert report.worst(threshold=1e-5) == []
    np.testing.assert_array_equal(report.grad, backprop_vector)
    # Both are differences of the same cost: they agree far more closely than with backprop.
    np.testing.assert_allclose(report.gradapprox, loop_vector, rtol=1e-6, atol=1e-8)
    for key, block in report.slices.items():
        assert report.per_param[key] == pytest.approx(
            relative_difference(report.grad[block], report.gradapprox[block]), abs=1e-12
        )


@pytest.mark.parametrize("layer_dims", DEPTHS)
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_backprop_matches_numerical_gradient(layer_dims, lambd):
    params, X, Y, _ = random_network(layer_dims, m=7, seed=len(layer_dims))
    assert_gradients_verified(params, X, Y, lambd=lambd)


@pytest.mark.parametrize("layer_dims", DEPTHS[1:])
@pytest.mark.parametrize("lambd", [0.0, 0.3])
def test_dropout_gradient_with_fixed_masks(layer_dims, lambd):
    params, X, Y, masks = random_network(layer_dims, m=9, seed=11, keep_prob=0.7)
    assert any(not mask.all() for mask in masks.values()), "the masks should drop some units"
    assert_gradients_verified(params, X, Y, lambd=lambd, keep_prob=0.7, masks=masks)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    n_x=st.integers(1, 4),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    m=st.integers(2, 9),
    seed=st.integers(0, 2**16),
    lambd=st.sampled_from([0.0, 0.1, 1.0]),
    keep_prob=st.sampled_from([1.0, 0.8, 0.5]),
)
def test_gradients_on_random_shapes(n_x, hidden, m, seed, lambd, keep_prob):
    layer_dims = (n_x, *hidden, 1)
    params, X, Y, masks = random_network(layer_dims, m, seed, keep_prob=keep_prob)
    assert_gradients_verified(params, X, Y, lambd=lambd, keep_prob=keep_prob, masks=masks)


@pytest.mark.parametrize(
    ("layer_dims", "options"),
    [
        ((3, 5, 4, 1), {}),
        ((2, 7, 6, 5, 1), {"lambd": 0.5}),
        ((3, 6, 5, 1), {"keep_prob": 0.6}),
    ],
)
@pytest.mark.parametrize("batch_size", [1, 4, None])
def test_batched_check_equals_the_per_parameter_loop(layer_dims, options, batch_size):
    keep_prob = options.get("keep_prob", 1.0)
    params, X, Y, masks = random_network(layer_dims, m=10, seed=5, keep_prob=keep_prob)
    loop = gradient_check(params, X, Y, masks=masks, batch_size=1, **options)
    report = gradient_check(params, X, Y, masks=masks, batch_size=batch_size, **options)
    assert report.num_params == loop.num_params == sum(v.size for v in params.values())
    assert report.slices == loop.slices
    np.testing.assert_array_equal(report.grad, loop.grad)
    np.testing.assert_allclose(report.gradapprox, loop.gradapprox, rtol=1e-6, atol=1e-9)
    assert report.difference == pytest.approx(loop.difference, abs=1e-8)
    assert report.difference < 1e-7


def test_slices_cover_the_parameters_in_course_order():
    params, X, Y, _ = random_network((3, 4, 2, 1), m=5, seed=0)
    report = gradient_check(params, X, Y)
    assert list(report.slices) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    start = 0
    for key, block in report.slices.items():
        assert (block.start, block.stop) == (start, start + params[key].size)
        start = block.stop
    assert start == report.num_params == report.grad.size == report.gradapprox.size


# --- planted bugs: each is flagged exactly in the blocks it breaks ---------------------------

LAYERS_3 = (3, 5, 4, 1)  # blocks W1 b1 W2 b2 W3 b3
ALL_BLOCKS = {"W1", "b1", "W2", "b2", "W3", "b3"}


@pytest.fixture(scope="module")
def network():
    params, X, Y, _ = random_network(LAYERS_3, m=8, seed=3)
    return params, X, Y


@pytest.mark.parametrize(
    ("bug", "lambd", "broken"),
    [
        ("dW2_x2", 0.0, {"W2"}),
        ("dW2_x2", 0.7, {"W2"}),
        ("db1_x4", 0.0, {"b1"}),
        ("db1_x4", 0.7, {"b1"}),
        ("l2_forgotten", 0.7, {"W1", "W2", "W3"}),
        ("l2_forgotten", 0.0, set()),  # nothing to forget without L2
        # Forgetting ReLU's derivative breaks every hidden layer, not the sigmoid output.
        ("relu_mask", 0.0, {"W1", "b1", "W2", "b2"}),
        ("relu_mask", 0.7, {"W1", "b1", "W2", "b2"}),
        ("missing_1_over_m", 0.0, ALL_BLOCKS),
        ("missing_1_over_m", 0.7, ALL_BLOCKS),
    ],
)
def test_planted_bug_is_flagged_exactly_where_it_breaks(network, bug, lambd, broken):
    params, X, Y = network
    report = gradient_check(params, X, Y, lambd=lambd, backward_fn=buggy_backward([bug]))
    flagged = {key for key, diff in report.per_param.items() if diff > 1e-2}
    assert flagged == broken
    for key in ALL_BLOCKS - broken:
        assert report.per_param[key] < 1e-6, key
    assert set(report.worst(threshold=1e-2)) == broken
    assert (report.difference > 1e-2) == bool(broken)


def test_scaling_bugs_give_the_exact_expected_differences(network):
    # ||k g - g|| / (||k g|| + ||g||) = (k - 1) / (k + 1) whatever g is.
    params, X, Y = network
    m = X.shape[1]
    expected = {"dW2_x2": ("W2", 1 / 3), "db1_x4": ("b1", 3 / 5)}
    for bug, (block, difference) in expected.items():
        report = gradient_check(params, X, Y, backward_fn=buggy_backward([bug]))
        assert report.per_param[block] == pytest.approx(difference, rel=1e-6)
    report = gradient_check(params, X, Y, backward_fn=buggy_backward(["missing_1_over_m"]))
    for block in ALL_BLOCKS:
        assert report.per_param[block] == pytest.approx((m - 1) / (m + 1), rel=1e-6)


def test_course_bugs_together_flag_w2_and_b1_worst_first():
    X, Y, params = course_test_case()
    report = gradient_check(params, X, Y, backward_fn=buggy_backward(["dW2_x2", "db1_x4"]))
    assert report.worst() == ["b1", "W2"]  # 3/5 before 1/3
    assert verdict(report.difference)[0] == "wrong"


def test_the_course_bugs_and_the_others_are_every_bug_once():
    assert COURSE_BUGS == ("dW2_x2", "db1_x4")
    assert sorted((*COURSE_BUGS, *OTHER_BUGS)) == sorted(BUGS)


def test_every_listed_bug_is_plantable_and_unknown_ones_are_refused():
    params, X, Y, _ = random_network(LAYERS_3, m=6, seed=1)
    for bug in BUGS:
        assert gradient_check(params, X, Y, lambd=0.5, backward_fn=buggy_backward([bug])).worst()
    with pytest.raises(ValueError, match="Unknown bug"):
        buggy_backward(["dW3_x7"])


# --- the lessons of gradient checking ------------------------------------------------------


def test_dropout_check_fails_with_fresh_masks_and_passes_with_fixed_ones():
    params, X, Y, masks = random_network((3, 6, 5, 1), m=8, seed=2, keep_prob=0.8)
    fresh = gradient_check(params, X, Y, keep_prob=0.8, rng=np.random.default_rng(0))
    assert fresh.difference > 1e-2
    assert verdict(fresh.difference)[0] == "wrong"
    fixed = gradient_check(params, X, Y, keep_prob=0.8, masks=masks)
    assert fixed.difference < 1e-7


def test_dropout_check_without_masks_or_rng_is_refused():
    params, X, Y, _ = random_network((3, 4, 1), m=5, seed=0)
    with pytest.raises(ValueError, match="fixed masks"):
        gradient_check(params, X, Y, keep_prob=0.8)


def test_l2_must_be_in_both_the_cost_and_the_gradient():
    params, X, Y, _ = random_network(LAYERS_3, m=8, seed=4)
    report = gradient_check(params, X, Y, lambd=0.7, cost_lambd=0.0)
    assert {key for key, diff in report.per_param.items() if diff > 1e-2} == {"W1", "W2", "W3"}
    assert all(report.per_param[key] < 1e-6 for key in ("b1", "b2", "b3"))
    assert gradient_check(params, X, Y, lambd=0.7, cost_lambd=0.7).difference < 1e-7


@pytest.mark.parametrize(
    ("difference", "level"),
    [
        (0.0, "great"),
        (9.9e-8, "great"),
        (THRESHOLDS[0], "ok"),
        (5e-6, "ok"),
        (1e-3, "suspicious"),
        (THRESHOLDS[2], "wrong"),
        (0.6, "wrong"),
        (float("nan"), "error"),
        (float("inf"), "error"),
    ],
)
def test_verdict_levels(difference, level):
    found, advice = verdict(difference)
    assert found == level
    assert advice


@pytest.mark.parametrize("batch_size", [None, 1], ids=["batched", "course loop"])
def test_differences_are_two_sided_so_their_error_falls_as_epsilon_squared(batch_size):
    # The cost is curved (sigmoid and log): a one-sided difference errs by O(eps), a
    # two-sided one by O(eps^2). Ten times smaller eps must give ~100 times less error.
    # (Steps this small cross no ReLU kink of this network.)
    params, X, Y, _ = random_network((3, 5, 1), m=8, seed=13)
    errors = [
        gradient_check(params, X, Y, epsilon=epsilon, batch_size=batch_size).difference
        for epsilon in (1e-3, 1e-4)
    ]
    assert errors[1] < 1e-8
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.2)


def test_one_dimensional_check():
    check = gradient_check_1d(2.0, 4.0)
    assert check.grad == 2.0
    assert check.gradapprox == pytest.approx(2.0, rel=1e-8)
    assert check.difference == pytest.approx(
        abs(check.grad - check.gradapprox) / (abs(check.grad) + abs(check.gradapprox))
    )


def test_epsilon_sweep_shows_round_off_sooner_in_float32():
    epsilons = [1e-1, 1e-3, 1e-5, 1e-7]
    double = epsilon_sweep(2.0, 4.0, epsilons)
    single = epsilon_sweep(2.0, 4.0, epsilons, dtype=np.float32)
    assert double.shape == single.shape == (4,)
    # J is linear, so only round-off is left: it grows as epsilon shrinks.
    assert double[-1] > double[0]
    assert np.all(single >= double)
    assert single[-1] > 1e-2  # 4 + 1e-7 rounds back to 4 in float32
    assert double[-1] < 1e-7


def test_one_d_check_of_the_linear_function_is_the_course_check():
    epsilons = np.array([1e-2, 1e-7])
    grad, gradapprox, difference = one_d_check("linear", 2.0, 4.0, epsilons)
    checks = [gradient_check_1d(2.0, 4.0, eps) for eps in epsilons]
    assert grad == 2.0
    np.testing.assert_array_equal(gradapprox, [check.gradapprox for check in checks])
    np.testing.assert_array_equal(difference, [check.difference for check in checks])
    np.testing.assert_array_equal(epsilon_sweep(2.0, 4.0, epsilons), difference)


def one_sided(function, x, theta, epsilon):
    """What a forward difference (J(theta + eps) - J(theta)) / eps would report."""
    J = {"cubic": lambda t: t**3 * x, "sine": lambda t: np.sin(t * x)}[function]
    grad = one_d_check(function, x, theta, np.array([epsilon]))[0]
    gradapprox = (J(theta + epsilon) - J(theta)) / epsilon
    return abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))


@pytest.mark.parametrize("function", ["cubic", "sine"])
def test_curved_functions_show_truncation_falling_as_epsilon_squared(function):
    # A two-sided difference errs by about eps^2 J'''/6: ten times smaller eps, ~100 times
    # less error. A one-sided difference errs by eps J''/2, only ~10 times less: it fails.
    grad, gradapprox, difference = one_d_check(function, 2.0, 4.0, np.array([1e-3, 1e-4]))
    assert difference[0] / difference[1] == pytest.approx(100, rel=0.2)
    assert gradapprox == pytest.approx(grad, rel=1e-5)
    ratio = one_sided(function, 2.0, 4.0, 1e-3) / one_sided(function, 2.0, 4.0, 1e-4)
    assert ratio == pytest.approx(10, rel=0.2)
    np.testing.assert_array_equal(
        epsilon_sweep(2.0, 4.0, [1e-3, 1e-4], function=function), difference
    )


@pytest.mark.parametrize("function", ["cubic", "sine"])
def test_curved_functions_show_a_round_off_arm_sooner_in_float32(function):
    epsilons = 10.0 ** -np.arange(1.0, 12.5, 0.5)
    double = one_d_check(function, 2.0, 4.0, epsilons)[2]
    single = one_d_check(function, 2.0, 4.0, epsilons, dtype=np.float32)[2]
    best_double, best_single = epsilons[np.argmin(double)], epsilons[np.argmin(single)]
    assert 1e-7 <= best_double <= 1e-3 and best_single > best_double  # the bottom of the V
    assert double[-1] > 100 * double.min()  # the right arm: round-off grows as eps shrinks
    assert single.min() > double.min()
    assert double.dtype == single.dtype == np.float64


def test_one_d_check_counts_zero_over_zero_as_agreement_and_refuses_unknown_functions():
    # sin(theta x) at x = 0 is flat: grad and gradapprox are both exactly 0.
    grad, gradapprox, difference = one_d_check("sine", 0.0, 4.0, np.array([1e-3]))
    assert grad == 0.0 and gradapprox[0] == 0.0 and difference[0] == 0.0
    assert ONE_D_FUNCTIONS == ("linear", "cubic", "sine")
    with pytest.raises(ValueError, match="Unknown function"):
        one_d_check("quartic", 2.0, 4.0, np.array([1e-3]))


def test_fixed_dropout_masks_are_the_masks_of_one_forward_pass():
    params, X, Y, _ = random_network((3, 6, 5, 1), m=8, seed=2)
    masks = fixed_dropout_masks(X, params, 0.8, seed=4)
    _, cache = forward(X, params, keep_prob=0.8, rng=np.random.default_rng(4))
    assert list(masks) == ["D1", "D2"]
    for key, mask in masks.items():
        np.testing.assert_array_equal(mask, cache[key])
    assert masks["D1"].shape == (6, 8) and masks["D2"].shape == (5, 8)
    assert not masks["D1"].all()
    assert gradient_check(params, X, Y, keep_prob=0.8, masks=masks).difference < 1e-7
    again = fixed_dropout_masks(X, params, 0.8, seed=4)
    assert all(np.array_equal(again[key], masks[key]) for key in masks)


def test_the_course_loop_equals_the_reference_loop():
    params, X, Y, masks = random_network((3, 5, 4, 1), m=6, seed=8, keep_prob=0.7)
    options = {"lambd": 0.4, "keep_prob": 0.7, "masks": masks}
    ours = course_gradapprox(params, X, Y, **options)
    reference = as_vector(numerical_gradient(params, X, Y, **options), params)
    np.testing.assert_allclose(ours, reference, rtol=1e-6, atol=1e-9)
