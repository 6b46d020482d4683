"""Every published number of the course, reproduced by the core with the course's settings
(DESIGN.md, "Course parity"). Accuracies must equal the published figure at its rounding.

The long runs (seconds each) are shared by a module-scoped fixture per lesson and spread
over two worker processes, so each course configuration trains once.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from dnn_core import accuracy, datasets, gradient_check
from dnn_core.course import (
    DECAY_RUNS,
    INITIALIZATION_RUNS,
    OPTIMIZATION_RUNS,
    REGULARIZATION_RUNS,
)
from dnn_core.gradcheck import buggy_backward, course_test_case, gradient_check_1d
from tests.core.reference import as_vector, numerical_gradient, relative_difference, train_strictly

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool():
    # spawn, not fork: forking a process whose BLAS threads are running can deadlock.
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as executor:
        yield executor


def train_all(pool, data, runs):
    """``{name: (train accuracy, test accuracy, TrainResult)}`` for every run, in parallel."""
    futures = {
        name: pool.submit(train_strictly, data.X_train, data.Y_train, config)
        for name, config in runs.items()
    }
    results = {}
    for name, future in futures.items():
        result = future.result()
        assert not result.diverged, result.message
        results[name] = (
            accuracy(data.X_train, data.Y_train, result.params),
            accuracy(data.X_test, data.Y_test, result.params),
            result,
        )
    return results


# --- Initialization: circles, [2, 10, 5, 1], lr 0.01, 15000 iterations --------------------


@pytest.fixture(scope="module")
def initialization(pool):
    return train_all(pool, datasets.circles(), INITIALIZATION_RUNS)


@pytest.mark.parametrize(
    ("run", "train_accuracy", "test_accuracy", "decimals"),
    [("zeros", 0.5, 0.5, 1), ("random x10", 0.83, 0.86, 2), ("He", 0.9933, 0.96, 4)],
)
def test_initialization_accuracies(initialization, run, train_accuracy, test_accuracy, decimals):
    ours_train, ours_test, _ = initialization[run]
    assert round(ours_train, decimals) == train_accuracy
    assert round(ours_test, 2) == test_accuracy


def test_initialization_first_costs(initialization):
    zeros, random, he = (initialization[run][2] for run in ("zeros", "random x10", "He"))
    assert zeros.costs[0] == pytest.approx(0.6931471805599453, rel=1e-12)
    assert he.costs[0] == pytest.approx(0.8830537463419761, rel=1e-12)
    # The course printed inf here (log(0) of a saturated sigmoid); from the logits the true
    # cost is large but finite.
    assert math.isfinite(random.costs[0]) and random.costs[0] > 100


def test_zero_initialization_never_breaks_symmetry(initialization):
    zeros = initialization["zeros"][2]
    assert zeros.costs == pytest.approx(math.log(2), rel=1e-12)
    for key, value in zeros.params.items():
        if key.startswith("W"):
            assert not value.any(), key


# --- Regularization: the course's football data, [2, 20, 3, 1], lr 0.3, 30000 iterations -----

COURSE_REGULARIZATION = {  # published (train, test) accuracy
    "no regularization": (0.9479, 0.915),
    "L2, lambda = 0.7": (0.9384, 0.93),
    "dropout 0.86, course's fixed mask": (0.9289, 0.95),
}


@pytest.fixture(scope="module")
def regularization(pool, course_football):
    runs = {name: REGULARIZATION_RUNS[name] for name in COURSE_REGULARIZATION}
    return train_all(pool, course_football, runs)


@pytest.mark.parametrize("run", COURSE_REGULARIZATION)
def test_regularization_accuracies(regularization, run):
    ours_train, ours_test, _ = regularization[run]
    train_accuracy, test_accuracy = COURSE_REGULARIZATION[run]
    assert round(ours_train, 4) == train_accuracy
    assert round(ours_test, 3) == test_accuracy


# --- Gradient checking ------------------------------------------------------------------------


def test_one_dimensional_gradient_check():
    assert gradient_check_1d(2.0, 4.0).difference == pytest.approx(2.919335883291695e-10, rel=1e-9)


def test_course_network_with_the_two_planted_bugs():
    X, Y, params = course_test_case()
    report = gradient_check(params, X, Y, backward_fn=buggy_backward(["dW2_x2", "db1_x4"]))
    assert report.difference == pytest.approx(0.2850931567761623, rel=1e-6)


def test_course_network_fixed():
    X, Y, params = course_test_case()
    report = gradient_check(params, X, Y)
    # The course prints 1.19e-7; ours is far smaller because the core's cost is computed
    # from the logits. With the course's cost, -log(a) and -log(1 - a), the plain loop
    # gives the course's figure back: the difference is that cost's round-off.
    assert report.difference < 1e-8
    course_cost = numerical_gradient(params, X, Y, from_logits=False)
    # That figure *is* round-off, so its digits depend on the machine's floating-point
    # kernels: assert its size (the course's order, under its 2e-7 pass line), not digits.
    course_difference = relative_difference(report.grad, as_vector(course_cost, params))
    assert 3e-8 < course_difference < 2e-7
    assert course_difference > 10 * report.difference


# --- Optimization: moons, [2, 5, 2, 1], lr 0.0007, mini-batches of 64, 10000 epochs ----------


@pytest.fixture(scope="module")
def optimization(pool):
    return train_all(pool, datasets.moons(), OPTIMIZATION_RUNS)


@pytest.mark.parametrize(
    ("run", "train_accuracy", "decimals"),
    [("gradient descent", 0.797, 3), ("momentum", 0.797, 3), ("Adam", 0.94, 2)],
)
def test_optimization_accuracies(optimization, run, train_accuracy, decimals):
    assert round(optimization[run][0], decimals) == train_accuracy


# --- Learning-rate decay (2021 version): the optimization settings, 5000 epochs, rate 1 -------


@pytest.fixture(scope="module")
def decay(pool):
    return train_all(pool, datasets.moons(), DECAY_RUNS)


@pytest.mark.parametrize(
    ("run", "train_accuracy"),
    [
        # Decaying every epoch from lr 0.1 shrinks the steps so fast that it barely learns.
        ("GD, inverse decay", 0.6533),
        ("GD, scheduled decay", 0.9433),
        ("momentum, scheduled decay", 0.9533),
        ("Adam, scheduled decay", 0.94),
    ],
)
def test_learning_rate_decay_accuracies(decay, run, train_accuracy):
    assert round(decay[run][0], 4) == train_accuracy
