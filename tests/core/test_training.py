"""The training loop: updates, recording, callbacks, divergence, bad settings, sweeps."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import replace

import numpy as np
import pytest

from dnn_core import TrainConfig, accuracy, backward, datasets, forward, init_params, train
from dnn_core.optimizers import Adam, random_mini_batches
from dnn_core.sweep import sweep
from dnn_core.training import continuation

DATA = datasets.moons(n_train=120, n_test=40)
X, Y = DATA.X_train, DATA.Y_train
SMALL = TrainConfig(layer_dims=(2, 8, 4, 1), learning_rate=0.3, num_iterations=600)


def copy_params(params):
    return {key: value.copy() for key, value in params.items()}


def assert_same_params(a, b, rtol=1e-12):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=1e-15, err_msg=key)


def test_training_learns_and_records_every_interval():
    result = train(X, Y, replace(SMALL, num_iterations=1000, record_every=100))
    np.testing.assert_array_equal(result.iterations, [*range(0, 1000, 100), 999])
    assert result.costs.shape == result.iterations.shape
    assert np.all(np.isfinite(result.costs))
    assert result.costs[-1] < 0.5 * result.costs[0]
    assert accuracy(X, Y, result.params) > 0.85
    assert not result.diverged and not result.stopped_early and result.message == ""
    assert result.elapsed_s > 0 and result.minibatch_costs is None
    assert_same_params(result.initial_params, init_params(SMALL.layer_dims, "he", seed=3))


def test_full_batch_gradient_descent_equals_a_hand_written_loop():
    config = replace(SMALL, num_iterations=4, decay="inverse", decay_rate=1.0)
    params = init_params(config.layer_dims, "he", seed=config.seed)
    learning_rate = config.learning_rate
    for epoch in range(4):
        _, cache = forward(X, params)
        grads = backward(Y, cache, params)
        params = {key: value - learning_rate * grads[f"d{key}"] for key, value in params.items()}
        # The course decays after the epoch's updates: epochs 0 and 1 both use lr0.
        learning_rate = config.learning_rate / (1 + epoch)
    assert_same_params(train(X, Y, config).params, params)


def test_mini_batch_adam_with_course_seeding_equals_a_hand_written_loop():
    config = replace(
        SMALL,
        optimizer="adam",
        learning_rate=0.01,
        mini_batch_size=32,
        num_epochs=2,
        course_seeding=True,
        lambd=0.2,
    )
    params = init_params(config.layer_dims, "he", seed=3, course=True)
    keys = list(params)
    adam = {key: Adam(params[key].shape) for key in keys}
    for epoch in range(2):
        for batch_X, batch_Y in random_mini_batches(X, Y, 32, seed=11 + epoch):
            _, cache = forward(batch_X, params)
            grads = backward(batch_Y, cache, params, lambd=0.2)
            for key in keys:
                adam[key].step(params[key], grads[f"d{key}"], 0.01)
    assert_same_params(train(X, Y, config).params, params)


def test_course_dropout_reuses_the_mask_drawn_after_seed_1():
    config = replace(SMALL, num_iterations=3, keep_prob=0.7, course_dropout=True)
    params = init_params(config.layer_dims, "he", seed=3)
    for _ in range(3):
        legacy = np.random.RandomState(1)  # the course: np.random.seed(1) in every forward
        masks = {f"D{layer}": legacy.rand(n, X.shape[1]) < 0.7 for layer, n in ((1, 8), (2, 4))}
        _, cache = forward(X, params, keep_prob=0.7, masks=masks)
        grads = backward(Y, cache, params)
        params = {key: value - 0.3 * grads[f"d{key}"] for key, value in params.items()}
    assert_same_params(train(X, Y, config).params, params)


def test_real_dropout_draws_fresh_masks_every_iteration():
    config = replace(SMALL, num_iterations=4, keep_prob=0.7, seed=5)
    params = init_params(config.layer_dims, "he", seed=5)
    # The masks' own stream, spawned from the run's seed (the shuffles keep default_rng(5)):
    # seeded once, drawn from in every step (16-bit uniforms against keep_prob * 2**16,
    # four from each of the generator's 64-bit outputs, D1's first).
    rng = np.random.default_rng(np.random.SeedSequence(5).spawn(1)[0])
    m = X.shape[1]
    threshold = np.uint16(np.floor(0.7 * 2.0**16))
    drawn = []
    for _ in range(4):
        bits = rng.bit_generator.random_raw(-(-12 * m // 4)).view(np.uint16)
        masks = {"D1": bits[: 8 * m].reshape(8, m) < threshold}
        masks["D2"] = bits[8 * m : 12 * m].reshape(4, m) < threshold
        drawn.append(masks["D1"])
        _, cache = forward(X, params, keep_prob=0.7, masks=masks)
        grads = backward(Y, cache, params)
        params = {key: value - 0.3 * grads[f"d{key}"] for key, value in params.items()}
    assert not np.array_equal(drawn[0], drawn[1])  # the loop above really is fresh
    assert_same_params(train(X, Y, config).params, params)


def test_mini_batch_costs_make_up_the_epoch_cost():
    config = replace(
        SMALL, mini_batch_size=32, num_epochs=5, record_every=1, record_minibatch_costs=True
    )
    result = train(X, Y, config)
    sizes = np.array([32, 32, 32, 24])  # 120 examples
    assert result.minibatch_costs.shape == (5 * 4,)
    per_epoch = result.minibatch_costs.reshape(5, 4) @ sizes / 120
    np.testing.assert_allclose(result.costs, per_epoch, rtol=1e-12)


def test_a_batch_as_large_as_the_data_is_full_batch():
    full = train(X, Y, replace(SMALL, num_iterations=50))
    one_batch = train(X, Y, replace(SMALL, num_iterations=50, mini_batch_size=500))
    assert_same_params(full.params, one_batch.params)


def test_runs_are_deterministic_per_seed():
    config = replace(SMALL, num_iterations=30, keep_prob=0.8, mini_batch_size=40)
    first, again = train(X, Y, config), train(X, Y, config)
    assert_same_params(first.params, again.params, rtol=0)
    other = train(X, Y, replace(config, seed=4))
    assert not np.array_equal(first.params["W1"], other.params["W1"])
    course = train(X, Y, replace(config, course_seeding=True))
    assert not np.array_equal(first.params["W1"], course.params["W1"])


def test_initial_params_are_used_and_left_alone():
    start = init_params(SMALL.layer_dims, "xavier", seed=11)
    kept = copy_params(start)
    result = train(X, Y, replace(SMALL, num_iterations=20), initial_params=start)
    assert_same_params(start, kept, rtol=0)
    assert_same_params(result.initial_params, kept, rtol=0)
    assert not np.array_equal(result.params["W1"], kept["W1"])


def test_divergence_is_reported_plainly_with_finite_params():
    # A learning rate of 1e200 overflows the activations within a few steps. (Merely large
    # ones do not: with ReLU and a sigmoid output the overshoot kills units instead.)
    config = replace(SMALL, learning_rate=1e200, num_iterations=300, record_every=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not a single warning, of any kind
        result = train(X, Y, config)
    assert result.diverged
    assert "diverged" in result.message and "Lower the learning rate" in result.message
    assert "1e+200" in result.message
    assert all(np.all(np.isfinite(value)) for value in result.params.values())
    assert np.all(np.isfinite(result.costs)) and result.costs.size >= 1
    assert result.iterations[-1] < 299


def test_callback_sees_progress_and_can_stop_training():
    seen = []

    def callback(progress):
        seen.append(
            (progress.iteration, progress.num_iterations, progress.cost, list(progress.costs))
        )
        assert set(progress.params) == {"W1", "b1", "W2", "b2", "W3", "b3"}
        return False if len(seen) == 3 else None

    result = train(X, Y, replace(SMALL, num_iterations=1000, record_every=100), callback=callback)
    assert [iteration for iteration, *_ in seen] == [0, 100, 200]
    assert all(total == 1000 for _, total, *_ in seen)
    assert [cost for _, _, cost, _ in seen] == list(result.costs)
    assert seen[-1][3] == list(result.costs)
    assert result.stopped_early and not result.diverged
    assert result.message == "Stopped early after 201 of 1000 iterations."
    np.testing.assert_array_equal(result.iterations, [0, 100, 200])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"layer_dims": (2, 0, 1)}, "no empty layer"),
        ({"layer_dims": (2,)}, "no empty layer"),
        ({"layer_dims": (2, 4, 2)}, "exactly one unit"),
        ({"init": "glorot"}, "Unknown initialization 'glorot'"),
        ({"optimizer": "sgd"}, "Unknown optimizer 'sgd'"),
        ({"learning_rate": 0.0}, "learning rate must be a positive number"),
        ({"learning_rate": -0.1}, "learning rate must be a positive number"),
        ({"learning_rate": math.nan}, "learning rate must be a positive number"),
        ({"learning_rate": math.inf}, "learning rate must be a positive number"),
        ({"num_iterations": 0}, "at least one iteration"),
        ({"num_epochs": 0}, "at least one iteration"),
        ({"lambd": -0.1}, "lambda must be zero or positive"),
        ({"lambd": math.nan}, "lambda must be zero or positive"),
        ({"keep_prob": 0.0}, "keep_prob must be in (0, 1]"),
        ({"keep_prob": 1.5}, "keep_prob must be in (0, 1]"),
        ({"mini_batch_size": 0}, "mini-batch size must be at least 1"),
        ({"beta": 1.0}, "betas must be in [0, 1)"),
        ({"beta2": -0.1}, "betas must be in [0, 1)"),
        ({"epsilon": 0.0}, "epsilon must be positive"),
        ({"record_every": 0}, "record_every must be at least 1"),
    ],
)
def test_invalid_settings_raise_plain_value_errors(changes, problem):
    config = replace(SMALL, **changes)
    problems = config.problems()
    assert len(problems) == 1 and problem in problems[0]
    with pytest.raises(ValueError, match=re.escape(problem)):
        train(X, Y, config)


def test_every_problem_is_reported_at_once():
    config = replace(SMALL, learning_rate=-1.0, keep_prob=2.0, optimizer="sgd")
    assert len(config.problems()) == 3
    with pytest.raises(ValueError) as error:
        train(X, Y, config)
    for problem in config.problems():
        assert problem in str(error.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"decay": "scheduled", "decay_interval": 0},
        {"decay": "inverse", "decay_rate": -1.0},
        {"decay": "exponential"},
    ],
    ids=["zero decay interval", "negative decay rate", "unknown decay"],
)
def test_invalid_decay_settings_are_reported_plainly(changes):
    # Unless problems() names them, these crash inside the loop (ZeroDivisionError for the
    # first two) and the app cannot warn before training.
    config = replace(SMALL, num_iterations=5, **changes)
    assert config.problems(), "problems() should name the bad decay setting"
    with pytest.raises(ValueError) as error:
        train(X, Y, config)
    assert str(error.value) == " ".join(config.problems())


@pytest.mark.parametrize(
    "changes",
    [{"mini_batch_size": 2.5}, {"num_iterations": 10.5}, {"num_epochs": 3.5}],
    ids=["fractional batch", "fractional iterations", "fractional epochs"],
)
def test_fractional_counts_are_reported_plainly(changes):
    # Found while testing: problems() accepts these, then range() raises TypeError mid-run.
    config = replace(SMALL, **changes)
    assert config.problems(), "problems() should name the fractional count"
    with pytest.raises(ValueError) as error:
        train(X, Y, config)
    assert str(error.value) == " ".join(config.problems())


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ((X[:1], Y), "The input layer has 2 units but X has 1 features."),
        ((X, Y[:, :-1]), "X must be (n_x, m) and Y (1, m)"),
        ((X, Y.ravel()), "X must be (n_x, m) and Y (1, m)"),
    ],
)
def test_mismatched_data_is_refused_plainly(data, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        train(*data, SMALL)


def test_config_is_hashable_and_normalises_layer_dims():
    config = TrainConfig(layer_dims=[2, 20, 3, 1])
    assert config.layer_dims == (2, 20, 3, 1)
    assert config == TrainConfig() and hash(config) == hash(TrainConfig())
    assert {config: "cached"}[TrainConfig()] == "cached"
    assert replace(config, num_epochs=7).epochs == 7 and config.epochs == 10000


# --- sweeps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        replace(SMALL, num_iterations=400, record_every=50),
        replace(SMALL, optimizer="adam", learning_rate=0.01, mini_batch_size=32, num_epochs=40),
    ],
    ids=["full-batch gd", "mini-batch adam"],
)
def test_lambda_sweep_equals_separate_runs(config):
    values = [0.0, 0.3, 0.7]
    result = sweep(X, Y, config, "lambd", values, X_test=DATA.X_test, Y_test=DATA.Y_test)
    assert result.name == "lambd" and not result.diverged
    np.testing.assert_array_equal(result.values, values)
    assert result.costs.shape == (len(result.iterations), 3)
    for k, value in enumerate(values):
        single = train(X, Y, replace(config, lambd=value))
        np.testing.assert_array_equal(result.iterations, single.iterations)
        np.testing.assert_allclose(result.costs[:, k], single.costs, rtol=1e-12)
        assert_same_params(result.model(k), single.params)
        assert result.train_accuracy[k] == accuracy(X, Y, single.params)
        assert result.test_accuracy[k] == accuracy(DATA.X_test, DATA.Y_test, single.params)


def test_keep_prob_sweep_keeps_the_full_model_exact_and_is_deterministic():
    config = replace(SMALL, num_iterations=300)
    values = [1.0, 0.8, 0.5]
    result = sweep(X, Y, config, "keep_prob", values)
    # keep_prob = 1 draws a mask of ones, so that model trains exactly as without dropout;
    # the others share one rng stream across models, so only their shapes are comparable.
    single = train(X, Y, config)
    np.testing.assert_allclose(result.costs[:, 0], single.costs, rtol=1e-12)
    assert_same_params(result.model(0), single.params)
    assert result.costs.shape == (len(single.iterations), 3)
    assert result.train_accuracy.shape == (3,)
    assert np.all(np.isnan(result.test_accuracy))  # no test set given
    for k in range(3):
        assert result.model(k)["W1"].shape == (8, 2)
    again = sweep(X, Y, config, "keep_prob", values)
    np.testing.assert_array_equal(again.costs, result.costs)
    assert_same_params(again.params, result.params, rtol=0)


def test_sweep_callback_gets_one_cost_per_model():
    costs = []
    sweep(
        X,
        Y,
        replace(SMALL, num_iterations=200),
        "lambd",
        [0.0, 1.0],
        callback=lambda p: costs.append(np.array(p.cost)),
    )
    assert len(costs) == 3 and all(cost.shape == (2,) for cost in costs)


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("learning_rate", [0.1], "Can sweep only lambd or keep_prob"),
        ("lambd", [], "at least one value"),
        ("keep_prob", [1.0, 0.0], "keep_prob must be in (0, 1]"),
        ("lambd", [0.1, -1.0], "lambda must be zero or positive"),
    ],
)
def test_bad_sweeps_are_refused(name, values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        sweep(X, Y, SMALL, name, values)


@pytest.mark.parametrize(
    "config",
    [
        replace(SMALL, keep_prob=0.8, record_every=50),  # fresh dropout masks go on
        replace(
            SMALL,
            optimizer="adam",
            learning_rate=0.01,
            mini_batch_size=32,
            num_iterations=120,
            record_every=10,
            decay="scheduled",
            decay_interval=50,
        ),
    ],
    ids=["dropout", "adam-mini-batches-decay"],
)
def test_a_finished_run_trained_further_equals_one_longer_run(config):
    longer = replace(config, num_iterations=2 * config.num_iterations)
    first = train(X, Y, config, keep_state=True)
    assert first.state is not None and not first.stopped_early

    going_on = train(X, Y, longer, resume=continuation(first, longer))
    straight = train(X, Y, longer)

    # Its optimizer's averages, learning rate and random streams went on where they were.
    assert_same_params(going_on.params, straight.params, rtol=1e-9)
    np.testing.assert_array_equal(going_on.costs[: first.costs.size], first.costs)
    assert going_on.iterations[-1] == longer.epochs - 1
    assert going_on.state is None  # only asked for: a cached run holds less


def test_only_a_kept_state_and_a_longer_run_of_the_same_settings_go_on():
    kept = train(X, Y, SMALL, keep_state=True)
    with pytest.raises(ValueError, match="kept its state"):
        continuation(train(X, Y, SMALL), replace(SMALL, num_iterations=900))
    with pytest.raises(ValueError, match="own settings"):
        continuation(kept, replace(SMALL, num_iterations=900, learning_rate=0.1))
    with pytest.raises(ValueError, match="already trained"):
        continuation(kept, replace(SMALL, num_iterations=100))
