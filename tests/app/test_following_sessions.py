"""A class on one link: a session opening a lesson after another one rebuilds nothing the
first built (charts restyled and encoded, accuracies, tables, the stall diagnosis) and is
shown exactly what the first was, in its own look."""

from __future__ import annotations

import pytest

from dnn_core import diagnostics
from tests.app.apptest_tools import assert_clean, chart, chart_keys, metrics, open_page
from ui import figures, page, runs

PAGE = "pages/2_Regularization.py"
ITERATIONS = 300


@pytest.fixture
def counted(monkeypatch):
    """Calls of the work a following session should not repeat, by name."""
    calls: dict[str, int] = {}

    def count(module, name):
        function = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in (
        (figures, "for_display"),
        (figures, "results_table"),
        (runs, "_accuracies"),
        (diagnostics, "stall"),
    ):
        count(module, name)
    return calls


def _shown(app) -> tuple:
    return metrics(app), {key: chart(app, key) for key in chart_keys(app)}


def test_a_following_session_rebuilds_nothing_and_sees_the_same_page(counted):
    first = open_page(PAGE, reg_iterations=ITERATIONS).run()
    assert_clean(first)
    assert set(counted) == {"for_display", "results_table", "_accuracies", "stall"}

    counted.clear()
    following = open_page(PAGE, reg_iterations=ITERATIONS).run()

    assert_clean(following)
    assert counted == {}
    assert _shown(following) == _shown(first)


def test_each_look_is_built_once_and_shown_in_its_own_look(counted, monkeypatch):
    light = open_page(PAGE, reg_iterations=ITERATIONS).run()
    monkeypatch.setattr(page, "_dark_page", lambda: True)
    dark = open_page(PAGE, reg_iterations=ITERATIONS).run()
    counted.clear()
    dark_again = open_page(PAGE, reg_iterations=ITERATIONS).run()

    assert counted == {}
    assert _shown(dark_again) == _shown(dark)
    background = chart(dark_again, "reg-weights")["layout"]["template"]["layout"]
    assert background["paper_bgcolor"] == figures.DARK_BACKGROUND
    monkeypatch.setattr(page, "_dark_page", lambda: False)
    assert _shown(open_page(PAGE, reg_iterations=ITERATIONS).run()) == _shown(light)
    assert counted == {}
