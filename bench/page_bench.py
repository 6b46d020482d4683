"""CPU seconds the lessons cost the server: cold default pages, the course presets, and a
class opening one link at once.

Run by hand from the repository root:
``python bench/page_bench.py [--repeats 3] [--sessions 8] [--only-sessions]``

Every figure is CPU time of this whole process (``time.process_time``: the sessions' script
threads and the run workers together), as a page costs a shared server, with imports warm.
Each page runs headless through Streamlit's ``AppTest`` (the script run the server does,
without the browser's drawing), from empty caches. Sessions "at once" are AppTest runs in
threads of this one process, as Streamlit serves them; their figure is set against one
session measured in the same run, and a session that raised or showed an error fails the
bench. Targets (issue "A class on one link"): a cold default page <= 0.8 s; the
Optimization course preset <= 4 s and the Regularization page at the course's 30 000
iterations <= 8 s, both complete; N sessions on one link <= 2x one session.

AppTest does per run two things a server does once per process (:func:`serve_like_a_server`):
it scans the installed packages for components (about 0.1 CPU s) and compiles the page.
Here every AppTest shares one component registry and one compiled page, as a server's
sessions do. (Before, the scan was measured once and subtracted 8 times, so on a loaded
machine the ratio of 8 sessions moved by up to 0.3x with the subtraction's error; and 8
AppTests compiling one page at once met CPython 3.11.7's ``SystemError: AST constructor
recursion depth mismatch``.) AppTest also waits for a run's end by looking through all of
the run's messages every millisecond, which a server never does (3 % of the Regularization
page's measured CPU, more with 8 sessions waiting at once): here the wait is told of it.
What AppTest still does per run (e.g. reading the page's elements back) is measured on a
trivial script and subtracted, as before.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.components.v2.component_manager import BidiComponentManager  # noqa: E402
from streamlit.runtime.scriptrunner import ScriptRunnerEvent  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, local_script_runner  # noqa: E402

from dnn_core import course  # noqa: E402
from ui import runs  # noqa: E402

TIMEOUT = 600
logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode chatter
PAGES = {
    "Initialization": ("pages/1_Initialization.py", {}),
    "Regularization": ("pages/2_Regularization.py", {}),
    "Gradient checking": ("pages/3_Gradient_Checking.py", {}),
    "Optimization": ("pages/4_Optimization.py", {}),
}
PRESETS = {
    "Optimization course preset": (
        "pages/4_Optimization.py",
        {
            "opt_lr": course.OPTIMIZATION.learning_rate,
            "opt_iterations": course.OPTIMIZATION.epochs,
            "opt_batch_size": course.COURSE_MINI_BATCH_SIZE,
        },
        4.0,
    ),
    "Regularization, 30 000 iterations": (
        "pages/2_Regularization.py",
        {"reg_iterations": course.REGULARIZATION.epochs},
        8.0,
    ),
}


_COMPONENTS: BidiComponentManager | None = None


def serve_like_a_server() -> None:
    """Make every AppTest from here on share what a server's sessions share: one registry
    of installed components (AppTest scans the packages again for each new app) and one
    cache of compiled scripts (AppTest compiles the page again on every run); and wait for
    a run's end without AppTest's polling. All three are AppTest internals: where a
    Streamlit version lacks them, AppTest keeps its own ways and the harness figure
    subtracted below grows accordingly."""
    global _COMPONENTS
    _COMPONENTS = BidiComponentManager()
    _COMPONENTS.discover_and_register_components(start_file_watching=False)
    if hasattr(local_script_runner, "ScriptCache"):
        compiled = ScriptCache()  # thread-safe: the first session compiles, under its lock
        local_script_runner.ScriptCache = lambda: compiled
    if hasattr(local_script_runner, "require_widgets_deltas"):
        local_script_runner.require_widgets_deltas = _wait_until_told


def _wait_until_told(runner, timeout: float = 3) -> None:
    """AppTest's wait for a script run's end, woken by the runner's shutdown event rather
    than polling; on a timeout the runner is stopped and the error raised as AppTest does."""
    done = threading.Event()

    def on_event(_sender, event, **_kwargs) -> None:
        if event == ScriptRunnerEvent.SHUTDOWN:
            done.set()

    runner.on_event.connect(on_event, weak=False)
    try:  # the run may have ended before the handler was connected
        if runner.script_stopped() or done.wait(timeout):
            return
    finally:
        runner.on_event.disconnect(on_event)
    runner.request_stop()
    runner.join()
    raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


def new_app(app: AppTest) -> AppTest:
    """``app``, sharing the component registry of :func:`serve_like_a_server`."""
    if _COMPONENTS is not None and hasattr(app, "_bidi_component_manager"):
        app._bidi_component_manager = _COMPONENTS
    return app


def problems(app: AppTest) -> list[str]:
    """What a page run raised or showed as an error."""
    return [e.message for e in app.exception] + [e.value for e in app.error]


def fresh() -> None:
    runs.RESULTS.clear()
    runs.FIGURES.clear()
    runs.PARTIAL.clear()
    runs.STACKS.clear()
    runs.FRAMES.clear()
    runs.DERIVED.clear()


def page_run(path: str, state: dict) -> AppTest:
    app = new_app(AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT))
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    if problems(app):
        raise SystemExit(f"{path} failed: {problems(app)}")
    return app


def harness_seconds(repeats: int = 3) -> float:
    """CPU seconds AppTest itself takes to run a trivial script: subtracted from every
    figure below so they are the page's own cost."""
    values = []
    for _ in range(repeats):
        app = new_app(AppTest.from_string("import streamlit as st\nst.write('ready')"))
        values.append(cpu_seconds(app.run)[0])
    return statistics.median(values)


def cpu_seconds(action) -> tuple[float, float]:
    """``(CPU seconds of the whole process, wall seconds)`` that ``action()`` took."""
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return time.process_time() - cpu, time.perf_counter() - wall


def timed_page(path: str, state: dict) -> tuple[float, float, AppTest]:
    """``(CPU seconds, wall seconds, the page)`` of one page run from empty caches."""
    fresh()
    shown: list[AppTest] = []
    cpu, wall = cpu_seconds(lambda: shown.append(page_run(path, state)))
    return cpu, wall, shown[0]


def stopped_warnings(app: AppTest) -> int:
    return sum("stopped after" in warning.value for warning in app.warning)


def sessions_at_once(path: str, count: int) -> tuple[float, float]:
    """CPU and wall seconds for ``count`` sessions opening ``path`` at the same moment.

    Raises:
        SystemExit: naming every session whose run raised, timed out or showed an error
            (a session that failed fast must not pass for a cheap one).
    """
    fresh()
    start = threading.Barrier(count)
    failed: list[str] = []

    def one(session: int) -> None:
        app = new_app(AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT))
        start.wait()
        try:
            app.run()
        except Exception as error:  # e.g. AppTest's timeout: reported with the others
            failed.append(f"session {session}: {type(error).__name__}: {error}")
            return
        if problems(app):
            failed.append(f"session {session}: {problems(app)}")

    def everyone():
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(one, range(count)))

    measured = cpu_seconds(everyone)
    if failed:
        raise SystemExit(
            f"{len(failed)} of {count} sessions opening {path} failed: " + "; ".join(sorted(failed))
        )
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each measurement")
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument(
        "--only-sessions",
        action="store_true",
        help="measure only the sessions opening one link at once (for A/B rounds)",
    )
    args = parser.parse_args()
    serve_like_a_server()
    for path, state in PAGES.values():  # warm imports and Streamlit's own caches
        fresh()
        page_run(path, state)

    harness = harness_seconds()
    print(f"(AppTest's own {harness:.3f} CPU s per page run is subtracted from every figure)")
    if not args.only_sessions:
        pages_and_presets(args.repeats, harness)
    class_on_one_link(args.sessions, args.repeats, harness)


def class_on_one_link(count: int, repeats: int, harness: float) -> None:
    """``count`` sessions at once against one, ``repeats`` times in turn: medians, and the
    median of each round's ratio (a shared machine's load moves single rounds a lot)."""
    path = PAGES["Regularization"][0]
    rounds = []
    for _ in range(repeats):
        one_cpu, one_wall = sessions_at_once(path, 1)
        many_cpu, many_wall = sessions_at_once(path, count)
        one_cpu, many_cpu = one_cpu - harness, many_cpu - count * harness
        rounds.append((one_cpu, one_wall, many_cpu, many_wall, many_cpu / one_cpu))
    one_cpu, one_wall, many_cpu, many_wall, ratio = (
        statistics.median(column) for column in zip(*rounds, strict=True)
    )
    ratios = ", ".join(f"{values[-1]:.2f}" for values in rounds)
    print(f"\n{count} sessions opening the default Regularization link at once (medians)")
    print(f"  one session        {one_cpu:8.2f} CPU s {one_wall:8.2f} wall s")
    print(f"  {count} sessions         {many_cpu:8.2f} CPU s {many_wall:8.2f} wall s")
    print(f"  ratio {ratio:.2f}x one session's CPU (target <= 2x); rounds: {ratios}")


def pages_and_presets(repeats: int, harness: float) -> None:
    """The cold default pages (alternating, medians of ``repeats``) and the presets."""
    print("cold default page (CPU s, median of repeats; pages alternate)")
    cold: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(repeats):
        for name, (path, state) in PAGES.items():
            fresh()
            cpu = cpu_seconds(lambda path=path, state=state: page_run(path, state))[0]
            cold[name].append(cpu - harness)
    for name, values in cold.items():
        median = statistics.median(values)
        verdict = "ok" if median <= 0.8 else "MISSED"
        print(f"  {name:<36}{median:8.2f}   target <= 0.8  {verdict}")

    print("\ncourse presets (CPU s, once each)")
    for name, (path, state, target) in PRESETS.items():
        fresh()
        cpu, _, app = timed_page(path, state)
        cpu -= harness
        cut = stopped_warnings(app)
        done = "complete" if cut == 0 else f"{cut} runs cut by the budget"
        verdict = "ok" if cpu <= target and cut == 0 else "MISSED"
        print(f"  {name:<36}{cpu:8.2f}   target <= {target:g}, {done}  {verdict}")


if __name__ == "__main__":
    main()
