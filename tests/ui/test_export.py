"""ui/export.py: the download builders round-trip exactly, and the buttons render on a page."""

import csv
import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dnn_core import TrainConfig, init_params
from ui.export import (
    PARAMS_FORMAT,
    cost_history_csv,
    figure_html,
    file_stem,
    params_from_json,
    params_from_npz,
    params_json,
    params_npz,
    plotly_config,
)


@pytest.fixture
def params():
    """He-initialized (2, 20, 3, 1) parameters plus values that stress a text format."""
    values = init_params((2, 20, 3, 1), "he", seed=7)
    values["W1"][0, 0] = 1e-310  # subnormal
    values["W1"][0, 1] = -0.0
    values["W2"][0, 0] = 1.2345678901234567e300
    values["b3"][0, 0] = 0.1 + 0.2  # not exactly representable in decimal
    return values


def assert_same_params(actual, expected):
    assert list(actual) == list(expected)
    for name, value in expected.items():
        assert actual[name].shape == value.shape, name
        assert actual[name].dtype == np.float64, name
        np.testing.assert_array_equal(actual[name], value)
        assert np.array_equal(np.signbit(actual[name]), np.signbit(value)), name


def test_npz_round_trip_gives_identical_arrays(params):
    data = params_npz(params)
    assert data[:2] == b"PK"  # a zip archive, what np.load expects from a .npz
    assert_same_params(params_from_npz(data), params)


def test_json_round_trip_gives_identical_arrays_and_shapes(params):
    data = params_json(params)
    document = json.loads(data)
    assert document["format"] == PARAMS_FORMAT
    assert np.shape(document["params"]["b1"]) == (20, 1)
    assert_same_params(params_from_json(data), params)


def test_json_records_the_training_config(params):
    config = TrainConfig(layer_dims=(2, 20, 3, 1), lambd=0.7, optimizer="adam")
    document = json.loads(params_json(params, config=config))
    assert document["config"]["layer_dims"] == [2, 20, 3, 1]
    assert document["config"]["lambd"] == 0.7
    assert document["config"]["optimizer"] == "adam"
    assert json.loads(params_json(params))["config"] is None


@pytest.mark.parametrize(
    "data",
    [b"not json", b"\xff\xfe", b"[1, 2]", json.dumps({"format": "other", "params": {}}).encode()],
)
def test_json_reader_rejects_other_files(data):
    with pytest.raises(ValueError, match=r"JSON|parameter file"):
        params_from_json(data)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_cost_csv_has_iteration_and_cost_columns_with_exact_values():
    iterations = np.arange(0, 1000, 100)
    costs = np.exp(-np.linspace(0, 3, 10)) / 3
    rows = read_csv(cost_history_csv(iterations, costs))
    assert rows[0] == ["iteration", "cost"]
    assert [int(row[0]) for row in rows[1:]] == iterations.tolist()
    assert [float(row[1]) for row in rows[1:]] == costs.tolist()


def test_cost_csv_of_a_sweep_has_one_column_per_model():
    iterations = [0, 100, 200]
    costs = np.array([[0.7, 0.69], [0.5, 0.55], [0.3, 0.4]])  # (n_rec, K)
    rows = read_csv(cost_history_csv(iterations, costs, labels=[0, 0.7]))
    assert rows[0] == ["iteration", "cost_0", "cost_0.7"]
    assert rows[2] == ["100", "0.5", "0.55"]


def test_cost_csv_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="iterations"):
        cost_history_csv([0, 100], [0.7, 0.6, 0.5])
    with pytest.raises(ValueError, match="labels"):
        cost_history_csv([0], np.ones((1, 3)), labels=["a", "b"])


def test_figure_html_is_a_standalone_page_that_works_offline():
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[0.69, 0.41, 0.123456789], name="cost"))
    page = figure_html(fig, name="Cost curve").decode()
    assert page.lower().startswith("<!doctype html>")
    assert page.rstrip().endswith("</html>")
    assert "<script src=" not in page  # plotly.js is embedded, nothing is fetched
    assert "Plotly.newPlot" in page
    assert "0.123456789" in page
    assert '"filename": "cost-curve"' in page


def test_plotly_config_enables_a_named_png_download():
    config = plotly_config("Decision boundary (He)")
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "decision-boundary-he",
        "scale": 2,
    }
    assert "toImage" not in config["modeBarButtonsToRemove"]


@pytest.mark.parametrize(
    ("name", "stem"),
    [("He init, λ=0.7", "he-init-0-7"), ("../../etc/passwd", "etc-passwd"), ("λ", "deep-net-lab")],
)
def test_file_stem_is_safe(name, stem):
    assert file_stem(name) == stem


def export_page():
    import plotly.graph_objects as go
    import streamlit as st

    from dnn_core import TrainConfig, datasets, train
    from ui.export import download_figure, download_run, plotly_config

    data = datasets.load("moons")
    config = TrainConfig(layer_dims=(2, 5, 1), num_iterations=300)
    result = train(data.X_train, data.Y_train, config)
    download_run(result, key="run", name="moons", config=config)
    fig = go.Figure(go.Scatter(x=result.iterations, y=result.costs))
    st.plotly_chart(fig, config=plotly_config("cost"))
    download_figure(fig, key="figure", name="cost")
    st.write(f"cost {result.costs[-1]:.4f}")


def test_download_buttons_render_and_do_not_rerun_the_page():
    app = AppTest.from_function(export_page)
    app.run()
    assert not app.exception
    labels = {button.key: button.label for button in app.download_button}
    assert labels == {
        "run_npz": "Parameters (.npz)",
        "run_json": "Parameters (.json)",
        "run_csv": "Cost history (.csv)",
        "figure": "Figure (.html)",
    }
    # Downloading must not retrain: the buttons ask the browser not to rerun the script.
    assert all(button.proto.ignore_rerun for button in app.download_button)
    # A run's small files are ready links; the 5 MB figure page is built only on click.
    deferred = {button.key: bool(button.proto.deferred_file_id) for button in app.download_button}
    assert deferred == {"run_npz": False, "run_json": False, "run_csv": False, "figure": True}


def wide_run_page():
    from types import SimpleNamespace

    import numpy as np

    from dnn_core import init_params
    from ui.export import download_run

    params = init_params([2, *[100] * 6, 1], "he", seed=1)  # 60,901 numbers
    run = SimpleNamespace(params=params, iterations=np.arange(100), costs=np.ones(100))
    download_run(run, key="run", name="wide")


def test_a_wide_networks_parameter_files_are_built_only_when_clicked():
    app = AppTest.from_function(wide_run_page)
    app.run()
    assert not app.exception
    # 0.5 MB of .npz and 1.3 MB of JSON: kept out of the session's files until asked for.
    deferred = {button.key: bool(button.proto.deferred_file_id) for button in app.download_button}
    assert deferred == {"run_npz": True, "run_json": True, "run_csv": False}
