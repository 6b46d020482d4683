"""scikit-learn's ``make_moons``, ``make_circles`` and ``make_blobs``, in NumPy alone.

Importing ``sklearn.datasets`` costs about a second of CPU, most of ``import dnn_core``, for
three small generators. These draw exactly what scikit-learn's draw from the same
``RandomState`` (the same calls in the same order: a shuffle of the indices, then the
noise), so the course's data sets stay bit-identical (checked against scikit-learn in
``tests/core/test_datasets.py``). Only the arguments the data sets use are offered.

:data:`datasets` lets ``dnn_core.datasets`` call them by their scikit-learn names.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def _random_state(random_state) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``: None is NumPy's global ``RandomState`` (the
    course's ``np.random.seed``), a seed a new one, a ``RandomState`` itself."""
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(random_state)


def _two_rings(outer_x, outer_y, inner_x, inner_y, noise, generator):
    """Stack the two classes as scikit-learn does, shuffle, then add the noise."""
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(outer_x.size, dtype=np.intp), np.ones(inner_x.size, dtype=np.intp)])
    X, y = _shuffle(X, y, generator)
    if noise is not None:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def _shuffle(X, y, generator):
    """scikit-learn's ``utils.shuffle``: one in-place shuffle of the indices."""
    indices = np.arange(X.shape[0])
    generator.shuffle(indices)
    return X[indices], y[indices]


def make_moons(n_samples: int = 100, *, noise=None, random_state=None):
    """Two interleaving half circles: ``X (n_samples, 2)``, ``y (n_samples,)``."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    generator = _random_state(random_state)
    outer, inner = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    return _two_rings(
        np.cos(outer), np.sin(outer), 1 - np.cos(inner), 1 - np.sin(inner) - 0.5, noise, generator
    )


def make_circles(n_samples: int = 100, *, noise=None, random_state=None, factor: float = 0.8):
    """A large circle containing a smaller one: ``X (n_samples, 2)``, ``y (n_samples,)``."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    generator = _random_state(random_state)
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    return _two_rings(
        np.cos(outer),
        np.sin(outer),
        np.cos(inner) * factor,
        np.sin(inner) * factor,
        noise,
        generator,
    )


def make_blobs(n_samples: int = 100, *, centers, cluster_std: float = 1.0, random_state=None):
    """Gaussian blobs around the given ``centers`` (one class each), shuffled."""
    generator = _random_state(random_state)
    centers = np.asarray(centers, dtype=np.float64)
    n_centers, n_features = centers.shape
    per_center = [n_samples // n_centers + (i < n_samples % n_centers) for i in range(n_centers)]
    X = np.empty((n_samples, n_features))
    y = np.empty(n_samples, dtype=int)
    start = 0
    for i, n in enumerate(per_center):
        X[start : start + n] = generator.normal(
            loc=centers[i], scale=cluster_std, size=(n, n_features)
        )
        y[start : start + n] = i
        start += n
    return _shuffle(X, y, generator)


datasets = SimpleNamespace(make_moons=make_moons, make_circles=make_circles, make_blobs=make_blobs)
"""Stands in for ``sklearn.datasets`` (``datasets.make_moons(...)``)."""
