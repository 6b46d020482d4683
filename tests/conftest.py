"""Fixtures shared by every test folder.

The course's football data lives outside the repository (at ``dnn_core.course.COURSE_DATA``,
the one place that path is defined); tests that need it skip cleanly when it is absent, and
the app itself never needs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dnn_core.course import COURSE_DATA


@pytest.fixture(scope="session")
def course_data_path() -> Path:
    """Path of the course's football ``data.mat`` (keys X, y, Xval, yval); skips when absent."""
    if not COURSE_DATA.is_file():
        pytest.skip(f"the course's football data is not at {COURSE_DATA}")
    return COURSE_DATA


@pytest.fixture(scope="session")
def course_football(course_data_path):
    """The course's football data as a ``dnn_core.datasets.Dataset`` (211 train, 200 test)."""
    from dnn_core import datasets

    return datasets.load_mat(course_data_path, name="football")
