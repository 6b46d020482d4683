"""In a real browser: the download buttons deliver the files the builders make (a run's
files at once, the figure page on click), the chart's camera button saves a named PNG
offline, and uploads are validated (and their names shown as typed)."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from tools.harness import (
    PLOTLY_CHART,
    download,
    exceptions,
    finished_runs,
    open_app,
    screenshot,
)
from ui.export import PARAMS_FORMAT
from ui.markdown import WORD_JOINER

pytestmark = pytest.mark.e2e


def test_run_downloads_deliver_parameters_costs_and_figure(page, components_server):
    open_app(page, components_server)
    runs = finished_runs(page)
    assert runs == 1  # the first run
    name, data = download(page, "Parameters (.npz)")
    assert name == "moons-run-params.npz"
    with np.load(io.BytesIO(data)) as archive:
        assert sorted(archive.files) == ["W1", "W2", "b1", "b2"]
        assert archive["W1"].shape == (5, 2)

    name, data = download(page, "Parameters (.json)")
    assert name == "moons-run-params.json"
    document = json.loads(data)
    assert document["format"] == PARAMS_FORMAT
    assert document["config"]["layer_dims"] == [2, 5, 1]

    name, data = download(page, "Cost history (.csv)")
    assert name == "moons-run-costs.csv"
    assert data.decode().splitlines()[0] == "iteration,cost"

    name, data = download(page, "Figure (.html)")
    assert name == "cost-curve.html"
    assert data.lower().startswith(b"<!doctype html>")
    assert b"<script src=" not in data

    # Downloads do not rerun the page.
    assert finished_runs(page) == runs
    assert not exceptions(page)


def test_chart_camera_button_saves_a_named_png(page, components_server):
    open_app(page, components_server)
    chart = page.locator(PLOTLY_CHART)
    chart.hover()
    with page.expect_download() as info:
        chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    assert info.value.suggested_filename == "cost-curve.png"
    assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")


def test_upload_of_a_bad_then_a_good_csv(page, components_server, tmp_path):
    open_app(page, components_server)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    bad = tmp_path / "labels.csv"
    bad.write_text("x1,x2,label\n" + "0.1,0.2,2\n" * 12)
    uploader.set_input_files(bad)
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    assert "labels.csv can't be used: Labels must be 0 or 1; found 2." in error.inner_text()
    assert "Expected:" in error.inner_text()
    assert page.get_by_text("settings:").is_visible()  # the rest of the page is still there
    screenshot(page, "components-upload-rejected")

    rng = np.random.default_rng(0)
    good = tmp_path / "good.csv"
    rows = [f"{x:.3f},{y:.3f},{i % 2}" for i, (x, y) in enumerate(rng.normal(size=(40, 2)))]
    good.write_text("\n".join(rows))
    uploader.set_input_files(good)  # replaces the rejected file
    page.get_by_text("Using good.csv: 30 training and 10 test points.").wait_for()
    assert not error.count()
    assert not exceptions(page)


def test_an_uploaded_files_name_shows_as_typed(page, components_server):
    open_app(page, components_server)
    # No "/": a file's name cannot hold one (the server keeps what follows the last).
    name = (
        "[x](javascript:alert(1)) **b** :red[c] $x^2$ :smile: <em>i<em> &amp; me@a.io www.a.io.csv"
    )
    rng = np.random.default_rng(1)
    rows = [f"{x:.3f},{y:.3f},{i % 2}" for i, (x, y) in enumerate(rng.normal(size=(40, 2)))]
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}
    )
    caption = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Using ")
    caption.wait_for()
    shown = caption.inner_text().replace(WORD_JOINER, "")  # invisible, where links would start
    assert shown == f"Using {name}: 30 training and 10 test points."
    # Only the caption's own bold: no link, emphasis, colour, math, emoji or HTML from the name.
    assert caption.locator("strong").count() == 1
    for markup in ("a", "em", "span[class*=Colored]", ".katex", "strong strong"):
        assert caption.locator(markup).count() == 0, markup
    screenshot(page, "components-upload-hostile-name")
