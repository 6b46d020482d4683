"""How long the lesson pages take to answer a change, and how much memory a session uses.

Run by hand from the repository root:  ``python bench/ui_latency.py [--repeats 3]``

Each page runs headless through Streamlit's ``AppTest`` (the same script run the server
does, without the browser's drawing). Times are medians over ``--repeats`` fresh sessions:

- cold page: nothing cached (every run of the page trains);
- slider change: the default page is on screen, the student moves one lesson slider to a
  value not seen before (one network retrains, the rest comes from the cache);
- sidebar change: a new learning rate (every run on the page retrains);
- cached revisit: the slider goes back to a value seen before.

The baseline is the bare ``dnn_core.train`` of the page's default run, measured in the same
process, so the ratios say what the page adds on top of the training itself. Targets:
slider change < 1.5 s, cached revisit < 0.3 s, session memory < 150 MB.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dnn_core import train  # noqa: E402
from ui import runs  # noqa: E402
from ui import sidebar as ui_sidebar  # noqa: E402

TIMEOUT = 300


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def check(app: AppTest) -> AppTest:
    problems = [e.message for e in app.exception] + [e.value for e in app.error]
    if problems:
        raise SystemExit(f"page failed: {problems}")
    return app


def baseline(page: str) -> float:
    """The bare core: training the page's default run once (what the student waits for)."""
    if page == "init":
        sidebar = ui_sidebar.SidebarConfig(
            data=ui_sidebar.DataChoice("circles", 0.05, 1),
            hidden_layers=(10, 5),
            learning_rate=0.1,
            num_iterations=2000,
            weight_seed=3,
        )
        config = sidebar.train_config(init="he")
    else:
        sidebar = ui_sidebar.SidebarConfig(
            data=ui_sidebar.DataChoice("football", 0.08, 0),
            hidden_layers=(20, 3),
            learning_rate=0.3,
            num_iterations=3000,
            weight_seed=3,
        )
        config = sidebar.train_config(init="xavier", lambd=0.7)
    data = runs.load_dataset(sidebar.data)
    return timed(lambda: train(data.X_train, data.Y_train, config))


PAGES = {
    # page: (file, starting state, slider widget kind, its key, a new value, learning-rate key)
    "init": (
        "pages/1_Initialization.py",
        {"init_scheme": "random"},
        "select_slider",
        "init_scale",
        3.0,
        "init_lr",
    ),
    "reg": ("pages/2_Regularization.py", {"reg_mode": "l2"}, "slider", "reg_lambd", 1.0, "reg_lr"),
}


def session(page: str) -> dict[str, float]:
    """One student session on ``page``: cold load, slider change, revisit, sidebar change."""
    path, state, kind, slider_key, new_value, lr_key = PAGES[page]
    runs.RESULTS.clear()
    runs.FIGURES.clear()
    gc.collect()
    app = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for key, value in state.items():
        app.session_state[key] = value
    times = {"cold page": timed(lambda: check(app.run()))}

    def move(value):
        check(getattr(app, kind)(key=slider_key).set_value(value).run())

    old_value = getattr(app, kind)(key=slider_key).value
    times["slider change"] = timed(lambda: move(new_value))
    times["cached revisit"] = timed(lambda: move(old_value))
    learning_rate = app.number_input(key=lr_key).value
    times["sidebar change"] = timed(
        lambda: check(app.number_input(key=lr_key).set_value(learning_rate * 1.5).run())
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # Warm-up: imports (scikit-learn, pandas, Plotly) are paid once per server, not per change.
    for page in PAGES:
        path = PAGES[page][0]
        warm = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
        warm.session_state[f"{page}_iterations"] = 20
        check(warm.run())

    rss_before = rss_mb()
    results: dict[str, dict[str, list[float]]] = {}
    baselines: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for page in PAGES:
            baselines.setdefault(page, []).append(baseline(page))
            for name, seconds in session(page).items():
                results.setdefault(page, {}).setdefault(name, []).append(seconds)
    rss_after = rss_mb()
    # Allocation tracing slows Python down, so the heap is measured in a separate pass.
    tracemalloc.start()
    for page in PAGES:
        session(page)
    traced_now, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    targets = {"slider change": 1.5, "cached revisit": 0.3}
    print(f"{'page':<6}{'measure':<17}{'median s':>10}{'x baseline':>12}  target")
    for page, measures in results.items():
        base = statistics.median(baselines[page])
        print(f"{page:<6}{'baseline train':<17}{base:>10.3f}{1.0:>12.2f}")
        for name, values in measures.items():
            median = statistics.median(values)
            target = targets.get(name)
            verdict = ""
            if target is not None:
                verdict = f"< {target} s " + ("ok" if median < target else "MISSED")
            print(f"{page:<6}{name:<17}{median:>10.3f}{median / base:>12.2f}  {verdict}")
    sessions = args.repeats * len(PAGES)
    print(
        f"\nmemory over {sessions} sessions (caches bounded: {runs.MAX_CACHED_RESULTS} runs, "
        f"{runs.MAX_CACHED_FIGURES} figures):"
    )
    print(f"  RSS growth          {rss_after - rss_before:8.1f} MB  (target < 150 MB)")
    print(f"  traced heap kept    {traced_now / 1e6:8.1f} MB  (one more session per page)")
    print(f"  traced heap peak    {traced_peak / 1e6:8.1f} MB")
    print(f"  process RSS         {rss_after:8.1f} MB (includes Streamlit, NumPy, SciPy, ...)")


if __name__ == "__main__":
    main()
