"""Two-class 2-D data sets: the course's (circles, moons, football-like) and a few more,
plus loaders for a user's CSV or the course's ``.mat`` files that reject bad files clearly.

Every data set is returned as :class:`Dataset` with ``X (2, m)`` float64 and ``Y (1, m)``
float64 labels in {0, 1}, examples on columns as in the course.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn.datasets

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_POINTS = 5000
MIN_POINTS_PER_CLASS = 5


class DatasetError(ValueError):
    """A data file or setting that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Dataset:
    """Train and test split: ``X_* (n_x, m)``, ``Y_* (1, m)`` with labels 0/1."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    name: str


def _as_dataset(X_train, y_train, X_test, y_test, name: str) -> Dataset:
    """From sklearn's ``(m, 2)`` / ``(m,)`` layout to the course's ``(2, m)`` / ``(1, m)``."""
    return Dataset(
        X_train=np.asarray(X_train, dtype=np.float64).T.copy(),
        Y_train=np.asarray(y_train, dtype=np.float64).reshape(1, -1),
        X_test=np.asarray(X_test, dtype=np.float64).T.copy(),
        Y_test=np.asarray(y_test, dtype=np.float64).reshape(1, -1),
        name=name,
    )


def circles(n_train: int = 300, n_test: int = 100, noise: float = 0.05, seed: int = 1) -> Dataset:
    """The initialization lesson's data: ``make_circles`` with seeds ``seed`` (train) and
    ``seed + 1`` (test), as the course's ``np.random.seed(1)`` / ``np.random.seed(2)``."""
    X_train, y_train = sklearn.datasets.make_circles(
        n_samples=n_train, noise=noise, random_state=np.random.RandomState(seed)
    )
    X_test, y_test = sklearn.datasets.make_circles(
        n_samples=n_test, noise=noise, random_state=np.random.RandomState(seed + 1)
    )
    return _as_dataset(X_train, y_train, X_test, y_test, "circles")


def moons(n_train: int = 300, n_test: int = 100, noise: float = 0.2, seed: int = 3) -> Dataset:
    """The optimization lesson's data: ``make_moons(300, noise=.2)`` after seed 3
    (the test split, which the course does not have, uses ``seed + 1``)."""
    X_train, y_train = sklearn.datasets.make_moons(
        n_samples=n_train, noise=noise, random_state=np.random.RandomState(seed)
    )
    X_test, y_test = sklearn.datasets.make_moons(
        n_samples=n_test, noise=noise, random_state=np.random.RandomState(seed + 1)
    )
    return _as_dataset(X_train, y_train, X_test, y_test, "moons")


def _football_points(rng: np.random.Generator, m: int, noise: float, islands: int):
    """Ball positions on half a pitch; label 1 where the French players win the header:
    above a wavy frontier blurred by ``noise``, except inside ``islands`` small patches at
    random places where the other team wins (mislabelled points, as in the course's data).
    A patch holds a handful of points: an unregularized network bends its boundary around
    each one, which new points, with their patches elsewhere, do not reward."""
    X = np.column_stack([rng.uniform(-0.75, 0.45, m), rng.uniform(-0.75, 0.65, m)])
    frontier = 0.05 + 0.22 * np.sin(2.6 * X[:, 0] + 0.6) - 0.12 * X[:, 0]
    y = (X[:, 1] - frontier + rng.normal(0.0, noise, m) > 0).astype(np.int64)
    centres = np.column_stack([rng.uniform(-0.7, 0.4, islands), rng.uniform(-0.7, 0.6, islands)])
    for centre in centres:
        inside = np.sum((X - centre) ** 2, axis=1) < FOOTBALL_ISLAND_RADIUS**2
        y[inside] = 1 - y[inside]
    return X, y


FOOTBALL_ISLANDS = 5
FOOTBALL_ISLAND_RADIUS = 0.1


def football(n_train: int = 211, n_test: int = 200, noise: float = 0.03, seed: int = 0) -> Dataset:
    """A football-like set with the shape of the regularization lesson's data (211 train,
    200 test points; the original cannot be shipped). Each split has its own
    :data:`FOOTBALL_ISLANDS` patches of mislabelled points, so fitting the training set's
    patches is fitting noise: after 3000 iterations of the course's [2, 20, 3, 1] net
    (Xavier start, lr 0.3, weight seed 3) an unregularized network reaches about
    96 % train / 81 % test, against 88 % / 88 % with L2 lambda = 0.7 and 92 % / 89 %
    with dropout keep_prob = 0.86."""
    rng = np.random.default_rng(seed)
    X_train, y_train = _football_points(rng, n_train, noise, FOOTBALL_ISLANDS)
    X_test, y_test = _football_points(rng, n_test, noise, FOOTBALL_ISLANDS)
    return _as_dataset(X_train, y_train, X_test, y_test, "football")


def xor(n_train: int = 300, n_test: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four clusters; label 1 where the two coordinates have the same sign."""
    rng = np.random.default_rng(seed)

    def points(m):
        X = rng.uniform(-1.0, 1.0, size=(m, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        return X + rng.normal(0.0, noise, size=X.shape), y

    return _as_dataset(*points(n_train), *points(n_test), "xor")


def spiral(n_train: int = 300, n_test: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaved spiral arms, one per class."""
    rng = np.random.default_rng(seed)

    def points(m):
        y = np.arange(m) % 2
        t = np.sqrt(rng.uniform(0.0, 1.0, m)) * 3.0 * math.pi
        radius = t / (3.0 * math.pi)
        angle = t + math.pi * y
        X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        return X + rng.normal(0.0, noise * 0.5, size=X.shape), y

    return _as_dataset(*points(n_train), *points(n_test), "spiral")


def blobs(n_train: int = 300, n_test: int = 100, noise: float = 1.0, seed: int = 0) -> Dataset:
    """Two Gaussian blobs (``make_blobs``), ``noise`` is their standard deviation."""
    X, y = sklearn.datasets.make_blobs(
        n_samples=n_train + n_test,
        centers=[(-1.5, -1.0), (1.5, 1.0)],
        cluster_std=noise,
        random_state=seed,
    )
    return _as_dataset(X[:n_train], y[:n_train], X[n_train:], y[n_train:], "blobs")


@dataclass(frozen=True)
class DatasetSpec:
    """How the app offers a generator: label, default/maximum noise, course seed."""

    make: Callable[..., Dataset]
    label: str
    default_noise: float
    max_noise: float
    default_seed: int
    about: str


CATALOG: dict[str, DatasetSpec] = {
    "football": DatasetSpec(
        football,
        "Football (course-like)",
        0.03,
        0.4,
        0,
        "Where should the goalkeeper kick? A curved frontier with noisy points: "
        "the regularization lesson's overfitting playground.",
    ),
    "circles": DatasetSpec(
        circles,
        "Circles",
        0.05,
        0.3,
        1,
        "Two concentric rings (the initialization lesson): no straight line separates them.",
    ),
    "moons": DatasetSpec(
        moons,
        "Moons",
        0.2,
        0.5,
        3,
        "Two interleaving half-moons (the optimization lesson).",
    ),
    "xor": DatasetSpec(
        xor, "XOR", 0.1, 0.5, 0, "Opposite quadrants share a class: needs a hidden layer."
    ),
    "spiral": DatasetSpec(
        spiral, "Spiral", 0.1, 0.5, 0, "Two interleaved spiral arms: hard for shallow nets."
    ),
    "blobs": DatasetSpec(
        blobs, "Blobs", 1.0, 3.0, 0, "Two Gaussian clouds: almost linearly separable."
    ),
}
NAMES = tuple(CATALOG)


def load(name: str, *, noise: float | None = None, seed: int | None = None) -> Dataset:
    """A catalogued data set by name with the course's defaults unless overridden."""
    if name not in CATALOG:
        raise DatasetError(f"Unknown data set {name!r}; choose one of {', '.join(NAMES)}.")
    spec = CATALOG[name]
    noise = spec.default_noise if noise is None else float(noise)
    if not (0.0 <= noise <= spec.max_noise) or not math.isfinite(noise):
        raise DatasetError(f"Noise for {spec.label} must be between 0 and {spec.max_noise}.")
    return spec.make(noise=noise, seed=spec.default_seed if seed is None else int(seed))


# --- user files -----------------------------------------------------------------------


def _read_bytes(file, max_bytes: int) -> bytes:
    """Bytes of a path, a bytes object or a file-like (e.g. Streamlit's UploadedFile)."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        path = Path(file)
        if not path.is_file():
            raise DatasetError(f"File not found: {path}.")
        data = path.read_bytes()
    elif hasattr(file, "getvalue"):
        data = file.getvalue()
    elif hasattr(file, "read"):
        data = file.read()
    else:
        raise DatasetError("Expected a file, a path or bytes.")
    if isinstance(data, str):
        data = data.encode()
    if len(data) == 0:
        raise DatasetError("The file is empty.")
    if len(data) > max_bytes:
        raise DatasetError(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB."
        )
    return data


def validate_points(X: np.ndarray, y: np.ndarray, *, what: str = "The data") -> tuple:
    """Check ``X (m, 2)`` and labels ``y (m,)`` for training; returns them as float64/int64.

    Raises:
        DatasetError: naming the first problem (shape, non-finite values, labels, class
            sizes) and how to fix it.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise DatasetError(f"{what} must have exactly two feature columns (got shape {X.shape}).")
    if X.shape[0] != y.shape[0]:
        raise DatasetError(f"{what} has {X.shape[0]} points but {y.shape[0]} labels.")
    if X.shape[0] > MAX_POINTS:
        raise DatasetError(f"{what} has {X.shape[0]} points; the limit is {MAX_POINTS}.")
    if not np.all(np.isfinite(X)):
        raise DatasetError(f"{what} contains missing, infinite or NaN feature values.")
    if not np.all(np.isin(y, (0.0, 1.0))):
        bad = np.unique(y[~np.isin(y, (0.0, 1.0))])[:3]
        raise DatasetError(f"Labels must be 0 or 1; found {', '.join(f'{v:g}' for v in bad)}.")
    counts = [int(np.sum(y == label)) for label in (0.0, 1.0)]
    if min(counts) == 0:
        raise DatasetError(f"{what} has only one class; it needs points labelled 0 and 1.")
    if min(counts) < MIN_POINTS_PER_CLASS:
        raise DatasetError(
            f"{what} has {counts[0]} points of class 0 and {counts[1]} of class 1; "
            f"each class needs at least {MIN_POINTS_PER_CLASS}."
        )
    return X, y.astype(np.int64)


def _split(X, y, name: str, test_fraction: float, seed: int) -> Dataset:
    """Shuffle and split, keeping at least one point of each class on each side."""
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for label in (0, 1):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = min(max(1, round(len(idx) * test_fraction)), len(idx) - 1)
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return _as_dataset(X[train_idx], y[train_idx], X[test_idx], y[test_idx], name)


def load_csv(
    file,
    *,
    name: str = "uploaded CSV",
    test_fraction: float = 0.25,
    seed: int = 0,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> Dataset:
    """Read a CSV with two numeric feature columns and a 0/1 label column (in that order; a
    header row is optional) and split it into train and test sets.

    Raises:
        DatasetError: for an empty, oversized, non-UTF-8 or malformed file, non-numeric or
            non-finite values, labels other than 0/1, or too few points per class.
    """
    data = _read_bytes(file, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError("The file is not UTF-8 text; save it as a plain CSV.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t ")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if not rows:
        raise DatasetError("The file has no rows.")

    def is_number(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return False
        return True

    if not all(is_number(cell) for cell in rows[0]):
        rows = rows[1:]  # a header row
    if not rows:
        raise DatasetError("The file has a header but no data rows.")
    values = np.empty((len(rows), 3))
    for line, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise DatasetError(
                f"Data row {line} has {len(row)} columns; expected 3 (x1, x2, label)."
            )
        for column, cell in enumerate(row):
            try:
                values[line - 1, column] = float(cell)
            except ValueError:
                raise DatasetError(
                    f"Data row {line}, column {column + 1}: {cell.strip()!r} is not a number."
                ) from None
    X, y = validate_points(values[:, :2], values[:, 2], what="The CSV")
    return _split(X, y, name, test_fraction, seed)


def load_mat(file, *, name: str = "uploaded .mat", max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Read the course's ``.mat`` layout: ``X (m, 2)``, ``y (m, 1)``, ``Xval``, ``yval``.

    Raises:
        DatasetError: when the file is not a MATLAB file or lacks or mis-shapes those keys.
    """
    import scipy.io  # only loaders need SciPy

    data = _read_bytes(file, max_bytes)
    try:
        contents = scipy.io.loadmat(io.BytesIO(data))
    except Exception as error:  # scipy raises many types for corrupt files
        raise DatasetError(f"Not a readable MATLAB .mat file ({type(error).__name__}).") from None
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in contents]
    if missing:
        raise DatasetError(
            f"The .mat file lacks {', '.join(missing)}; "
            "it needs X, y (train) and Xval, yval (test)."
        )
    X_train, y_train = validate_points(contents["X"], contents["y"], what="X / y")
    X_test, y_test = validate_points(contents["Xval"], contents["yval"], what="Xval / yval")
    return _as_dataset(X_train, y_train, X_test, y_test, name)
