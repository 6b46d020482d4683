"""ui/sidebar.py: the architecture box, the config dataclasses and the presets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnn_core import TrainConfig
from ui import sidebar as controls


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("20, 3", (20, 3)),
        ("20,3", (20, 3)),
        (" (10, 5) ", (10, 5)),
        ("[7]", (7,)),
        ("4, 4,", (4, 4)),
    ],
)
def test_readable_architectures_parse(text, sizes):
    assert controls.parse_hidden_layers(text) == (sizes, "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type at least one hidden layer size, e.g. 20, 3."),
        ("20, x", "Could not read the architecture '20, x'"),
        ("20;3", "Could not read the architecture '20;3'"),
        ("2.5", "Could not read the architecture '2.5'"),
        ("-3", "Could not read the architecture '-3'"),
        ("0, 3", "Each hidden layer needs between 1 and 100 units."),
        ("101", "Each hidden layer needs between 1 and 100 units."),
        ("1, 1, 1, 1, 1, 1, 1", "At most 6 hidden layers, please (got 7)."),
    ],
)
def test_unreadable_architectures_get_a_plain_message(text, message):
    sizes, problem = controls.parse_hidden_layers(text)
    assert sizes == ()
    assert problem.startswith(message)


@given(
    st.lists(st.integers(1, controls.MAX_UNITS), min_size=1, max_size=controls.MAX_HIDDEN_LAYERS)
)
def test_formatting_and_parsing_round_trip(sizes):
    text = controls.format_hidden_layers(tuple(sizes))
    assert controls.parse_hidden_layers(text) == (tuple(sizes), "")


def sidebar_config(**changes):
    values = {
        "data": controls.DataChoice("circles", 0.05, 1),
        "hidden_layers": (10, 5),
        "learning_rate": 0.1,
        "num_iterations": 2000,
        "weight_seed": 3,
    }
    return controls.SidebarConfig(**(values | changes))


def test_sidebar_config_builds_the_training_config():
    config = sidebar_config().train_config(init="zeros", lambd=0.7)

    assert config == TrainConfig(
        layer_dims=(2, 10, 5, 1),
        init="zeros",
        learning_rate=0.1,
        num_iterations=2000,
        lambd=0.7,
        seed=3,
        record_every=20,
        course_seeding=True,
    )
    assert hash(config) == hash(sidebar_config().train_config(init="zeros", lambd=0.7))


def test_configs_are_frozen_and_hashable_cache_keys():
    config = sidebar_config()
    with pytest.raises(AttributeError):
        config.learning_rate = 1.0  # type: ignore[misc]
    assert {config: 1}[sidebar_config()] == 1
    assert config != sidebar_config(data=controls.DataChoice("circles", 0.1, 1))


@pytest.mark.parametrize(("iterations", "every"), [(10, 1), (250, 2), (2000, 20), (30000, 300)])
def test_about_a_hundred_recorded_costs(iterations, every):
    assert controls.record_every(iterations) == every


def test_lesson_settings_restore_every_sidebar_widget():
    defaults = controls.LessonDefaults(
        dataset="football", hidden_layers=(20, 3), learning_rate=0.3, num_iterations=3000
    )
    assert controls.lesson_settings("reg", defaults) == {
        "reg_dataset": "football",
        "reg_football_noise": 0.03,
        "reg_football_seed": 0,
        "reg_hidden": "20, 3",
        "reg_lr": 0.3,
        "reg_iterations": 3000,
        "reg_weight_seed": 3,
        "reg_activation": "relu",
    }
