"""A class on one link: sessions opening the same lesson at once share its runs (each is
computed once) and all see the same results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.app.apptest_tools import assert_clean, chart, metrics, open_page
from ui import runs

PAGE = "pages/2_Regularization.py"
SESSIONS = 4
# The main run (also the course's unregularized model), the two other course models, the
# two sweeps.
DISTINCT_RUNS = 5


def test_sessions_opening_one_link_at_once_compute_each_run_once(monkeypatch):
    calls = []
    lock = threading.Lock()

    def counted(function):
        def wrapper(*args, **kwargs):
            with lock:
                calls.append(function.__name__)
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(runs, "train", counted(runs.train))
    monkeypatch.setattr(runs, "sweep", counted(runs.sweep))
    start = threading.Barrier(SESSIONS)

    def open_lesson(_):
        app = open_page(PAGE, reg_iterations=300)
        start.wait()
        return app.run()

    with ThreadPoolExecutor(SESSIONS) as pool:
        apps = list(pool.map(open_lesson, range(SESSIONS)))

    for app in apps:
        assert_clean(app)
    assert sorted(calls) == ["sweep", "sweep", "train", "train", "train"]
    assert len(runs.RESULTS) == DISTINCT_RUNS
    shown = [(metrics(app), chart(app, "reg-main-cost")["data"]) for app in apps]
    assert all(view == shown[0] for view in shown)
