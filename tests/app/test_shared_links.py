"""AppTests of shareable settings: a link's query parameters open every lesson with its
settings, bad parameters are ignored, changes and presets reach the URL, and every page has
the same sidebar (page links, copy-link button)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_tools import (
    REPO_ROOT,
    TIMEOUT,
    array,
    assert_clean,
    chart,
    messages,
    metrics,
    open_page,
    trace,
)
from ui import page as ui_page
from ui import state
from ui.lesson_controls import OPTIMIZER_CHOICES

INITIALIZATION = "pages/1_Initialization.py"
REGULARIZATION = "pages/2_Regularization.py"
GRADIENT_CHECKING = "pages/3_Gradient_Checking.py"
OPTIMIZATION = "pages/4_Optimization.py"
LESSONS = (INITIALIZATION, REGULARIZATION, GRADIENT_CHECKING, OPTIMIZATION)

# A link for each lesson: query parameters as a browser sends them -> the widget values
# they must give. Option widgets show their labels in the URL.
LINKS = {
    INITIALIZATION: {
        "init_dataset": ("Moons", "moons"),
        "init_moons_noise": ("0.3", 0.3),
        "init_moons_seed": ("5", 5),
        "init_hidden": ("8, 4", "8, 4"),
        "init_lr": ("0.05", 0.05),
        "init_iterations": ("200", 200),
        "init_scheme": ("Random \N{MULTIPLICATION SIGN} scale", "random"),
        "init_scale": ("0.3", 0.3),
        "init_show_test": ("false", False),
    },
    REGULARIZATION: {
        "reg_mode": ("Dropout", "dropout"),
        "reg_keep_prob": ("0.6", 0.6),
        "reg_iterations": ("200", 200),
        "reg_weight_seed": ("7", 7),
    },
    GRADIENT_CHECKING: {
        "gc_function": ("θ³x", "cubic"),
        "gc_x": ("1.5", 1.5),
        "gc_theta": ("2", 2.0),
        "gc_epsilon": ("1e-05", 1e-5),
        "gc_bug_dW2_x2": ("false", False),
    },
    OPTIMIZATION: {
        "opt_optimizers": (["Momentum", "Adam"], ["momentum", "adam"]),
        "opt_batch_size": ("32", 32),
        "opt_iterations": ("40", 40),
        "opt_decay": ("Every epoch", "inverse"),
    },
}


def open_link(path: str, link: dict) -> object:
    return open_page(path, query={name: sent for name, (sent, _) in link.items()}).run()


@pytest.mark.parametrize("path", LESSONS)
def test_a_link_opens_the_lesson_with_its_settings(path):
    app = open_link(path, LINKS[path])

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    for name, (_, value) in LINKS[path].items():
        assert app.session_state[name] == value, name
    # Every setting stays in the URL, so copying it gives the same link back.
    assert set(app.query_params) == set(LINKS[path])


def test_linked_settings_are_the_ones_trained():
    app = open_link(INITIALIZATION, LINKS[INITIALIZATION])

    assert_clean(app)
    costs = trace(chart(app, "init-main-cost"), "cost")
    assert array(costs["x"])[-1] == 199  # 200 iterations
    boundary = chart(app, "init-main-boundary")
    names = [item.get("name") for item in boundary["data"]]
    assert "train, class 0" in names and "test, class 0" not in names  # test points hidden
    heatmap = chart(app, "init-symmetry-2")["data"][0]
    assert len(heatmap["y"]) == 8  # W1 of the linked (8, 4) network


def test_a_linked_one_d_check_computes_the_linked_function():
    app = open_link(GRADIENT_CHECKING, LINKS[GRADIENT_CHECKING])

    assert metrics(app)["grad (exact)"] == "18"  # 3 θ² x at θ = 2, x = 1.5


def test_a_linked_optimizer_choice_trains_only_those():
    app = open_link(OPTIMIZATION, LINKS[OPTIMIZATION])

    assert_clean(app)
    names = [item["name"] for item in chart(app, "opt-costs")["data"]]
    assert names == [
        OPTIMIZER_CHOICES["momentum"],
        OPTIMIZER_CHOICES["adam"],
    ]
    assert array(trace(chart(app, "opt-costs"), "Adam")["x"])[-1] == 39  # 40 epochs


def test_bad_parameters_are_ignored_and_dropped_from_the_url():
    bad = {
        "reg_lambd": "9",  # above the slider's maximum
        "reg_mode": "Bogus",  # not an option
        "reg_iterations": "-5",  # below the minimum
        "reg_lr": "abc",  # not a number
        "reg_weight_seed": "inf",
        "reg_dataset": "<script>alert(1)</script>",
        "reg_show_test": "maybe",
        "reg_football_noise": "NaN",
    }
    app = open_page(REGULARIZATION, query=bad | {"reg_hidden": "5, 5"}).run()

    assert_clean(app)
    assert app.slider(key="reg_lambd").value == 0.7
    assert app.button_group(key="reg_mode").value == "none"
    assert app.number_input(key="reg_iterations").value == 2000
    assert app.number_input(key="reg_lr").value == pytest.approx(0.3)
    assert app.number_input(key="reg_weight_seed").value == 3
    assert app.selectbox(key="reg_dataset").value == "football"
    assert app.toggle(key="reg_show_test").value is True
    assert app.slider(key="reg_football_noise").value == 0.03
    assert app.text_input(key="reg_hidden").value == "5, 5"  # the good one is kept
    assert dict(app.query_params) == {"reg_hidden": "5, 5"}


# A student's own changes reach the address bar in the browser (tests/e2e/test_lessons.py);
# AppTest has no browser, so here only the server's side of the URL is checked.


def test_a_preset_sets_the_widgets_and_the_url():
    app = open_page(
        INITIALIZATION,
        query={"init_iterations": "100", "init_lr": "0.5", "init_hidden": "4", "init_scale": "1"},
    ).run()
    preset = next(button for button in app.button if button.label == "Quick lesson defaults")

    preset.click().run()

    assert_clean(app)
    assert app.number_input(key="init_iterations").value == 2000
    assert app.number_input(key="init_lr").value == pytest.approx(0.1)
    assert app.text_input(key="init_hidden").value == "10, 5"
    assert app.select_slider(key="init_scale").value == 10.0
    assert dict(app.query_params) == {}  # all back at their defaults


def test_a_preset_to_non_default_values_puts_them_in_the_url():
    # Adam alone keeps the course's 10 000 epochs quick.
    app = open_page(OPTIMIZATION, query={"opt_optimizers": ["Adam"], "opt_batch_size": "32"})
    app.run()
    preset = next(button for button in app.button if button.label.startswith("Course settings"))

    preset.click().run()

    assert_clean(app)
    assert app.number_input(key="opt_lr").value == pytest.approx(0.0007)
    assert app.number_input(key="opt_iterations").value == 10_000
    assert app.select_slider(key="opt_batch_size").value == 64
    assert app.query_params["opt_lr"] == "0.0007"
    assert app.query_params["opt_iterations"] == "10000"
    assert app.query_params["opt_batch_size"] == "64"  # the course's, not the lesson's 16
    assert app.query_params["opt_optimizers"] == "adam"  # left alone; an identifier


def test_switching_data_sets_starts_each_at_its_own_defaults_and_keeps_the_old_ones():
    app = open_page(REGULARIZATION, reg_iterations=100).run()
    app.slider(key="reg_football_noise").set_value(0.2).run()

    app.selectbox(key="reg_dataset").set_value("moons").run()
    assert app.slider(key="reg_moons_noise").value == 0.2  # the moons' own default
    app.selectbox(key="reg_dataset").set_value("football").run()

    assert_clean(app)
    assert app.slider(key="reg_football_noise").value == 0.2


@pytest.mark.parametrize("path", LESSONS)
def test_every_lesson_has_page_links_and_a_copy_link_button(path):
    app = open_page(path, **{state.key(controls_prefix(path), "iterations"): 50}).run()

    labels = [link.proto.label for link in app.sidebar.get("page_link")]
    assert labels == [page.title for page in ui_page.PAGES]
    copy_buttons = [
        element.proto.body
        for element in app.sidebar.get("html")
        if "dnl-copy-" in element.proto.body
    ]
    assert len(copy_buttons) == 1
    captions = [caption.value for caption in app.sidebar.caption]
    assert "The link opens this lesson with every setting shown here." in captions


def controls_prefix(path: str) -> str:
    return {
        INITIALIZATION: "init",
        REGULARIZATION: "reg",
        GRADIENT_CHECKING: "gc",
        OPTIMIZATION: "opt",
    }[path]


def test_a_lesson_keeps_its_linked_settings_across_page_switches():
    app = open_page(REGULARIZATION, query={"reg_iterations": "150", "reg_lambd": "0.3"}).run()

    app.switch_page(INITIALIZATION)
    app.session_state["init_iterations"] = 50
    app.run()
    assert "reg_lambd" not in app.query_params  # another page's settings leave the link
    app.switch_page(REGULARIZATION).run()

    assert_clean(app)
    assert app.slider(key="reg_lambd").value == 0.3
    assert app.query_params["reg_lambd"] == "0.3"
    assert np.isclose(float(app.query_params["reg_iterations"]), 150)


@pytest.mark.parametrize("path", LESSONS)
def test_a_lesson_run_as_its_own_app_works_without_page_links(path):
    # ``streamlit run pages/2_Regularization.py`` (or a benchmark's AppTest of one page):
    # no other pages exist, so the lesson goes without links instead of failing.
    app = AppTest.from_file(str(REPO_ROOT / path), default_timeout=TIMEOUT)
    app.session_state[state.key(controls_prefix(path), "iterations")] = 50

    app.run()

    assert_clean(app)
    assert not app.sidebar.get("page_link")
    assert app.sidebar.header[0].value == "Data"
