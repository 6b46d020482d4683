"""Stacks of models with different settings, stopping and resuming, and the fast passes the
training loop uses: each against the plain single-model code it must equal."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from dnn_core import TrainConfig, backward, datasets, forward, train, train_stack
from dnn_core.optimizers import StackedOptimizer, make_optimizer
from dnn_core.stack import StackedNetwork, with_ones_row
from dnn_core.sweep import sweep
from tests.core.reference import random_network

DATA = datasets.moons(n_train=150, n_test=50)
X, Y = DATA.X_train, DATA.Y_train
BASE = TrainConfig(layer_dims=(2, 7, 4, 1), learning_rate=0.05, num_iterations=40, record_every=5)
MINI = replace(BASE, mini_batch_size=32, num_epochs=12, record_every=3)


def assert_same_result(ours, alone, rtol=1e-9):
    """A model of a stack (or a resumed run) against the run of its config alone."""
    assert ours.params.keys() == alone.params.keys()
    for key in alone.params:
        np.testing.assert_allclose(ours.params[key], alone.params[key], rtol=rtol, atol=1e-13)
    np.testing.assert_array_equal(ours.iterations, alone.iterations)
    np.testing.assert_allclose(ours.costs, alone.costs, rtol=rtol)
    for key in alone.initial_params:
        np.testing.assert_array_equal(ours.initial_params[key], alone.initial_params[key])
    assert (ours.diverged, ours.stopped_early) == (alone.diverged, alone.stopped_early)
    assert ours.message == alone.message
    if alone.minibatch_costs is None:
        assert ours.minibatch_costs is None
    else:
        np.testing.assert_allclose(ours.minibatch_costs, alone.minibatch_costs, rtol=rtol)


def assert_stack_equals_separate_runs(base, changes):
    configs = [replace(base, **change) for change in changes]
    stacked = train_stack(X, Y, configs)
    assert len(stacked) == len(configs)
    for ours, config in zip(stacked, configs, strict=True):
        assert_same_result(ours, train(X, Y, config))
    return stacked


OPTIMIZERS = [
    {"optimizer": "gd", "learning_rate": 0.3},
    {"optimizer": "momentum", "learning_rate": 0.1, "beta": 0.8},
    {"optimizer": "adam", "learning_rate": 0.01, "beta1": 0.85, "beta2": 0.99, "epsilon": 1e-7},
    {"optimizer": "momentum", "learning_rate": 0.2},
    {"optimizer": "adam", "learning_rate": 0.003},
]


@pytest.mark.parametrize("base", [BASE, MINI, replace(MINI, course_seeding=True)],
                         ids=["full batch", "mini-batches", "course seeding"])  # fmt: skip
def test_optimizers_with_their_own_settings_train_as_one_stack(base):
    # gd, momentum, adam, momentum, adam: the kinds' rows are apart, not contiguous.
    assert_stack_equals_separate_runs(base, OPTIMIZERS)


@pytest.mark.parametrize("base", [BASE, MINI], ids=["full batch", "mini-batches"])
def test_decays_l2_and_dropout_differ_per_model(base):
    results = assert_stack_equals_separate_runs(
        base,
        [
            {"decay": "inverse", "decay_rate": 0.5, "lambd": 0.3},
            {"decay": "scheduled", "decay_interval": 4, "optimizer": "adam", "learning_rate": 0.01},
            {"keep_prob": 0.7, "lambd": 0.7},
            {"keep_prob": 0.85, "course_dropout": True},
            {},
        ],
    )
    assert not np.allclose(results[0].params["W1"], results[4].params["W1"])


def test_models_with_fresh_dropout_apart_in_a_stack_each_draw_their_own_masks():
    # Fresh masks in rows 0-1 and 3, the course's fixed masks in 4, none in 2 and 5: each
    # run of neighbours remakes its factors every pass, the others keep theirs.
    assert_stack_equals_separate_runs(
        MINI,
        [
            {"keep_prob": 0.7},
            {"keep_prob": 0.9},
            {},
            {"keep_prob": 0.8},
            {"keep_prob": 0.85, "course_dropout": True},
            {},
        ],
    )


def test_initialization_schemes_and_given_starts_train_as_one_stack():
    configs = [replace(BASE, init=scheme) for scheme in ("zeros", "random", "he", "xavier")]
    configs[1] = replace(configs[1], init_scale=3.0)
    for ours, config in zip(train_stack(X, Y, configs), configs, strict=True):
        assert_same_result(ours, train(X, Y, config))
    start = random_network(BASE.layer_dims, m=1, seed=4)[0]
    ours = train_stack(X, Y, [BASE, BASE], initial_params=[start, None])
    assert_same_result(ours[0], train(X, Y, BASE, initial_params=start))
    assert_same_result(ours[1], train(X, Y, BASE))


def test_mini_batch_costs_of_a_stack_are_each_models_own():
    base = replace(MINI, record_minibatch_costs=True)
    assert_stack_equals_separate_runs(base, [{"lambd": 0.5}, {"optimizer": "adam"}])


def test_a_diverging_model_ends_only_its_own_run():
    configs = [BASE, replace(BASE, learning_rate=1e200), replace(BASE, lambd=0.2)]
    results = train_stack(X, Y, configs)
    assert [r.diverged for r in results] == [False, True, False]
    for ours, config in zip(results, configs, strict=True):
        assert_same_result(ours, train(X, Y, config))
    assert all(np.all(np.isfinite(value)) for value in results[1].params.values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"layer_dims": (2, 5, 1)}, "layer_dims"),
        ({"num_iterations": 41}, "epochs"),
        ({"mini_batch_size": 16}, "mini_batch_size"),
        ({"seed": 4}, "seed"),
        ({"course_seeding": True}, "course_seeding"),
        ({"record_every": 2}, "record_every"),
    ],
)
def test_models_that_do_not_share_the_data_path_are_refused_by_name(change, field):
    with pytest.raises(ValueError, match=f"must share {re.escape(field)}"):
        train_stack(X, Y, [BASE, replace(BASE, **change)])


def test_bad_stacks_are_refused_plainly():
    with pytest.raises(ValueError, match="at least one configuration"):
        train_stack(X, Y, [])
    with pytest.raises(ValueError, match="one start per configuration"):
        train_stack(X, Y, [BASE, BASE], initial_params=[None])
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        train_stack(X, Y, [BASE, replace(BASE, learning_rate=-1.0)])


def test_a_stacks_callback_sees_every_models_cost_and_can_stop_it():
    seen = []

    def callback(progress):
        seen.append(progress.cost.copy())
        assert progress.params["W1"].shape == (3, 7, 2)
        return len(seen) < 2

    results = train_stack(X, Y, [BASE] * 3, callback=callback)
    assert len(seen) == 2 and all(cost.shape == (3,) for cost in seen)
    assert all(r.stopped_early and r.message.startswith("Stopped early after 6") for r in results)


def test_keep_prob_sweep_models_equal_their_runs_alone():
    values = [1.0, 0.8, 0.5]
    result = sweep(X, Y, MINI, "keep_prob", values)
    for k, value in enumerate(values):
        alone = train(X, Y, replace(MINI, keep_prob=value))
        np.testing.assert_allclose(result.costs[:, k], alone.costs, rtol=1e-9)
        for key in alone.params:
            np.testing.assert_allclose(result.model(k)[key], alone.params[key], rtol=1e-9)


def test_a_sweep_with_a_diverging_value_keeps_the_others():
    result = sweep(X, Y, BASE, "lambd", [0.0, 1e60])  # the L2 step overshoots to inf
    assert result.diverged and result.message.startswith("Training diverged at iteration 5")
    assert np.all(np.isnan(result.costs[2:, 1])) and np.all(np.isfinite(result.costs[:, 0]))
    alone = train(X, Y, BASE)
    np.testing.assert_allclose(result.costs[:, 0], alone.costs, rtol=1e-9)


# --- stop and resume ------------------------------------------------------------------------

RESUMABLE = [
    replace(MINI, optimizer="adam", learning_rate=0.01, keep_prob=0.8, decay="inverse"),
    replace(MINI, optimizer="momentum", keep_prob=0.9, course_dropout=True, lambd=0.4),
    replace(MINI, decay="scheduled", decay_interval=5, record_minibatch_costs=True),
    replace(BASE, optimizer="adam", learning_rate=0.02, keep_prob=0.7),
]


class StopAfter:
    """``should_stop`` that says yes on its ``n``-th call (and counts every call)."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls == self.n


@pytest.mark.parametrize("config", RESUMABLE, ids=["adam", "momentum", "decay", "full batch"])
@pytest.mark.parametrize("stops", [(1,), (17,), (4, 14, 3)], ids=["at once", "mid-epoch", "often"])
def test_stop_then_resume_equals_the_uninterrupted_run(config, stops):
    whole = train(X, Y, config)
    result = None
    for n in stops:
        result = train(X, Y, config, should_stop=StopAfter(n), resume=result)
        assert result.stopped_early and result.state is not None
        assert result.message.startswith("Stopped early after")
    final = train(X, Y, config, resume=result)
    assert final.state is None
    assert_same_result(final, whole, rtol=0)  # the same steps in the same order: exact


def test_should_stop_is_asked_once_per_step():
    asked = StopAfter(0)  # never says yes
    train(X, Y, MINI, should_stop=asked)
    assert asked.calls == MINI.epochs * 5  # 150 examples in batches of 32
    asked = StopAfter(0)
    train(X, Y, BASE, should_stop=asked)
    assert asked.calls == BASE.epochs


def test_a_stop_keeps_what_was_learnt_up_to_the_step():
    stopped = train(X, Y, MINI, should_stop=StopAfter(11))  # 10 steps: 2 epochs
    two_epochs = train(X, Y, replace(MINI, num_epochs=2))
    for key in two_epochs.params:
        np.testing.assert_array_equal(stopped.params[key], two_epochs.params[key])
    assert stopped.state.epoch == 2 and stopped.state.batch == 0
    assert stopped.message == f"Stopped early after 2 of {MINI.epochs} iterations."


def test_a_stack_stopped_then_resumed_equals_its_uninterrupted_run():
    configs = [replace(RESUMABLE[0], optimizer=name) for name in ("adam", "gd", "momentum")]
    configs.append(RESUMABLE[1])
    whole = train_stack(X, Y, configs)
    stopped = train_stack(X, Y, configs, should_stop=StopAfter(23))
    assert all(r.stopped_early for r in stopped)
    resumed = train_stack(X, Y, configs, resume=stopped)
    for ours, uninterrupted in zip(resumed, whole, strict=True):
        assert_same_result(ours, uninterrupted, rtol=0)


def test_a_run_stopped_by_its_callback_resumes_too():
    whole = train(X, Y, RESUMABLE[0])
    stopped = train(X, Y, RESUMABLE[0], callback=lambda progress: progress.iteration < 3)
    assert stopped.stopped_early and stopped.state.epoch == 4
    assert_same_result(train(X, Y, RESUMABLE[0], resume=stopped), whole, rtol=0)


def test_resuming_needs_a_stopped_run_of_the_same_config():
    stopped = train(X, Y, MINI, should_stop=StopAfter(4))
    with pytest.raises(ValueError, match="with the configuration it was stopped with"):
        train(X, Y, replace(MINI, lambd=0.1), resume=stopped)
    with pytest.raises(ValueError, match="Only a run that was stopped early"):
        train(X, Y, MINI, resume=train(X, Y, MINI))


# --- the fast passes and the stacked optimizer ------------------------------------------


@pytest.mark.parametrize("keep_prob", [1.0, 0.6])
@pytest.mark.parametrize("lead", [(), (3,)], ids=["one model", "three models"])
def test_the_fast_passes_equal_forward_and_backward(keep_prob, lead):
    dims = (3, 6, 5, 4, 1)
    K = lead[0] if lead else 1
    cases = [random_network(dims, m=37, seed=seed, keep_prob=keep_prob) for seed in range(K)]
    X_case = cases[0][1]
    lambd = np.array([0.0, 0.5, 2.0])[:K].reshape(*lead, 1, 1) if lead else 0.5
    net = StackedNetwork(dims, lead, lambd=lambd)
    for k, (params, *_) in enumerate(cases):
        net.theta[k if lead else ...] = net.as_vector(params)
    masks = None
    if keep_prob < 1:
        masks = [np.stack([c[3][f"D{l}"] for c in cases]).reshape(*lead, -1, 37) / keep_prob
                 for l in (1, 2, 3)]  # fmt: skip
    X1 = with_ones_row(X_case)
    AL, _ = net.forward(X1, masks)
    grads = net.backward(X1, cases[0][2])
    for k, (params, _, _, case_masks) in enumerate(cases):
        row = k if lead else ...
        expected_AL, cache = forward(X_case, params, keep_prob=keep_prob, masks=case_masks)
        expected = backward(cases[0][2], cache, params, lambd=float(np.ravel(lambd)[k]))
        np.testing.assert_allclose(AL[row], expected_AL, rtol=1e-13)
        ours = net.as_dict(grads[row])
        for key in params:
            np.testing.assert_allclose(ours[key], expected[f"d{key}"], rtol=1e-12, atol=1e-16)


def test_the_parameter_views_write_into_theta():
    net = StackedNetwork((2, 3, 1), (2,))
    net.params["W1"][1] = 7.0
    net.params["b2"][0] = -1.0
    assert np.count_nonzero(net.theta == 7.0) == 6 and np.count_nonzero(net.theta == -1.0) == 1
    assert np.shares_memory(net.blocks[0], net.theta)


def test_the_stacked_optimizer_steps_each_model_with_its_own_rule():
    names = ["adam", "gd", "momentum", "adam"]
    settings = {
        "beta": [0.9, 0.9, 0.5, 0.9],
        "beta1": [0.8, 0.9, 0.9, 0.95],
        "beta2": [0.99, 0.999, 0.999, 0.9],
        "epsilon": [1e-8, 1e-8, 1e-8, 1e-3],
    }
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((4, 6))
    expected = theta.copy()
    stacked = StackedOptimizer(names, theta.shape, **settings)
    alone = [
        make_optimizer(name, 6, **{key: values[k] for key, values in settings.items()})
        for k, name in enumerate(names)
    ]
    rates = np.array([[0.01], [0.1], [0.2], [0.05]])
    for _ in range(3):
        grad = rng.standard_normal((4, 6))
        stacked.step(theta, grad, rates)
        for k, optimizer in enumerate(alone):
            optimizer.step(expected[k], grad[k], rates[k, 0])
    np.testing.assert_allclose(theta, expected, rtol=1e-14)
    state = stacked.model_state(3)
    np.testing.assert_allclose(state["s_sum"], alone[3].s_sum, rtol=1e-14)
    assert state["t"] == 3 and set(stacked.model_state(1)) == {"t"}
