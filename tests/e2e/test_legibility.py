"""Every page at a laptop's, a projector's and a phone's size: a screenshot of each, no
chart title or metric cut off and no chart text too small to read when projected
(measured in the DOM, not by eye)."""

from __future__ import annotations

import pytest

from tools.harness import PLOTLY_CHART, lesson_pages, open_app, screenshot

pytestmark = pytest.mark.e2e

SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720), "390x844": (390, 844)}
PAGES = {"Home": "", **lesson_pages()}

# Text that does not fit its box: a metric whose value is cut with an ellipsis (its
# scrollWidth exceeds its width), or a chart title reaching past its chart's edge.
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
      if (edge.width && (edge.left < box.left - 1 || edge.right > box.right + 1)) {
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


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_cut_off_at_three_sizes(browser, app_server, name, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_app(page, app_server, PAGES[name])
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        screenshot(page, f"legible-{name}-{size}")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(SMALL_TEXT, MIN_TEXT_PX) == []
    finally:
        context.close()
