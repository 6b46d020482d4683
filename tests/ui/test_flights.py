"""ui/flights.py: one computation per key for every session, stopped by its budget or when
nobody watches it any more; errors reach the watchers."""

from __future__ import annotations

import threading
import time

import pytest

from dnn_core import TrainProgress
from ui import flights

WAIT_S = 30  # generous: the machine may be busy


def progress(iteration: int, total: int = 1_000_000) -> TrainProgress:
    return TrainProgress(iteration, total, 0.5, {}, [0.5], [iteration])


def endless(callback, should_stop) -> str:
    """A computation that reports progress until told to stop."""
    iteration = 0
    while callback(progress(iteration)):
        iteration += 1
        sum(range(20_000))  # CPU work, which the budget counts
    return f"stopped at {iteration}"


@pytest.fixture
def board():
    return flights.FlightBoard(workers=2)


def test_sessions_asking_for_the_same_run_share_one_computation(board):
    release, calls, finished = threading.Event(), [], []

    def compute(callback, should_stop):
        calls.append(1)
        release.wait(WAIT_S)
        return "result"

    asked = [
        board.join_or_start("key", compute, budget_s=60, on_done=finished.append) for _ in range(8)
    ]
    release.set()
    assert asked[0].done.wait(WAIT_S)
    assert all(flight is asked[0] for flight in asked)
    assert calls == [1] and asked[0].result == "result" and asked[0].stopped is None
    assert finished == [asked[0]]
    deadline = time.monotonic() + WAIT_S
    while len(board) and time.monotonic() < deadline:  # finished flights leave the board
        time.sleep(0.01)
    assert len(board) == 0


def test_different_runs_get_their_own_flights(board):
    first = board.join_or_start(
        "a", lambda callback, should_stop: "a", budget_s=60, on_done=lambda _: None
    )
    second = board.join_or_start(
        "b", lambda callback, should_stop: "b", budget_s=60, on_done=lambda _: None
    )
    assert first.done.wait(WAIT_S) and second.done.wait(WAIT_S)
    assert (first.result, second.result) == ("a", "b")


def test_a_run_nobody_watches_stops_soon(board):
    flight = board.join_or_start("idle", endless, budget_s=60, on_done=lambda _: None)
    assert flight.done.wait(WAIT_S)
    assert flight.stopped == "idle"
    assert flight.result.startswith("stopped at")


def test_a_watched_run_goes_on_until_its_budget_is_spent(board):
    flight = board.join_or_start("budget", endless, budget_s=0.3, on_done=lambda _: None)
    with flight.watching():
        assert flight.done.wait(WAIT_S)
    assert flight.stopped == "budget"
    assert flight.reached > 1 and flight.total == 1_000_000


def test_watchers_see_a_private_copy_of_the_progress(board):
    release = threading.Event()
    live_costs = [0.9]

    def compute(callback, should_stop):
        callback(TrainProgress(0, 10, 0.9, {}, live_costs, [0]))
        release.wait(WAIT_S)
        return "done"

    flight = board.join_or_start("copy", compute, budget_s=60, on_done=lambda _: None)
    with flight.watching():
        deadline = time.monotonic() + WAIT_S
        while flight.progress is None and time.monotonic() < deadline:
            time.sleep(0.01)
        live_costs.append(0.8)  # training goes on after the snapshot
        assert flight.progress.costs == [0.9]
        release.set()
        assert flight.done.wait(WAIT_S)


def test_an_error_is_handed_to_the_watchers_and_not_cached(board):
    finished = []

    def compute(callback, should_stop):
        raise ValueError("The learning rate must be a positive number.")

    flight = board.join_or_start("bad", compute, budget_s=60, on_done=finished.append)
    assert flight.done.wait(WAIT_S)
    assert isinstance(flight.error, ValueError) and finished == []


def test_every_watcher_draws_the_same_progress_as_a_live_frame():
    flight = flights.Flight("key", lambda callback, should_stop: None, budget_s=60)
    first, later = progress(10), progress(12)
    assert flight.frame_at(1, first) is first
    assert flight.frame_at(1, later) is first  # a session that polled later draws it too
    assert flight.frame_at(2, later) is later
