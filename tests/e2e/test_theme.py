"""The app in its light and dark themes, in a real browser: a dark device gets a dark app
with dark charts, the app menu's theme switch turns the charts dark too, and every kind of
chart reads (nothing cut off, nothing too small) in both themes, at three sizes, and in
presentation mode."""

from __future__ import annotations

import pytest

from tests.e2e.test_legibility import CLIPPED, MIN_TEXT_PX, SIZES, SMALL_TEXT
from tools.harness import (
    PLOTLY_CHART,
    open_app,
    rerun_after,
    screenshot,
    streamlit_server,
    wait_for_idle,
)
from ui import figures

pytestmark = pytest.mark.e2e

APP_MENU = '[data-testid="stMainMenu"]'
DARK_ITEM = '[data-testid="stMainMenuItem-theme-Dark"]'
LESSON = "Initialization"  # a live view's cost curve and map, histograms, heatmaps

# The page's background, and for each chart: its background, the colour of its tick
# labels, and the heatmaps' colour at the undecided midpoint (a dark page must not show a
# glaring white patch where the network is unsure).
COLOURS = """() => {
  const probe = document.createElement('span');
  document.body.appendChild(probe);
  const rgb = (color) => {  // any CSS colour (#hex, rgb(), a name) as [r, g, b]
    probe.style.color = '';
    probe.style.color = color;
    return getComputedStyle(probe).color.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  };
  const app = getComputedStyle(document.querySelector('[data-testid="stApp"]'));
  const found = {
    page: rgb(app.backgroundColor),
    charts: [...document.querySelectorAll('.js-plotly-plot')].map((chart) => ({
      background: rgb(chart.querySelector('.main-svg').style.background),
      // Axis ticks, and colour bars' (small multiples may have no axis ticks at all).
      ticks: [...chart.querySelectorAll('.xtick text, .ytick text, .colorbar text')].map(
        (tick) => rgb(getComputedStyle(tick).fill)),
      // Diverging scales (probability, weights): their midpoint means undecided or zero.
      midpoints: (chart._fullData || []).filter((trace) => trace.type === 'heatmap'
          && /P\\(class 1\\)|weight /.test(trace.hovertemplate))
        .map((trace) => rgb(trace.colorscale[Math.floor(trace.colorscale.length / 2)][1])),
    })),
  };
  probe.remove();
  return found;
}"""


def luminance(rgb) -> float:
    """Relative luminance (0 black .. 1 white) of an ``[r, g, b]`` in 0..255."""
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def hex_rgb(color: str) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def assert_theme(page, *, dark: bool) -> None:
    colours = page.evaluate(COLOURS)
    assert colours["charts"], "no chart drawn"
    assert (luminance(colours["page"]) < 0.05) is dark, colours["page"]
    background = hex_rgb(figures.DARK_BACKGROUND if dark else figures.LIGHT_BACKGROUND)
    assert colours["page"] == background  # the charts' colours match the app's theme
    for chart in colours["charts"]:
        assert chart["background"] == background, chart["background"]
        assert chart["ticks"], "a chart without tick labels"
        for tick in chart["ticks"]:
            assert (luminance(tick) > 0.4) is dark, tick  # legible on its background
        for midpoint in chart["midpoints"]:
            assert (luminance(midpoint) > 0.4) is not dark, midpoint


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["1280x720", "390x844"])
def test_a_dark_device_gets_a_dark_app_and_dark_charts(browser, app_server, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme="dark")
    page = context.new_page()
    try:
        open_app(page, app_server, LESSON)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert_theme(page, dark=True)
        screenshot(page, f"theme-dark-{LESSON}-{width}x{height}")
    finally:
        context.close()


def test_the_app_menu_switches_the_charts_to_dark(browser, app_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    page = context.new_page()
    try:
        open_app(page, app_server)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert_theme(page, dark=False)
        screenshot(page, "theme-light-Home-1440x900")

        page.locator(APP_MENU).click()
        page.locator(DARK_ITEM).click()
        # Streamlit 1.67 tells the server the new theme with the next run: changing the
        # data set (or a reload) redraws the charts dark.
        page.keyboard.press("Escape")
        page.get_by_role("combobox", name="Data set").click()
        rerun_after(page, lambda: page.get_by_role("option", name="Moons", exact=True).click())
        assert_theme(page, dark=True)
        screenshot(page, "theme-dark-Home-1440x900")

        page.reload()  # the choice is the browser's: it survives a reload
        wait_for_idle(page)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert_theme(page, dark=True)
    finally:
        context.close()


@pytest.fixture(scope="module")
def figures_server(chromium_available, tmp_path_factory):
    """A server running tests/e2e/apps/figures_app.py (every kind of chart, no training)."""
    script = "tests/e2e/apps/figures_app.py"
    with streamlit_server(script, log_dir=tmp_path_factory.mktemp("streamlit")) as server:
        yield server


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenting"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_every_kind_of_chart_reads_in_both_themes(browser, figures_server, size, scheme, present):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    try:
        open_app(page, figures_server, query="present=1" if present else "")
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert page.locator(PLOTLY_CHART).count() == 17
        assert_theme(page, dark=scheme == "dark")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(SMALL_TEXT, MIN_TEXT_PX) == []
        # Presentation mode: larger tick labels than the page's normal 16 px.
        ticks = page.evaluate(
            "() => [...document.querySelectorAll('.xtick text')]"
            ".map((tick) => parseFloat(getComputedStyle(tick).fontSize))"
        )
        assert min(ticks) == (figures.LARGE_FONT_SIZE if present else figures.FONT_SIZE)
        mode = "presenting" if present else "normal"
        for index in (0, 1, 5):  # cost curves, a map, histograms
            chart = page.locator(PLOTLY_CHART).nth(index)
            chart.evaluate("(element) => element.scrollIntoView({block: 'center'})")
            chart.screenshot(path=str(screenshot(page, f"figures-{size}-{scheme}-{mode}-{index}")))
    finally:
        context.close()
