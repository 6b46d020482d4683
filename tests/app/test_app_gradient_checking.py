"""AppTests of the Gradient Checking lesson: the 1-D check and its ε sweep, the network
check with planted bugs (verdict and the blocks it points at), dropout and L2 pitfalls,
and the cost of checking."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dnn_core import gradcheck
from tests.app.apptest_tools import (
    array,
    assert_clean,
    chart,
    chart_keys,
    messages,
    metrics,
    open_page,
)
from ui import check_view, figures

PAGE = "pages/3_Gradient_Checking.py"
NO_BUGS = {f"gc_bug_{name}": False for name in gradcheck.BUGS}
RED = figures.VERDICT_COLORS["wrong"]
GREEN = figures.VERDICT_COLORS["great"]
COURSE_BLOCKS = ["W1", "b1", "W2", "b2", "W3", "b3"]


def page(**settings):
    return open_page(PAGE, **settings).run()


def block_colors(app) -> dict[str, str]:
    """Parameter block -> bar colour of the per-block chart."""
    bar = chart(app, "gc-per-block")["data"][0]
    return dict(zip(bar["x"], bar["marker"]["color"], strict=True))


def red_blocks(app) -> set[str]:
    return {block for block, color in block_colors(app).items() if color == RED}


def test_default_page_reproduces_the_course_and_points_at_its_two_bugs():
    app = page()

    assert_clean(app)
    assert chart_keys(app) == [
        "gc-per-block",  # the network check, with the course's bugs, opens first
        "gc-entries",
        "gc-epsilon-sweep",
        "gc-pitfalls",
    ]
    shown = metrics(app)
    # The course's published numbers: 1-D x=2, theta=4 and the planted-bug network check.
    assert shown["Difference (float64)"] == "2.919e-10"
    assert shown["Relative difference"] == f"{0.2850931567761623:.3e}"
    assert shown["Verdict"] == "Wrong"
    assert shown["Blocks above 1e-5"] == "b1, W2"
    assert list(block_colors(app)) == COURSE_BLOCKS
    assert red_blocks(app) == {"b1", "W2"}


def test_removing_the_bugs_turns_the_verdict_correct_and_every_block_green():
    app = page(**NO_BUGS)

    assert_clean(app)
    shown = metrics(app)
    assert float(shown["Relative difference"]) < 1e-7
    assert shown["Verdict"] == "Correct"
    assert shown["Blocks above 1e-5"] == "none"
    assert set(block_colors(app).values()) == {GREEN}


# What each bug breaks, from what it does: a scaled gradient breaks its own block; a
# forgotten ReLU mask every block below the output layer; a missing 1/m every block; a
# forgotten L2 term only the weights (biases are not regularized).
@pytest.mark.parametrize(
    ("bug", "broken"),
    [
        ("dW2_x2", {"W2"}),
        ("db1_x4", {"b1"}),
        ("relu_mask", {"W1", "b1", "W2", "b2"}),
        ("missing_1_over_m", set(COURSE_BLOCKS)),
        ("l2_forgotten", {"W1", "W2", "W3"}),
    ],
)
def test_each_planted_bug_flags_exactly_the_blocks_it_breaks(bug, broken):
    app = page(**(NO_BUGS | {f"gc_bug_{bug}": True, "gc_lambd": 0.7}))

    assert_clean(app)
    assert metrics(app)["Verdict"] == "Wrong"
    colors = block_colors(app)
    assert {block for block, color in colors.items() if color == RED} == broken
    assert all(colors[block] == GREEN for block in set(COURSE_BLOCKS) - broken)


def test_forgotten_l2_term_is_invisible_without_l2():
    app = page(**(NO_BUGS | {"gc_bug_l2_forgotten": True, "gc_lambd": 0.0}))

    assert metrics(app)["Verdict"] == "Correct"


def test_l2_must_be_in_the_cost_as_well_as_in_the_gradient():
    in_both = page(**(NO_BUGS | {"gc_lambd": 0.7}))
    gradient_only = page(**(NO_BUGS | {"gc_lambd": 0.7, "gc_l2_in_cost": False}))

    assert metrics(in_both)["Verdict"] == "Correct"
    assert metrics(gradient_only)["Verdict"] == "Wrong"
    assert red_blocks(gradient_only) == {"W1", "W2", "W3"}


def test_dropout_fails_with_fresh_masks_and_passes_with_a_fixed_one():
    fresh = page(**(NO_BUGS | {"gc_keep_prob": 0.8, "gc_masks": "fresh"}))
    fixed = page(**(NO_BUGS | {"gc_keep_prob": 0.8, "gc_masks": "fixed"}))

    assert_clean(fresh)
    assert metrics(fresh)["Verdict"] == "Wrong"
    assert metrics(fixed)["Verdict"] == "Correct"


def test_pitfalls_table_shows_which_settings_the_check_can_trust():
    app = page()

    table = app.dataframe[0].value
    verdicts = dict(zip(table["setting"], table["verdict"], strict=True))
    assert verdicts == {  # the verdict badges' words
        "dropout, fresh masks": "Wrong",
        "dropout, fixed mask": "Correct",
        "L2 in gradient only": "Wrong",
        "L2 in cost only": "Wrong",
        "L2 in both": "Correct",
    }
    bars = chart(app, "gc-pitfalls")["data"][0]
    assert bars["marker"]["color"] == [RED, GREEN, RED, RED, GREEN]


def test_entry_heatmap_shows_a_uniformly_scaled_block():
    # dW2 x 2 makes every entry's relative difference |2g - g| / (|2g| + |g|) = 1/3.
    app = page(**(NO_BUGS | {"gc_bug_dW2_x2": True, "gc_block": "W2"}))

    heatmap = chart(app, "gc-entries")
    assert heatmap["layout"]["title"]["text"].startswith("W2")
    relative = array(heatmap["data"][0]["customdata"])
    assert relative.shape == (3, 5)
    nonzero = relative[relative > 0]
    assert nonzero.size > 0
    np.testing.assert_allclose(nonzero, 1 / 3, rtol=1e-6)


def test_sidebar_network_is_checked_on_a_subsample_and_timed_both_ways():
    app = page(**(NO_BUGS | {"gc_source": "sidebar", "gc_hidden": "20, 3", "gc_points": 40}))

    assert_clean(app)
    shown = metrics(app)
    # (2*20 + 20) + (20*3 + 3) + (3*1 + 1) parameters for layers 2-20-3-1.
    assert shown["Parameters P"] == "127"
    assert shown["Cost evaluations"] == "254"
    assert shown["Verdict"] == "Correct"
    assert shown["Per-parameter loop"].endswith(" ms")
    assert list(block_colors(app)) == COURSE_BLOCKS
    assert not kink_notes(app)


def kink_notes(app) -> list[str]:
    return [text.value for text in app.markdown if "ReLU kinks" in text.value]


def test_relu_kinks_are_named_when_correct_backprop_fails_there():
    # A narrow He-initialized net: some examples switch every unit of layer 1 off, so
    # layer 2 sees Z = b = 0 exactly, on the kink.
    app = page(**(NO_BUGS | {"gc_source": "sidebar", "gc_hidden": "5, 3", "gc_points": 40}))

    assert_clean(app)
    assert metrics(app)["Verdict"] == "Wrong"
    notes = kink_notes(app)
    assert len(notes) == 1
    kink_layers = {int(layer) for layer in re.findall(r"in layer (\d+)", notes[0])}
    assert kink_layers
    broken = red_blocks(app)
    assert broken
    assert {int(block[1:]) for block in broken} <= kink_layers


def test_a_network_too_large_to_check_says_so_plainly():
    app = page(**{"gc_source": "sidebar", "gc_hidden": "100, 100"})

    said = messages(app)
    assert said["exception"] == []
    (error,) = said["error"]  # one error, where the network is chosen; the other tabs point to it
    assert "10,501 parameters" in error
    assert [info.value for info in app.info].count(check_view.TOO_BIG_ELSEWHERE) == 2
    assert "gc-per-block" not in chart_keys(app)


def test_epsilon_sweep_shows_round_off_only_for_the_linear_function():
    app = page()

    figure = chart(app, "gc-epsilon-sweep")
    epsilons = array(figure["data"][0]["x"])
    float64 = array(figure["data"][0]["y"])
    float32 = array(figure["data"][1]["y"])
    assert [trace["name"] for trace in figure["data"]] == ["float64", "float32"]
    assert epsilons[0] == pytest.approx(0.1) and epsilons[-1] == pytest.approx(1e-12)
    # theta * x is linear: no truncation error, so the largest epsilon is the most exact.
    assert float64[0] < 1e-13
    assert float64[-1] > 1e-6
    # In float32, theta + 1e-12 rounds back to theta: gradapprox is 0, the difference 1.
    assert float32[-1] == 1.0


def test_curved_function_shows_the_v_of_truncation_and_round_off():
    app = page(gc_function="cubic")

    assert_clean(app)
    figure = chart(app, "gc-epsilon-sweep")
    epsilons = array(figure["data"][0]["x"])
    float64 = array(figure["data"][0]["y"])
    best = int(np.argmin(float64))
    assert 0 < best < len(epsilons) - 1
    assert 1e-7 <= epsilons[best] <= 1e-3
    # Truncation: for theta^3 x the two-sided difference is 3 theta^2 x + eps^2 x.
    assert float64[0] == pytest.approx(0.1**2 / (2 * 3 * 4.0**2 + 0.1**2), rel=1e-6)


def test_metrics_follow_the_chosen_function_and_epsilon():
    app = page(gc_function="cubic", gc_epsilon=0.1)

    shown = metrics(app)
    grad, gradapprox = 3 * 4.0**2 * 2.0, 3 * 4.0**2 * 2.0 + 0.1**2 * 2.0
    assert float(shown["grad (exact)"]) == grad
    assert float(shown["gradapprox"]) == pytest.approx(gradapprox, rel=1e-9)
    assert shown["Difference (float64)"] == f"{(gradapprox - grad) / (grad + gradapprox):.3e}"


def test_x_zero_is_explained_instead_of_dividing_zero_by_zero():
    app = page(gc_x=0.0)

    said = messages(app)
    assert said["exception"] == []
    assert any("x = 0" in warning for warning in said["warning"])
    assert "Difference (float64)" not in metrics(app)


def test_slow_loop_timing_waits_for_the_student_to_ask():
    # 1 801 parameters x 50 points is more work than the page times unasked.
    bigger = NO_BUGS | {"gc_source": "sidebar", "gc_hidden": "40, 40", "gc_points": 50}
    app = page(**bigger)

    assert_clean(app)
    assert metrics(app)["Parameters P"] == "1,801"
    assert "Per-parameter loop" not in metrics(app)
    app.toggle(key="gc_time_loop").set_value(True).run()
    assert metrics(app)["Per-parameter loop"].endswith(" ms")


def test_a_second_student_gets_the_checks_charts_without_building_them(monkeypatch):
    built = []
    for name in ("per_parameter_difference_figure", "entry_difference_heatmap"):
        builder = getattr(figures, name)
        monkeypatch.setattr(
            figures, name, lambda *a, _b=builder, _n=name, **k: built.append(_n) or _b(*a, **k)
        )
    first = open_page(PAGE).run()
    assert_clean(first)
    assert built  # the first student's page builds them
    built.clear()

    second = open_page(PAGE).run()

    assert_clean(second)
    assert built == []
    assert chart(second, "gc-per-block") == chart(first, "gc-per-block")
