"""AppTests of the Initialization lesson's maps of the hidden units: one small map per
hidden unit, identical maps for a symmetric start, and a chosen unit shown large."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from dnn_core import forward
from tests.app.apptest_tools import (
    array,
    assert_clean,
    cached_trainings,
    chart,
    chart_keys,
    messages,
    open_page,
)
from ui import units_view

PAGE = "pages/1_Initialization.py"
QUICK = {"init_iterations": 300}
SMALL = "init-unit-maps"
LARGE = "init-unit-map"


def quick_page(**settings):
    return open_page(PAGE, **(QUICK | settings)).run()


def small_maps(app) -> dict[str, np.ndarray]:
    """Small map name ("layer.unit", units from 1) -> its values ``(r, r)``."""
    return small_maps_of(chart(app, SMALL))


def small_maps_of(figure: dict) -> dict[str, np.ndarray]:
    return {
        trace["name"]: array(trace["z"]) for trace in figure["data"] if trace["type"] == "heatmap"
    }


def layer_maps(maps: dict[str, np.ndarray], layer: int) -> np.ndarray:
    return np.stack([value for name, value in maps.items() if name.startswith(f"{layer}.")])


def verdict(app) -> str:
    """The bold line under the small maps that says which layers' units are alike."""
    return next(
        item.value
        for item in app.markdown
        if item.value.startswith("**") and ("map" in item.value or "outputs 0" in item.value)
    )


def trained_run(init: str):
    """The cached run of the scheme ``init`` (the page's own, not the constant start)."""
    return next(result for config, result in cached_trainings() if config.init == init)


def forward_on_map(trace: dict, params, layer: int, unit: int) -> np.ndarray:
    """What the hidden unit computes at the map's own grid points (from the trace's start
    and step), by the core's forward pass: ``(r, r)``."""
    rows, columns = array(trace["z"]).shape
    xs = trace["x0"] + trace["dx"] * np.arange(columns)
    ys = trace["y0"] + trace["dy"] * np.arange(rows)
    grid = np.vstack([np.tile(xs, rows), np.repeat(ys, columns)])
    _, cache = forward(grid, params)
    return cache[f"A{layer}"][unit].reshape(rows, columns)


def heatmap(app, key: str, name: str) -> dict:
    return next(trace for trace in chart(app, key)["data"] if trace["name"] == name)


def test_one_small_map_per_hidden_unit_of_the_default_network():
    app = quick_page()

    assert_clean(app)
    maps = small_maps(app)
    # The lesson's default network is (2, 10, 5, 1): ten maps in layer 1, five in layer 2.
    assert list(maps) == [f"1.{unit}" for unit in range(1, 11)] + [
        f"2.{unit}" for unit in range(1, 6)
    ]
    assert {value.shape for value in maps.values()} == {(units_view.MAX_RESOLUTION,) * 2}
    assert {value.dtype for value in maps.values()} == {np.dtype(np.float32)}
    assert np.ptp(layer_maps(maps, 1), axis=0).max() > 0.1  # He: the units differ
    # A unit of layer 2 died while training (a ReLU that outputs 0 on the whole plane):
    # the sentence counts the empty maps apart from the symmetry.
    empty = [name for name, value in maps.items() if not np.any(value)]
    assert empty and all(name.startswith("2.") for name in empty)
    assert verdict(app) == (
        f"**Every unit has a map of its own: the symmetry is broken. {len(empty)} map(s) are "
        "empty: those units output 0 at every point (dead ReLUs) and pass nothing on.**"
    )
    params = trained_run("he").params
    for name, layer, unit in (("1.4", 1, 3), ("2.5", 2, 4)):
        expected = forward_on_map(heatmap(app, SMALL, name), params, layer, unit)
        np.testing.assert_allclose(maps[name], expected, rtol=1e-5, atol=1e-6)


def test_zeros_and_a_constant_start_give_identical_maps_in_every_layer():
    app = quick_page(init_scheme="zeros")
    maps = small_maps(app)
    assert len(maps) == 15
    assert all(np.all(value == 0.0) for value in maps.values())  # every unit silent
    assert verdict(app).startswith("**Every unit outputs 0 at every point")

    app.button_group(key="init_units_net").set_value("constant").run()

    said = messages(app)  # the zeros run's own warning stays; nothing else is said
    assert said["exception"] == [] and said["error"] == [] and len(said["warning"]) == 1
    maps = small_maps(app)
    assert len(maps) == 15
    for layer in (1, 2):
        same = layer_maps(maps, layer)
        assert np.ptp(same, axis=0).max() <= 1e-6 * np.abs(same).max()  # one map, repeated
        assert same.max() > 0.05  # that is not empty
    assert verdict(app).startswith("**In every layer all maps are the same (layers 1, 2)")


def test_the_maps_at_initialization_are_the_initial_weights_maps():
    app = quick_page()
    trained = small_maps(app)

    app.button_group(key="init_units_when").set_value("start").run()

    assert_clean(app)
    start = small_maps(app)
    assert list(start) == list(trained)
    assert not np.allclose(start["1.1"], trained["1.1"])
    initial = trained_run("he").initial_params
    expected = forward_on_map(heatmap(app, SMALL, "2.3"), initial, 2, 2)
    np.testing.assert_allclose(start["2.3"], expected, rtol=1e-5, atol=1e-6)


def test_choosing_a_unit_shows_it_large():
    app = quick_page()
    first = heatmap(app, LARGE, "activation")
    assert chart(app, LARGE)["layout"]["title"]["text"] == "Layer 1, unit 1"

    app.selectbox(key="init_unit").set_value((2, 4)).run()

    assert_clean(app)
    large = chart(app, LARGE)
    assert large["layout"]["title"]["text"] == "Layer 2, unit 5"
    shown = heatmap(app, LARGE, "activation")
    values = array(shown["z"])
    assert values.shape == (units_view.LARGE_RESOLUTION,) * 2  # finer than a small map
    assert not np.allclose(values, array(first["z"]))
    expected = forward_on_map(shown, trained_run("he").params, 2, 4)
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-6)
    # With the training points on top.
    assert {"train, class 0", "train, class 1"} <= {trace["name"] for trace in large["data"]}


def test_a_wide_network_shows_a_bounded_number_of_maps_and_says_so():
    app = quick_page(init_hidden="30, 30, 30, 30", init_iterations=50)

    assert_clean(app)
    maps = small_maps(app)
    per_layer = units_view.MAX_MAPS // 4
    assert len(maps) == 4 * per_layer  # the first 15 of each layer's 30
    assert "1.15" in maps and "1.16" not in maps
    resolution = next(iter(maps.values())).shape[0]
    assert (
        resolution < units_view.MAX_RESOLUTION
        and len(maps) * resolution**2 <= units_view.MAP_POINTS
    )
    captions = [item.value for item in app.caption]
    assert (
        "Too many units to draw them all: layer 1, the first 15 of 30; layer 2, the first 15 "
        "of 30; layer 3, the first 15 of 30; layer 4, the first 15 of 30. Any unit can be "
        "shown large below."
    ) in captions
    # Every unit can still be chosen and shown large, the hidden ones too.
    app.selectbox(key="init_unit").set_value((3, 29)).run()
    assert chart(app, LARGE)["layout"]["title"]["text"] == "Layer 3, unit 30"


def test_regularization_shows_the_three_models_units_from_one_start():
    app = open_page("pages/2_Regularization.py", reg_iterations=300).run()
    assert "reg-unit-maps" not in chart_keys(app)  # built only for who asks
    app.toggle(key="reg_units").set_value(True).run()

    assert_clean(app)
    models = app.button_group(key="reg_units_net")
    assert models.options == ["None", "L2", "Dropout"]
    plain = chart(app, "reg-unit-maps")
    assert len(small_maps_of(plain)) == 20 + 3  # the lesson's (20, 3) network
    app.button_group(key="reg_units_net").set_value("l2").run()
    l2 = chart(app, "reg-unit-maps")
    # L2 keeps the weights, and so the units' outputs, smaller: every layer's range shrinks.
    for scale in ("coloraxis", "coloraxis2"):
        assert l2["layout"][scale]["cmax"] < plain["layout"][scale]["cmax"]
    # All three start from the same weights: the same maps at initialization.
    starts = []
    for model in ("none", "l2", "dropout"):
        app.button_group(key="reg_units_net").set_value(model)
        app.button_group(key="reg_units_when").set_value("start").run()
        starts.append(small_maps_of(chart(app, "reg-unit-maps")))
    assert_clean(app)
    for other in starts[1:]:
        assert all(np.array_equal(other[name], starts[0][name]) for name in starts[0])


def test_a_chosen_unit_the_new_network_lacks_falls_back_to_the_first():
    app = quick_page()
    app.selectbox(key="init_unit").set_value((2, 4)).run()

    app.text_input(key="init_hidden").set_value("3").run()  # one hidden layer of 3 units

    assert_clean(app)
    assert len(small_maps(app)) == 3
    assert chart(app, LARGE)["layout"]["title"]["text"] == "Layer 1, unit 1"


def test_a_class_opening_the_lesson_at_once_builds_the_maps_once(monkeypatch):
    builds = []
    lock = threading.Lock()

    def counted(function):
        def wrapper(*args, **kwargs):
            with lock:
                builds.append(function.__name__)
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(units_view, "small_maps", counted(units_view.small_maps))
    monkeypatch.setattr(units_view, "large_map", counted(units_view.large_map))
    sessions = 3
    start = threading.Barrier(sessions)

    def open_lesson(_):
        app = open_page(PAGE, **QUICK)
        start.wait()
        return app.run()

    with ThreadPoolExecutor(sessions) as pool:
        apps = list(pool.map(open_lesson, range(sessions)))

    for app in apps:
        assert_clean(app)
    assert sorted(builds) == ["large_map", "small_maps"]  # once for everyone
    shown = [chart(app, SMALL)["data"] for app in apps]
    assert all(view == shown[0] for view in shown)
