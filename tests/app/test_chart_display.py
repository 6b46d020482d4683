"""AppTests of ui.page.chart: a chart is drawn in the page's theme and, in presentation
mode, larger, on a copy of the (possibly cached) figure."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_tools import assert_clean, chart, open_page
from ui import figures, page


def _one_chart() -> None:
    import streamlit as st

    from ui import figures, page

    if "figure" not in st.session_state:  # one figure object, shown on every run
        st.session_state.figure = figures.cost_curves_figure(
            {"a": ([0, 1, 2], [1.0, 0.6, 0.4])}, title="Cost"
        )
    page.chart(st.session_state.figure, key="cost")


def _app() -> AppTest:
    return AppTest.from_function(_one_chart, default_timeout=30)


def test_a_chart_is_light_and_normal_sized_by_default():
    app = _app().run()

    assert_clean(app)
    layout = chart(app, "cost")["layout"]
    assert layout["font"]["size"] == figures.FONT_SIZE
    assert layout["template"]["layout"]["paper_bgcolor"] == figures.LIGHT_BACKGROUND


def test_presentation_mode_draws_a_larger_copy():
    app = _app()
    app.session_state["present"] = True
    app.run()

    layout = chart(app, "cost")["layout"]
    assert layout["font"]["size"] == figures.LARGE_FONT_SIZE
    assert layout["height"] > figures.HEIGHT
    assert app.session_state.figure.layout.font.size == figures.FONT_SIZE  # untouched
    app.session_state["present"] = False
    assert chart(app.run(), "cost")["layout"]["font"]["size"] == figures.FONT_SIZE


def test_a_dark_page_gets_dark_charts(monkeypatch: pytest.MonkeyPatch):
    # AppTest has no browser to report a theme (tests/e2e/test_theme.py has one).
    monkeypatch.setattr(page, "_dark_page", lambda: True)
    app = _app().run()

    template = chart(app, "cost")["layout"]["template"]["layout"]
    assert template["paper_bgcolor"] == figures.DARK_BACKGROUND
    assert template["font"]["color"] == figures.DARK_TEXT
    stored = app.session_state.figure.layout.template.layout
    assert stored.paper_bgcolor == figures.LIGHT_BACKGROUND


@pytest.mark.parametrize(
    ("lesson", "keys"),
    [
        ("pages/1_Initialization.py", ("init-main-cost", "init-main-boundary")),  # live view
        ("pages/4_Optimization.py", ("opt-costs", "opt-minibatch-costs")),  # runs' chart
    ],
)
def test_live_charts_follow_the_theme_too(monkeypatch: pytest.MonkeyPatch, lesson, keys):
    """Live views and the optimizers' cost chart go through ui.page.chart as well."""
    monkeypatch.setattr(page, "_dark_page", lambda: True)
    app = open_page(lesson).run()

    assert_clean(app)
    for key in keys:
        background = chart(app, key)["layout"]["template"]["layout"]["paper_bgcolor"]
        assert background == figures.DARK_BACKGROUND, key
