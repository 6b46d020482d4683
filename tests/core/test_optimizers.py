"""Update rules against steps worked out by hand, mini-batches and learning-rate decay."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core.optimizers import (
    OPTIMIZERS,
    Adam,
    GradientDescent,
    Momentum,
    epoch_learning_rate,
    learning_rate_at,
    make_optimizer,
    random_mini_batches,
)
from tests.core.reference import course_global_seed

G1 = np.array([0.5, 0.25])
G2 = np.array([-1.0, 0.0])


def test_gradient_descent_steps():
    theta = np.array([1.0, -2.0])
    optimizer = GradientDescent(theta.shape)
    optimizer.step(theta, G1, 0.1)
    np.testing.assert_allclose(theta, [0.95, -2.025], rtol=1e-15)
    optimizer.step(theta, G2, 0.1)
    np.testing.assert_allclose(theta, [1.05, -2.025], rtol=1e-15)
    assert optimizer.t == 2


def test_momentum_steps():
    theta = np.array([1.0, -2.0])
    optimizer = Momentum(theta.shape, beta=0.9)
    optimizer.step(theta, G1, 0.1)
    # v1 = 0.1 * g1 = [0.05, 0.025]; theta -= 0.1 * v1
    np.testing.assert_allclose(optimizer.v, [0.05, 0.025], rtol=1e-14)
    np.testing.assert_allclose(theta, [0.995, -2.0025], rtol=1e-14)
    optimizer.step(theta, G2, 0.1)
    # v2 = 0.9 * v1 + 0.1 * g2 = [0.045 - 0.1, 0.0225]
    np.testing.assert_allclose(optimizer.v, [-0.055, 0.0225], rtol=1e-14)
    np.testing.assert_allclose(theta, [0.995 + 0.0055, -2.0025 - 0.00225], rtol=1e-14)


def test_momentum_without_memory_is_gradient_descent():
    theta_momentum, theta_gd = np.array([0.3, -0.7]), np.array([0.3, -0.7])
    momentum, gd = Momentum(2, beta=0.0), GradientDescent(2)
    for grad in (G1, G2, G1):
        momentum.step(theta_momentum, grad, 0.2)
        gd.step(theta_gd, grad, 0.2)
    np.testing.assert_allclose(theta_momentum, theta_gd, rtol=1e-15)


def test_adam_two_steps_with_bias_correction():
    lr, eps = 0.01, 1e-8
    theta = np.array([1.0, -2.0])
    optimizer = Adam(theta.shape, beta1=0.9, beta2=0.999, epsilon=eps)

    optimizer.step(theta, np.array([0.1, -0.2]), lr)
    # v = 0.1 g = [0.01, -0.02], s = 0.001 g^2 = [1e-5, 4e-5]; the corrections divide by
    # 1 - 0.9 = 0.1 and 1 - 0.999 = 0.001, giving back g and g^2: a step of ~lr per entry.
    np.testing.assert_allclose(optimizer.v, [0.01, -0.02], rtol=1e-14)
    np.testing.assert_allclose(optimizer.s, [1e-5, 4e-5], rtol=1e-12)
    after_one = np.array([1.0 - lr * 0.1 / (0.1 + eps), -2.0 + lr * 0.2 / (0.2 + eps)])
    np.testing.assert_allclose(theta, after_one, rtol=1e-14)

    optimizer.step(theta, np.array([0.3, 0.0]), lr)
    # v = 0.9 v + 0.1 g2 = [0.009 + 0.03, -0.018];  s = 0.999 s + 0.001 g2^2
    v = np.array([0.039, -0.018])
    s = np.array([0.999e-5 + 9e-5, 3.996e-5])
    np.testing.assert_allclose(optimizer.v, v, rtol=1e-13)
    np.testing.assert_allclose(optimizer.s, s, rtol=1e-12)
    v_corrected = v / (1 - 0.9**2)  # / 0.19
    s_corrected = s / (1 - 0.999**2)  # / 0.001999
    expected = after_one - lr * v_corrected / (np.sqrt(s_corrected) + eps)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)
    # By hand: v_corrected = [0.205263, -0.094737], sqrt(s_corrected) = [0.223652, 0.141386],
    # steps = 0.01 * [0.917776, -0.670049] from [0.990000, -1.990000].
    np.testing.assert_allclose(theta, [0.980822, -1.983299], atol=2e-6)
    assert optimizer.t == 2


def test_optimizers_update_in_place_by_name():
    for name in OPTIMIZERS:
        theta = np.ones(3)
        original = theta
        make_optimizer(name, theta.shape).step(theta, np.array([1.0, -1.0, 0.0]), 0.1)
        assert theta is original
        assert theta[0] < 1.0 < theta[1]
        assert theta[2] == 1.0
    with pytest.raises(ValueError, match="Unknown optimizer 'sgd'"):
        make_optimizer("sgd", 3)


# --- mini-batches ---------------------------------------------------------------------------


def tagged_data(m: int):
    """X's first row numbers the examples; Y is derived from it, to check pairs stay paired."""
    X = np.vstack([np.arange(m, dtype=float), -np.arange(m, dtype=float)])
    Y = (np.arange(m) % 3 == 0).astype(float).reshape(1, m)
    return X, Y


@pytest.mark.parametrize(("m", "size"), [(148, 64), (128, 64), (10, 64), (7, 1), (300, 64)])
def test_mini_batches_cover_every_example_once(m, size):
    X, Y = tagged_data(m)
    batches = random_mini_batches(X, Y, size, seed=4)
    sizes = [batch_X.shape[1] for batch_X, _ in batches]
    assert len(batches) == -(-m // size)
    assert all(s == size for s in sizes[:-1])
    assert sizes[-1] == (m % size or min(size, m))
    seen = np.concatenate([batch_X[0] for batch_X, _ in batches]).astype(int)
    assert sorted(seen) == list(range(m))
    for batch_X, batch_Y in batches:
        assert batch_X.shape[0] == 2 and batch_Y.shape == (1, batch_X.shape[1])
        np.testing.assert_array_equal(batch_X[1], -batch_X[0])
        np.testing.assert_array_equal(batch_Y[0], batch_X[0] % 3 == 0)


def test_mini_batches_follow_the_courses_seeding():
    X, Y = tagged_data(148)
    with course_global_seed(11) as legacy:  # the course: np.random.seed(11); permutation(m)
        course_order = legacy.permutation(148)
    batches = random_mini_batches(X, Y, 64, seed=11)
    order = np.concatenate([batch_X[0] for batch_X, _ in batches]).astype(int)
    np.testing.assert_array_equal(order, course_order)
    again = random_mini_batches(X, Y, 64, seed=11)
    for (a, _), (b, _) in zip(batches, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_mini_batches_with_a_generator_are_deterministic_per_seed():
    X, Y = tagged_data(100)

    def order(seed):
        batches = random_mini_batches(X, Y, 32, rng=np.random.default_rng(seed))
        return np.concatenate([batch_X[0] for batch_X, _ in batches])

    np.testing.assert_array_equal(order(5), order(5))
    assert not np.array_equal(order(5), order(6))


# --- learning-rate decay --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epoch", "decay", "decay_rate", "interval", "expected"),
    [
        (0, None, 1.0, 1000, 0.5),
        (500, None, 1.0, 1000, 0.5),
        (500, "none", 1.0, 1000, 0.5),
        (0, "inverse", 1.0, 1000, 0.5),
        (3, "inverse", 1.0, 1000, 0.5 / 4),
        (3, "inverse", 0.5, 1000, 0.5 / 2.5),
        (999, "scheduled", 1.0, 1000, 0.5),
        (1000, "scheduled", 1.0, 1000, 0.25),
        (2500, "scheduled", 1.0, 1000, 0.5 / 3),
        (25, "scheduled", 0.3, 10, 0.5 / 1.6),
    ],
)
def test_learning_rate_at(epoch, decay, decay_rate, interval, expected):
    assert learning_rate_at(0.5, epoch, decay, decay_rate, interval) == pytest.approx(
        expected, rel=1e-15
    )


@pytest.mark.parametrize("decay", ["inverse", "scheduled"])
def test_each_epoch_trains_at_the_rate_decayed_after_the_epoch_before(decay):
    # The course: ``learning_rate = decay(lr0, i)`` after epoch i's updates.
    rates = [epoch_learning_rate(0.5, epoch, decay, 1.0, 2) for epoch in range(6)]
    expected = [0.5] + [learning_rate_at(0.5, epoch, decay, 1.0, 2) for epoch in range(5)]
    assert rates == pytest.approx(expected, rel=1e-15)
    assert rates[0] == rates[1] == 0.5


def test_unknown_decay_is_refused():
    with pytest.raises(ValueError, match="Unknown learning-rate decay 'exponential'"):
        learning_rate_at(0.1, 3, "exponential")
