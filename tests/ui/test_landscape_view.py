"""The loss landscape's figures and budgets (ui/figures.py, ui/landscape_view.py): a
contour with one line per optimizer's path, the bowls side by side, and a grid whose work
stays bounded however large the network."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dnn_core import TrainConfig, train_stack
from dnn_core.datasets import load
from ui import figures, landscape_view
from ui.snapshots import SnapshotRecorder


def test_the_default_networks_get_the_full_grid_and_larger_ones_a_bounded_one():
    assert landscape_view.grid_size((2, 5, 2, 1), 300) == landscape_view.GridSize(45, 300)
    small = landscape_view.grid_size((2, 20, 20, 1), 300)
    assert small.resolution == 45 and 100 <= small.examples < 300  # fewer points first
    coarse = landscape_view.grid_size((2, 50, 50, 1), 300)
    assert coarse.resolution < 45 and coarse.examples == landscape_view.MIN_EXAMPLES
    assert landscape_view.grid_size((2, 200, 200, 1), 300) is None
    for dims in ((2, 5, 2, 1), (2, 20, 20, 1), (2, 50, 50, 1)):
        size = landscape_view.grid_size(dims, 300)
        parameters, units = landscape_view._network_size(dims)
        work = size.resolution**2 * size.examples * (parameters + 8 * units)
        assert work <= landscape_view.GRID_WORK
    assert landscape_view.grid_size((2, 5, 2, 1), 40).examples == 40  # a small set: all


@pytest.fixture(scope="module")
def traced_runs():
    data = load("moons")
    base = TrainConfig(layer_dims=(2, 5, 2, 1), learning_rate=0.1, num_iterations=40)
    configs = {
        "minibatch": replace(base, optimizer="gd", mini_batch_size=32),
        "adam": replace(base, optimizer="adam", mini_batch_size=32),
    }
    recorder = SnapshotRecorder(base.epochs - 1)  # what every page run keeps for replays
    trained = train_stack(data.X_train, data.Y_train, list(configs.values()), callback=recorder)
    results = dict(zip(configs, trained, strict=True))
    paths = {
        choice: landscape_view.run_path(results[choice], recorder.snapshots().model(k))
        for k, choice in enumerate(configs)
    }
    return data, results, paths


def test_a_path_runs_from_the_start_through_the_snapshots_and_stops_where_it_diverged(
    traced_runs,
):
    from dnn_core.network import params_to_vector
    from ui.snapshots import Snapshots

    _data, results, paths = traced_runs
    epochs, vectors = paths["adam"]
    np.testing.assert_array_equal(vectors[0], params_to_vector(results["adam"].initial_params))
    np.testing.assert_allclose(vectors[-1], params_to_vector(results["adam"].params), rtol=1e-6)
    assert epochs[0] == 0 and epochs[-1] == 40 and np.all(np.diff(epochs) > 0)
    broken = {key: np.full_like(value, np.nan) for key, value in results["adam"].params.items()}
    kept = Snapshots((0, 1, 2), (results["adam"].params, results["adam"].params, broken))
    cut_epochs, cut = landscape_view.run_path(results["adam"], kept)
    assert list(cut_epochs) == [0, 1, 2] and np.all(np.isfinite(cut))


def test_the_landscape_draws_every_path_on_the_plane_through_the_lowest_end(traced_runs):
    data, results, paths = traced_runs
    names = {"minibatch": "Mini-batch GD", "adam": "Adam"}
    size = landscape_view.GridSize(15, 100)
    figure, facts = landscape_view.paths_landscape(results, paths, names, data, size)

    contour, *drawn = figure.data
    assert contour.type == "contour" and np.asarray(contour.z).shape == (15, 15)
    assert np.asarray(contour.z).dtype == np.float32  # the grid goes light
    lines = [trace for trace in drawn if trace.mode == "lines"]
    assert [line.name for line in lines] == ["Mini-batch GD", "Adam"]
    assert [line.line.color for line in lines] == [figures.series_color(i) for i in range(2)]
    ends = [trace for trace in drawn if trace.mode == "markers" and trace.name != "start"]
    assert [end.legendgroup for end in ends] == ["Mini-batch GD", "Adam"]
    assert len({end.marker.symbol for end in ends}) == 2
    (start,) = [trace for trace in drawn if trace.name == "start"]
    assert len(start.x) == 1  # both paths start from the same weights: one ring
    for line in lines:  # start to end, one point per snapshot and the start
        assert (line.x[0], line.y[0]) == pytest.approx((start.x[0], start.y[0]), abs=1e-5)
        assert len(line.x) == len(paths["adam"][0])
    lowest = min(results, key=lambda choice: results[choice].costs[-1])
    assert facts.center == names[lowest]
    end = ends[list(names).index(lowest)]
    assert (end.x[0], end.y[0]) == pytest.approx((0.0, 0.0), abs=1e-6)  # the centre
    assert 0.5 < facts.explained <= 1.0 and facts.examples == 100
    # The grid covers every path, and the lowest end sits in a valley of the grid.
    for line in lines:
        assert contour.x[0] <= min(line.x) and max(line.x) <= contour.x[-1]
        assert contour.y[0] <= min(line.y) and max(line.y) <= contour.y[-1]
    costs = np.asarray(contour.customdata)
    assert costs.min() < 0.75 * np.median(costs)


def test_the_landscape_colours_span_the_valley_on_a_log_scale():
    alphas = np.linspace(-1, 1, 9)
    costs = 0.1 * 10 ** (4 * np.add.outer(alphas**2, alphas**2))  # from 0.1 to 1e7
    costs[0, 0] = np.inf  # a network too far out to compute
    figure = figures.landscape_figure(alphas, alphas, costs, {})
    contour = figure.data[0]
    assert contour.zmin == pytest.approx(-1.0)
    assert contour.zmax == pytest.approx(-1.0 + figures.LANDSCAPE_DECADES)
    assert np.all(np.isfinite(contour.z)) and np.max(contour.z) <= contour.zmax
    assert list(contour.colorbar.ticktext) == ["0.1", "0.2", "0.5", "1", "2", "5", "10", "20"]
    dark = figures.for_display(figure, dark=True).data[0]
    assert [color for _, color in dark.colorscale] == [
        color for _, color in figures.DARK_LANDSCAPE_SCALE
    ]


def test_the_bowls_share_a_cost_axis_and_one_legend():
    steps = np.linspace(-1, 1, 5)
    figure = figures.bowl_figure(
        steps,
        {
            "direction 1": {"plain": steps**2 * 4, "L2": steps**2},
            "direction 2": {"plain": steps**2 * 3, "L2": steps**2 + 0.1},
        },
        title="Bowls",
    )
    assert [trace.name for trace in figure.data] == ["plain", "L2", "plain", "L2"]
    assert [trace.showlegend for trace in figure.data] == [True, True, False, False]
    assert figure.data[0].line.color == figure.data[2].line.color
    assert figure.layout.yaxis2.matches == "y"  # one cost scale for both panels
    assert [note.text for note in figure.layout.annotations] == ["direction 1", "direction 2"]
