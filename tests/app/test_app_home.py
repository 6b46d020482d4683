"""AppTests of the home page: lessons are linked, the data-set preview follows the picker."""

from __future__ import annotations

import numpy as np

from dnn_core import datasets
from tests.app.apptest_tools import REPO_ROOT, array, assert_clean, chart, open_page

PAGE = "app.py"


def preview_points(app) -> np.ndarray:
    figure = chart(app, "home-preview")
    return np.concatenate([array(trace["x"]) for trace in figure["data"]])


def test_home_runs_clean_and_links_every_installed_lesson():
    app = open_page(PAGE).run()

    assert_clean(app)
    assert [header.value for header in app.header] == ["Lessons", "The data sets"]
    links = [element.proto.page for element in app.main.get("page_link")]
    # Streamlit names a page after its file without the order prefix: 1_Initialization.py.
    installed = [path.stem.split("_", 1)[1] for path in sorted(REPO_ROOT.glob("pages/*.py"))]
    assert links == installed
    assert links[:2] == ["Initialization", "Regularization"]


def test_sidebar_links_every_page_with_home_called_home():
    app = open_page(PAGE).run()

    sidebar_links = app.sidebar.get("page_link")
    # The home page's URL path is empty; Streamlit's own list (hidden) would call it "app".
    assert sidebar_links[0].proto.page == ""
    assert [link.proto.label for link in sidebar_links] == [
        "Home",
        "Initialization",
        "Regularization",
        "Gradient checking",
        "Optimization",
    ]
    assert all(link.proto.icon for link in sidebar_links)


def test_a_lesson_opened_from_home_keeps_the_shared_sidebar():
    app = open_page(PAGE, init_iterations=200).run()

    app.switch_page("pages/1_Initialization.py").run()

    assert_clean(app)
    assert app.title[0].value == "Initialization"
    assert app.selectbox(key="init_dataset").value == "circles"
    assert app.number_input(key="init_iterations").value == 200


def test_preview_follows_the_chosen_data_set_with_its_own_defaults():
    app = open_page(PAGE).run()
    football = preview_points(app)

    app.selectbox(key="home_dataset").set_value("moons").run()

    assert_clean(app)
    spec = datasets.CATALOG["moons"]
    assert app.slider(key="home_moons_noise").value == spec.default_noise
    assert app.number_input(key="home_moons_seed").value == spec.default_seed
    moons = preview_points(app)
    expected = datasets.load("moons")
    assert moons.size == expected.X_train.shape[1] + expected.X_test.shape[1]
    assert moons.size != football.size or not np.allclose(moons, football)


def test_noise_and_seed_redraw_the_preview():
    app = open_page(PAGE).run()
    first = preview_points(app)

    app.number_input(key="home_football_seed").set_value(7).run()
    reseeded = preview_points(app)
    app.slider(key="home_football_noise").set_value(0.3).run()
    noisier = preview_points(app)

    assert_clean(app)
    assert not np.allclose(first, reseeded)
    assert not np.allclose(reseeded, noisier)


def test_each_lesson_keeps_its_settings_across_page_switches():
    app = open_page(PAGE, init_iterations=200, reg_iterations=200).run()
    app.switch_page("pages/1_Initialization.py").run()
    app.number_input(key="init_lr").set_value(0.25).run()

    app.switch_page("pages/2_Regularization.py").run()
    assert app.number_input(key="reg_lr").value == 0.3  # its own default, not the other page's
    app.switch_page("pages/1_Initialization.py").run()

    assert_clean(app)
    assert app.number_input(key="init_lr").value == 0.25
