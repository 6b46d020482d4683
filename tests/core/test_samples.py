"""The NumPy generators draw exactly what scikit-learn's draw, and importing the core
never imports scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sklearn.datasets

from dnn_core import samples

CASES = [(300, 0.2, 3), (100, 0.05, 1), (301, 0.3, 7), (1, 0.1, 0), (2, None, 5), (57, 0.0, 11)]


def assert_identical(ours, theirs):
    (X, y), (X_ref, y_ref) = ours, theirs
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.dtype == X_ref.dtype and y.dtype == y_ref.dtype


@pytest.mark.parametrize(("n", "noise", "seed"), CASES)
def test_moons_and_circles_are_scikit_learns_bit_for_bit(n, noise, seed):
    for name in ("make_moons", "make_circles"):
        ours = getattr(samples, name)(n, noise=noise, random_state=np.random.RandomState(seed))
        theirs = getattr(sklearn.datasets, name)(
            n_samples=n, noise=noise, random_state=np.random.RandomState(seed)
        )
        assert_identical(ours, theirs)


def test_a_seed_and_the_global_state_draw_as_in_scikit_learn():
    assert_identical(samples.make_moons(40, noise=0.2, random_state=4),
                     sklearn.datasets.make_moons(40, noise=0.2, random_state=4))  # fmt: skip
    np.random.seed(2)  # noqa: NPY002 - the course's global seeding
    ours = samples.make_circles(30, noise=0.05)
    np.random.seed(2)  # noqa: NPY002
    assert_identical(ours, sklearn.datasets.make_circles(30, noise=0.05))


@pytest.mark.parametrize(("n", "std", "seed"), [(400, 1.0, 0), (401, 0.3, 9), (3, 2.0, 1)])
def test_blobs_are_scikit_learns_bit_for_bit(n, std, seed):
    centers = [(-1.5, -1.0), (1.5, 1.0)]
    assert_identical(
        samples.make_blobs(n, centers=centers, cluster_std=std, random_state=seed),
        sklearn.datasets.make_blobs(
            n_samples=n, centers=centers, cluster_std=std, random_state=seed
        ),
    )


def test_importing_the_core_does_not_import_scikit_learn():
    code = "import sys, dnn_core; dnn_core.datasets.moons(); print('sklearn' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"
