"""ui/memory.py: a closed tab's rebuildable state is dropped within a tick, freed memory is
handed back on glibc while the app is quiet after page runs, and other platforms trim
nothing."""

from __future__ import annotations

import ctypes

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from ui import caches, memory, runs


class FakeLibc:
    def __init__(self) -> None:
        self.trims = 0

    def malloc_trim(self, pad: int) -> int:
        assert pad == 0  # every free page, not only the top of the heap
        self.trims += 1
        return 1


class Resource:
    def __init__(self) -> None:
        self.cleared = 0

    def clear(self) -> None:
        self.cleared += 1


def test_memory_is_trimmed_only_while_quiet_after_page_runs(monkeypatch):
    collections = []
    monkeypatch.setattr(memory.gc, "collect", lambda: collections.append(1) or 0)
    libc = FakeLibc()
    janitor = memory.Janitor(libc, is_active_session=lambda session_id: True)
    assert not janitor.tick(1000.0)  # no page has run yet

    janitor.note_page_run(1000.0)
    assert not janitor.tick(1000.0 + memory.TICK_S / 2)  # a run just started: busy
    assert janitor.tick(1000.0 + memory.TICK_S)
    assert janitor.tick(1000.0 + 3 * memory.TICK_S)  # trims go on through the window...
    assert (libc.trims, len(collections)) == (2, 1)  # ...collecting garbage once in it
    assert janitor.trims == 2 and janitor.trim_seconds >= 0.0
    assert not janitor.tick(1000.0 + memory.ACTIVE_WINDOW_S + 1)  # long idle: nothing
    assert libc.trims == 2

    janitor.note_page_run(5000.0)  # the next crowd
    assert not janitor.tick(5000.0 + 1)
    assert janitor.tick(5000.0 + memory.TICK_S)
    assert (libc.trims, len(collections)) == (3, 2)


def test_a_closed_sessions_resources_are_cleared_once_and_open_ones_kept():
    open_sessions = {"a", "b"}
    janitor = memory.Janitor(None, is_active_session=open_sessions.__contains__)
    kept, dropped, twice = Resource(), Resource(), Resource()
    janitor.forget_when_closed("a", kept)
    janitor.forget_when_closed("b", dropped)
    janitor.forget_when_closed("b", twice)
    janitor.forget_when_closed("b", twice)  # registering again changes nothing
    gone = Resource()
    janitor.forget_when_closed("c", gone)
    del gone  # a resource nobody holds any more is simply skipped

    janitor.tick(0.0)
    assert (kept.cleared, dropped.cleared, twice.cleared) == (0, 0, 0)
    open_sessions.discard("b")  # b's tab closed
    assert not janitor.tick(1.0)  # no C library to trim with: clearing only
    assert (kept.cleared, dropped.cleared, twice.cleared) == (0, 1, 1)
    janitor.tick(2.0)
    assert (dropped.cleared, twice.cleared) == (1, 1)  # once, not at every tick


def test_the_trimming_window_outlasts_streamlits_keeping_of_closed_sessions():
    assert config.get_option("server.disconnectedSessionTTL") < memory.ACTIVE_WINDOW_S


def stopped_run_page():
    import streamlit as st

    from dnn_core import TrainProgress
    from ui import runs

    def compute(callback, should_stop, resume):
        iteration = 0
        while callback(TrainProgress(iteration, 10**9, 0.5, {}, [0.5], [iteration])):
            iteration += 1
        return f"stopped at {iteration}"

    st.write(runs.run_cached(("memory test", 1), compute, label="Run"))


def test_a_sessions_stopped_runs_are_cleared_once_its_tab_has_closed(monkeypatch):
    tab = {"open": True}
    janitor = memory.Janitor(None, is_active_session=lambda session_id: tab["open"])
    monkeypatch.setattr(memory, "JANITOR", janitor)
    monkeypatch.setattr(memory, "_is_active_session", janitor._is_active_session)
    monkeypatch.setattr(memory, "_start", lambda: None)  # this test ticks by hand
    monkeypatch.setattr(runs, "TIME_BUDGET_S", 0.0)  # every run stops at once
    app = AppTest.from_function(stopped_run_page, default_timeout=60)
    app.run()
    assert not app.exception
    assert app.markdown[0].value.startswith("stopped at")
    stopped_runs = app.session_state[runs.STOPPED_RUNS_KEY]
    assert isinstance(stopped_runs, caches.BoundedCache) and len(stopped_runs) == 1

    janitor.tick(1.0)
    assert len(stopped_runs) == 1  # the tab is open: kept, its rerun redraws it
    tab["open"] = False
    janitor.tick(2.0)
    assert len(stopped_runs) == 0


class NotGlibc:
    """A C library without glibc's functions (musl, macOS's libSystem)."""


@pytest.mark.parametrize(
    "cdll",
    [lambda name: NotGlibc(), lambda name: (_ for _ in ()).throw(OSError("no libc"))],
    ids=["other C library", "no C library"],
)
def test_other_platforms_trim_nothing(monkeypatch, cdll):
    monkeypatch.setattr(ctypes, "CDLL", cdll)
    assert memory._load_glibc() is None
    janitor = memory.Janitor(memory._load_glibc(), is_active_session=lambda session_id: True)
    janitor.note_page_run(0.0)
    assert not janitor.tick(memory.TICK_S)


@pytest.mark.skipif(memory._load_glibc() is None, reason="needs glibc")
def test_on_glibc_trimming_is_real_and_the_janitor_runs():
    assert memory._load_glibc().malloc_trim(0) in (0, 1)
    memory.page_run()
    assert memory._thread is not None and memory._thread.daemon and memory._thread.is_alive()
