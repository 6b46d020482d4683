"""The lessons in a real browser, as a teacher uses them in front of a class: each lesson
opened by a deep link on a fresh server reacts to its widgets; a shared link restores its
settings; presets, page links, uploads and downloads work. Iteration counts come from the
URL so every run is quick."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from tools.harness import (
    PLOTLY_CHART,
    SIDEBAR,
    download,
    exceptions,
    lesson_pages,
    open_app,
    rerun_after,
    screenshot,
    slider,
    streamlit_server,
)

pytestmark = pytest.mark.e2e

METRIC_VALUE = '[data-testid="stMetricValue"]'
UPLOADER_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
ERROR = '[data-testid="stAlertContentError"]'
MAIN_ERROR = f'[data-testid="stMain"] {ERROR}'
# Streamlit's log line when a widget gets both a default and a Session State value.
DUPLICATION_WARNING = "created with a default value but also had its value set"


def query(page) -> dict[str, list[str]]:
    """The page's current URL query parameters."""
    return parse_qs(urlsplit(page.url).query)


def chart_data(page, index: int = 0) -> str:
    """What the ``index``-th Plotly chart draws in the browser: its traces' data and its
    shapes and annotations (markers such as a chosen ε)."""
    chart = page.locator(PLOTLY_CHART).nth(index)
    chart.scroll_into_view_if_needed()  # a chart far down the page is drawn when seen
    return chart.locator(".js-plotly-plot").evaluate(
        "plot => JSON.stringify([plot.data.map(trace => [trace.x, trace.y, trace.z]),"
        " plot.layout.shapes, plot.layout.annotations])"
    )


def metric_values(page) -> list[str]:
    return page.locator(METRIC_VALUE).all_inner_texts()


def results(page) -> list[str]:
    """What the lesson reports besides its first chart: its metrics; on a page without any
    (Optimization, whose table is drawn on a canvas), its last chart (the optimizers' paths
    on the cost landscape, which every mini-batch setting changes)."""
    return metric_values(page) or [chart_data(page, page.locator(PLOTLY_CHART).count() - 1)]


def click_option(page, name: str) -> None:
    """Click the segmented-control option ``name`` and wait for the rerun."""
    rerun_after(page, lambda: page.get_by_role("radio", name=name, exact=True).click())


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` and wait for the rerun."""
    page.get_by_role("combobox", name=label).click()
    rerun_after(page, lambda: page.get_by_role("option", name=option, exact=True).click())


def press(page, label: str, key: str, times: int = 1) -> None:
    """Press ``key`` on the slider ``label`` ``times`` times, one rerun each."""
    for _ in range(times):
        rerun_after(page, lambda: (slider(page, label).focus(), page.keyboard.press(key)))


def assert_clean(page, server) -> None:
    """No exception, no error box in the lesson itself, no JavaScript error, and nothing
    wrong in the server's log. (With ``showErrorDetails = "none"`` an uncaught exception
    shows as a plain error box, so the log is where its traceback is.)"""
    assert not exceptions(page), exceptions(page)
    assert not page.locator(MAIN_ERROR).count(), page.locator(MAIN_ERROR).all_inner_texts()
    assert not page.js_errors, page.js_errors
    assert "Traceback" not in server.log()
    assert DUPLICATION_WARNING not in server.log()


# --- each lesson by deep link, on a fresh server ------------------------------------------


def change_initialization(page) -> None:
    click_option(page, "Zeros")


def change_regularization(page) -> None:
    press(page, "L2 strength λ", "ArrowRight", 2)


def change_gradient_checking(page) -> None:
    press(page, "ε", "ArrowLeft", 2)  # the network check's, on the tab that opens first


def change_optimization(page) -> None:
    press(page, "Mini-batch size", "ArrowRight")  # 16 -> 32


LESSONS = {
    # url path: (quick settings, widget change, URL parameter it sets, its new value)
    "Initialization": ("init_iterations=300", change_initialization, "init_scheme", "zeros"),
    "Regularization": (
        "reg_iterations=300&reg_mode=L2",  # the lesson opens unregularized: λ unused
        change_regularization,
        "reg_lambd",
        "0.8",
    ),
    "Gradient_Checking": ("", change_gradient_checking, "gc_net_epsilon", "1e-05"),
    "Optimization": ("opt_iterations=40", change_optimization, "opt_batch_size", "32"),
}


@pytest.mark.parametrize("url_path", LESSONS)
def test_a_lesson_opened_by_deep_link_on_a_fresh_server_follows_its_widgets(
    page, chromium_available, url_path, tmp_path
):
    quick, change, parameter, value = LESSONS[url_path]
    with streamlit_server("app.py", log_dir=tmp_path) as server:
        open_app(page, server, url_path, quick)
        assert urlsplit(page.url).path == f"/{url_path}"
        # The app's own page links (Streamlit's list is hidden), each to a page's URL path
        # ("" for home): the shared sidebar survives a deep link as the first visit.
        links = page.locator(f"{SIDEBAR} [data-testid='stPageLink-NavLink']").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        assert sorted(links) == sorted(["", *lesson_pages().values()])
        screenshot(page, f"lesson-{url_path}")
        chart_before = chart_data(page)
        results_before = results(page)

        change(page)

        assert chart_data(page) != chart_before
        assert results(page) != results_before
        assert query(page)[parameter] == [value]
        assert_clean(page, server)
        screenshot(page, f"lesson-{url_path}-changed")


# --- shared links, presets and page links -------------------------------------------------


SHARED = (
    "reg_mode=Dropout&reg_keep_prob=0.6&reg_iterations=200&reg_dataset=Moons&reg_moons_noise=0.3"
)
# The same link as the page writes it: options by their identifiers (labels are translated).
SHARED_URL = SHARED.replace("=Dropout", "=dropout").replace("=Moons", "=moons")


def test_a_shared_link_restores_its_settings_in_the_widgets_and_the_url(page, app_server):
    open_app(page, app_server, "Regularization", SHARED)

    assert slider(page, "Dropout keep_prob").get_attribute("aria-valuetext") == "0.60"
    assert slider(page, "Noise").get_attribute("aria-valuetext") == "0.30"
    assert page.get_by_role("combobox", name="Data set").input_value() == "Moons"
    assert page.get_by_role("spinbutton", name="Iterations").input_value() == "200"
    assert slider(page, "L2 strength λ").is_disabled()  # dropout mode leaves L2 off
    assert query(page) == parse_qs(SHARED_URL)

    # A change joins the link; the copy button copies exactly the address bar.
    press(page, "Dropout keep_prob", "ArrowRight")
    assert query(page)["reg_keep_prob"] == ["0.61"]
    page.locator("#dnl-copy-reg_copy_link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url

    shared = page.context.new_page()
    shared.js_errors = []
    open_app(shared, app_server, copied.removeprefix(f"{app_server.url}/"))
    assert slider(shared, "Dropout keep_prob").get_attribute("aria-valuetext") == "0.61"
    assert chart_data(shared) == chart_data(page)  # the same run
    assert_clean(shared, app_server)
    screenshot(shared, "lesson-shared-link")


def test_a_link_can_open_a_lesson_at_a_tab(page, app_server):
    open_app(page, app_server, "Gradient_Checking", "gc_tab=1-D+check")
    assert page.get_by_role("tab", selected=True).inner_text() == "1-D check"

    page.get_by_role("tab", name="Network check").click()  # tabs switch without a rerun

    page.wait_for_url(f"{app_server.url}/Gradient_Checking")  # the first tab is the default
    assert_clean(page, app_server)


def test_a_preset_updates_the_widgets_and_the_url(page, app_server):
    open_app(page, app_server, "Initialization", "init_iterations=100&init_lr=0.5&init_hidden=4")

    rerun_after(page, lambda: page.get_by_role("button", name="Quick lesson defaults").click())

    assert page.get_by_role("spinbutton", name="Iterations").input_value() == "2000"
    assert page.get_by_role("textbox", name="Hidden layers (units per layer)").input_value() == (
        "10, 5"
    )
    page.wait_for_url(f"{app_server.url}/Initialization")  # every setting at its default
    assert_clean(page, app_server)


def test_page_links_move_between_lessons_and_keep_each_lessons_link(page, app_server):
    open_app(page, app_server, "Regularization", "reg_iterations=200&reg_lambd=0.3")
    nav = page.locator(SIDEBAR).get_by_role("link")

    rerun_after(page, lambda: nav.get_by_text("Home", exact=True).click())
    page.wait_for_url(f"{app_server.url}/")
    assert page.locator("h1").first.inner_text() == "Deep Net Lab"

    rerun_after(page, lambda: nav.get_by_text("Regularization", exact=True).click())
    page.wait_for_url("**/Regularization?**")
    assert query(page) == {"reg_iterations": ["200"], "reg_lambd": ["0.3"]}
    assert slider(page, "L2 strength λ").get_attribute("aria-valuetext") == "0.30"
    assert_clean(page, app_server)


# --- uploads and downloads ----------------------------------------------------------------


def csv_file(path: Path, points: np.ndarray, labels: np.ndarray) -> Path:
    rows = [f"{x1:.5f},{x2:.5f},{label}" for (x1, x2), label in zip(points, labels, strict=True)]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    return path


def test_uploading_a_bad_then_a_good_csv_in_the_sidebar(page, app_server, tmp_path):
    open_app(page, app_server, "Regularization", "reg_iterations=200")
    choose(page, "Data set", "Upload your own (.csv or .mat)")
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text("Until a file is accepted, this page goes on with").wait_for()
    chart_before, metrics_before = chart_data(page), metric_values(page)

    bad = csv_file(tmp_path / "labels.csv", np.zeros((12, 2)), np.full(12, 2))
    rerun_after(page, lambda: page.locator(UPLOADER_INPUT).set_input_files(bad))
    error = sidebar.locator(ERROR)
    assert "labels.csv can't be used: Labels must be 0 or 1; found 2." in error.inner_text()
    assert chart_data(page) == chart_before and metric_values(page) == metrics_before
    screenshot(page, "lesson-upload-rejected")

    rng = np.random.default_rng(0)
    labels = np.arange(40) % 2
    good = csv_file(tmp_path / "good.csv", rng.normal(size=(40, 2)) + 2.0 * labels[:, None], labels)
    rerun_after(page, lambda: page.locator(UPLOADER_INPUT).set_input_files(good))
    sidebar.get_by_text("Using good.csv: 30 training and 10 test points.").wait_for()
    assert not error.count()
    assert chart_data(page) != chart_before and metric_values(page) != metrics_before
    assert sidebar.get_by_text("The link carries every setting but not your file").is_visible()
    assert query(page)["reg_dataset"] == ["upload"]  # the identifier, in every language
    assert_clean(page, app_server)
    screenshot(page, "lesson-upload-accepted")


def test_a_run_downloads_its_parameters_costs_and_charts(page, app_server):
    open_app(page, app_server, "Regularization", "reg_iterations=200&reg_mode=L2")

    page.get_by_text("Download this run").click()
    name, data = download(page, "Parameters (.npz)")
    assert name == "regularization-l2-params.npz"
    with np.load(io.BytesIO(data)) as archive:
        assert archive["W1"].shape == (20, 2)
    name, data = download(page, "Parameters (.json)")
    assert json.loads(data)["config"]["lambd"] == 0.7
    name, data = download(page, "Cost history (.csv)")
    assert name == "regularization-l2-costs.csv"
    assert data.decode().splitlines()[0] == "iteration,cost"
    name, data = download(page, "Decision boundary (.html)")
    assert name == "regularization-decision-boundary.html"

    chart = page.locator(PLOTLY_CHART).first
    chart.hover()
    with page.expect_download() as info:
        chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    assert info.value.suggested_filename == "deep-net-lab-reg-main-cost.png"
    assert_clean(page, app_server)
