"""The maps of the hidden units (ui/figures.py, ui/units_view.py): one small map per unit
in a row per layer, each layer on its own range, bounded in maps and bytes, readable on a
dark page and when projected."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import datasets, hidden_unit_maps, init_params
from ui import figures, units_view


@pytest.fixture(scope="module")
def circles():
    return datasets.circles()


def maps_of(params, X, resolution=16):
    return hidden_unit_maps(params, X, resolution=resolution)


def domain(fig, trace, axis: str) -> tuple[float, float]:
    """Where the ``axis`` ("x" or "y") of ``trace``'s small map sits, in the figure."""
    name = getattr(trace, f"{axis}axis")
    return fig.layout[name.replace(axis, f"{axis}axis", 1)].domain


def heatmaps(fig):
    return [trace for trace in fig.data if trace.type == "heatmap"]


def test_one_heatmap_per_unit_a_row_per_layer_each_layer_its_own_range(circles):
    params = init_params([2, 12, 3, 1], "he", seed=3)
    xs, ys, maps = maps_of(params, circles.X_train)
    fig = figures.unit_maps_figure(xs, ys, maps, title="Units")

    shown = heatmaps(fig)
    assert [trace.name for trace in shown] == [f"1.{u}" for u in range(1, 13)] + [
        "2.1",
        "2.2",
        "2.3",
    ]
    for trace, expected in zip(shown, [*maps[1], *maps[2]], strict=True):
        np.testing.assert_array_equal(trace.z, expected.astype(np.float32))
        assert trace.x0 == pytest.approx(xs[0]) and trace.dx == pytest.approx(xs[1] - xs[0])
    # Layer 1 wraps after ten maps: the 11th map goes under the first; layer 2 starts a
    # row of its own, in the first column again.
    first, eleventh, layer2 = shown[0], shown[10], shown[12]
    assert domain(fig, eleventh, "x") == domain(fig, first, "x") == domain(fig, layer2, "x")
    assert domain(fig, layer2, "y")[1] < domain(fig, eleventh, "y")[0]
    assert domain(fig, eleventh, "y")[1] < domain(fig, first, "y")[0]
    # A colour range per layer: 0 to that layer's largest output.
    assert {trace.coloraxis for trace in shown[:12]} == {"coloraxis"}
    assert {trace.coloraxis for trace in shown[12:]} == {"coloraxis2"}
    assert fig.layout.coloraxis.cmax == pytest.approx(maps[1].max())
    assert fig.layout.coloraxis2.cmax == pytest.approx(maps[2].max())
    assert fig.layout.coloraxis.cmin == fig.layout.coloraxis2.cmin == 0.0
    # Every map keeps equal units on its axes.
    for trace in shown:
        assert fig.layout[trace.yaxis.replace("y", "yaxis")].scaleanchor == trace.xaxis


def test_every_small_map_is_a_bare_framed_tile_and_each_layer_is_named_once(circles):
    params = init_params([2, 12, 3, 1], "he", seed=3)
    xs, ys, maps = maps_of(params, circles.X_train)
    fig = figures.unit_maps_figure(xs, ys, maps, title="Units")

    for trace in heatmaps(fig):
        x_axis = fig.layout[trace.xaxis.replace("x", "xaxis", 1)]
        y_axis = fig.layout[trace.yaxis.replace("y", "yaxis", 1)]
        assert tuple(x_axis.range) == pytest.approx((xs[0], xs[-1]))
        assert tuple(y_axis.range) == pytest.approx((ys[0], ys[-1]))
        for axis in (x_axis, y_axis):
            assert axis.showticklabels is False and axis.showgrid is False
            assert axis.showline and axis.mirror and axis.constrain == "domain"
        assert y_axis.scaleanchor == trace.xaxis  # kept when the tile style is merged in
    titles = [
        fig.layout[name].title.text
        for name in fig.layout
        if name.startswith("yaxis") and fig.layout[name].title.text
    ]
    assert sorted(titles) == ["layer 1", "layer 2"]


def test_points_are_drawn_lightly_on_every_map_only_when_asked(circles):
    params = init_params([2, 4, 1], "he", seed=3)
    xs, ys, maps = maps_of(params, circles.X_train)

    plain = figures.unit_maps_figure(xs, ys, maps)
    dotted = figures.unit_maps_figure(xs, ys, maps, X=circles.X_train, Y=circles.Y_train)

    assert [trace.type for trace in plain.data] == ["heatmap"] * 4
    assert len(dotted.data) == 4 * 3  # each map, then its two classes
    for trace in dotted.data[1::3]:
        assert trace.type == "scatter" and trace.marker.opacity < 0.5 and trace.hoverinfo == "skip"


def test_a_silent_layer_shows_empty_maps_and_no_range():
    xs = ys = np.linspace(-1, 1, 8)
    maps = {1: np.zeros((3, 8, 8)), 2: np.ones((2, 8, 8))}

    fig = figures.unit_maps_figure(xs, ys, maps)

    assert fig.layout.coloraxis.showscale is False  # all zeros: nothing to scale
    assert fig.layout.coloraxis.cmax == 1.0  # and drawn as 0, the page's colour
    assert fig.layout.coloraxis2.showscale is True


def test_dark_page_swaps_the_activation_scale_and_keeps_the_data(circles):
    params = init_params([2, 5, 2, 1], "he", seed=3)
    xs, ys, maps = maps_of(params, circles.X_train)
    fig = figures.packed(figures.unit_maps_figure(xs, ys, maps, title="Units"))

    dark = figures.for_display(fig, dark=True)
    large = figures.for_display(fig, large=True)

    for name in ("coloraxis", "coloraxis2"):
        scale = dark.layout[name].colorscale
        assert scale[0] == (0.0, figures.DARK_BACKGROUND)  # off: the dark page itself
        assert scale[-1][1] == figures.DARK_ACTIVATION_SCALE[-1][1]  # strong: bright
    assert fig.layout.coloraxis.colorscale[0] == (0.0, figures.LIGHT_BACKGROUND)
    assert [t.z for t in heatmaps(dark)] == [t.z for t in heatmaps(fig)]  # as sent
    assert large.layout.height > fig.layout.height
    assert min(note.font.size for note in large.layout.annotations) > figures.SMALL_FONT_SIZE


def test_the_large_map_is_one_unit_with_the_points(circles):
    xs = ys = np.linspace(-1, 1, 20)
    values = np.maximum(np.add.outer(ys, xs), 0)  # a ReLU of x1 + x2

    fig = figures.unit_map_figure(xs, ys, values, circles.X_train, circles.Y_train, title="u")

    heatmap = fig.data[0]
    np.testing.assert_array_equal(heatmap.z, values.astype(np.float32))
    assert (heatmap.zmin, heatmap.zmax) == (0.0, pytest.approx(values.max()))
    assert {trace.name for trace in fig.data[1:]} == {"train, class 0", "train, class 1"}
    silent = figures.unit_map_figure(xs, ys, 0 * values, circles.X_train, circles.Y_train)
    assert silent.data[0].showscale is False
    assert "outputs 0" in silent.layout.annotations[0].text


def test_wide_networks_are_capped_in_maps_and_grid_points():
    assert {layer: len(units) for layer, units in units_view.shown_units([10, 5]).items()} == {
        1: 10,
        2: 5,
    }
    widest = units_view.shown_units([100] * 6)
    maps = sum(len(units) for units in widest.values())
    assert maps <= units_view.MAX_MAPS
    assert all(units == range(10) for units in widest.values())  # each layer's first ten
    assert units_view.small_resolution(15) == units_view.MAX_RESOLUTION
    resolution = units_view.small_resolution(maps)
    assert units_view.MIN_RESOLUTION <= resolution < units_view.MAX_RESOLUTION
    assert maps * resolution**2 <= units_view.MAP_POINTS


def test_the_largest_network_sends_a_bounded_figure(circles):
    params = init_params([2, *[100] * 6, 1], "he", seed=3)

    fig, summary = units_view.small_maps(params, circles, points=False, title="Units")

    assert len(heatmaps(fig)) == units_view.MAX_MAPS
    assert summary.capped == dict.fromkeys(range(1, 7), (10, 100))
    assert summary.identical == () and not summary.silent
    empty = sum(not np.any(trace.z) for trace in heatmaps(fig))
    assert summary.empty == empty
    assert len(figures.packed(fig).to_json()) < 300_000  # bytes every student receives
