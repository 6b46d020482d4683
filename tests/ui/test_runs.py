"""ui/runs.py: the bounded caches, cached runs and scores; the boundary figure of a run;
the network-internals helpers of dnn_core.diagnostics."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dnn_core import TrainConfig, accuracy, datasets, init_params, train
from ui import caches, figures
from ui import runs as live


def test_bounded_cache_evicts_the_least_recently_used():
    cache = caches.BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)

    assert "b" not in cache
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None


def test_bounded_cache_needs_room_for_one_entry():
    with pytest.raises(ValueError, match="at least 1"):
        caches.BoundedCache(0)


def test_bounded_cache_stays_bounded_under_concurrent_sessions():
    cache = caches.BoundedCache(8)

    def fill(offset):
        for index in range(200):
            cache.put((offset, index), index)
            cache.get((offset, index - 1))

    threads = [threading.Thread(target=fill, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 8


def test_run_cached_computes_once_per_key_and_passes_progress():
    cache = caches.BoundedCache(4)
    calls = []
    data = datasets.load("circles")
    config = TrainConfig(layer_dims=(2, 3, 1), num_iterations=30, record_every=10)

    def compute(callback, should_stop, resume):
        calls.append(config)
        return train(data.X_train, data.Y_train, config, callback=callback)

    first = live.run_cached(("run", config), compute, label="Training", cache=cache)
    second = live.run_cached(("run", config), compute, label="Training", cache=cache)

    assert first is second
    assert len(calls) == 1
    np.testing.assert_array_equal(first.iterations, [0, 10, 20, 29])


def test_memoize_builds_once():
    cache = caches.BoundedCache(2)
    built = []
    first = live.memoize("key", lambda: built.append(1) or {"figure": 1}, cache=cache)
    second = live.memoize("key", lambda: built.append(1) or {"figure": 2}, cache=cache)
    assert first is second and built == [1]


def test_accuracies_score_train_and_test_even_for_huge_weights():
    data = datasets.load("circles")
    params = init_params((2, 4, 1), "random", scale=1e200)

    train_accuracy, test_accuracy = live.accuracies(params, data)

    assert 0.0 <= train_accuracy <= 1.0 and 0.0 <= test_accuracy <= 1.0


def test_boundary_figure_covers_train_and_test_points():
    data = datasets.load("moons")
    params = init_params((2, 4, 1), "he")

    fig = figures.boundary_figure(params, data, show_test=False, resolution=20)

    heatmap = fig.data[0]
    everything = np.concatenate([data.X_train, data.X_test], axis=1)
    assert heatmap.x[0] < everything[0].min() and heatmap.x[-1] > everything[0].max()
    assert np.asarray(heatmap.z).shape == (20, 20)
    assert "test, class 0" not in [trace.name for trace in fig.data]


def test_a_compact_map_has_a_coarser_grid_than_a_full_one():
    data = datasets.load("moons")
    params = init_params((2, 4, 1), "he")

    full = figures.boundary_figure(params, data).data[0]
    compact = figures.boundary_figure(params, data, compact=True).data[0]

    assert np.asarray(full.z).shape == (figures.FINAL_RESOLUTION,) * 2
    assert np.asarray(compact.z).shape == (figures.COMPACT_RESOLUTION,) * 2
    assert (compact.x[0], compact.x[-1]) == (full.x[0], full.x[-1])  # the same view


def test_accuracies_score_each_set_on_its_own_points():
    data = datasets.moons(n_train=60, n_test=40, noise=0.3)
    params = train(
        data.X_train, data.Y_train, TrainConfig(layer_dims=(2, 8, 1), num_iterations=300)
    ).params
    expected = (
        accuracy(data.X_train, data.Y_train, params),
        accuracy(data.X_test, data.Y_test, params),
    )
    assert expected[0] != expected[1]  # so that swapping or mixing the sets would show
    assert live.accuracies(params, data) == expected


def test_bounded_cache_is_bounded_by_bytes_too():
    cache = caches.BoundedCache(100, max_bytes=3 * 8000)
    for index in range(5):
        cache.put(index, {"W1": np.zeros(1000)})  # 8000 bytes each
    assert list(cache) == [2, 3, 4]
    assert cache.nbytes == 3 * 8000
    cache.put(2, {"W1": np.zeros(10)})  # replacing an entry frees its bytes
    assert cache.nbytes == 2 * 8000 + 80


def test_the_size_of_results_and_figures_counts_their_arrays():
    data = datasets.load("circles")
    result = train(data.X_train, data.Y_train, TrainConfig(layer_dims=(2, 4, 1), num_iterations=20))
    arrays = sum(value.nbytes for value in result.params.values()) + result.costs.nbytes
    assert caches.approximate_bytes(result) >= arrays
    fig = figures.boundary_figure(result.params, data, resolution=50)
    assert caches.approximate_bytes(fig) >= 50 * 50 * 4  # the probability grid
    # As cached: the arrays already encoded as text, which counts the same.
    assert caches.approximate_bytes(figures.packed(fig)) >= 50 * 50 * 4


def test_a_run_draws_at_most_its_live_frames_at_evenly_spaced_moments():
    from dnn_core import TrainProgress

    def at(iteration: int, total: int = 30_000) -> TrainProgress:
        return TrainProgress(iteration, total, 0.5, {}, [0.5], [iteration])

    assert live._frame_slot(None) == 0
    slots = {live._frame_slot(at(iteration)) for iteration in range(30_000)}
    assert slots == set(range(live.LIVE_FRAMES + 1))
    assert live._frame_slot(at(29_999)) == live.LIVE_FRAMES
    assert live._frame_slot(at(0, total=1)) == live.LIVE_FRAMES
