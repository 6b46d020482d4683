"""The language switch in a real browser: switching to 简体中文 redraws the page in Chinese
(fonts that have the characters, nothing cut off), the settings and their URL values stay,
and the page links carry ``lang=zh`` to the next lesson."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.test_legibility import CLIPPED
from tools.harness import PLOTLY_CHART, SIDEBAR, open_app, rerun_after, screenshot, wait_for_idle

pytestmark = pytest.mark.e2e

SWITCH = ".st-key-dnl_language_switch"
# The width of a Chinese character in the page's font against a Latin letter's: a page
# without a CJK font draws empty boxes (tofu), each as wide as the fallback glyph.
GLYPH_WIDTHS = """() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const font = getComputedStyle(document.querySelector('h1')).font;
  canvas.font = font;
  return {
    chinese: canvas.measureText('初始化正则化').width,
    tofu: canvas.measureText('\\u{10FFFF}\\u{10FFFE}\\u{10FFFD}\\u{10FFFC}\\u{10FFFB}\\u{10FFFA}')
      .width,
    fonts: document.fonts.check('16px "Noto Sans CJK SC"'),
  };
}"""
# Wider than the window: text that does not wrap (a long Chinese line has no spaces).
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def opened(browser, server, path, query_string, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_app(page, server, path, query_string)
    page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
    return context, page


def test_switching_to_chinese_keeps_the_settings_and_the_links_keep_it(browser, app_server):
    context, page = opened(
        browser, app_server, "Initialization", "init_iterations=200&init_scheme=Xavier", (1280, 720)
    )
    try:
        before = query(page)
        assert before["init_scheme"] == ["xavier"]  # the identifier, not the label
        rerun_after(page, lambda: page.locator(SWITCH).get_by_text("简体中文", exact=True).click())
        page.wait_for_url("**lang=zh**")
        wait_for_idle(page)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()

        assert page.locator("h1").first.inner_text() == "初始化"
        assert query(page) == before | {"lang": ["zh"]}
        # Every option shows its Chinese label, the chosen ones too (the values stay).
        assert page.get_by_role("combobox", name="数据集").input_value() == "同心圆"
        scheme = page.locator(".st-key-init_scheme").get_by_role("radio", checked=True)
        assert scheme.inner_text() == "Xavier"
        assert page.get_by_role("heading", name="四种方法在同一数据上的比较").count() == 1
        titles = page.locator(f"{PLOTLY_CHART} .gtitle").all_text_contents()
        assert "训练中的代价" in titles
        widths = page.evaluate(GLYPH_WIDTHS)
        assert widths["chinese"] > widths["tofu"] * 1.2 or widths["fonts"], widths
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(OVERFLOW) <= 0
        screenshot(page, "chinese-Initialization-1280x720")

        # The sidebar's link to the next lesson keeps Chinese (and the lesson its defaults).
        link = page.locator(f"{SIDEBAR} [data-testid='stPageLink-NavLink']", has_text="正则化")
        assert "lang=zh" in (link.get_attribute("href") or "")
        link.click()
        page.wait_for_url("**/Regularization?lang=zh")
        wait_for_idle(page)
        page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for()
        assert page.locator("h1").first.inner_text() == "正则化"

        # Back to the lesson (its settings come back), then to English: the same settings,
        # the same URL values.
        page.locator(f"{SIDEBAR} [data-testid='stPageLink-NavLink']", has_text="初始化").click()
        page.wait_for_url("**/Initialization?*init_iterations=200*")
        wait_for_idle(page)
        assert query(page) == before | {"lang": ["zh"]}
        rerun_after(page, lambda: page.locator(SWITCH).get_by_text("English", exact=True).click())
        page.wait_for_function("() => !location.search.includes('lang=')")
        wait_for_idle(page)
        assert page.locator("h1").first.inner_text() == "Initialization"
        assert query(page) == before
        assert page.get_by_role("combobox", name="Data set").input_value() == "Circles"
        # The next change after the switches still starts from the same settings.
        rerun_after(page, lambda: page.get_by_role("radio", name="Zeros").click())
        assert query(page) == before | {"init_scheme": ["zeros"]}
    finally:
        context.close()


SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720), "390x844": (390, 844)}
PAGES = {
    "Home": "",
    "Initialization": "Initialization",
    "Regularization": "Regularization",
    "Gradient_Checking": "Gradient_Checking",
    "Optimization": "Optimization",
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_chinese_fits_at_three_sizes(browser, app_server, name, size):
    context, page = opened(browser, app_server, PAGES[name], "lang=zh", SIZES[size])
    try:
        screenshot(page, f"chinese-{name}-{size}")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(OVERFLOW) <= 0
    finally:
        context.close()


@pytest.mark.parametrize("name", ["Initialization", "Optimization"])
def test_presentation_mode_in_chinese(browser, app_server, name):
    context, page = opened(browser, app_server, PAGES[name], "lang=zh&present=1", (1280, 720))
    try:
        screenshot(page, f"chinese-present-{name}-1280x720")
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(OVERFLOW) <= 0
        links = page.locator(".st-key-dnl_present_nav a").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        assert links and all("lang=zh" in link and "present=true" in link for link in links)
    finally:
        context.close()
