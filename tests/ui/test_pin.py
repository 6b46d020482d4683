"""ui/pin.py and the pure parts of ui/pin_view.py: a lesson's run settings written as a pin
and read back, tampered pins refused with a message, and the comparison's tables and
cost chart."""

from __future__ import annotations

import urllib.parse
from dataclasses import replace

import numpy as np
import pytest

from ui import figures, pin, pin_view, sidebar
from ui.lesson_controls import (
    InitializationSettings,
    OptimizationSettings,
    RegularizationSettings,
)

CHANGED = {
    "init": (
        sidebar.SidebarConfig(sidebar.DataChoice("moons", 0.3, 5), (8, 4), 0.05, 200, 7),
        InitializationSettings("random", 0.3),
    ),
    "reg": (
        replace(
            sidebar.SidebarConfig(sidebar.DataChoice("football", 0.03, 0), (20, 3), 0.3, 150, 3),
            learning_rate=0.0123,
        ),
        RegularizationSettings("both", 0.25, 0.72),
    ),
    "opt": (
        sidebar.SidebarConfig(
            sidebar.DataChoice("xor", 0.0, 9), (5,), 1e-05, 40, 0, activation="tanh"
        ),
        OptimizationSettings(
            ("adam", "batch"),
            128,
            beta=0.5,
            beta2=0.99,
            epsilon=1e-05,
            decay="scheduled",
            decay_rate=0.3,
            decay_interval=20,
        ),
    ),
}
DEFAULTS = {
    "init": (sidebar.INITIALIZATION_DEFAULTS, InitializationSettings("he", 10.0)),
    "reg": (sidebar.REGULARIZATION_DEFAULTS, RegularizationSettings("none", 0.7, 0.86)),
    "opt": (
        sidebar.OPTIMIZATION_DEFAULTS,
        OptimizationSettings(("batch", "minibatch", "momentum", "adam"), 16),
    ),
}


def default_config(defaults: sidebar.LessonDefaults) -> sidebar.SidebarConfig:
    data = sidebar.DataChoice.catalogued(defaults.dataset)
    return sidebar.SidebarConfig(
        data,
        defaults.hidden_layers,
        defaults.learning_rate,
        defaults.num_iterations,
        defaults.weight_seed,
    )


@pytest.mark.parametrize("prefix", list(CHANGED))
def test_a_pin_reads_back_every_setting(prefix):
    config, settings = CHANGED[prefix]
    written = pin.encode(pin.snapshot(prefix, config, settings))

    read = pin.decode(written, prefix)

    assert read.sidebar_config(show_test=config.show_test) == config
    assert read.lesson_settings() == settings
    assert pin.differences(read, pin.snapshot(prefix, config, settings)) == []


@pytest.mark.parametrize("prefix", list(DEFAULTS))
def test_the_defaults_pin_to_the_lesson_alone(prefix):
    defaults, settings = DEFAULTS[prefix]

    written = pin.encode(pin.snapshot(prefix, default_config(defaults), settings))

    assert written == f"v1_{prefix}"
    read = pin.decode(written, prefix)
    assert read.lesson_settings() == settings
    assert read.sidebar_config() == default_config(defaults)


def test_a_pin_is_short_readable_and_left_alone_by_url_encoding():
    config, settings = CHANGED["init"]

    written = pin.encode(pin.snapshot("init", config, settings))

    assert written == (
        "v1_init_dataset-moons_noise-0.3_seed-5_hidden-8-4_lr-0.05_iterations-200_wseed-7"
        "_scheme-random_scale-0.3"
    )
    assert urllib.parse.quote_plus(written) == written  # the server's encoding
    # The browser's (URLSearchParams) leaves only letters, digits and * - . _ alone.
    assert set(written) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
    longest = pin.encode(pin.snapshot("opt", *CHANGED["opt"]))
    assert len(longest) < pin.MAX_PIN_CHARS / 2


def test_a_pin_holds_the_hidden_activation():
    config, settings = CHANGED["opt"]

    written = pin.encode(pin.snapshot("opt", config, settings))

    assert "_activation-tanh_" in written
    assert pin.decode(written, "opt").sidebar_config().activation == "tanh"
    with pytest.raises(pin.PinError, match="Hidden activation"):
        pin.decode("v1_opt_activation-gelu", "opt")


def test_a_pin_holds_run_settings_only():
    config, settings = CHANGED["init"]
    shown_differently = replace(config, show_test=False)

    written = pin.encode(pin.snapshot("init", shown_differently, settings))

    assert written == pin.encode(pin.snapshot("init", config, settings))
    for not_a_setting in ("present", "lang", "show_test", "test"):
        assert not_a_setting not in written


def test_numbers_round_trip_exactly():
    config = replace(CHANGED["init"][0], learning_rate=0.1 + 0.2, num_iterations=12345)

    read = pin.decode(pin.encode(pin.snapshot("init", config, CHANGED["init"][1])), "init")

    assert read.value("lr") == 0.1 + 0.2
    assert read.value("iterations") == 12345 and isinstance(read.value("iterations"), int)


def test_an_upload_cannot_be_pinned():
    config, settings = CHANGED["init"]
    upload = replace(config, data=sidebar.DataChoice(sidebar.UPLOAD, 0.0, 0, upload_hash="ab"))

    with pytest.raises(pin.PinError, match="your own file"):
        pin.encode(pin.snapshot("init", upload, settings))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not one this version"),
        ("garbage", "not one this version"),
        ("v2_init", "not one this version"),
        ("v1_nope", "names no lesson"),
        ("v1_init_bogus-3", "does not have: “bogus”"),
        ("v1_init_scheme", "does not have: “scheme”"),  # no value
        ("v1_init_scheme-he_scheme-zeros", "twice"),
        ("v1_init_scheme-<b>", "Initialization scheme “\\<b\\>” cannot be used: not one of"),
        ("v1_init_scale-5", "not one of 0.01, 0.03"),
        ("v1_init_iterations-1e9", "Iterations “1e9” cannot be used: not between 10 and 30000"),
        ("v1_init_iterations-20.5", "not a whole number"),
        ("v1_init_iterations-nan", "not a finite number"),
        ("v1_init_lr-inf", "not a finite number"),
        ("v1_init_lr-0", "not between"),
        ("v1_init_lr-abc", "Learning rate"),
        ("v1_init_seed--1", "Data seed"),
        ("v1_init_noise-0.4", "Noise “0\\.4” cannot be used: not between 0 and 0.3"),  # circles
        ("v1_init_dataset-upload", "Data set"),
        (
            "v1_init_hidden-1-2-3-4-5-6-7",
            "cannot be used: At most 6 hidden layers, please (got 7).",
        ),
        ("v1_init_hidden-500", "between 1 and 100 units"),
        ("v1_init_hidden-", "at least one hidden layer"),
        ("v1_opt_optimizers-adam-adam", "different choices"),
        ("v1_opt_optimizers-sgd", "different choices"),
        ("v1_opt_batch-3", "Mini-batch size"),
        ("v1_opt_interval-0", "Decay interval"),
        ("v1_reg_keep-0.1", "keep_prob"),
        ("v1_init_" + "scheme-he_" * 60, "too long"),
    ],
)
def test_a_tampered_pin_is_refused_with_a_message(text, message):
    # Opened on the lesson the pin names (Initialization when it names none it knows).
    named = text.split("_")[1] if text.count("_") >= 2 else ""
    prefix = named if named in pin.LESSONS else "init"

    with pytest.raises(pin.PinError) as raised:
        pin.decode(text, prefix)

    assert message in str(raised.value)
    assert ".." not in str(raised.value)


def test_a_pin_opened_on_another_lesson_says_where_it_belongs():
    with pytest.raises(pin.PinError, match="belongs to the Regularization lesson; open it there"):
        pin.decode("v1_reg_mode-l2", "init")


def test_a_noise_is_checked_against_its_own_data_set():
    # 0.45 is too noisy for circles (at most 0.3), fine for moons (0.5), whatever the order.
    assert pin.decode("v1_init_noise-0.45_dataset-moons", "init").value("noise") == 0.45
    with pytest.raises(pin.PinError, match="Noise"):
        pin.decode("v1_init_noise-0.45_dataset-circles", "init")


def test_differences_name_the_settings_as_a_reader_sees_them():
    config, settings = CHANGED["opt"]
    pinned = pin.snapshot("opt", config, settings)
    current = pin.snapshot(
        "opt", replace(config, num_iterations=60), replace(settings, optimizers=("momentum",))
    )

    assert pin.differences(pinned, current) == [
        ("Epochs", "40", "60"),
        ("Optimizers", "Adam, Batch gradient descent", "Momentum"),
    ]
    assert pin.differences(current, current) == []


def test_a_slider_value_off_by_round_off_is_no_difference():
    config, settings = CHANGED["reg"]
    pinned = pin.snapshot("reg", config, settings)
    nudged = pin.snapshot("reg", config, replace(settings, lambd=0.25 + 1e-15))

    assert pin.differences(pinned, nudged) == []


def test_results_table_of_one_run_a_side():
    table = pin_view.results_table({"He": (0.9, 0.8, 0.25)}, {"Zeros": (0.5, 0.5, 0.6931)})

    assert list(table.columns) == ["measure", "pinned", "current", "change"]
    assert table.values.tolist() == [
        ["train accuracy", "90.0%", "50.0%", "-40.0 pts"],
        ["test accuracy", "80.0%", "50.0%", "-30.0 pts"],
        ["final cost", "0.25", "0.6931", "+0.4431"],
    ]


def test_results_table_of_several_runs_has_a_row_a_run():
    table = pin_view.results_table(
        {"Adam": (0.9, 0.9, 0.2)}, {"Momentum": (0.8, 0.7, None), "Adam": (0.95, 0.9, 0.1)}
    )

    assert list(table.columns) == [
        "run",
        "train accuracy: pinned → current",
        "test accuracy: pinned → current",
        "final cost: pinned → current",
    ]
    assert table.values.tolist() == [
        ["Momentum", "— → 80.0%", "— → 70.0%", "— → —"],
        ["Adam", "90.0% → 95.0% (+5.0 pts)", "90.0% → 90.0% (+0.0 pts)", "0.2 → 0.1 (-0.1)"],
    ]


def test_pinned_costs_figure_dashes_the_pinned_run_and_names_both():
    curve = (np.arange(5), np.linspace(0.7, 0.2, 5))

    one_each = figures.pinned_costs_figure({"He": curve}, {"He": curve})
    several = figures.pinned_costs_figure(
        {"Adam": curve}, {"Momentum": curve, "Adam": curve}, pinned_label="{name} then"
    )

    names = [(trace.name, trace.line.dash) for trace in one_each.data]
    assert names == [("He (pinned)", "dash"), ("He (current)", "solid")]
    assert one_each.data[0].line.color != one_each.data[1].line.color  # a colour a side
    colours = {trace.name: trace.line.color for trace in several.data}
    assert colours["Adam then"] == colours["Adam (current)"] != colours["Momentum (current)"]
    assert colours["Momentum (current)"] == figures.series_color(0)  # the current order
