"""What the maps of the hidden units cost: CPU time to build them (once for everyone) and
the bytes every student's page receives, against the lesson's decision map.

Run by hand from the repository root:  ``python bench/unit_maps_bench.py [--repeats 7]``

For each network, the small maps (every hidden unit, capped as the page caps them) and
one unit large are built from He weights on the circles data; the baseline is the
decision-boundary figure of the same network, built alternately in the same run. Times
are medians of CPU seconds (time.process_time); sizes are the figure's JSON as sent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dnn_core import datasets, init_params  # noqa: E402
from ui import figures, units_view  # noqa: E402

NETWORKS = {"10, 5 (lesson)": (10, 5), "20, 3": (20, 3), "6 x 100 (largest)": (100,) * 6}


def cpu(build) -> tuple[float, object]:
    start = time.process_time()
    value = figures.packed(build())  # as memoize stores it: encoded once
    return time.process_time() - start, value


def size_kb(figure) -> float:
    return len(figure.to_json().encode()) / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    data = datasets.circles()
    print(
        f"{'network':<20}{'maps':>6}{'grid':>6}{'small ms':>10}{'large ms':>10}"
        f"{'boundary ms':>13}{'small kB':>10}{'large kB':>10}{'boundary kB':>13}"
    )
    for name, hidden in NETWORKS.items():
        params = init_params([2, *hidden, 1], "he", seed=3)
        builds = {
            "small": lambda p=params: units_view.small_maps(p, data, points=False, title="t")[0],
            "large": lambda p=params: units_view.large_map(p, data, 1, 0, title="t"),
            "boundary": lambda p=params: figures.boundary_figure(p, data),
        }
        times = {kind: [] for kind in builds}
        shown = {}
        for _ in range(repeats):  # alternated, so a busy moment hits every kind alike
            for kind, build in builds.items():
                seconds, shown[kind] = cpu(build)
                times[kind].append(seconds)
        maps = sum(len(units) for units in units_view.shown_units(list(hidden)).values())
        ms = {kind: 1e3 * statistics.median(values) for kind, values in times.items()}
        kb = {kind: size_kb(figure) for kind, figure in shown.items()}
        print(
            f"{name:<20}{maps:>6}{units_view.small_resolution(maps):>6}"
            f"{ms['small']:>10.1f}{ms['large']:>10.1f}{ms['boundary']:>13.1f}"
            f"{kb['small']:>10.1f}{kb['large']:>10.1f}{kb['boundary']:>13.1f}"
        )


if __name__ == "__main__":
    main()
