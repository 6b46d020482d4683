"""Pin a run and compare, in a real browser: pin the Initialization lesson's run, change
the scheme, and see both runs (curves overlaid, two boundaries, the difference); the link
with the pin shows the same to whoever opens it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tools.harness import PLOTLY_CHART, exceptions, open_app, rerun_after, screenshot

pytestmark = pytest.mark.e2e

SECTION = ".st-key-init_pin"


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def trace_names(page) -> list[str]:
    """The legend names of the pin section's cost chart, as the browser draws them."""
    chart = page.locator(f"{SECTION} {PLOTLY_CHART}").first
    chart.scroll_into_view_if_needed()
    return chart.locator(".js-plotly-plot").evaluate(
        "plot => plot.data.map(trace => trace.name + ' ' + (trace.line.dash || 'solid'))"
    )


def section_text(page) -> str:
    return page.locator(SECTION).inner_text()


def test_pin_change_and_see_both_then_share_the_link(page, app_server):
    open_app(page, app_server, "Initialization", "init_iterations=200")

    rerun_after(page, lambda: page.get_by_role("button", name="Pin this run").click())
    assert query(page)["pin"] == ["v1_init_iterations-200"]
    assert "Nothing differs" in section_text(page)
    rerun_after(page, lambda: page.get_by_role("radio", name="Xavier", exact=True).click())

    assert query(page)["pin"] == ["v1_init_iterations-200"]  # the pin stays in the link
    assert "init_scheme" in query(page)
    assert trace_names(page) == ["He (pinned) dash", "Xavier (current) solid"]
    shown = section_text(page)
    assert "Initialization scheme" in shown  # the difference table
    assert "Pinned: He" in shown and "Current: Xavier" in shown  # the two maps' titles
    assert page.locator(f"{SECTION} {PLOTLY_CHART}").count() == 3  # curves and two maps
    assert not exceptions(page) and not page.js_errors
    page.locator(SECTION).scroll_into_view_if_needed()
    screenshot(page, "pin-initialization")

    shared = page.context.new_page()
    open_app(shared, app_server, urlsplit(page.url).path.lstrip("/"), urlsplit(page.url).query)

    assert trace_names(shared) == ["He (pinned) dash", "Xavier (current) solid"]
    assert "Initialization scheme" in section_text(shared)
    assert not exceptions(shared)

    # Away to another lesson and back through the page links: the pin comes back.
    for link in ("Regularization", "Initialization"):
        rerun_after(shared, lambda link=link: shared.get_by_role("link", name=link).click())
    assert query(shared)["pin"] == ["v1_init_iterations-200"]

    rerun_after(shared, lambda: shared.get_by_role("button", name="Unpin").click())
    assert "pin" not in query(shared)
    assert shared.get_by_role("button", name="Pin this run").is_visible()


def test_a_tampered_pin_shows_a_message_and_the_page(page, app_server):
    open_app(page, app_server, "Initialization", "init_iterations=100&pin=v1_init_lr-1e99")

    assert "cannot be shown" in section_text(page)
    assert "Learning rate" in section_text(page)
    assert page.locator(PLOTLY_CHART).count() >= 2  # the lesson's own charts
    assert not exceptions(page) and not page.js_errors
