"""Replays: snapshots kept as a run trains (ui/snapshots.py), the replay figure's frames
(ui/figures.py) and runs trained further from where they ended (ui/replay.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from dnn_core import TrainConfig, datasets, train
from tests.app.apptest_tools import array, clear_caches
from ui import caches, figures, replay, runs
from ui.snapshots import REPLAY_FRAMES, SNAPSHOTS, SnapshotRecorder, Snapshots

DATA = datasets.load("circles")
CONFIG = TrainConfig(
    layer_dims=(2, 6, 3, 1), learning_rate=0.1, num_iterations=1200, record_every=10
)


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()


def recorded(config: TrainConfig = CONFIG):
    recorder = SnapshotRecorder(config.epochs - 1)
    result = train(DATA.X_train, DATA.Y_train, config, callback=recorder)
    return result, recorder.snapshots()


def test_a_run_keeps_a_few_evenly_spaced_snapshots_first_and_last_included():
    result, kept = recorded()

    assert len(kept.iterations) == REPLAY_FRAMES
    assert kept.iterations[0] == 0 and kept.iterations[-1] == CONFIG.epochs - 1
    gaps = np.diff(kept.iterations)
    assert np.ptp(gaps) <= CONFIG.record_every + 1  # the last iteration is off the grid
    assert set(kept.iterations) <= set(result.iterations.tolist())  # recorded moments only
    for key, value in result.params.items():  # the last one is the trained network
        assert kept.params[-1][key].dtype == np.float32
        np.testing.assert_allclose(kept.params[-1][key], value, rtol=1e-6, atol=1e-6)
    assert not np.allclose(kept.params[0]["W1"], kept.params[-1]["W1"])


def test_a_short_run_keeps_every_record_and_a_long_history_is_thinned():
    short = replace(CONFIG, num_iterations=50)
    _, kept = recorded(short)
    assert kept.iterations == (0, 10, 20, 30, 40, 49)

    many = Snapshots(tuple(range(0, 1000, 10)), tuple({"W1": np.zeros(1)} for _ in range(100)))
    thinned = many.thinned(5)
    assert thinned.iterations == (0, 250, 490, 740, 990)  # nearest to 0, 247.5, 495, ...


def test_a_resumed_run_keeps_its_snapshots_spaced_as_one_run():
    stop_at = 500

    def stop(progress):
        return progress.iteration < stop_at

    first = SnapshotRecorder(CONFIG.epochs - 1, then=stop)
    stopped = train(DATA.X_train, DATA.Y_train, CONFIG, callback=first)
    assert stopped.stopped_early
    second = SnapshotRecorder(CONFIG.epochs - 1, kept=first.snapshots())
    train(DATA.X_train, DATA.Y_train, CONFIG, callback=second, resume=stopped)

    assert second.snapshots().iterations == recorded()[1].iterations


def test_the_replay_figure_has_one_frame_a_snapshot_and_a_slider_that_steps_them():
    result, kept = recorded()
    xs = ys = np.linspace(-1.5, 1.5, 8)
    grid = np.stack(
        [np.full((8, 8), s / (2 * REPLAY_FRAMES)) + xs / 8 + 0.3 for s in range(REPLAY_FRAMES)]
    )
    figure = figures.replay_figure(
        xs, ys, grid, kept.iterations, result.iterations, result.costs, DATA.X_train, DATA.Y_train
    ).to_dict()

    frames = figure["frames"]
    assert len(frames) == REPLAY_FRAMES
    steps = figure["layout"]["sliders"][0]["steps"]
    assert [step["args"][0] for step in steps] == [[frame["name"]] for frame in frames]
    assert steps[-1]["label"] == f"{CONFIG.epochs - 1:,}"
    buttons = figure["layout"]["updatemenus"][0]["buttons"]
    assert [button["method"] for button in buttons] == ["animate", "animate"]
    assert frames[0]["traces"] == [1, 2, 3]
    # The curve so far and its marker follow the frame's iteration.
    middle = frames[REPLAY_FRAMES // 2]["data"]
    assert array(middle[0]["x"]).max() == kept.iterations[REPLAY_FRAMES // 2]
    assert list(middle[1]["x"]) == [kept.iterations[REPLAY_FRAMES // 2]]
    # Maps go as bytes (255 levels of the probability), each frame its own.
    first_map, last_map = array(frames[0]["data"][2]["z"]), array(frames[-1]["data"][2]["z"])
    assert first_map.dtype == np.uint8 and first_map.shape == (8, 8)
    np.testing.assert_allclose(last_map / 255, grid[-1], atol=1 / 255)
    assert not np.array_equal(first_map, last_map)


def test_a_flat_map_is_drawn_flat_so_round_off_draws_no_boundary():
    xs = ys = np.linspace(-1, 1, 6)
    flat = 0.5 + np.random.default_rng(0).normal(0, 1e-7, (2, 6, 6))
    figure = figures.replay_figure(
        xs, ys, flat, [0, 9], np.arange(10), np.full(10, 0.69), DATA.X_train, DATA.Y_train
    ).to_dict()
    for frame in figure["frames"]:
        assert np.ptp(array(frame["data"][2]["z"])) == 0


def test_a_cached_replay_counts_its_frames_in_the_cache_bounds():
    result, kept = recorded()
    xs = ys = np.linspace(-1, 1, figures.REPLAY_RESOLUTION)
    maps = np.random.default_rng(1).random((REPLAY_FRAMES, xs.size, xs.size))
    figure = figures.packed(
        figures.replay_figure(
            xs,
            ys,
            maps,
            kept.iterations,
            result.iterations,
            result.costs,
            DATA.X_train,
            DATA.Y_train,
        )
    )
    frame_bytes = sum(len(json.dumps(frame.to_plotly_json())) for frame in figure.frames)
    assert caches.approximate_bytes(figure) > frame_bytes > REPLAY_FRAMES * xs.size**2


def test_the_pages_runs_keep_their_snapshots_and_state_at_no_extra_run():
    configs = {"he": CONFIG, "xavier": replace(CONFIG, init="xavier")}
    trained = runs.train_together(DATA, "circles", configs, label="Training")

    for name, config in configs.items():
        kept = SNAPSHOTS.get(runs.train_key("circles", config))
        assert kept.iterations[-1] == CONFIG.epochs - 1
        np.testing.assert_allclose(kept.params[-1]["W2"], trained[name].params["W2"], atol=1e-6)
        assert trained[name].state is not None  # it can go on
    assert len(SNAPSHOTS) == 2


def test_continuing_a_run_goes_on_from_its_last_state_and_is_shared(monkeypatch):
    config = replace(CONFIG, num_iterations=400)
    resumed_at = []

    def spied_train(*args, resume=None, **kwargs):
        resumed_at.append(None if resume is None else resume.state.epoch)
        return train(*args, resume=resume, **kwargs)

    monkeypatch.setattr(replay, "train", spied_train)
    (base,) = runs.train_together(DATA, "circles", {"he": config}, label="Training").values()
    key = runs.train_key("circles", config)
    history = replay.history(DATA, key, config, base, label="Replay")

    (going_on, kept), longer = replay.continued(DATA, key, config, history, 1, label="Going on")
    more = replay.continue_length(config, DATA.X_train.shape[1])

    assert longer.epochs == config.epochs + more
    assert going_on.iterations[-1] == longer.epochs - 1
    np.testing.assert_array_equal(going_on.costs[: base.costs.size], base.costs)
    # The first cost after the page's run is its last cost, a step on: not a fresh start.
    next_cost = going_on.costs[base.costs.size]
    assert abs(next_cost - base.costs[-1]) < 0.01 * base.costs[-1]
    assert abs(next_cost - base.costs[0]) > 0.1
    assert kept.iterations[0] == 0 and kept.iterations[-1] == longer.epochs - 1
    assert len(kept.iterations) <= REPLAY_FRAMES
    assert resumed_at == [config.epochs]  # it trained only the iterations it added
    # Another student continuing the same run gets the same run, computed once.
    again, _ = replay.continued(DATA, key, config, history, 1, label="Going on")
    assert again[0] is going_on


def test_a_replay_whose_snapshots_were_dropped_trains_them_again_once():
    config = replace(CONFIG, num_iterations=300)
    (base,) = runs.train_together(DATA, "circles", {"he": config}, label="Training").values()
    key = runs.train_key("circles", config)
    kept = SNAPSHOTS.get(key)
    SNAPSHOTS.clear()

    _, again = replay.history(DATA, key, config, base, label="Replay")

    assert again.iterations == kept.iterations
    np.testing.assert_allclose(again.params[-1]["W1"], kept.params[-1]["W1"], atol=1e-5)
    assert SNAPSHOTS.get(key) is again
