"""AppTests of the Optimization lesson: the chosen optimizers are trained and compared
(cost per epoch and per mini-batch, boundaries, accuracy table), their settings change
what is drawn, and impossible settings end in a plain message."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.app.apptest_tools import (
    array,
    assert_clean,
    chart,
    chart_keys,
    clear_caches,
    messages,
    open_page,
    trace,
)
from ui.lesson_controls import OPTIMIZER_CHOICES

PAGE = "pages/4_Optimization.py"
EPOCHS = 60
QUICK = {"opt_iterations": EPOCHS}
LEARNING_RATE = 0.1  # the lesson's default
TRAINING_POINTS = 300  # the moons data set's training split
COURSE_BUTTON = "Course settings (10 000 epochs, slower)"


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()


def quick_page(**settings):
    return open_page(PAGE, **(QUICK | settings)).run()


def epoch_costs(app, choice: str) -> np.ndarray:
    return array(trace(chart(app, "opt-costs"), OPTIMIZER_CHOICES[choice])["y"])


def step_costs(app, choice: str) -> np.ndarray:
    return array(trace(chart(app, "opt-minibatch-costs"), OPTIMIZER_CHOICES[choice])["y"])


def table(app):
    return app.table[0].value.set_index("optimizer")


def test_default_page_compares_all_four_optimizers_and_tells_them_apart():
    app = quick_page()

    assert_clean(app)
    assert chart_keys(app) == [
        "opt-costs",
        "opt-minibatch-costs",
        "opt-boundary-batch",
        "opt-boundary-minibatch",
        "opt-boundary-momentum",
        "opt-boundary-adam",
        "opt-landscape",
    ]
    names = [OPTIMIZER_CHOICES[choice] for choice in OPTIMIZER_CHOICES]
    lines = chart(app, "opt-costs")["data"]
    assert [line["name"] for line in lines] == names
    assert len({line["line"]["dash"] for line in lines}) == len(names)  # apart where they meet
    assert list(table(app).index) == names
    # No two curves are the same line: every pair is apart somewhere by a visible margin.
    curves = [epoch_costs(app, choice) for choice in OPTIMIZER_CHOICES]
    for i, first in enumerate(curves):
        for second in curves[i + 1 :]:
            assert np.max(np.abs(first - second)) > 0.03
    # Mini-batches of 16 on 300 points: 19 steps per epoch, each step's cost recorded.
    assert len(step_costs(app, "adam")) == EPOCHS * math.ceil(TRAINING_POINTS / 16)
    # Same start and same first mini-batch, so the same first cost (measured before the
    # first step); Adam ends lower than plain mini-batch GD.
    assert step_costs(app, "adam")[0] == step_costs(app, "minibatch")[0]
    assert epoch_costs(app, "adam")[-1] < epoch_costs(app, "minibatch")[-1]
    rows = table(app)
    assert rows.loc[OPTIMIZER_CHOICES["adam"], "final cost"] == pytest.approx(
        epoch_costs(app, "adam")[-1]
    )
    assert rows.loc[OPTIMIZER_CHOICES["adam"], "train accuracy"] > 0.85


def path_lines(app) -> list[dict]:
    return [line for line in chart(app, "opt-landscape")["data"] if line.get("mode") == "lines"]


def test_the_landscape_is_a_contour_with_one_line_path_per_optimizer():
    app = quick_page()

    figure = chart(app, "opt-landscape")
    contour = figure["data"][0]
    assert contour["type"] == "contour"
    grid = array(contour["z"])
    assert grid.shape == (len(array(contour["y"])), len(array(contour["x"])))
    assert 40 <= grid.shape[0] <= 60 and grid.dtype == np.float32
    lines = path_lines(app)
    # One line an optimizer, named, coloured and dashed as in the cost chart.
    cost_lines = chart(app, "opt-costs")["data"]
    assert [line["name"] for line in lines] == [line["name"] for line in cost_lines]
    assert [line["name"] for line in lines] == list(OPTIMIZER_CHOICES.values())
    assert [(line["line"]["color"], line["line"]["dash"]) for line in lines] == [
        (line["line"]["color"], line["line"]["dash"]) for line in cost_lines
    ]
    # Every path starts at the same weights (one ring) and has its own end marker.
    starts = {
        tuple(np.round(array(line["x"])[:1].tolist() + array(line["y"])[:1].tolist(), 4))
        for line in lines
    }
    assert len(starts) == 1
    ends = [item for item in figure["data"] if item.get("mode") == "markers"]
    assert {item.get("legendgroup") for item in ends} >= set(OPTIMIZER_CHOICES.values())
    # Adam, the lowest at the end, sits at the centre of the plane; batch GD (one step an
    # epoch) has moved the least.
    lengths = {
        line["name"]: float(np.sum(np.hypot(np.diff(array(line["x"])), np.diff(array(line["y"])))))
        for line in lines
    }
    adam = lines[-1]
    assert (array(adam["x"])[-1], array(adam["y"])[-1]) == pytest.approx((0.0, 0.0), abs=1e-4)
    assert min(lengths, key=lengths.get) == OPTIMIZER_CHOICES["batch"]
    assert any("principal directions" in text.value for text in app.markdown)


def test_the_landscape_follows_the_chosen_optimizers():
    app = quick_page(opt_optimizers=["minibatch", "adam"])

    assert_clean(app)
    assert [line["name"] for line in path_lines(app)] == [
        OPTIMIZER_CHOICES["minibatch"],
        OPTIMIZER_CHOICES["adam"],
    ]


def test_a_network_too_large_for_a_landscape_gets_a_plain_note_instead():
    app = quick_page(opt_optimizers=["adam"], opt_hidden="100, 100, 100", opt_iterations=2)

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert "opt-landscape" not in chart_keys(app) and "opt-costs" in chart_keys(app)
    assert any("too large to draw its cost landscape" in info.value for info in app.info)


def test_choosing_other_optimizers_changes_the_curves():
    app = quick_page(opt_optimizers=["batch", "adam"])

    assert_clean(app)
    assert [line["name"] for line in chart(app, "opt-costs")["data"]] == [
        OPTIMIZER_CHOICES["batch"],
        OPTIMIZER_CHOICES["adam"],
    ]
    assert "opt-boundary-minibatch" not in chart_keys(app)
    # Batch GD takes one step per epoch, so its per-step costs are its epoch costs.
    batch_steps = step_costs(app, "batch")
    assert len(batch_steps) == EPOCHS
    assert epoch_costs(app, "batch")[-1] > epoch_costs(app, "adam")[-1]


def test_mini_batch_size_sets_the_number_of_steps():
    app = quick_page(opt_optimizers=["minibatch"], opt_batch_size=32)

    assert len(step_costs(app, "minibatch")) == EPOCHS * math.ceil(TRAINING_POINTS / 32)


def test_momentum_beta_changes_the_run():
    plain = quick_page(opt_optimizers=["momentum"], opt_beta=0.0)
    heavy = quick_page(opt_optimizers=["momentum"], opt_beta=0.9)
    minibatch = quick_page(opt_optimizers=["minibatch"])

    # beta = 0 keeps no velocity: exactly mini-batch gradient descent.
    np.testing.assert_allclose(
        step_costs(plain, "momentum"), step_costs(minibatch, "minibatch"), rtol=1e-12
    )
    assert not np.allclose(step_costs(heavy, "momentum"), step_costs(plain, "momentum"))


def test_learning_rate_decay_is_drawn_and_slows_learning():
    constant = quick_page(opt_optimizers=["adam"])
    decayed = quick_page(opt_optimizers=["adam"], opt_decay="inverse", opt_decay_rate=1.0)

    assert "opt-learning-rate" not in chart_keys(constant)
    rates = array(trace(chart(decayed, "opt-learning-rate"), "learning rate")["y"])
    # Decayed after each epoch's updates, as the course does: epochs 0 and 1 train at lr0.
    trained_after = np.maximum(np.arange(EPOCHS) - 1, 0)
    np.testing.assert_allclose(rates, LEARNING_RATE / (1.0 + trained_after))
    assert epoch_costs(decayed, "adam")[-1] > epoch_costs(constant, "adam")[-1]


def test_scheduled_decay_steps_down_every_interval():
    app = quick_page(
        opt_optimizers=["adam"], opt_decay="scheduled", opt_decay_rate=1.0, opt_decay_interval=20
    )

    rates = array(trace(chart(app, "opt-learning-rate"), "learning rate")["y"])
    trained_after = np.maximum(np.arange(EPOCHS) - 1, 0)
    np.testing.assert_allclose(rates, LEARNING_RATE / (1.0 + trained_after // 20))


def test_no_optimizer_chosen_asks_for_one():
    app = quick_page(opt_optimizers=[])

    assert messages(app)["exception"] == []
    assert any("at least one optimizer" in info.value for info in app.info)
    assert chart_keys(app) == []


def test_too_many_steps_cap_the_epochs_with_a_plain_note():
    app = quick_page(opt_iterations=1000, opt_batch_size=1, opt_optimizers=["minibatch"])

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    (note,) = [info.value for info in app.info if "steps per optimizer" in info.value]
    assert "300,000 steps" in note and "trains 333 epochs" in note
    epochs = array(trace(chart(app, "opt-costs"), OPTIMIZER_CHOICES["minibatch"])["x"])
    assert epochs[-1] == 332  # 333 epochs of 300 steps: within the page's 100,000
    assert app.number_input(key="opt_iterations").value == 1000  # the setting is kept


def test_course_preset_sets_the_course_settings():
    # Batch GD alone keeps 10 000 epochs quick (one step each); the preset must not touch
    # the choice of optimizers.
    app = quick_page(opt_optimizers=["batch"], opt_batch_size=32, opt_lr=0.05)
    app.button(key="opt_preset_0").click().run()

    assert_clean(app)
    assert app.button(key="opt_preset_0").label == COURSE_BUTTON
    assert app.number_input(key="opt_lr").value == pytest.approx(0.0007)
    assert app.number_input(key="opt_iterations").value == 10_000
    assert app.select_slider(key="opt_batch_size").value == 64
    assert len(epoch_costs(app, "batch")) > 0
    assert array(trace(chart(app, "opt-costs"), OPTIMIZER_CHOICES["batch"])["x"])[-1] == 9999
