"""Presentation mode in a real browser: ``?present=1`` collapses the sidebar, leaves the
long explanations out and enlarges the text; the flag stays in the URL through a setting
change and a move to another lesson."""

from __future__ import annotations

import pytest

from tools.harness import PLOTLY_CHART, SIDEBAR, open_app, rerun_after, screenshot, wait_for_idle

pytestmark = pytest.mark.e2e

TOGGLE = ".st-key-present input"
LOOK_FOR = "What to look for"
# The size of a widget label's text and of the page's root font.
FONT_SIZES = """() => ({
  root: parseFloat(getComputedStyle(document.documentElement).fontSize),
  label: parseFloat(getComputedStyle(
    document.querySelector('[data-testid="stWidgetLabel"] p')).fontSize),
})"""


def sidebar_shown(page) -> bool:
    """Whether the sidebar is open and on screen."""
    sidebar = page.locator(SIDEBAR)
    box = sidebar.bounding_box()
    shown = sidebar.get_attribute("data-collapsed") == "false"
    return shown and box is not None and box["x"] >= 0 and box["width"] > 0


def open_at(browser, server, path: str, query: str = "", size=(1280, 720)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_app(page, server, path, query)
    page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
    return context, page


def test_present_1_hides_the_sidebar_and_long_texts_and_enlarges_the_text(browser, app_server):
    normal_context, normal = open_at(browser, app_server, "Initialization")
    context, page = open_at(browser, app_server, "Initialization", "present=1")
    try:
        screenshot(normal, "present-off-Initialization-1280x720")
        screenshot(page, "present-on-Initialization-1280x720")
        assert sidebar_shown(normal)
        assert not sidebar_shown(page)
        assert "present=true" in page.url  # Streamlit's spelling of the bound toggle
        assert page.locator(TOGGLE).is_checked()
        assert normal.get_by_text(LOOK_FOR).count() > 0
        assert page.get_by_text(LOOK_FOR).count() == 0
        assert page.get_by_text("Before the first step").count() == 0  # the intro
        normal_sizes, sizes = normal.evaluate(FONT_SIZES), page.evaluate(FONT_SIZES)
        assert sizes["root"] >= 1.25 * normal_sizes["root"]
        assert sizes["label"] >= 1.25 * normal_sizes["label"]
    finally:
        normal_context.close()
        context.close()


def test_presentation_mode_survives_a_setting_change_and_a_lesson_switch(browser, app_server):
    context, page = open_at(browser, app_server, "Initialization", "present=1")
    try:
        rerun_after(
            page, lambda: page.locator(".st-key-init_scheme button", has_text="Xavier").click()
        )
        assert "init_scheme=xavier" in page.url
        assert "present=true" in page.url
        assert page.locator(TOGGLE).is_checked()

        # The lesson links sit above the title while the sidebar is hidden.
        page.locator(".st-key-dnl_present_nav a", has_text="Regularization").click()
        page.wait_for_url("**/Regularization?*present=true*")
        wait_for_idle(page)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert page.locator(TOGGLE).is_checked()
        assert not sidebar_shown(page)
        assert page.get_by_text(LOOK_FOR).count() == 0
        screenshot(page, "present-on-Regularization-1280x720")

        rerun_after(page, lambda: page.locator(TOGGLE).click(force=True))
        assert "present" not in page.url
        assert page.get_by_text(LOOK_FOR).count() > 0
        assert sidebar_shown(page)
    finally:
        context.close()
