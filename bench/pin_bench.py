"""CPU seconds a pin adds to a lesson's page view: a warm view (every run cached) without a
pin against the same view opened from a link with a pin, alternated; and what the first
viewer of a pin whose run nobody has trained yet pays on top.

Run by hand from the repository root:  ``python bench/pin_bench.py [--repeats 5]``

Every figure is CPU time of this whole process (``time.process_time``: the session's
script thread and the run workers), medians over the repeats, each page run headless
through Streamlit's ``AppTest`` in a fresh session (a student opening the link).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import runs  # noqa: E402

TIMEOUT = 600
logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode chatter
# Lesson -> (page, a pin whose run the page trains anyway, a pin of a run it does not).
LESSONS = {
    "Initialization": ("pages/1_Initialization.py", "v1_init_scheme-xavier", "v1_init_lr-0.05"),
    "Regularization": ("pages/2_Regularization.py", "v1_reg_mode-l2", "v1_reg_lr-0.2"),
    "Optimization": ("pages/4_Optimization.py", "v1_opt_batch-32", "v1_opt_batch-64"),
}


def view_cpu_s(path: str, query: dict[str, str]) -> float:
    """CPU seconds of one fresh session opening ``path`` with ``query``."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page(path)
    app.query_params.update(query)
    start = time.process_time()
    app.run()
    spent = time.process_time() - start
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return spent


def clear() -> None:
    for cache in (runs.RESULTS, runs.FIGURES, runs.PARTIAL, runs.STACKS, runs.FRAMES):
        cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    print(f"{'lesson':<16}{'warm, no pin':>14}{'warm, pin':>12}{'ratio':>8}{'new pin':>10}")
    for lesson, (path, cached_pin, new_pin) in LESSONS.items():
        clear()
        view_cpu_s(path, {})  # the page's own runs
        view_cpu_s(path, {"pin": cached_pin})  # the comparison's figures
        plain, pinned = [], []
        for _repeat in range(repeats):  # A/B alternated
            plain.append(view_cpu_s(path, {}))
            pinned.append(view_cpu_s(path, {"pin": cached_pin}))
        first = view_cpu_s(path, {"pin": new_pin}) - statistics.median(plain)
        a, b = statistics.median(plain), statistics.median(pinned)
        print(f"{lesson:<16}{a:>13.3f}s{b:>11.3f}s{b / a:>8.2f}{first:>9.2f}s")
    print(f"(medians of {repeats}; new pin: its first viewer's view minus a warm one)")


if __name__ == "__main__":
    main()
