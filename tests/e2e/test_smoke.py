"""The home page in a real browser: the shared sidebar, its chart, no error, and the data
preview following its slider. (Each lesson opened by deep link on a fresh server is in
test_lessons.py.)"""

import pytest

from tools.harness import (
    PLOTLY_CHART,
    SIDEBAR,
    exceptions,
    lesson_pages,
    move_slider,
    open_app,
    screenshot,
    slider,
)

pytestmark = pytest.mark.e2e

LESSONS = lesson_pages()


def assert_page_is_whole(page, server, name: str) -> None:
    """Sidebar with a link to every page, a drawn Plotly chart, no exception, no JS error."""
    page.locator(SIDEBAR).wait_for()
    # The app's own page links (st.page_link; Streamlit's list is hidden). Their href is the
    # page's URL path, "" for home; clicking one switches pages without a reload.
    links = page.locator(f'{SIDEBAR} [data-testid="stPageLink-NavLink"]').evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert sorted(links) == sorted(["", *LESSONS.values()])
    page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
    screenshot(page, name)
    assert not exceptions(page), exceptions(page)
    assert not page.js_errors


def test_home_page(page, app_server):
    open_app(page, app_server)
    assert page.locator("h1").first.inner_text() == "Deep Net Lab"
    assert_page_is_whole(page, app_server, "home")


def scatter_points(page) -> list[str]:
    """Positions of the first chart's markers (they move when the data changes)."""
    return (
        page.locator(PLOTLY_CHART)
        .first.locator(".scatterlayer path.point")
        .evaluate_all("points => points.map(point => point.getAttribute('transform'))")
    )


def test_home_noise_slider_redraws_the_data(page, app_server):
    open_app(page, app_server)
    noise = slider(page, "Noise")
    before_value, before_points = noise.get_attribute("aria-valuetext"), scatter_points(page)
    move_slider(page, "Noise", 2)
    assert noise.get_attribute("aria-valuetext") != before_value
    assert scatter_points(page) != before_points
    assert not exceptions(page)
    screenshot(page, "home-noise-moved")
