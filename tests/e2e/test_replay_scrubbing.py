"""A replay in a real browser: scrubbing its slider and pressing play redraw the boundary
and the cost curve in the browser alone (no script run), and Continue training extends
the run the replay covers."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_legibility import CLIPPED, MIN_TEXT_PX
from tools.harness import (
    PLOTLY_CHART,
    exceptions,
    finished_runs,
    open_app,
    rerun_after,
    screenshot,
)

pytestmark = pytest.mark.e2e
INTERRUPTED_ANIMATION = "undefined"

# What a replay draws now: the length of its curve so far, its marker, a row of its map,
# and the slider's current value.
SHOWN = """plot => JSON.stringify([
    plot._fullData[1].x.length,
    Array.from(plot._fullData[2].x),
    Array.from(plot._fullData[3].z[16]),
    plot.querySelector(".slider-container .slider-label").textContent,
])"""


# Chart text under the legible size that shows: the slider's own tick labels are drawn
# transparent on purpose (24 of them would crowd; the current one shows above the slider).
VISIBLE_SMALL_TEXT = """(least) => [...document.querySelectorAll('.js-plotly-plot .main-svg text')]
  .filter((text) => text.textContent.trim() && getComputedStyle(text).fillOpacity !== '0'
    && parseFloat(getComputedStyle(text).fontSize) < least)
  .map((text) => text.textContent + ' (' + getComputedStyle(text).fontSize + ')')"""
REPLAYED = {"Initialization": "init", "Regularization": "reg", "Optimization": "opt"}


def replay_chart(page):
    chart = page.locator(PLOTLY_CHART).filter(has=page.locator(".slider-container")).first
    chart.scroll_into_view_if_needed()
    return chart.locator(".js-plotly-plot")


def shown(plot) -> list:
    return json.loads(plot.evaluate(SHOWN))


def test_scrubbing_and_playing_a_replay_redraw_it_without_the_server(page, app_server):
    open_app(page, app_server, "Initialization", "init_iterations=600&init_replay=true")
    plot = replay_chart(page)
    start = shown(plot)
    assert start[1] == [0] and start[3].endswith(" 0")  # it opens on the first moment
    runs = finished_runs(page)

    rail = plot.locator(".slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.5, rail["y"] + rail["height"] / 2)
    page.wait_for_timeout(500)
    scrubbed = shown(plot)
    assert scrubbed[0] > start[0] and scrubbed[1][0] > 0  # the curve grew, the marker moved
    assert scrubbed[2] != start[2]  # the boundary changed
    assert scrubbed[3] != start[3]
    screenshot(page, "replay-scrubbed")

    plot.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_timeout(1500)
    playing = shown(plot)
    assert playing[1][0] > scrubbed[1][0]  # it plays on from where the slider was
    assert page.js_errors == []
    plot.locator(".updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(300)
    paused = shown(plot)
    page.wait_for_timeout(800)
    assert shown(plot) == paused

    assert finished_runs(page) == runs  # all of it in the browser: no script ran
    # Pausing interrupts the play, and plotly.js rejects an interrupted animation's promise
    # with no reason, which its own buttons leave uncaught: that is the only error.
    assert exceptions(page) == [] and set(page.js_errors) <= {INTERRUPTED_ANIMATION}


def test_continue_training_extends_the_replay(page, app_server):
    open_app(page, app_server, "Initialization", "init_iterations=600&init_replay=true")
    plot = replay_chart(page)
    steps = "plot => plot.layout.sliders[0].steps.map(step => step.label)"
    assert plot.evaluate(steps)[-1] == "599"

    rerun_after(page, lambda: page.get_by_role("button", name="Continue training").click())

    plot = replay_chart(page)
    assert plot.evaluate(steps)[0] == "0" and plot.evaluate(steps)[-1] == "1,199"
    assert page.get_by_text("Trained 1,200 iterations in all").is_visible()
    assert exceptions(page) == [] and page.js_errors == []


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["1280x720", "390x844"])
@pytest.mark.parametrize("name", list(REPLAYED))
def test_a_replay_is_legible_on_every_lesson(browser, app_server, name, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        open_app(page, app_server, name, f"{REPLAYED[name]}_replay=true")
        replay_chart(page).locator(".main-svg").first.wait_for()
        screenshot(page, f"replay-{name}-{size[0]}x{size[1]}")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(VISIBLE_SMALL_TEXT, MIN_TEXT_PX) == []
        assert exceptions(page) == []
    finally:
        context.close()
