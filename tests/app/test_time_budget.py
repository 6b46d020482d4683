"""AppTests of the per-run time budget: a run over budget stops with a plain message and
shows what it learnt, and is never cached as the complete run of its settings.

The budget is a module constant (``ui.runs.TIME_BUDGET_S``), patched here to 0 s: every run
then stops at its first recorded iteration, whatever the machine's speed.
"""

from __future__ import annotations

import pytest

from dnn_core import TrainConfig
from tests.app.apptest_tools import array, chart, chart_keys, messages, open_page, trace
from ui import budgets, runs

PAGE = "pages/2_Regularization.py"
ITERATIONS = 200
# The page trains its networks as one stack: the main run, the course's three models and
# the two sweeps' twelve ...
STACKS_ON_THE_PAGE = 1
# ... of which eleven are distinct: the main run (unregularized by default) is also the
# course's plain model and the sweeps' λ = 0 and keep_prob = 1; the sweep's λ = 0.7 is the
# course's L2 model, keep_prob = 0.86 its dropout model.
DISTINCT_RUNS = 11


def main_iterations(app):
    return array(trace(chart(app, "reg-main-cost"), "cost")["x"])


@pytest.fixture
def no_time(monkeypatch):
    monkeypatch.setattr(runs, "TIME_BUDGET_S", 0.0)


def test_a_run_over_budget_stops_with_a_message_and_shows_what_it_learnt(no_time):
    app = open_page(PAGE, reg_iterations=ITERATIONS).run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    stopped = [text for text in said["warning"] if "stopped after 0 s" in text]
    assert len(stopped) == STACKS_ON_THE_PAGE
    assert stopped[0].startswith(
        f"Training ({DISTINCT_RUNS} networks at once): stopped after 0 s, at iteration 1 of "
        f"{ITERATIONS}"
    )
    assert "reduce the iterations" in stopped[0]
    assert list(main_iterations(app)) == [0]  # what was learnt: one recorded step
    assert "reg-main-boundary" in chart_keys(app) and "reg-sweep-lambd" in chart_keys(app)


def test_a_stopped_run_is_not_cached_as_complete(no_time, monkeypatch):
    stopped = open_page(PAGE, reg_iterations=ITERATIONS).run()
    assert len(runs.RESULTS) == 0
    assert len(runs.FIGURES) == 0  # its figures show part of a run: not kept either

    # With time to spare, the same session redraws its stopped run (a rerun does not spend
    # the budget again) ...
    monkeypatch.setattr(runs, "TIME_BUDGET_S", 20.0)
    stopped.toggle(key="reg_show_test").set_value(False).run()
    assert list(main_iterations(stopped)) == [0]
    assert any("stopped after 0 s" in text for text in messages(stopped)["warning"])

    # ... while another session trains the same settings to the end.
    complete = open_page(PAGE, reg_iterations=ITERATIONS).run()
    assert messages(complete)["warning"] == []
    assert main_iterations(complete)[-1] == ITERATIONS - 1
    assert len(runs.RESULTS) == DISTINCT_RUNS


def test_a_run_within_budget_is_cached_and_says_nothing():
    app = open_page(PAGE, reg_iterations=ITERATIONS).run()

    assert messages(app)["warning"] == []
    assert main_iterations(app)[-1] == ITERATIONS - 1
    assert len(runs.RESULTS) == DISTINCT_RUNS


def test_a_page_too_big_for_its_budget_is_refused_before_any_work(monkeypatch):
    calls = []
    monkeypatch.setattr(runs, "train_stack", lambda *args, **kwargs: calls.append(1))
    app = open_page(
        "pages/1_Initialization.py",
        init_hidden="100, 100, 100, 100, 100, 100",
        init_iterations=30_000,
    ).run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert len(said["warning"]) == 1  # one plain message, not one per run
    assert "would need about" in said["warning"][0]
    assert "Use at most about" in said["warning"][0] and "iterations" in said["warning"][0]
    assert calls == [] and chart_keys(app) == []
    assert app.text_input(key="init_hidden").value.startswith("100")  # the sidebar stays


def test_the_estimate_grows_with_the_work():
    small = TrainConfig(layer_dims=(2, 10, 1), num_iterations=100)
    assert budgets.estimated_seconds(small, 300) < budgets.estimated_seconds(small, 3000)
    wider = TrainConfig(layer_dims=(2, 100, 1), num_iterations=100)
    assert budgets.estimated_seconds(small, 300) < budgets.estimated_seconds(wider, 300)
    longer = TrainConfig(layer_dims=(2, 10, 1), num_iterations=1000)
    assert budgets.estimated_seconds(longer, 300) == pytest.approx(
        10 * budgets.estimated_seconds(small, 300)
    )


def test_a_run_cut_short_is_carried_on_by_the_next_request_not_started_over(monkeypatch):
    resumed = []

    def recording_train(*args, resume=None, **kwargs):
        resumed.append(resume is not None)
        return train_stack(*args, resume=resume, **kwargs)

    train_stack = runs.train_stack
    monkeypatch.setattr(runs, "train_stack", recording_train)
    monkeypatch.setattr(runs, "TIME_BUDGET_S", 0.0)
    open_page(PAGE, reg_iterations=ITERATIONS).run()
    assert resumed and not any(resumed)  # every run started, and was cut short
    resumed.clear()

    monkeypatch.setattr(runs, "TIME_BUDGET_S", 20.0)
    complete = open_page(PAGE, reg_iterations=ITERATIONS).run()

    assert resumed and all(resumed)  # each carried on from where it stopped
    assert messages(complete)["warning"] == []
    costs = array(trace(chart(complete, "reg-main-cost"), "cost")["x"])
    assert costs[0] == 0 and costs[-1] == ITERATIONS - 1  # one whole run, not two halves


def test_the_landscape_waits_for_runs_cut_short_and_opens_once_they_end(monkeypatch):
    settings = {"opt_iterations": 40, "opt_optimizers": ["minibatch", "adam"]}

    def path_lengths(app) -> list[int]:
        figure = chart(app, "opt-landscape")
        return [len(array(line["x"])) for line in figure["data"] if line.get("mode") == "lines"]

    monkeypatch.setattr(runs, "TIME_BUDGET_S", 0.0)
    cut = open_page("pages/4_Optimization.py", **settings).run()
    assert any("stopped after 0 s" in text for text in messages(cut)["warning"])
    assert "opt-landscape" not in chart_keys(cut)  # part of a run: no path to draw yet
    assert any("once these runs have trained to the end" in info.value for info in cut.info)

    monkeypatch.setattr(runs, "TIME_BUDGET_S", 20.0)
    complete = open_page("pages/4_Optimization.py", **settings).run()
    assert messages(complete)["warning"] == []
    lengths = path_lengths(complete)
    assert len(lengths) == 2 and all(length > 2 for length in lengths)
