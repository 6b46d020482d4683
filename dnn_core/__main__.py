"""``python -m dnn_core reproduce``: the course's result tables, recomputed from the core.

Each number is computed with the course's settings (``dnn_core/course.py``) and printed
beside the figure the course published, with a mark saying whether the two agree. The exit
code is 0 when every published figure is matched, 1 otherwise (2 for a bad command line or
data file).

    python -m dnn_core reproduce                    # all lessons (about a minute)
    python -m dnn_core reproduce --only gradcheck   # one lesson (repeat --only for more)
    python -m dnn_core reproduce --data path/to/data.mat
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from . import course, datasets
from .gradcheck import (
    COURSE_BUGS,
    buggy_backward,
    course_test_case,
    gradient_check,
    gradient_check_1d,
)
from .network import accuracy
from .training import TrainConfig, TrainProgress, TrainResult, train

# --- comparing ------------------------------------------------------------------------------

MATCH, MISMATCH, NO_FIGURE = "match", "MISMATCH", "no published figure"
EXPLAINED = "see note"  # differs from the course by design; the section's note says why


def matches_rounded(ours: float, published: str) -> bool:
    """Whether ``ours`` rounds to ``published`` at the published figure's own precision
    (``"0.797"`` is matched by anything in [0.7965, 0.7975])."""
    decimals = len(published.partition(".")[2])
    return abs(ours - float(published)) <= 0.5 * 10.0**-decimals + 1e-12


def matches_relative(ours: float, published: str, rtol: float = 1e-6) -> bool:
    """Whether ``ours`` agrees with ``published`` to ``rtol`` relative difference."""
    return abs(ours - float(published)) <= rtol * abs(float(published))


@dataclass(frozen=True)
class Row:
    """One line of a table: our number beside the course's, and whether they agree."""

    run: str
    measure: str
    ours: str
    course: str
    mark: str


def compared(
    run: str,
    measure: str,
    ours: float,
    published: str | None,
    rule: Callable[[float, str], bool] = matches_rounded,
) -> Row:
    """A row comparing ``ours`` with ``published`` by ``rule`` (None: nothing published).

    Accuracies are shown to 6 decimals; figures matched to a relative tolerance in full.
    """
    shown = repr(float(ours)) if rule is matches_relative else f"{ours:.6f}"
    if published is None:
        return Row(run, measure, shown, "-", NO_FIGURE)
    return Row(run, measure, shown, published, MATCH if rule(ours, published) else MISMATCH)


def accuracy_rows(
    run: str,
    data: datasets.Dataset,
    params: dict[str, np.ndarray],
    published_train: str | None,
    published_test: str | None,
) -> list[Row]:
    """Train and test accuracy of ``params`` on ``data`` beside the published figures."""
    return [
        compared(
            run, "train accuracy", accuracy(data.X_train, data.Y_train, params), published_train
        ),
        compared(run, "test accuracy", accuracy(data.X_test, data.Y_test, params), published_test),
    ]


@dataclass
class Section:
    """A lesson's table with the settings it was computed with and notes on its marks."""

    title: str
    settings: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- running --------------------------------------------------------------------------------


def train_with_progress(
    label: str, X: np.ndarray, Y: np.ndarray, config: TrainConfig, log: TextIO
) -> TrainResult:
    """Train, telling ``log`` what runs (a live counter on a terminal, one line otherwise)."""
    total = config.epochs
    unit = "epochs" if config.num_epochs is not None else "iterations"

    def show(progress: TrainProgress) -> None:
        done = progress.iteration + 1
        print(f"\r  {label}: {done}/{total} {unit}", end="", file=log, flush=True)

    live = log.isatty()  # a counter redrawn in place only makes sense on a terminal
    print(f"  {label}: {total} {unit} ...", end="", file=log, flush=True)
    result = train(X, Y, config, callback=show if live else None)
    print(f" done in {result.elapsed_s:.1f} s", file=log, flush=True)
    return result


def initialization_section(log: TextIO) -> Section:
    data = datasets.circles()
    base = course.INITIALIZATION
    section = Section(
        "Initialization",
        f"circles (300 train / 100 test points), layers {base.layer_dims}, "
        f"learning rate {base.learning_rate}, {base.epochs} iterations",
    )
    for run, config in course.INITIALIZATION_RUNS.items():
        result = train_with_progress(run, data.X_train, data.Y_train, config, log)
        first_cost, train_acc, test_acc = course.PUBLISHED_INITIALIZATION[run]
        if first_cost == "inf":
            section.rows.append(
                Row(run, "first cost", repr(float(result.costs[0])), "inf", f"{EXPLAINED} 1")
            )
        else:
            section.rows.append(
                compared(run, "first cost", result.costs[0], first_cost, matches_relative)
            )
        section.rows.extend(accuracy_rows(run, data, result.params, train_acc, test_acc))
    section.notes.append(
        "note 1: the course printed inf (log(0) of a saturated sigmoid); the core computes the "
        "cost from the logits, which gives the true, large but finite value."
    )
    return section


def football_data(data_path: Path | None) -> tuple[datasets.Dataset, str, bool]:
    """``(data, description, is_course_data)``: the course's file when found, else the
    generated football-like set (which has no published figures).

    Raises:
        datasets.DatasetError: when an explicitly given file cannot be used.
    """
    if data_path is None and course.COURSE_DATA.is_file():
        data_path = course.COURSE_DATA
    if data_path is not None:
        return datasets.load_mat(data_path, name="football"), f"football from {data_path}", True
    description = (
        f"football-like (generated; the course's data was not found at {course.COURSE_DATA}), "
        "no published figure"
    )
    return datasets.football(), description, False


def regularization_section(log: TextIO, football: tuple[datasets.Dataset, str, bool]) -> Section:
    """``football`` is :func:`football_data`'s answer."""
    data, description, is_course_data = football
    base = course.REGULARIZATION
    section = Section(
        "Regularization",
        f"{description}; layers {base.layer_dims}, Xavier init, "
        f"learning rate {base.learning_rate}, {base.epochs} iterations",
    )
    for run, config in course.REGULARIZATION_RUNS.items():
        result = train_with_progress(run, data.X_train, data.Y_train, config, log)
        published = course.PUBLISHED_REGULARIZATION[run] if is_course_data else (None, None)
        section.rows.extend(accuracy_rows(run, data, result.params, *published))
    section.notes.append(
        "The course's dropout re-seeds before every forward pass, so its mask never changes; "
        "real dropout draws fresh masks each iteration (the last run), which the course never "
        "published."
    )
    return section


def gradcheck_section() -> Section:
    section = Section(
        "Gradient checking",
        f"1-D: J(theta) = theta * x at x = {course.COURSE_1D_X:g}, theta = "
        f"{course.COURSE_1D_THETA:g}; N-D: the course's test net [4, 5, 3, 1] on 3 examples; "
        "epsilon 1e-7",
    )
    one_d = gradient_check_1d(course.COURSE_1D_X, course.COURSE_1D_THETA)
    section.rows.append(
        compared(
            "1-D", "difference", one_d.difference, course.PUBLISHED_GRADCHECK_1D, matches_relative
        )
    )
    X, Y, params = course_test_case()
    buggy = gradient_check(params, X, Y, backward_fn=buggy_backward(COURSE_BUGS))
    section.rows.append(
        compared(
            "N-D, dW2 x2 and db1 x4 planted",
            "difference",
            buggy.difference,
            course.PUBLISHED_GRADCHECK_BUGGY,
            matches_relative,
        )
    )
    fixed = gradient_check(params, X, Y)
    agrees = fixed.difference < course.COURSE_GRADCHECK_PASS
    section.rows.append(
        Row(
            "N-D, bugs fixed",
            "difference",
            f"{fixed.difference:.3g}",
            course.PUBLISHED_GRADCHECK_FIXED,
            f"{EXPLAINED} 2" if agrees else MISMATCH,
        )
    )
    section.notes.append(
        f"note 2: both pass the course's {course.COURSE_GRADCHECK_PASS:g} line. Ours is smaller "
        "because the core computes the cost from the logits, avoiding the round-off of "
        "log(1 - a) that dominates the course's figure."
    )
    return section


def train_accuracy_section(
    section: Section, runs: dict[str, TrainConfig], published: dict[str, str], log: TextIO
) -> Section:
    """``section`` with each run's train accuracy on the moons beside the published one."""
    data = datasets.moons()
    for run, config in runs.items():
        result = train_with_progress(run, data.X_train, data.Y_train, config, log)
        ours = accuracy(data.X_train, data.Y_train, result.params)
        section.rows.append(compared(run, "train accuracy", ours, published[run]))
    return section


def optimization_section(log: TextIO) -> Section:
    base = course.OPTIMIZATION
    section = Section(
        "Optimization",
        f"moons (300 points), layers {base.layer_dims}, He init, learning rate "
        f"{base.learning_rate}, mini-batches of {base.mini_batch_size}, {base.epochs} epochs",
    )
    return train_accuracy_section(
        section, course.OPTIMIZATION_RUNS, course.PUBLISHED_OPTIMIZATION, log
    )


def decay_section(log: TextIO) -> Section:
    base = course.DECAY
    adam_rate = course.DECAY_RUNS["Adam, scheduled decay"].learning_rate
    section = Section(
        "Learning-rate decay",
        f"the optimization settings with learning rate {base.learning_rate} (Adam "
        f"{adam_rate}), {base.epochs} epochs, decay rate {base.decay_rate:g}, scheduled "
        f"every {base.decay_interval} epochs; the rate is decayed after each epoch's "
        "updates, as the course does",
    )
    return train_accuracy_section(section, course.DECAY_RUNS, course.PUBLISHED_DECAY, log)


# --- printing -------------------------------------------------------------------------------

HEADER = Row("run", "measure", "ours", "course", "")


def format_section(section: Section) -> str:
    """The section as an aligned plain-text table under its title and settings."""
    lines = [section.title, "=" * len(section.title), textwrap.fill(section.settings, 92), ""]
    rows = [HEADER, *section.rows]
    columns = [[row.run, row.measure, row.ours, row.course, row.mark] for row in rows]
    widths = [max(len(cells[i]) for cells in columns) for i in range(5)]
    for index, cells in enumerate(columns):
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines.append("")
    lines.extend(textwrap.fill(note, 92, subsequent_indent="  ") for note in section.notes)
    return "\n".join(lines).rstrip() + "\n"


LESSONS = ("init", "reg", "gradcheck", "opt", "decay")


def reproduce(lessons: Sequence[str], data_path: Path | None, out: TextIO, log: TextIO) -> int:
    """Compute and print the chosen lessons' tables.

    Returns:
        0 when every published figure is matched, 1 when one is not, 2 when ``data_path``
        cannot be used (said on ``log`` before any training starts).
    """
    football = None
    if "reg" in lessons:
        try:
            football = football_data(data_path)
        except datasets.DatasetError as error:
            print(f"Cannot use the data file {data_path}: {error}", file=log)
            return 2
    builders = {
        "init": lambda: initialization_section(log),
        "reg": lambda: regularization_section(log, football),
        "gradcheck": gradcheck_section,
        "opt": lambda: optimization_section(log),
        "decay": lambda: decay_section(log),
    }
    rows: list[Row] = []
    for lesson in LESSONS:
        if lesson in lessons:
            section = builders[lesson]()
            print(format_section(section), file=out, flush=True)
            rows.extend(section.rows)
    compared_rows = [row for row in rows if row.mark in (MATCH, MISMATCH)]
    failed = [row for row in compared_rows if row.mark == MISMATCH]
    explained = sum(row.mark.startswith(EXPLAINED) for row in rows)
    by_design = f" ({explained} more differ by design: see the notes)" if explained else ""
    if failed:
        print(
            f"{len(failed)} of {len(compared_rows)} published figures are NOT matched: "
            + "; ".join(f"{row.run} {row.measure}" for row in failed),
            file=out,
        )
        return 1
    print(f"All {len(compared_rows)} published figures compared are matched{by_design}.", file=out)
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, log: TextIO | None = None
) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); tables go to ``out``
    (default stdout), progress and errors to ``log`` (default stderr). Returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m dnn_core", description="Deep Net Lab's core, from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "reproduce",
        help="recompute the course's result tables and compare them with its published figures",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--only",
        action="append",
        choices=LESSONS,
        help="reproduce only this lesson (repeat for several); default: all",
    )
    command.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help=f"the course's football data.mat (default: {course.COURSE_DATA} when present)",
    )
    args = parser.parse_args(argv)
    return reproduce(args.only or LESSONS, args.data, out or sys.stdout, log or sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
