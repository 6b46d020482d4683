"""``python -m dnn_core reproduce``: tables, marks, exit codes and bad data files."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import dnn_core.__main__ as cli
from dnn_core import course

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_main(*argv):
    out, log = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, log=log)
    return code, out.getvalue(), log.getvalue()


def test_reproduce_gradcheck_as_a_command():
    completed = subprocess.run(
        [sys.executable, "-m", "dnn_core", "reproduce", "--only", "gradcheck"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "Gradient checking" in out
    for published in ("2.919335883291695e-10", "0.2850931567761623", "1.19e-07"):
        assert published in out
    assert "MISMATCH" not in out
    assert "Traceback" not in completed.stderr


def test_gradcheck_table_is_aligned_and_marked():
    code, out, _ = run_main("reproduce", "--only", "gradcheck")
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("run "))
    rows = [line for line in lines if line.startswith(("1-D ", "N-D,"))]
    assert len(rows) == 3
    course_column = header.index("course")
    for row in rows:
        assert row[course_column - 2 : course_column] == "  "  # columns line up
    assert rows[0].endswith("match") and rows[1].endswith("match")
    assert rows[2].endswith("see note 2")
    assert "note 2: both pass the course's 2e-07 line" in out
    assert "All 2 published figures compared are matched (1 more differ" in out


def test_a_missed_figure_gives_exit_code_1(monkeypatch):
    monkeypatch.setattr(course, "PUBLISHED_GRADCHECK_1D", "3.5e-10")
    code, out, _ = run_main("reproduce", "--only", "gradcheck")
    assert code == 1
    assert "MISMATCH" in out
    assert "1 of 2 published figures are NOT matched: 1-D difference" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "File not found"), (b"not a mat file at all", "Not a readable MATLAB .mat file")],
)
def test_an_unusable_data_file_is_refused_before_training(tmp_path, content, message):
    path = tmp_path / "data.mat"
    if content is not None:
        path.write_bytes(content)
    code, out, log = run_main("reproduce", "--only", "reg", "--data", str(path))
    assert code == 2
    assert f"Cannot use the data file {path}" in log and message in log
    assert out == ""


def shortened(runs, iterations=30):
    return {name: replace(config, num_iterations=iterations) for name, config in runs.items()}


def test_without_the_course_data_the_football_like_set_is_labelled(monkeypatch, tmp_path):
    monkeypatch.setattr(course, "COURSE_DATA", tmp_path / "absent.mat")
    monkeypatch.setattr(course, "REGULARIZATION_RUNS", shortened(course.REGULARIZATION_RUNS))
    code, out, log = run_main("reproduce", "--only", "reg")
    assert code == 0  # nothing published to compare with, so nothing missed
    assert "football-like (generated; the course's data was not found at" in out
    rows = [line for line in out.splitlines() if "accuracy" in line]
    assert len(rows) == 8
    assert all(row.endswith("no published figure") for row in rows)
    assert log.count("30 iterations ... done in") == 4  # progress for each run


def test_with_the_course_data_its_figures_are_compared(monkeypatch, course_data_path):
    # 30 iterations cannot reach the course's accuracies: the comparison must say so.
    monkeypatch.setattr(course, "REGULARIZATION_RUNS", shortened(course.REGULARIZATION_RUNS))
    code, out, _ = run_main("reproduce", "--only", "reg", "--data", str(course_data_path))
    assert code == 1
    assert f"football from {course_data_path}" in out
    fresh = [line for line in out.splitlines() if line.startswith("dropout 0.86, fresh")]
    assert len(fresh) == 2 and all(line.endswith("no published figure") for line in fresh)
    assert "published figures are NOT matched" in out


@pytest.mark.parametrize(
    ("ours", "published", "expected"),
    [
        (0.7966666666666666, "0.797", True),
        (0.7975001, "0.797", False),
        (0.9478672985781991, "0.9479", True),
        (0.9473, "0.9479", False),
        (0.5, "0.5", True),
        (0.56, "0.5", False),
        (0.94, "0.94", True),
    ],
)
def test_accuracies_match_to_the_published_rounding(ours, published, expected):
    assert cli.matches_rounded(ours, published) is expected


def test_relative_match():
    assert cli.matches_relative(0.2850931492813823, "0.2850931567761623")
    assert not cli.matches_relative(0.2851, "0.2850931567761623")


@pytest.mark.parametrize("argv", [[], ["reproduce", "--only", "everything"], ["train"]])
def test_bad_command_lines_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert "usage: python -m dnn_core" in capsys.readouterr().err


@pytest.mark.slow
def test_reproduce_decay_matches_the_2021_figures():
    code, out, _ = run_main("reproduce", "--only", "decay")
    assert code == 0, out
    assert out.startswith("Learning-rate decay\n")
    rows = [line for line in out.splitlines() if " train accuracy " in line]
    assert [row.split("  ")[0].strip() for row in rows] == list(course.DECAY_RUNS)
    for row, published in zip(rows, course.PUBLISHED_DECAY.values(), strict=True):
        assert published in row and row.endswith("match")
    assert "All 4 published figures compared are matched." in out
