"""ui/figures.py: each builder draws exactly the data it is given."""

from __future__ import annotations

import numpy as np
import pytest

from ui import figures


@pytest.fixture
def points():
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(size=(2, 30)), rng.normal(size=(2, 12))
    Y_train = (np.arange(30) % 3 == 0).astype(float).reshape(1, -1)
    Y_test = (np.arange(12) % 2 == 0).astype(float).reshape(1, -1)
    return X_train, Y_train, X_test, Y_test


def traces_by_name(fig):
    return {trace.name: trace for trace in fig.data}


def test_scatter_draws_each_split_and_class_with_its_own_marker(points):
    X_train, Y_train, X_test, Y_test = points
    fig = figures.scatter_figure(X_train, Y_train, X_test, Y_test, title="data")

    traces = traces_by_name(fig)
    assert set(traces) == {"train, class 0", "train, class 1", "test, class 0", "test, class 1"}
    ones = Y_train.ravel() == 1
    np.testing.assert_array_equal(traces["train, class 1"].x, X_train[0, ones])
    np.testing.assert_array_equal(traces["train, class 1"].y, X_train[1, ones])
    assert len(traces["test, class 0"].x) == int(np.sum(Y_test == 0))
    assert traces["test, class 0"].marker.symbol == "diamond-open"
    assert traces["train, class 0"].marker.symbol == "circle"
    assert traces["train, class 0"].marker.color == figures.CLASS_COLORS[0]
    assert fig.layout.title.text == "data"


def test_scatter_without_test_set_draws_train_only(points):
    X_train, Y_train, _, _ = points
    fig = figures.scatter_figure(X_train, Y_train)
    assert [trace.name for trace in fig.data] == ["train, class 0", "train, class 1"]


def test_decision_boundary_shows_probabilities_and_the_half_contour(points):
    X_train, Y_train, X_test, Y_test = points
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 4)
    probs = np.tile(np.linspace(0.1, 0.9, 5), (4, 1))  # probs[i, j] at (xs[j], ys[i])
    fig = figures.decision_boundary_figure(xs, ys, probs, X_train, Y_train, X_test, Y_test)

    traces = traces_by_name(fig)
    heatmap = traces["P(class 1)"]
    np.testing.assert_allclose(heatmap.z, probs, rtol=1e-7)
    assert heatmap.z.dtype == np.float32  # half the bytes of every page that shows a map
    np.testing.assert_array_equal(heatmap.x, xs)
    assert (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)
    contour = traces["boundary"]
    assert contour.contours.start == contour.contours.end == 0.5
    assert "test, class 1" in traces
    assert tuple(fig.layout.xaxis.range) == (-2.0, 2.0)


def test_constant_prediction_has_no_boundary_and_compact_maps_drop_scale_and_legend(points):
    X_train, Y_train, _, _ = points
    xs = ys = np.linspace(0, 1, 3)
    fig = figures.decision_boundary_figure(
        xs, ys, np.full((3, 3), 0.2), X_train, Y_train, compact=True
    )

    names = [trace.name for trace in fig.data]
    assert "boundary" not in names
    assert "test, class 0" not in names
    assert fig.data[0].showscale is False
    assert fig.layout.showlegend is False


def test_a_flat_half_is_no_boundary_however_it_wobbles(points):
    X_train, Y_train, _, _ = points
    xs = ys = np.linspace(0, 1, 4)
    wobble = 0.5 + 1e-6 * np.array([[1, -1, 1, -1]] * 4)  # round-off around one half
    fig = figures.decision_boundary_figure(xs, ys, wobble, X_train, Y_train)

    assert "boundary" not in [trace.name for trace in fig.data]
    assert [note.text for note in fig.layout.annotations] == [figures.NO_BOUNDARY]
    learnt = figures.decision_boundary_figure(
        xs, ys, np.tile(np.linspace(0.1, 0.9, 4), (4, 1)), X_train, Y_train
    )
    assert not learnt.layout.annotations


def test_non_finite_probabilities_do_not_break_the_boundary(points):
    X_train, Y_train, _, _ = points
    xs = ys = np.linspace(0, 1, 3)
    probs = np.array([[0.1, np.nan, 0.9], [0.2, 0.4, 0.8], [0.3, 0.5, np.nan]])
    fig = figures.decision_boundary_figure(xs, ys, probs, X_train, Y_train)
    assert "boundary" in [trace.name for trace in fig.data]


def test_cost_curves_overlay_one_line_per_run():
    curves = {
        "He": (np.array([0, 10, 20]), np.array([0.7, 0.4, 0.2])),
        "Zeros": (np.array([0, 10, 20]), np.array([0.69, 0.69, 0.69])),
    }
    fig = figures.cost_curves_figure(curves, num_iterations=100, log_y=True)

    assert [trace.name for trace in fig.data] == ["He", "Zeros"]
    np.testing.assert_array_equal(fig.data[0].y, curves["He"][1])
    assert fig.data[0].line.color != fig.data[1].line.color
    assert fig.layout.yaxis.type == "log"
    assert tuple(fig.layout.xaxis.range) == (0, 99)


def test_layer_histograms_have_one_panel_per_layer_and_flatten_values():
    panels = {
        "layer 1": {"start": np.ones((3, 4)), "end": np.array([1.0, np.inf, 2.0])},
        "layer 2": {"start": np.zeros(5), "end": np.arange(6.0)},
    }
    fig = figures.layer_histograms_figure(panels, x_title="activation")

    assert [annotation.text for annotation in fig.layout.annotations] == ["layer 1", "layer 2"]
    assert len(fig.data) == 4
    first_start, first_end, second_start, _ = fig.data
    assert len(first_start.x) == 12  # (3, 4) flattened
    np.testing.assert_array_equal(first_end.x, [1.0, 2.0])  # inf is dropped
    assert second_start.xaxis == "x2"
    assert [trace.showlegend for trace in fig.data] == [True, True, False, False]
    assert first_start.marker.color == second_start.marker.color  # a series keeps its colour


def test_weights_heatmap_rows_are_units_and_colours_are_centred_on_zero():
    W = np.array([[1.0, -3.0], [1.0, -3.0], [0.5, 2.0]])
    fig = figures.weights_heatmap_figure(W)

    heatmap = fig.data[0]
    np.testing.assert_array_equal(heatmap.z, W)
    assert list(heatmap.y) == ["unit 1", "unit 2", "unit 3"]
    assert (heatmap.zmin, heatmap.zmax) == (-3.0, 3.0)
    zeros = figures.weights_heatmap_figure(np.zeros((2, 2))).data[0]
    assert (zeros.zmin, zeros.zmax) == (-1.0, 1.0)


def test_sweep_figure_draws_train_and_test_and_marks_the_current_value():
    values = np.array([0.0, 0.5, 1.0])
    fig = figures.sweep_figure(
        values, np.array([0.9, 0.8, 0.7]), np.array([0.85, 0.86, 0.8]), x_title="λ", marked=0.5
    )

    traces = traces_by_name(fig)
    np.testing.assert_array_equal(traces["train"].y, [0.9, 0.8, 0.7])
    np.testing.assert_array_equal(traces["test"].x, values)
    assert [shape.x0 for shape in fig.layout.shapes] == [0.5]
    unmarked = figures.sweep_figure(values, values, values, x_title="λ")
    assert unmarked.layout.shapes == ()


def test_results_table_has_a_row_per_model():
    table = figures.results_table(["a", "b"], [0.9, 0.8], [0.85, float("nan")], label="init")
    assert list(table.columns) == ["init", "train accuracy", "test accuracy"]
    assert table["train accuracy"].tolist() == [0.9, 0.8]
    assert np.isnan(table["test accuracy"].iloc[1])


def test_every_figure_uses_the_lab_style():
    fig = figures.cost_curves_figure({"a": ([0, 1], [1.0, 0.5])}, title="Cost")
    assert fig.layout.font.size == figures.FONT_SIZE
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert figures.series_color(len(figures.SERIES_COLORS)) == figures.series_color(0)


def test_a_run_that_diverged_at_once_is_still_visible():
    fig = figures.cost_curves_figure({"cost": (np.array([0]), np.array([6e10]))})
    assert fig.data[0].mode == "lines+markers"
