"""AppTests of "pin a run and compare" on the training lessons: pinning puts the run's
settings in the link, a change then shows both runs (cost curves overlaid, both
boundaries, a table of the difference), a link with the pin shows the same in a fresh
session from the shared cache, a bad pin says so and leaves the page working, and the
pin's bounds and defaults are the widgets' own."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pytest

from tests.app.apptest_tools import (
    assert_clean,
    cached_trainings,
    chart,
    chart_keys,
    clear_caches,
    messages,
    open_page,
)
from ui import budgets, pin

PIN_SETTINGS = "setting that differs"


@dataclass(frozen=True)
class Lesson:
    path: str
    prefix: str
    quick: dict[str, Any]  # session state: small runs
    widget: str  # AppTest accessor of the widget changed, e.g. "button_group"
    key: str
    value: Any
    setting: tuple[str, str, str]  # the row the difference table must show
    curves: list[tuple[str, str]]  # (trace name, dash) of the overlaid cost chart
    maps: tuple[str, str]  # titles of the pinned and current boundary maps


LESSONS = [
    Lesson(
        "pages/1_Initialization.py",
        "init",
        {"init_iterations": 300},
        "button_group",
        "init_scheme",
        "xavier",
        ("Initialization scheme", "He", "Xavier"),
        [("He (pinned)", "dash"), ("Xavier (current)", "solid")],
        ("Pinned: He", "Current: Xavier"),
    ),
    Lesson(
        "pages/2_Regularization.py",
        "reg",
        {"reg_iterations": 200},
        "button_group",
        "reg_mode",
        "l2",
        ("Regularization", "None", "L2"),
        [("None (pinned)", "dash"), ("L2 (current)", "solid")],
        ("Pinned: None", "Current: L2"),
    ),
    Lesson(
        "pages/4_Optimization.py",
        "opt",
        {"opt_iterations": 30, "opt_optimizers": ["momentum", "adam"]},
        "select_slider",
        "opt_batch_size",
        32,
        ("Mini-batch size", "16", "32"),
        [
            ("Momentum (pinned)", "dash"),
            ("Adam (pinned)", "dash"),
            ("Momentum (current)", "solid"),
            ("Adam (current)", "solid"),
        ],
        ("Pinned: Adam", "Current: Adam"),
    ),
]
IDS = [lesson.prefix for lesson in LESSONS]


def table(app, first_column: str):
    """The page's table whose first column is ``first_column`` (or whose second is, after
    a run column)."""
    for candidate in app.table:
        if first_column in list(candidate.value.columns)[:2]:
            return candidate.value
    raise AssertionError(f"no table with column {first_column!r}")


def pin_charts(app, prefix: str) -> list[str]:
    return [key for key in chart_keys(app) if key.startswith(f"{prefix}-pin-")]


def pinned_and_changed(lesson: Lesson):
    """A session that pinned the lesson's quick run, then changed one setting; and the
    main results shown before the change (train accuracy as the page formats it)."""
    app = open_page(lesson.path, **lesson.quick).run()
    assert_clean(app)
    before = main_train_accuracies(app, lesson.prefix)
    app.button(key=f"{lesson.prefix}_pin_button").click().run()
    assert app.query_params[pin.PIN].startswith(f"v1_{lesson.prefix}")
    getattr(app, lesson.widget)(key=lesson.key).set_value(lesson.value).run()
    return app, before


def main_train_accuracies(app, prefix: str) -> list[str]:
    if prefix == "opt":  # each optimizer's, in the page's results table
        return [f"{value:.1%}" for value in table(app, "optimizer")["train accuracy"]]
    return [next(metric.value for metric in app.metric if metric.label == "Train accuracy")]


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_pin_then_change_shows_both_runs_and_the_difference(lesson):
    app, before = pinned_and_changed(lesson)

    assert_clean(app)
    costs = chart(app, f"{lesson.prefix}-pin-costs")
    assert [(trace["name"], trace["line"]["dash"]) for trace in costs["data"]] == lesson.curves
    pinned_map = chart(app, f"{lesson.prefix}-pin-map-pinned")
    current_map = chart(app, f"{lesson.prefix}-pin-map-current")
    assert (pinned_map["layout"]["title"]["text"], current_map["layout"]["title"]["text"]) == (
        lesson.maps
    )
    settings = table(app, PIN_SETTINGS)
    assert settings.values.tolist() == [list(lesson.setting)]
    # The pinned side is the run the page showed before the change (the same cached run).
    assert pinned_train_accuracies(app) == before


def results_of(app):
    """The comparison's results table: a row a measure (one run a side) or a run."""
    for first_column in ("measure", "run"):
        with contextlib.suppress(AssertionError):
            return table(app, first_column)
    raise AssertionError("no results table")


def pinned_train_accuracies(app) -> list[str]:
    results = results_of(app)
    if "measure" in results:
        assert list(results["measure"]) == ["train accuracy", "test accuracy", "final cost"]
        assert results["change"][0].endswith(" pts")
        return [results["pinned"][0]]
    cells = results["train accuracy: pinned \N{RIGHTWARDS ARROW} current"]
    assert all(cell.endswith(" pts)") for cell in cells)  # "87.3% → 81.0% (-6.3 pts)"
    return [cell.split(" ")[0] for cell in cells]


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_link_with_the_pin_shows_the_same_comparison_in_a_fresh_session(lesson):
    app, _before = pinned_and_changed(lesson)
    link = dict(app.query_params)
    # The browser writes the change into the address (tests/e2e): here the new session
    # gets it as a widget value, and the pin from the link.
    changed = {lesson.key: lesson.value}
    runs_trained = len(cached_trainings())

    shared = open_page(lesson.path, query=link, **changed).run()  # another student

    assert_clean(shared)
    assert len(cached_trainings()) == runs_trained  # both runs came from the shared cache
    assert table(shared, PIN_SETTINGS).equals(table(app, PIN_SETTINGS))
    assert results_of(shared).equals(results_of(app))
    assert pin_charts(shared, lesson.prefix) == pin_charts(app, lesson.prefix)

    clear_caches()  # a fresh server: the pinned run is trained again from the link alone
    fresh = open_page(lesson.path, query=link, **changed).run()

    assert_clean(fresh)
    assert results_of(fresh).equals(results_of(app))


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_bad_pin_says_so_and_the_page_works(lesson):
    bad = f"v1_{lesson.prefix}_iterations-99999999"
    app = open_page(lesson.path, query={pin.PIN: bad}, **lesson.quick).run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert said["warning"] == [
        "The pinned run in this link cannot be shown. The pin's "
        f"{'Epochs' if lesson.prefix == 'opt' else 'Iterations'} “99999999” cannot be used: "
        "not between 10 and 30000. The page shows the current settings as usual."
    ]
    assert pin_charts(app, lesson.prefix) == []
    assert f"{lesson.prefix}-main-cost" in chart_keys(app) or "opt-costs" in chart_keys(app)

    app.button(key=f"{lesson.prefix}_unpin_button").click().run()

    assert_clean(app)
    assert pin.PIN not in app.query_params
    assert app.button(key=f"{lesson.prefix}_pin_button").label == "Pin this run"


@pytest.mark.parametrize(
    "garbage", ["garbage", "v1_init_scheme-<script>", "v9", "v1_reg_mode-l2", "%00%FF" * 200]
)
def test_garbage_pins_never_break_the_page(garbage):
    app = open_page(LESSONS[0].path, query={pin.PIN: garbage}, init_iterations=50).run()

    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    assert len(said["warning"]) == 1 and "cannot be shown" in said["warning"][0]
    assert "init-main-boundary" in chart_keys(app)


def test_nothing_differs_says_so_and_unpin_removes_the_pin():
    lesson = LESSONS[0]
    app = open_page(lesson.path, **lesson.quick).run()
    app.button(key="init_pin_button").click().run()

    assert_clean(app)
    assert [item.value for item in app.info] == [
        "Nothing differs: the current settings are the pinned ones. Change any setting to "
        "see both runs side by side."
    ]
    assert pin_charts(app, "init") == []

    app.button(key="init_unpin_button").click().run()

    assert pin.PIN not in app.query_params
    assert app.info == [] or all("Nothing differs" not in item.value for item in app.info)


def test_a_pinned_run_on_other_data_is_trained_and_scored_on_its_own_data():
    link = {pin.PIN: "v1_init_dataset-moons_iterations-100", "init_iterations": "100"}
    app = open_page(LESSONS[0].path, query=link).run()

    assert_clean(app)
    assert table(app, PIN_SETTINGS)[PIN_SETTINGS].tolist() == ["Data set", "Noise", "Data seed"]
    assert any("different data" in caption.value for caption in app.caption)
    pinned_points = chart(app, "init-pin-map-pinned")["layout"]["xaxis"]["range"]
    current_points = chart(app, "init-pin-map-current")["layout"]["xaxis"]["range"]
    assert pinned_points != current_points  # moons span another range than circles


# --- The pin's bounds and defaults are the widgets' ------------------------------------

WIDGET_KEYS = {
    "dataset": "dataset",
    "hidden": "hidden",
    "activation": "activation",
    "lr": "lr",
    "iterations": "iterations",
    "wseed": "weight_seed",
    "scheme": "scheme",
    "scale": "scale",
    "mode": "mode",
    "lambda": "lambd",
    "keep": "keep_prob",
    "optimizers": "optimizers",
    "batch": "batch_size",
    "beta": "beta",
    "beta1": "beta1",
    "beta2": "beta2",
    "eps": "adam_epsilon",
    "decay": "decay",
    "rate": "decay_rate",
    "interval": "decay_interval",
}


def widget_key(prefix: str, name: str, dataset: str) -> str:
    if name in ("noise", "seed"):
        return f"{prefix}_{dataset}_{name}"
    return f"{prefix}_{WIDGET_KEYS[name]}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_every_pinned_setting_has_its_widgets_default_and_range(lesson, monkeypatch):
    monkeypatch.setattr(budgets, "PAGE_BUDGET_S", 0.0)  # the widgets, then a stop: no training
    app = open_page(lesson.path).run()
    protos = {
        element.proto.id.split("-", 2)[-1]: element.proto
        for kind in ("slider", "number_input")
        for element in app.get(kind)
    }
    values: dict[str, Any] = {}
    for setting in pin.LESSONS[lesson.prefix].settings:  # the data set before its noise
        key = widget_key(lesson.prefix, setting.name, values.get("dataset", ""))
        default = setting.default(values)
        values[setting.name] = default
        shown = app.session_state[key]
        if setting.name == "hidden":
            assert tuple(int(part) for part in shown.split(",")) == default
        elif isinstance(default, tuple):
            assert tuple(shown) == default, key
        else:
            assert shown == pytest.approx(default), key
        proto = protos.get(key)
        if proto is None or (hasattr(proto, "has_min") and not proto.has_min):
            continue  # an option widget: the pin reads the same options
        low, high = proto.min, proto.max
        assert setting.parse(repr(low), values) == pytest.approx(low), key
        assert setting.parse(repr(high), values) == pytest.approx(high), key
        for outside in (low - max(abs(low), 1) * 1e-3, high * 1.001 + 1e-6):
            with pytest.raises(ValueError):
                setting.parse(repr(outside), values)
    assert {key for key in protos if not key.endswith("show_test")} <= {
        widget_key(lesson.prefix, name, values["dataset"]) for name in values
    }  # every numeric widget of the page's run is in the pin


def test_the_pin_comes_back_with_the_student_and_unpin_forgets_it():
    lesson = LESSONS[0]
    app = open_page(lesson.path, **lesson.quick).run()
    app.button(key="init_pin_button").click().run()
    pinned = app.query_params[pin.PIN]

    # Streamlit opens another page, and this one again, without the query parameters.
    for path in ("app.py", lesson.path):
        app.query_params.clear()
        app.switch_page(path).run()

    assert_clean(app)
    assert app.query_params[pin.PIN] == pinned
    assert app.button(key="init_unpin_button").label == "Unpin"

    app.button(key="init_unpin_button").click().run()
    for path in ("app.py", lesson.path):
        app.query_params.clear()
        app.switch_page(path).run()

    assert pin.PIN not in app.query_params
    assert app.button(key="init_pin_button").label == "Pin this run"


def test_a_run_on_an_upload_cannot_be_pinned_but_compares_with_a_pin():
    from tests.app.test_lesson_uploads import two_clusters, upload, upload_page

    app = upload_page()
    upload(app, "mine.csv", two_clusters(1))

    assert_clean(app)
    button = app.button(key="reg_pin_button")
    assert button.disabled and "cannot carry the file" in button.proto.help

    app.query_params[pin.PIN] = "v1_reg_iterations-100"  # a teacher's link, then a file
    app.run()

    assert_clean(app)
    settings = table(app, PIN_SETTINGS)
    assert settings.values.tolist() == [["Data set", "Football (course-like)", "your file"]]
    assert any("different data" in caption.value for caption in app.caption)
    assert {"reg-pin-map-pinned", "reg-pin-map-current"} <= set(chart_keys(app))


def test_pinning_in_chinese_and_presentation_mode_pins_the_settings_only():
    lesson = LESSONS[0]
    app = open_page(lesson.path, query={"lang": "zh", "present": "1"}, **lesson.quick).run()
    app.button(key="init_pin_button").click().run()

    assert app.query_params[pin.PIN] == "v1_init_iterations-300"  # no language, no mode
    app.button_group(key="init_scheme").set_value("xavier").run()

    assert_clean(app)
    names = [trace["name"] for trace in chart(app, "init-pin-costs")["data"]]
    assert names == ["He（固定）", "Xavier（当前）"]  # noqa: RUF001 (Chinese brackets)
    assert table(app, "不同的设置").values.tolist() == [["初始化方法", "He", "Xavier"]]
