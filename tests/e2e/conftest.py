"""Browser-test fixtures: one fresh Streamlit server and one chromium per session, a new
browser context (clean storage and clipboard) per test.

Without Debian's chromium at /usr/bin/chromium these tests skip locally and fail in CI
(when the environment variable ``CI`` is set), so CI can never pass without running them.
"""

from __future__ import annotations

import os

import pytest

from tools.harness import CHROMIUM, launch_chromium, streamlit_server


@pytest.fixture(scope="session")
def chromium_available() -> None:
    if CHROMIUM.is_file():
        return
    message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def app_server(chromium_available, tmp_path_factory):
    """``streamlit run app.py`` on a free port, started fresh for this test session."""
    with streamlit_server("app.py", log_dir=tmp_path_factory.mktemp("streamlit")) as server:
        yield server


@pytest.fixture(scope="session")
def components_server(chromium_available, tmp_path_factory):
    """A server running tests/e2e/apps/components_app.py (share, export and upload helpers on
    one page)."""
    script = "tests/e2e/apps/components_app.py"
    with streamlit_server(script, log_dir=tmp_path_factory.mktemp("streamlit")) as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new tab in its own context (1400 x 1000, clipboard allowed). ``page.js_errors``
    collects uncaught JavaScript errors."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()
