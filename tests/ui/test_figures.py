"""ui/figures.py: each builder draws exactly the data it is given, in colours and sizes
that read in a classroom, on a light or a dark page."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from ui import figures

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    assert traces["test, class 0"].marker.symbol == "circle-open"
    assert traces["train, class 0"].marker.symbol == "circle"
    assert traces["train, class 1"].marker.symbol == "square"
    assert traces["test, class 1"].marker.symbol == "square-open"
    # Test points are rings a little larger than the dots, so they never hide one.
    assert traces["test, class 0"].marker.size > traces["train, class 0"].marker.size
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
    assert fig.layout.template.layout.plot_bgcolor == figures.LIGHT_BACKGROUND
    assert figures.series_color(len(figures.SERIES_COLORS)) == figures.series_color(0)


def test_the_lab_style_sets_what_update_layout_would_and_keeps_what_was_set():
    def drawn():
        fig = go.Figure([go.Scatter(x=[0, 1], y=[1, 0]), go.Scatter(x=[0, 1], y=[0, 1])])
        fig.update_layout(legend={"title": {"text": "runs"}}, xaxis_title="iteration")
        return fig

    style = {"height": 300, "legend": {"orientation": "h", "y": 0.0}, "title": {"text": "Cost"}}
    expected = drawn().update_layout(**style)
    ours = drawn()
    figures._set_layout(ours, **style)
    assert ours.to_plotly_json() == expected.to_plotly_json()
    assert ours.layout.legend.title.text == "runs"  # merged into, not replaced


def test_a_run_that_diverged_at_once_is_still_visible():
    fig = figures.cost_curves_figure({"cost": (np.array([0]), np.array([6e10]))})
    assert fig.data[0].mode == "lines+markers"


# --- colours that survive colour blindness, grey print and a dark page ---


def _linear(color: str) -> np.ndarray:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIE L*a*b* of linear sRGB (D65)."""
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira and Fernandes (2009), full severity, on linear RGB.
DEFICIENCIES = {
    "protanopia": [[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]],
    "deuteranopia": [[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]],
    "tritanopia": [[1.256, -0.077, -0.179], [-0.078, 0.931, 0.148], [0.005, 0.691, 0.304]],
}


def _difference(first: str, second: str, deficiency: str | None = None) -> float:
    """CIE76 colour difference, as a viewer with ``deficiency`` sees the two colours."""
    seen = [_linear(color) for color in (first, second)]
    if deficiency:
        seen = [np.array(DEFICIENCIES[deficiency]) @ color for color in seen]
    return float(np.linalg.norm(_lab(seen[0]) - _lab(seen[1])))


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
@pytest.mark.parametrize("dark", [False, True])
def test_the_two_classes_stay_apart_for_colour_blind_eyes(deficiency, dark):
    colors = figures.CLASS_COLORS
    if dark:
        colors = {label: figures.DARK_COLORS.get(c, c) for label, c in colors.items()}
    assert _difference(colors[0], colors[1], deficiency) > 40


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("deficiency", [None, "protanopia", "deuteranopia"])
def test_series_colours_stay_apart_for_colour_blind_eyes(deficiency, dark):
    palette = [figures.DARK_COLORS.get(c, c) if dark else c for c in figures.SERIES_COLORS]
    # Curves also differ in dash (SERIES_DASHES); colours alone keep a page's first four
    # runs (and any two neighbours) clearly apart.
    for first, second in [*itertools.combinations(palette[:4], 2), *itertools.pairwise(palette)]:
        assert _difference(first, second, deficiency) > 15, (first, second)


def test_classes_differ_in_shape_so_a_map_reads_in_grey(points):
    X_train, Y_train, X_test, Y_test = points
    fig = figures.scatter_figure(X_train, Y_train, X_test, Y_test)
    symbols = {trace.name: trace.marker.symbol for trace in fig.data}
    assert symbols["train, class 0"] != symbols["train, class 1"]
    assert symbols["test, class 0"] != symbols["test, class 1"]
    assert len(set(symbols.values())) == 4


def test_the_probability_scale_runs_between_the_class_colours(points):
    """The map's tint of class 0 (and 1) is a paler shade of that class's points' colour."""
    X_train, Y_train, _, _ = points
    xs = ys = np.linspace(0, 1, 3)
    fig = figures.decision_boundary_figure(xs, ys, np.eye(3), X_train, Y_train)
    scale = fig.data[0].colorscale
    for label, (_, tint) in zip((0, 1), (scale[0], scale[-1]), strict=True):
        hue = _lab(_linear(figures.CLASS_COLORS[label]))[1:]
        tint_hue = _lab(_linear(tint))[1:]
        cosine = hue @ tint_hue / np.linalg.norm(hue) / np.linalg.norm(tint_hue)
        assert cosine > 0.95, (label, tint)
    assert scale[1] == (0.5, figures.LIGHT_BACKGROUND)  # undecided: the page's colour


def test_chart_backgrounds_and_text_match_the_apps_light_and_dark_themes():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    light, dark = config["theme"]["light"], config["theme"]["dark"]
    assert "base" not in config["theme"]  # a base theme would take the dark one away
    assert light["backgroundColor"] == figures.LIGHT_BACKGROUND
    assert dark["backgroundColor"] == figures.DARK_BACKGROUND
    assert light["textColor"] == figures.LIGHT_TEXT
    assert dark["textColor"] == figures.DARK_TEXT
    # The app menu, whose theme switch is the only way to change themes, stays on.
    assert config["client"]["toolbarMode"] != "minimal"


# --- for_display: a page's theme and presentation mode, on a copy ---


@pytest.fixture
def boundary(points):
    X_train, Y_train, X_test, Y_test = points
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 4)
    probs = np.tile(np.linspace(0.1, 0.9, 5), (4, 1))
    return figures.decision_boundary_figure(
        xs, ys, probs, X_train, Y_train, X_test, Y_test, title="Decision boundary"
    )


def test_a_light_normal_page_shows_the_figure_itself(boundary):
    assert figures.for_display(boundary) is boundary


def test_dark_display_recolours_a_copy_and_keeps_the_data(boundary):
    before = boundary.to_json()
    dark = figures.for_display(boundary, dark=True)

    assert boundary.to_json() == before  # the (maybe cached, shared) figure is untouched
    layout = dark.layout.template.layout
    assert layout.paper_bgcolor == layout.plot_bgcolor == figures.DARK_BACKGROUND
    assert layout.font.color == figures.DARK_TEXT
    assert layout.xaxis.gridcolor != figures.TEMPLATE.layout.xaxis.gridcolor
    traces = traces_by_name(dark)
    heatmap = traces["P(class 1)"]
    assert heatmap.colorscale[1] == (0.5, figures.DARK_BACKGROUND)  # undecided: the page
    assert traces["boundary"].line.color == figures.DARK_COLORS[figures.BOUNDARY_COLOR]
    train = traces["train, class 0"]
    assert train.marker.color == figures.DARK_COLORS[figures.CLASS_COLORS[0]]
    assert train.marker.line.color == figures.DARK_BACKGROUND
    assert train.marker.symbol == "circle"
    # The same data (compared as Plotly sends them: base64 typed arrays).
    for shown, drawn in zip(dark.to_dict()["data"], boundary.to_dict()["data"], strict=True):
        assert [shown.get(axis) for axis in "xyz"] == [drawn.get(axis) for axis in "xyz"]
    assert dark.layout.title.text == boundary.layout.title.text


def test_dark_display_adapts_every_kind_of_chart():
    weights = figures.for_display(figures.weights_heatmap_figure(np.eye(2)), dark=True)
    assert weights.data[0].colorscale[1][1] != "rgb(247,247,247)"  # no glaring white zero
    bars = figures.per_parameter_difference_figure(
        {"W1": 1e-9, "b1": 0.3}, {"W1": "great", "b1": "wrong"}
    )
    dark_bars = figures.for_display(bars, dark=True)
    assert list(dark_bars.data[0].marker.color) == list(bars.data[0].marker.color)
    notes = [note.font.color for note in dark_bars.layout.annotations]
    assert notes and set(notes) == {figures.DARK_COLORS[figures.NOTE_COLOR]}
    lines = {shape.line.color for shape in dark_bars.layout.shapes}
    assert lines == {figures.DARK_COLORS[figures.THRESHOLD_COLOR]}
    flat = figures.decision_boundary_figure(
        np.arange(2.0), np.arange(2.0), np.full((2, 2), 0.3), np.zeros((2, 1)), np.ones((1, 1))
    )
    note = figures.for_display(flat, dark=True).layout.annotations[0]
    assert note.bgcolor == figures.DARK_COLORS[figures.NOTE_BACKGROUND]


def test_presentation_display_is_larger_and_taller(boundary):
    large = figures.for_display(boundary, large=True)

    assert large.layout.font.size == figures.LARGE_FONT_SIZE > figures.FONT_SIZE
    assert large.layout.title.font.size == figures.LARGE_TITLE_SIZE > figures.TITLE_SIZE
    assert large.layout.height > boundary.layout.height
    assert large.layout.hoverlabel.font.size == figures.LARGE_FONT_SIZE
    assert large.layout.xaxis.title.font.size > figures.AXIS_TITLE_SIZE
    assert large.layout.margin.t > boundary.layout.margin.t
    assert large.layout.template.layout.paper_bgcolor == figures.LIGHT_BACKGROUND
    assert boundary.layout.font.size == figures.FONT_SIZE  # the original is untouched
    panels = figures.layer_histograms_figure({"layer 1": {"a": np.ones(3)}, "layer 2": {}})
    titles = figures.for_display(panels, large=True, dark=True).layout.annotations
    assert {title.font.size for title in titles} == {
        round(figures.AXIS_TITLE_SIZE * figures.LARGE_FONT_SIZE / figures.FONT_SIZE)
    }


def test_fonts_are_large_enough_to_read_when_projected(boundary):
    assert figures.FONT_SIZE >= 16  # ticks, legend, colour bar
    assert boundary.layout.title.font.size >= 20
    assert figures.TEMPLATE.layout.hoverlabel.font.size >= 16
    assert figures.TEMPLATE.layout.xaxis.title.font.size >= 16
    sweep = figures.epsilon_sweep_figure(np.array([1e-2, 1e-4]), {"float64": np.ones(2)})
    assert min(note.font.size for note in sweep.layout.annotations) >= 14


def test_histogram_panels_keep_their_ticks_few_so_a_phone_can_read_them():
    panels = {f"layer {n}": {"a": np.linspace(0, 1e-3, 50)} for n in range(1, 5)}
    fig = figures.layer_histograms_figure(panels)
    axes = [fig.layout[f"xaxis{n}"] for n in ("", 2, 3, 4)]
    assert "xaxis5" not in fig.layout
    assert all(axis.nticks and axis.nticks <= 3 for axis in axes)
    assert [bool(axis.title.text) for axis in axes] == [False, True, False, False]


def test_presentation_titles_wrap_shorter_so_they_fit_as_before():
    fig = figures.cost_curves_figure(
        {"a": ([0, 1], [1.0, 0.5])}, title="Cost by scheme (log scale)"
    )
    (line,) = fig.layout.title.text.split("<br>")
    large = figures.for_display(fig, large=True)
    lines = large.layout.title.text.split("<br>")
    assert len(lines) == 2
    widest = max(map(len, lines)) * figures.LARGE_TITLE_SIZE
    assert widest <= len(line) * figures.TITLE_SIZE
    assert large.layout.margin.t > fig.layout.margin.t


def test_a_fine_maps_boundary_line_is_traced_on_every_other_grid_point(points):
    X_train, Y_train, _, _ = points
    xs, ys = np.linspace(-2, 2, 161), np.linspace(-1, 1, 121)
    probs = 1 / (1 + np.exp(-4 * (xs[None, :] - ys[:, None])))  # (121, 161), crosses 0.5
    fig = figures.decision_boundary_figure(xs, ys, probs, X_train, Y_train)

    traces = traces_by_name(fig)
    contour = traces["boundary"]
    assert contour.z.shape == (61, 81)  # half the points, so a third less to send
    # The same span as the heatmap, to its edges, and the heatmap's own values.
    assert (contour.x[0], contour.x[-1], contour.y[0], contour.y[-1]) == (-2, 2, -1, 1)
    np.testing.assert_array_equal(contour.z, traces["P(class 1)"].z[::2, ::2])


def test_a_packed_figure_sends_the_same_chart_with_its_arrays_encoded_once(points):
    X_train, Y_train, X_test, Y_test = points
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 4)
    probs = np.tile(np.linspace(0.1, 0.9, 5), (4, 1))
    fig = figures.decision_boundary_figure(xs, ys, probs, X_train, Y_train, X_test, Y_test)

    cost, (boundary,), rest = figures.packed(({"cost": fig}, [fig], 7))

    for shown in (cost["cost"], boundary):
        assert json.loads(shown.to_json()) == json.loads(fig.to_json())
        assert set(shown.data[0].z) == {"dtype", "bdata", "shape"}  # no array to encode
    assert rest == 7
    assert isinstance(fig.data[0].z, np.ndarray)  # the original is left as it was
