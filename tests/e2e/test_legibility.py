"""Every page at a laptop's, a projector's and a phone's size: a screenshot of each, no
chart title or metric cut off and no chart text too small to read when projected
(measured in the DOM, not by eye)."""

from __future__ import annotations

import contextlib

import pytest

from tools.harness import PLOTLY_CHART, lesson_pages, open_app, screenshot

pytestmark = pytest.mark.e2e

SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720), "390x844": (390, 844)}
PAGES = {"Home": "", **lesson_pages()}

# Text that does not fit its box: a metric whose value is cut with an ellipsis (its
# scrollWidth exceeds its width), or a chart title reaching past its chart's edge (a
# wrapped title's first line once ran off the top).
CLIPPED = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('[data-testid="stMetricValue"] *,'
      + '[data-testid="stMetricValue"], [data-testid="stMetricLabel"] *')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push('metric: ' + el.innerText);
  }
  for (const chart of document.querySelectorAll('.js-plotly-plot')) {
    const box = chart.getBoundingClientRect();
    for (const title of chart.querySelectorAll('.gtitle, .g-gtitle text')) {
      const edge = title.getBoundingClientRect();
      if (edge.width && (edge.left < box.left - 1 || edge.right > box.right + 1
          || edge.top < box.top - 1)) {
        cut.push('chart title: ' + title.textContent);
      }
    }
  }
  return cut;
}"""

# Chart text (ticks, legends, colour bars, titles, notes) under 14 px: unreadable from the
# back of a classroom at a projector's 1280 x 720.
MIN_TEXT_PX = 14
SMALL_TEXT = """(least) => [...document.querySelectorAll('.js-plotly-plot .main-svg text')]
  .filter((text) => text.textContent.trim()
    && parseFloat(getComputedStyle(text).fontSize) < least)
  .map((text) => text.textContent + ' (' + getComputedStyle(text).fontSize + ')')"""


@contextlib.contextmanager
def opened(browser, server, path: str, size: str):
    """A new tab of ``size`` (e.g. ``"1280x720"``) showing ``/<path>`` with a chart drawn."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_app(page, server, path)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_cut_off_at_three_sizes(browser, app_server, name, size):
    with opened(browser, app_server, PAGES[name], size) as page:
        screenshot(page, f"legible-{name}-{size}")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(SMALL_TEXT, MIN_TEXT_PX) == []


# A formula part (KaTeX's unbreakable pieces) outside its text's box, so cut or hidden
# beyond a scroll; a table cell whose text is cut (an ellipsis or hidden overflow) or a
# table wider than its box; and any st.dataframe grid, whose canvas cells the DOM cannot
# measure.
OVERFLOWING = """() => {
  const out = [];
  for (const piece of document.querySelectorAll('.stMain .katex .base')) {
    const box = piece.getBoundingClientRect();
    if (!box.width) continue;  // in a closed expander or tab
    const text = piece.closest('[data-testid="stMarkdownContainer"]').getBoundingClientRect();
    if (box.right > text.right + 1 || box.left < text.left - 1) {
      out.push('formula: ' + piece.textContent.slice(0, 40));
    }
  }
  for (const table of document.querySelectorAll('.stMain [data-testid="stTable"]')) {
    if (!table.getBoundingClientRect().width) continue;
    if (table.scrollWidth > table.clientWidth + 1) out.push('table wider than its box');
    for (const cell of table.querySelectorAll('td, th')) {
      if (cell.scrollWidth > cell.clientWidth + 1) out.push('cell: ' + cell.innerText);
    }
  }
  for (const grid of document.querySelectorAll('.stMain [data-testid="stDataFrame"]')) {
    if (grid.getBoundingClientRect().width) out.push('grid: ' + (grid.className || ''));
  }
  return out;
}"""
# The lessons' main charts, by key: both above the fold at 1280x720 means at least half of
# each (its title and the top of its plot) is on the first screen.
MAIN_CHARTS = {
    "Initialization": ("init-main-cost", "init-main-boundary"),
    "Regularization": ("reg-main-cost", "reg-main-boundary"),
    "Optimization": ("opt-costs", "opt-minibatch-costs"),
}
CHART_BOXES = """(keys) => keys.map(key => {
  const chart = document.querySelector('.st-key-' + key + ' [data-testid="stPlotlyChart"]')
    || document.querySelector('.st-key-' + key);
  if (!chart) return null;
  const box = chart.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, height: box.height};
})"""


@pytest.mark.parametrize("size", ["1440x900", "390x844"])
@pytest.mark.parametrize("name", [name for name in PAGES if name != "Home"])
def test_formulas_and_tables_fit_their_columns(browser, app_server, name, size):
    """Every formula and table of a lesson, on a laptop and a phone."""
    with opened(browser, app_server, PAGES[name], size) as page:
        problems = page.evaluate(OVERFLOWING)
        if name == "3_Gradient_Checking.py":  # its pitfalls table (ui/check_view.py) stays a grid
            problems = [problem for problem in problems if not problem.startswith("grid")]
        assert problems == []
        if name != "3_Gradient_Checking.py":
            assert page.locator('[data-testid="stTable"]').count() > 0


@pytest.mark.parametrize("name", list(MAIN_CHARTS))
def test_both_main_charts_are_above_the_fold_at_1280x720(browser, app_server, name):
    with opened(browser, app_server, name, "1280x720") as page:
        boxes = page.evaluate(CHART_BOXES, list(MAIN_CHARTS[name]))
        screenshot(page, f"fold-{name}-1280x720")
        assert None not in boxes, boxes
        for box in boxes:
            assert box["top"] >= 0
            assert box["top"] + box["height"] / 2 <= 720, boxes
