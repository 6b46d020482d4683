"""Replays on the lessons: Initialization, Regularization and Optimization each replay
their run as a chart with animation frames (scrubbed in the browser), and "Continue
training" trains that run further from where it ended."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.apptest_tools import array, assert_clean, chart, chart_keys, messages, open_page
from ui import runs
from ui.snapshots import REPLAY_FRAMES

LESSONS = {
    "init": ("pages/1_Initialization.py", {"init_iterations": 300}),
    "reg": ("pages/2_Regularization.py", {"reg_iterations": 300}),
    "opt": ("pages/4_Optimization.py", {"opt_iterations": 60}),
}


def replay_page(prefix: str, **settings):
    path, quick = LESSONS[prefix]
    return open_page(path, **quick, **{f"{prefix}_replay": True}, **settings).run()


def whole_curve(figure: dict) -> tuple[np.ndarray, np.ndarray]:
    """The replayed run's cost curve: ``(iterations, costs)``."""
    curve = figure["data"][0]
    return array(curve["x"]), array(curve["y"])


def frame_map(frame: dict) -> np.ndarray:
    return array(frame["data"][2]["z"])


def test_the_replay_is_off_until_asked_for_so_a_page_view_sends_no_frames():
    path, quick = LESSONS["init"]
    app = open_page(path, **quick).run()

    assert_clean(app)
    assert "init-replay" not in chart_keys(app)
    assert app.toggle(key="init_replay").value is False


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_each_lesson_replays_its_run_as_animation_frames(prefix):
    app = replay_page(prefix)

    assert_clean(app)
    figure = chart(app, f"{prefix}-replay")
    frames = figure["frames"]
    assert len(frames) == REPLAY_FRAMES
    assert len(figure["layout"]["sliders"][0]["steps"]) == len(frames)
    assert figure["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"
    first = frame_map(frames[0])
    assert first.shape == (32, 32)
    assert not np.array_equal(frame_map(frames[-1]), first)  # the boundary moved
    # The last frame is the trained network the page shows: its curve ends with the run's.
    iterations, costs = whole_curve(figure)
    last_curve = frames[-1]["data"][0]
    assert array(last_curve["x"])[-1] == iterations[-1]
    np.testing.assert_allclose(array(last_curve["y"])[-1], costs[-1], rtol=1e-6)


@pytest.mark.parametrize("prefix", ["init", "opt"])
def test_continue_training_goes_on_from_the_last_state_not_from_scratch(prefix):
    app = replay_page(prefix)
    before_iterations, before_costs = whole_curve(chart(app, f"{prefix}-replay"))

    app.button(key=f"dnl_{prefix}_continued_more").click().run()

    assert_clean(app)
    figure = chart(app, f"{prefix}-replay")
    iterations, costs = whole_curve(figure)
    assert iterations[-1] >= 2 * before_iterations[-1]  # as many again
    # The cost curve carries on: the old part unchanged, the next cost near the last one.
    np.testing.assert_allclose(costs[: before_costs.size], before_costs, rtol=1e-6)
    next_cost = costs[before_costs.size]
    # (Mini-batch Adam's cost is noisy from epoch to epoch: "near" is next to the descent.)
    assert abs(next_cost - before_costs[-1]) < 0.2 * abs(before_costs[0] - before_costs[-1])
    assert costs[-1] < before_costs[-1]
    # The replay covers the whole history, from the first iteration.
    steps = figure["layout"]["sliders"][0]["steps"]
    assert steps[0]["label"] == "0" and steps[-1]["label"] == f"{int(iterations[-1]):,}"
    assert any(caption.value.startswith("Trained ") for caption in app.caption)

    app.button(key=f"dnl_{prefix}_continued_back").click().run()
    np.testing.assert_array_equal(whole_curve(chart(app, f"{prefix}-replay"))[0], before_iterations)


def test_a_run_is_continued_a_bounded_number_of_times():
    app = replay_page("init")
    more = app.button(key="dnl_init_continued_more")
    for _ in range(3):
        app.button(key="dnl_init_continued_more").click().run()
    assert_clean(app)

    assert app.button(key="dnl_init_continued_more").disabled
    assert more.label.startswith("Continue training (+300")
    iterations, _ = whole_curve(chart(app, "init-replay"))
    assert iterations[-1] == 4 * 300 - 1


def test_the_optimization_replay_switches_between_the_optimizers():
    app = replay_page("opt")
    first = chart(app, "opt-replay")
    app.button_group(key="opt_replay_run").set_value("momentum").run()

    assert_clean(app)
    momentum = chart(app, "opt-replay")
    assert momentum["layout"]["title"]["text"] != first["layout"]["title"]["text"]
    assert not np.array_equal(whole_curve(momentum)[1], whole_curve(first)[1])


def test_a_run_cut_short_by_the_time_budget_says_its_replay_waits(monkeypatch):
    monkeypatch.setattr(runs, "TIME_BUDGET_S", 0.0)
    app = replay_page("init")

    assert messages(app)["exception"] == []
    assert "init-replay" not in chart_keys(app)
    assert any("opens once this run has trained to the end" in info.value for info in app.info)
