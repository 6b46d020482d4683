"""AppTests of the hidden-activation choice: the sidebar's tanh or sigmoid reaches every run
a page trains, the charts and scores, and the gradient check of the sidebar's network."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import TrainConfig, predict_proba
from tests.app.apptest_tools import (
    array,
    assert_clean,
    chart,
    clear_caches,
    metrics,
    open_page,
    trace,
)
from ui import runs as ui_runs


def cached_configs() -> list[TrainConfig]:
    """Every TrainConfig the shared caches hold runs of (single runs and stacks)."""
    found = []

    def collect(value):
        if isinstance(value, TrainConfig):
            found.append(value)
        elif isinstance(value, tuple):
            for item in value:
                collect(item)

    for cache in (ui_runs.RESULTS, ui_runs.STACKS):
        for cache_key in cache:
            collect(cache_key)
    return found


def cached_params(activation: str) -> list[dict]:
    """The parameters of every cached single result trained with ``activation``."""
    found = []
    for cache_key in ui_runs.RESULTS:
        configs = (
            [c for c in cache_key if isinstance(c, TrainConfig)]
            if isinstance(cache_key, tuple)
            else []
        )
        if configs and configs[-1].activation == activation:
            value = ui_runs.RESULTS.get(cache_key)
            found.append(getattr(value, "result", value).params)
    return found


PAGES = {
    "init": ("pages/1_Initialization.py", {"init_iterations": 300}, "init-main-boundary"),
    "reg": ("pages/2_Regularization.py", {"reg_iterations": 300}, "reg-main-boundary"),
    "opt": ("pages/4_Optimization.py", {"opt_iterations": 30}, "opt-boundary-adam"),
}


@pytest.mark.parametrize("prefix", list(PAGES))
def test_the_chosen_activation_trains_every_run_and_draws_its_own_boundary(prefix):
    path, quick, boundary = PAGES[prefix]
    clear_caches()
    relu = open_page(path, **quick).run()
    tanh = open_page(path, **(quick | {f"{prefix}_activation": "tanh"})).run()

    assert_clean(tanh)
    trained = {config.activation for config in cached_configs()}
    assert trained == {"relu", "tanh"}
    relu_map = array(trace(chart(relu, boundary), "P(class 1)")["z"])
    heatmap = trace(chart(tanh, boundary), "P(class 1)")
    tanh_map = array(heatmap["z"])
    assert relu_map.shape == tanh_map.shape
    assert abs(relu_map - tanh_map).max() > 1e-3  # another network...
    xs, ys = np.meshgrid(array(heatmap["x"]), array(heatmap["y"]))
    grid = np.vstack([xs.ravel(), ys.ravel()])
    drawn_as_tanh = [  # ...drawn as itself: its map is a tanh network's
        np.allclose(
            predict_proba(grid, params, activation="tanh").reshape(tanh_map.shape),
            tanh_map,
            atol=1e-5,
        )
        for params in cached_params("tanh")
    ]
    assert any(drawn_as_tanh)
    assert tanh.selectbox(key=f"{prefix}_activation").value == "tanh"


def mean_gradients_at_start(app) -> list[float]:
    """The Initialization page's table: each layer's mean |dW| at the start, layer 1 first."""
    spread = next(table.value for table in app.table if "layer" in table.value.columns)
    return [float(value) for value in spread["mean |dW[l]| at start"]]


def test_a_deep_sigmoid_network_shows_vanishing_gradients_on_initialization():
    deep = {"init_iterations": 100, "init_hidden": "10, 10, 10, 10, 10", "init_scheme": "xavier"}
    sigmoid = open_page("pages/1_Initialization.py", **deep, init_activation="sigmoid").run()
    tanh = open_page("pages/1_Initialization.py", **deep, init_activation="tanh").run()

    assert [e.message for e in sigmoid.exception] == []
    (warning,) = [warning.value for warning in sigmoid.warning]
    assert "slope is at most 1/4" in warning  # the page says why, for sigmoid
    vanishing = mean_gradients_at_start(sigmoid)
    assert len(vanishing) == 6
    # Each sigmoid layer passes back at most 1/4 of the gradient: layer 1 gets almost none.
    assert vanishing[0] < 1e-2 * vanishing[-1]
    kept = mean_gradients_at_start(tanh)  # Xavier with tanh, what it was made for
    assert kept[0] / kept[-1] > 10 * vanishing[0] / vanishing[-1]


def test_the_gradient_check_passes_for_a_tanh_network():
    app = open_page(
        "pages/3_Gradient_Checking.py",
        gc_source="sidebar",
        gc_activation="tanh",
        **{"gc_bug_dW2_x2": False, "gc_bug_db1_x4": False},
    ).run()

    assert_clean(app)
    shown = metrics(app)
    assert float(shown["Relative difference"]) < 1e-7
    assert shown["Verdict"] == "Correct"
    assert any("tanh hidden layers" in markdown.value for markdown in app.markdown)
