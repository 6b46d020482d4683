"""ui/state.py and ui/share.py: settings are seeded from the URL, bad links are ignored
without a crash, and the copy-link button renders. (That every change reaches the address
bar is the browser's part: tests/e2e/test_share_links.py.)"""

import pytest
from streamlit.testing.v1 import AppTest

from ui.state import BIND, starting_value_kwargs


def lesson_settings():
    """Every kind of widget the lessons use, bound to the URL through ``bound_widget``."""
    import streamlit as st

    from ui.share import copy_link_button
    from ui.state import bound_widget

    labels = {"he": "He", "xavier": "Xavier", "zeros": "Zeros"}
    values = {
        "noise": bound_widget(st.slider, "Noise", "noise", 0.2, min_value=0.0, max_value=0.5),
        "iters": bound_widget(
            st.sidebar.slider, "Iterations", "iters", 1000, min_value=100, max_value=30000, step=100
        ),
        "lr": bound_widget(
            st.number_input, "Learning rate", "lr", 0.3, min_value=1e-5, max_value=10.0
        ),
        "seed": bound_widget(st.number_input, "Seed", "seed", 3, min_value=0, max_value=10000),
        "init": bound_widget(
            st.selectbox, "Init", "init", "xavier", options=list(labels), format_func=labels.get
        ),
        "optimizer": bound_widget(st.radio, "Optimizer", "optimizer", "gd", options=["gd", "adam"]),
        "test": bound_widget(st.checkbox, "Show test points", "test", True),
        "dropout": bound_widget(st.toggle, "Dropout", "dropout", False),
        "keep": bound_widget(
            st.select_slider, "Keep prob", "keep", 0.86, options=[0.5, 0.7, 0.86, 1.0]
        ),
        "decay": bound_widget(
            st.segmented_control, "Decay", "decay", "none", options=["none", "inverse"]
        ),
        "hidden": bound_widget(st.text_input, "Hidden layers", "hidden", "20, 3"),
    }
    copy_link_button(key="lesson")
    st.write(values)


DEFAULTS = {
    "noise": 0.2,
    "iters": 1000,
    "lr": 0.3,
    "seed": 3,
    "init": "xavier",
    "optimizer": "gd",
    "test": True,
    "dropout": False,
    "keep": 0.86,
    "decay": "none",
    "hidden": "20, 3",
}


def open_page(**query) -> AppTest:
    app = AppTest.from_function(lesson_settings)
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception
    assert not app.error
    assert not app.warning
    return app


def values(app: AppTest) -> dict:
    return {name: app.get_by_key(name).value for name in DEFAULTS}


def test_without_parameters_every_setting_has_its_default():
    app = open_page()
    assert values(app) == DEFAULTS
    assert dict(app.query_params) == {}


def test_a_link_opens_the_page_with_its_settings():
    app = open_page(
        noise="0.35",
        iters="5000",
        lr="0.0007",
        seed="11",
        init="Zeros",  # what the student saw (format_func), not the internal value
        optimizer="adam",
        test="false",
        dropout="true",
        keep="0.5",
        decay="inverse",
        hidden="10, 5",
    )
    assert values(app) == {
        "noise": 0.35,
        "iters": 5000,
        "lr": 0.0007,
        "seed": 11,
        "init": "zeros",
        "optimizer": "adam",
        "test": False,
        "dropout": True,
        "keep": 0.5,
        "decay": "inverse",
        "hidden": "10, 5",
    }


BAD_LINKS = {
    "out of range": {"noise": "9", "iters": "-4", "lr": "1e9", "seed": "99999999"},
    "not numbers": {"noise": "abc", "iters": "1e400", "lr": "nan", "seed": "x"},
    # Streamlit 1.67 itself crashes on these for an integer number_input; bound_widget drops
    # them before the widget sees them.
    "infinite integers": {"seed": "inf"},
    "overflowing integers": {"seed": "1e400"},
    "negative infinity": {"seed": "-inf", "lr": "-inf"},
    "repeated": {"seed": ["inf", "4"], "noise": ["0.1", "0.3"]},
    "unknown options": {"init": "evil<script>alert(1)</script>", "optimizer": "sgd"},
    "bad booleans": {"test": "maybe", "dropout": "2"},
    "off the scale": {"keep": "0.6", "decay": "' OR 1=1 --"},
    "empty": {"noise": "", "init": "", "keep": ""},
}


@pytest.mark.parametrize("query", BAD_LINKS.values(), ids=BAD_LINKS.keys())
def test_a_bad_link_is_ignored_without_a_crash(query):
    app = open_page(**query)
    assert values(app) == DEFAULTS
    for name in query:  # dropped from the URL, so a copied link is clean again
        assert name not in app.query_params


def test_good_parameters_survive_beside_bad_ones():
    app = open_page(noise="0.1", iters="not-a-number", init="Xavier", optimizer="adam")
    assert values(app) == {**DEFAULTS, "noise": 0.1, "optimizer": "adam"}
    assert app.query_params["noise"] == "0.1"
    assert "iters" not in app.query_params


def test_every_widget_is_bound_to_the_parameter_named_by_its_key():
    app = open_page()
    for name in DEFAULTS:
        assert app.get_by_key(name).proto.query_param_key == name


def test_copy_link_button_copies_the_address_bar_at_click_time():
    app = open_page()
    (element,) = app.html
    body = element.proto.body
    assert 'id="dnl-copy-lesson"' in body
    assert "Copy link to these settings" in body
    assert "window.location.href" in body
    assert "navigator.clipboard.writeText" in body


@pytest.mark.parametrize(
    ("widget", "default", "options", "expected"),
    [
        ("slider", 0.5, None, {"value": 0.5}),
        ("checkbox", True, None, {"value": True}),
        ("selectbox", "he", ("zeros", "he"), {"index": 1}),
        ("radio", "adam", ["gd", "adam"], {"index": 1}),
        ("segmented_control", "gd", ["gd"], {"default": "gd"}),
        ("multiselect", ["a"], ["a", "b"], {"default": ["a"]}),
    ],
)
def test_starting_value_goes_to_the_argument_each_widget_takes(widget, default, options, expected):
    assert starting_value_kwargs(widget, default, options) == expected


def test_a_default_outside_the_options_is_a_programming_error():
    with pytest.raises(ValueError, match="not one of the options"):
        starting_value_kwargs("selectbox", "sgd", ["gd", "adam"])


def test_bind_mode_is_streamlits_query_params_binding():
    assert BIND == "query-params"
