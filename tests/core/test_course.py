"""The course module: one consistent source of settings, published figures and data path."""

from __future__ import annotations

import math

import pytest

from dnn_core import course

LESSONS = [
    (course.INITIALIZATION, course.INITIALIZATION_RUNS, course.PUBLISHED_INITIALIZATION),
    (course.REGULARIZATION, course.REGULARIZATION_RUNS, course.PUBLISHED_REGULARIZATION),
    (course.OPTIMIZATION, course.OPTIMIZATION_RUNS, course.PUBLISHED_OPTIMIZATION),
    (course.DECAY, course.DECAY_RUNS, course.PUBLISHED_DECAY),
]


@pytest.mark.parametrize(
    ("base", "runs", "published"), LESSONS, ids=["init", "reg", "opt", "decay"]
)
def test_every_run_is_valid_seeded_as_the_course_and_has_its_published_row(base, runs, published):
    assert list(runs) == list(published)
    for name, config in {"base": base, **runs}.items():
        assert config.problems() == [], name
        assert config.course_seeding and config.seed == course.COURSE_WEIGHT_SEED, name
        assert config.layer_dims == base.layer_dims and config.epochs == base.epochs, name


def test_the_lesson_constants_are_the_ones_the_runs_use():
    runs = course.REGULARIZATION_RUNS
    assert runs["L2, lambda = 0.7"].lambd == course.COURSE_LAMBDA == 0.7
    for name in ("dropout 0.86, course's fixed mask", "dropout 0.86, fresh masks"):
        assert runs[name].keep_prob == course.COURSE_KEEP_PROB == 0.86
    assert runs["dropout 0.86, course's fixed mask"].course_dropout
    assert course.INITIALIZATION_RUNS["random x10"].init_scale == course.COURSE_INIT_SCALE == 10
    assert course.OPTIMIZATION.mini_batch_size == course.COURSE_MINI_BATCH_SIZE == 64
    assert course.DECAY.mini_batch_size == course.COURSE_MINI_BATCH_SIZE


def test_published_figures_are_numbers_as_printed():
    figures = [
        course.PUBLISHED_GRADCHECK_1D,
        course.PUBLISHED_GRADCHECK_BUGGY,
        course.PUBLISHED_GRADCHECK_FIXED,
    ]
    for _, _, published in LESSONS:
        for row in published.values():
            figures.extend(row if isinstance(row, tuple) else [row])
    for figure in figures:
        if figure is not None:
            assert isinstance(figure, str) and not math.isnan(float(figure)), figure
    assert float(course.PUBLISHED_GRADCHECK_FIXED) < course.COURSE_GRADCHECK_PASS


def test_the_course_data_is_looked_for_beside_the_repository():
    assert course.REPO_ROOT.parent / "shared" / "course-data" / "data.mat" == course.COURSE_DATA
    assert not course.COURSE_DATA.is_relative_to(course.REPO_ROOT)


def test_the_tests_find_the_course_data_where_the_course_module_says(course_data_path):
    assert course_data_path == course.COURSE_DATA
