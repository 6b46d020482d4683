"""AppTests of the Regularization lesson: λ and keep_prob change what is trained and drawn,
the course's comparison and the sweeps are there, and bad settings give plain messages."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import accuracy, compute_cost, datasets, forward
from tests.app.apptest_tools import (
    array,
    assert_clean,
    cached_trainings,
    chart,
    chart_keys,
    messages,
    metrics,
    open_page,
    trace,
)

PAGE = "pages/2_Regularization.py"
LAMBDAS = {"none": 0.0, "l2": 0.7}
QUICK = {"reg_iterations": 300}


def quick_page(**settings):
    return open_page(PAGE, **(QUICK | settings)).run()


def main_costs(app) -> np.ndarray:
    return array(trace(chart(app, "reg-main-cost"), "cost")["y"])


def test_page_runs_clean_and_draws_every_chart():
    app = quick_page()

    assert_clean(app)
    assert chart_keys(app) == [
        "reg-main-cost",
        "reg-main-boundary",
        "reg-course-0",
        "reg-course-1",
        "reg-course-2",
        "reg-train-test-costs",
        "reg-sweep-lambd",
        "reg-sweep-keep_prob",
        "reg-weights",
        "reg-bowl",  # the unit maps wait for their toggle
    ]
    assert {"Train accuracy", "Test accuracy", "Gap (train - test)", "Final cost"} <= set(
        metrics(app)
    )


def test_at_its_defaults_the_page_shows_overfitting_and_regularization_curing_it():
    app = open_page(PAGE).run()  # as a student opens the lesson

    assert_clean(app)
    assert app.button_group(key="reg_mode").value == "none"
    gap = float(metrics(app)["Gap (train - test)"].removesuffix(" pts"))
    assert gap >= 5  # the unregularized run fits the training set's noise
    table = app.table[0].value.set_index("model")
    plain, *regularized = table.index
    assert table.loc[plain, "gap (pts)"] == pytest.approx(gap, abs=0.05)
    for name in regularized:
        assert table.loc[name, "gap (pts)"] <= gap / 2, name
        assert table.loc[name, "test accuracy"] > table.loc[plain, "test accuracy"], name
    # Overfitting as it happens: the plain model's test cost turns up while its training
    # cost goes on falling; L2's ends far lower.
    curves = {t["name"]: array(t["y"]) for t in chart(app, "reg-train-test-costs")["data"]}
    plain_train, plain_test = curves[f"{plain}, train"], curves[f"{plain}, test"]
    assert plain_train[-1] < plain_train[len(plain_train) // 4]
    assert plain_test[-1] > 1.5 * plain_test.min()
    assert curves[f"{regularized[0]}, test"][-1] < plain_test[-1] / 1.5


@pytest.mark.parametrize("mode", ["none", "l2"])
def test_metrics_score_the_run_on_its_own_training_and_test_points(mode):
    app = quick_page(reg_mode=mode, reg_lambd=0.7)

    assert_clean(app)
    (result,) = [
        run
        for config, run in cached_trainings()
        if config.lambd == LAMBDAS[mode] and config.keep_prob == 1.0
    ]
    data = datasets.load("football")  # the lesson's data set at its own noise and seed
    train = accuracy(data.X_train, data.Y_train, result.params)
    test = accuracy(data.X_test, data.Y_test, result.params)
    assert f"{train:.1%}" != f"{test:.1%}"  # so a metric showing the other set would show
    shown = metrics(app)
    assert (shown["Train accuracy"], shown["Test accuracy"]) == (f"{train:.1%}", f"{test:.1%}")
    assert shown["Gap (train - test)"] == f"{(train - test) * 100:+.1f} pts"


def test_changing_lambda_changes_the_run():
    app = quick_page(reg_mode="l2", reg_lambd=0.7)
    costs_before = main_costs(app)

    app.slider(key="reg_lambd").set_value(3.0).run()

    assert_clean(app)
    costs_after = main_costs(app)
    assert costs_after[0] > costs_before[0]  # a larger penalty on the same starting weights
    assert metrics(app)["Final cost"] == f"{costs_after[-1]:.4g}"


def test_modes_and_keep_prob_change_the_run_and_disable_unused_sliders():
    app = quick_page(reg_mode="none")
    assert app.slider(key="reg_lambd").disabled and app.slider(key="reg_keep_prob").disabled
    plain = main_costs(app)

    app.button_group(key="reg_mode").set_value("dropout").run()
    assert app.slider(key="reg_lambd").disabled and not app.slider(key="reg_keep_prob").disabled
    dropout = main_costs(app)
    app.slider(key="reg_keep_prob").set_value(0.5).run()
    stronger_dropout = main_costs(app)

    assert_clean(app)
    assert not np.allclose(plain, dropout)
    assert not np.allclose(dropout, stronger_dropout)


def test_course_comparison_and_sweeps_are_computed_live():
    app = quick_page(reg_mode="l2", reg_lambd=0.7)

    table = app.table[0].value
    assert list(table["model"]) == [
        "no regularization",
        "L2, \N{GREEK SMALL LETTER LAMDA} = 0.7",
        "dropout, keep_prob = 0.86",
    ]
    assert table[["train accuracy", "test accuracy"]].to_numpy().min() > 0.5
    lambda_sweep = chart(app, "reg-sweep-lambd")
    assert list(array(trace(lambda_sweep, "train")["x"])) == [0.0, 0.1, 0.3, 0.7, 1.5, 3.0]
    test_accuracy = array(trace(lambda_sweep, "test")["y"])
    assert np.all((test_accuracy >= 0.5) & (test_accuracy <= 1.0))
    # The current λ is marked on its sweep; keep_prob is not in use, so not marked.
    assert [shape["x0"] for shape in lambda_sweep["layout"]["shapes"]] == [0.7]
    assert "shapes" not in chart(app, "reg-sweep-keep_prob")["layout"]


@pytest.mark.parametrize(("mode", "marked"), [("none", []), ("dropout", ["keep_prob"])])
def test_a_sweep_marks_the_current_setting_only_while_it_is_in_use(mode, marked):
    app = quick_page(reg_mode=mode, reg_lambd=0.7, reg_keep_prob=0.8)

    shapes = {
        name: chart(app, f"reg-sweep-{name}")["layout"].get("shapes", [])
        for name in ("lambd", "keep_prob")
    }
    assert [name for name, drawn in shapes.items() if drawn] == marked
    if marked:
        assert [shape["x0"] for shape in shapes["keep_prob"]] == [0.8]


def test_weight_histograms_show_l2_shrinking_the_weights():
    app = quick_page()

    weights = chart(app, "reg-weights")
    plain = np.concatenate(
        [array(t["x"]) for t in weights["data"] if t["name"] == "no regularization"]
    )
    decayed = np.concatenate([array(t["x"]) for t in weights["data"] if t["name"].startswith("L2")])
    assert decayed.mean() < plain.mean()
    norms = [m.value for m in app.metric if m.label.startswith("\N{GREEK CAPITAL LETTER SIGMA}")]
    assert float(norms[1]) < float(norms[0])


def bowls(app) -> dict[str, list[np.ndarray]]:
    """Network name -> its cost along each direction of the bowl chart."""
    lines: dict[str, list[np.ndarray]] = {}
    for line in chart(app, "reg-bowl")["data"]:
        lines.setdefault(line["name"], []).append(array(line["y"]))
    return lines


def test_the_bowl_compares_the_cost_around_the_weights_without_and_with_l2():
    app = quick_page()

    lines = bowls(app)
    assert list(lines) == ["no regularization", "L2, λ = 0.7"]
    plain, l2 = lines.values()
    assert len(plain) == len(l2) == 2  # the same two directions for both networks
    # At step 0 each line is its own trained network's cost, with its own L2 term.
    data = datasets.load("football")
    for lambd, curves in ((0.0, plain), (0.7, l2)):
        (run,) = [
            run
            for config, run in cached_trainings()
            if config.lambd == lambd and config.keep_prob == 1.0
        ]
        AL, _ = forward(data.X_train, run.params)
        cost = compute_cost(AL, data.Y_train, run.params, lambd=lambd)
        for curve in curves:
            assert curve[len(curve) // 2] == pytest.approx(cost, rel=1e-9)
    for without, with_l2 in zip(plain, l2, strict=True):
        middle = len(without) // 2
        # Both curves are lowest near the trained weights (step 0) ...
        assert without[middle] <= np.min(without) + 0.05
        assert with_l2[middle] <= np.min(with_l2) + 0.05
        # ... and L2's bowl is wider: a step of the weights' own size costs it less.
        assert np.max(with_l2) - with_l2[middle] < np.max(without) - without[middle]


def test_the_bowl_uses_the_chosen_lambda_when_l2_is_on():
    app = quick_page(reg_mode="l2", reg_lambd=1.5)

    assert list(bowls(app)) == ["no regularization", "L2, λ = 1.5"]


def test_malformed_architecture_warns_with_a_clear_message():
    app = quick_page(reg_hidden="twenty")

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert len(said["warning"]) == 1 and "Could not read the architecture" in said["warning"][0]
    assert "reg-main-boundary" in chart_keys(app)


def test_too_many_layers_is_refused_in_plain_words():
    app = quick_page(reg_hidden="5, 5, 5, 5, 5, 5, 5")

    said = messages(app)
    assert said["exception"] == []
    assert said["warning"] == [
        "At most 6 hidden layers, please (got 7). Using the lesson's default (20, 3) until it "
        "is fixed."
    ]


def test_diverging_learning_rate_shows_a_warning_not_a_traceback():
    app = quick_page(reg_hidden="50, 50, 50, 50, 50, 50", reg_lr=10.0, reg_iterations=60)

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert any("diverged" in warning for warning in said["warning"]), said
    assert "reg-main-boundary" in chart_keys(app)
