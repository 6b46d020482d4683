"""AppTests of the Initialization lesson: it runs clean, each scheme changes what is drawn,
and bad settings end in a plain message instead of a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.apptest_tools import (
    array,
    assert_clean,
    chart,
    chart_keys,
    messages,
    metrics,
    open_page,
    trace,
)

PAGE = "pages/1_Initialization.py"
RANDOM = "Random \N{MULTIPLICATION SIGN} scale"
QUICK = {"init_iterations": 300}


def quick_page(**settings):
    return open_page(PAGE, **(QUICK | settings)).run()


def boundary_probabilities(app) -> np.ndarray:
    return array(trace(chart(app, "init-main-boundary"), "P(class 1)")["z"])


def test_page_runs_clean_and_draws_every_chart():
    app = quick_page()

    assert_clean(app)
    assert chart_keys(app) == [
        "init-main-cost",
        "init-main-boundary",
        "init-comparison-costs",
        "init-activations",
        "init-gradients",
        "init-symmetry-0",
        "init-symmetry-1",
        "init-symmetry-2",
        "init-unit-maps",
        "init-unit-map",
    ]
    shown = metrics(app)
    assert shown["Train accuracy"].endswith("%")
    assert shown["Test accuracy"].endswith("%")
    costs = array(trace(chart(app, "init-main-cost"), "cost")["y"])
    assert costs[-1] < costs[0]  # He on circles learns


def test_switching_to_zeros_changes_the_charts_and_metrics():
    app = quick_page()
    he_costs = array(trace(chart(app, "init-main-cost"), "cost")["y"])
    he_probabilities = boundary_probabilities(app)

    app.button_group(key="init_scheme").set_value("zeros").run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert said["warning"] == [
        "Every weight is still exactly 0: each hidden unit outputs 0 and receives a zero "
        "gradient, so nothing ever moves and the network answers 0.5 everywhere."
    ]
    assert metrics(app)["Train accuracy"] == "50.0%"
    zero_costs = array(trace(chart(app, "init-main-cost"), "cost")["y"])
    assert not np.allclose(zero_costs[: he_costs.size], he_costs[: zero_costs.size])
    assert np.allclose(zero_costs, np.log(2.0), atol=1e-3)  # stuck at ln 2
    zero_probabilities = boundary_probabilities(app)
    assert np.ptp(zero_probabilities) < 1e-9 < np.ptp(he_probabilities)  # one class everywhere


def test_comparison_table_lists_all_schemes_and_zeros_stays_symmetric():
    app = quick_page()

    table = app.table[0].value
    assert list(table["initialization"]) == [
        "Zeros",
        "Random \N{MULTIPLICATION SIGN} scale",
        "He",
        "Xavier",
    ]
    assert table["train accuracy"].iloc[0] == pytest.approx(0.5)
    assert table["train accuracy"].iloc[2] > 0.6  # He learns even in a few hundred steps
    comparison = chart(app, "init-comparison-costs")
    assert [item["name"] for item in comparison["data"]] == list(table["initialization"])
    row_differences = [m.value for m in app.metric if m.label.startswith("Largest difference")]
    verdicts = [c.value for c in app.caption if c.value.startswith(("Identical", "Distinct"))]
    # Zeros and a constant start: identical units. Equal rows may end a few ulps apart
    # (the BLAS kernel's summation order), which the page calls round-off, not a difference.
    assert row_differences[0] == "0"
    assert row_differences[1] in ("0", "\N{ALMOST EQUAL TO} 0")
    assert [v.split(":")[0] for v in verdicts] == ["Identical units"] * 2 + ["Distinct units"]
    for index in range(2):
        W1 = array(chart(app, f"init-symmetry-{index}")["data"][0]["z"])
        assert np.ptp(W1, axis=0).max() <= 1e-9 * np.abs(W1).max()
    assert float(row_differences[2]) > 0.01


def test_random_scale_changes_only_the_random_run():
    app = quick_page(init_scheme="random")
    before = chart(app, "init-comparison-costs")

    app.select_slider(key="init_scale").set_value(0.3).run()

    assert_clean(app)
    after = chart(app, "init-comparison-costs")
    costs = {
        name: (array(trace(before, name)["y"]), array(trace(after, name)["y"]))
        for name in ("Zeros", "He", RANDOM)
    }
    assert np.array_equal(*costs["He"])
    assert np.array_equal(*costs["Zeros"])
    assert (
        costs["Random \N{MULTIPLICATION SIGN} scale"][1][0]
        < costs["Random \N{MULTIPLICATION SIGN} scale"][0][0]
    )


def test_test_points_can_be_hidden():
    app = quick_page()
    names = [item.get("name") for item in chart(app, "init-main-boundary")["data"]]
    assert "test, class 0" in names

    app.toggle(key="init_show_test").set_value(False).run()

    names = [item.get("name") for item in chart(app, "init-main-boundary")["data"]]
    assert "test, class 0" not in names and "train, class 0" in names


def test_malformed_architecture_warns_and_keeps_the_default_network():
    app = quick_page()
    app.text_input(key="init_hidden").set_value("20, x").run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert len(said["warning"]) == 1
    assert "Could not read the architecture '20, x'" in said["warning"][0]
    assert "10, 5" in said["warning"][0]
    assert "init-main-boundary" in chart_keys(app)  # the lesson goes on with the default
    heatmap = chart(app, "init-symmetry-2")["data"][0]
    assert len(heatmap["y"]) == 10  # W1 of the default (10, 5) network


def test_diverging_learning_rate_shows_a_warning_not_a_traceback():
    app = quick_page(init_hidden="50, 50, 50, 50, 50, 50", init_lr=10.0, init_iterations=100)

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert said["warning"][0].startswith("Training diverged at iteration")  # the main run
    assert said["warning"][0].endswith("The charts show the last finite state.")
    assert "init-main-boundary" in chart_keys(app)


def test_quick_defaults_button_restores_the_lesson_settings():
    app = quick_page(init_iterations=200, init_lr=0.5)
    preset = next(button for button in app.button if button.label == "Quick lesson defaults")

    preset.click().run()

    assert app.number_input(key="init_iterations").value == 2000
    assert app.number_input(key="init_lr").value == pytest.approx(0.1)
    assert app.text_input(key="init_hidden").value == "10, 5"
    assert_clean(app)


def test_a_run_that_learns_nothing_says_why_and_draws_no_boundary():
    app = quick_page(init_lr=10.0)  # He: one huge step leaves every unit of a layer dead

    said = messages(app)["warning"]
    assert len(said) == 1 and "output 0 on every training point (dead ReLUs)" in said[0]
    assert "100%" in said[0]

    app.button_group(key="init_scheme").set_value("random").run()
    app.select_slider(key="init_scale").set_value(0.01)
    app.number_input(key="init_lr").set_value(0.1).run()

    said = messages(app)["warning"]
    assert len(said) == 1 and "predicts 0.5 everywhere: the signal vanished" in said[0]
    boundary = chart(app, "init-main-boundary")
    assert "boundary" not in [t.get("name") for t in boundary["data"]]
    assert np.ptp(boundary_probabilities(app)) < 0.02


def test_a_network_that_learns_gets_no_stall_warning():
    assert messages(quick_page())["warning"] == []
