"""Two-class 2-D data sets: the course's (circles, moons, football-like) and a few more,
plus loaders for a user's CSV or the course's ``.mat`` files that reject bad files clearly.

Every data set is returned as :class:`Dataset` with ``X (2, m)`` float64 and ``Y (1, m)``
float64 labels in {0, 1}, examples on columns as in the course.
"""

from __future__ import annotations

import csv
import io
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import samples as sklearn  # its generators, without importing scikit-learn

MAX_UPLOAD_MB = 2
# Streamlit's uploader checks a file in the browser against MB of 10**6 bytes (2**20 on
# Windows) and on the server against 2**20: the smallest reading is the one limit.
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 10**6
MAX_POINTS = 5000
MIN_POINTS_PER_CLASS = 5
MAT_KEYS = ("X", "y", "Xval", "yval")
# A compressed .mat variable may unpack to a thousand times its size; the course's layout
# at the point limit needs well under a megabyte, so more than this is refused unread.
MAX_MAT_UNPACKED_BYTES = 2 * MAX_UPLOAD_BYTES


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


def size_text(n_bytes: int) -> str:
    """``2_000_000`` -> ``"2 MB (2,000,000 bytes)"``: how a size limit is stated."""
    return f"{n_bytes / 1e6:g} MB ({n_bytes:,} bytes)"


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
        raise DatasetError(f"The file is {len(data):,} bytes; the limit is {size_text(max_bytes)}.")
    return data


_NOT_NUMBERS = {"O": "cells or objects", "U": "text", "S": "text", "V": "a struct"}


def _real_array(values, what: str, part: str) -> np.ndarray:
    """``values`` as a NumPy array of real numbers (booleans and integers included)."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # e.g. ragged nested lists
        array = np.empty((), dtype=object)
    if array.dtype.kind == "c":
        raise DatasetError(f"{what} has complex {part}; they must be real numbers.")
    if array.dtype.kind not in "biuf":
        found = _NOT_NUMBERS.get(array.dtype.kind, str(array.dtype))
        raise DatasetError(f"{what}: the {part} must be a numeric matrix, not {found}.")
    return array


def _check_shapes(x_shape: tuple[int, ...], n_labels: int, what: str) -> None:
    """The shape rules of :func:`validate_points`; a .mat file's headers are checked with
    them before anything is read."""
    if len(x_shape) != 2 or x_shape[1] != 2:
        raise DatasetError(f"{what} must have exactly two feature columns (got shape {x_shape}).")
    if x_shape[0] != n_labels:
        raise DatasetError(f"{what} has {x_shape[0]} points but {n_labels} labels.")
    if x_shape[0] > MAX_POINTS:
        raise DatasetError(f"{what} has {x_shape[0]} points; the limit is {MAX_POINTS}.")


def validate_points(X: np.ndarray, y: np.ndarray, *, what: str = "The data") -> tuple:
    """Check ``X (m, 2)`` and labels ``y (m,)`` for training; returns them as float64/int64.

    Raises:
        DatasetError: naming the first problem (not real numbers, shape, non-finite values,
            labels, class sizes) and how to fix it.
    """
    X = _real_array(X, what, "features").astype(np.float64)
    y = _real_array(y, what, "labels").astype(np.float64).ravel()
    _check_shapes(X.shape, y.shape[0], what)
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


def _csv_rows(text: str) -> list[list[str]]:
    """The non-blank rows of a CSV text; stops reading one row past what
    :data:`MAX_POINTS` points and a header need (a 2 MB file may hold 300,000 rows)."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t ")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) > MAX_POINTS + 1:
                raise DatasetError(
                    f"The CSV has more than {MAX_POINTS} points; the limit is {MAX_POINTS}."
                )
    except csv.Error as error:  # e.g. a field over csv.field_size_limit() characters
        raise DatasetError(f"Line {reader.line_num} is not readable CSV ({error}).") from None
    return rows


def _shown(cell: str, limit: int = 20) -> str:
    """A cell quoted for a message, cut short: a bad cell may be 100,000 characters."""
    cell = cell.strip()
    return repr(cell) if len(cell) <= limit else f"{cell[:limit]!r}..."


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
    rows = _csv_rows(text)
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
                    f"Data row {line}, column {column + 1}: {_shown(cell)} is not a number."
                ) from None
    X, y = validate_points(values[:, :2], values[:, 2], what="The CSV")
    return _split(X, y, name, test_fraction, seed)


# MATLAB's names (scipy.io.whosmat) of the classes that hold plain numbers.
_MAT_NUMERIC = {"double", "single", "logical"} | {
    f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)
}
_MAT_KINDS = {"cell": "a cell array", "struct": "a struct", "char": "text (a char array)"}
_MAT_KINDS |= {"sparse": "a sparse matrix", "object": "a MATLAB object"}
_MAT_SAVE = "in MATLAB: save data.mat X y Xval yval -v7"
_MAT_HEADER_BYTES = 128
_MI_COMPRESSED = 15  # the data type of a compressed variable in a v5/v7 file


def _unreadable_mat(error: Exception) -> DatasetError:
    return DatasetError(f"Not a readable MATLAB .mat file ({type(error).__name__}).")


def _unpack_mat(data: bytes, budget: int) -> tuple[bytes, bool]:
    """A v5/v7 .mat file with its compressed variables unpacked, at most ``budget`` bytes
    of them, and whether the budget ran out (the bytes then end inside a variable, after
    its header). SciPy unpacks a compressed variable whole, even to list headers
    (``whosmat`` of 100 MB of packed zeros peaks at 215 MB) and whatever its header says:
    unpacking here first keeps every later read bounded."""
    order = "<" if data[126:128] == b"IM" else ">"
    parts, position, left = [data[:_MAT_HEADER_BYTES]], _MAT_HEADER_BYTES, budget
    while position + 8 <= len(data):
        data_type, byte_count = struct.unpack_from(f"{order}II", data, position)
        end = position + 8 + byte_count
        if data_type == _MI_COMPRESSED:
            unpacked = zlib.decompressobj().decompress(data[position + 8 : end], left + 1)
            if len(unpacked) > left:
                parts.append(memoryview(unpacked)[:left])  # no copy
                return b"".join(parts), True
            left -= len(unpacked)
            parts.append(unpacked)
        else:
            parts.append(data[position:end])
        position = end
    parts.append(data[position:])
    return b"".join(parts), False


def _refuse_large_variables(variables: list[tuple[str, tuple[int, ...], str]]) -> None:
    """Any variable of a .mat file (``scipy.io.whosmat``'s headers) with more values than
    a lesson can use is refused by name before anything is read."""
    for var_name, shape, _ in variables:
        if math.prod(shape) > 2 * MAX_POINTS:
            raise DatasetError(
                f"{var_name} holds {math.prod(shape):,} values (shape {shape}), more than "
                f"{MAX_POINTS} points of two features; save only X, y, Xval and yval "
                f"({_MAT_SAVE})."
            )


def _check_mat_variables(variables: list[tuple[str, tuple[int, ...], str]]) -> None:
    """The course's variables from a .mat file's headers: each present, numeric and of a
    shape that fits."""
    found: dict[str, tuple[tuple[int, ...], str]] = {}
    for var_name, shape, kind in variables:
        found.setdefault(var_name, (shape, kind))  # SciPy reads the first of a name
    missing = [key for key in MAT_KEYS if key not in found]
    if missing:
        raise DatasetError(
            f"The .mat file lacks {', '.join(missing)}; "
            "it needs X, y (train) and Xval, yval (test)."
        )
    for key in MAT_KEYS:
        shape, kind = found[key]
        if kind not in _MAT_NUMERIC:
            raise DatasetError(
                f"{key} is {_MAT_KINDS.get(kind, f'of MATLAB class {kind}')}; X, y, Xval "
                "and yval must be plain numeric matrices (e.g. X = double(full(X)))."
            )
    for features, labels in (("X", "y"), ("Xval", "yval")):
        labels_shape = found[labels][0]
        _check_shapes(found[features][0], math.prod(labels_shape), f"{features} / {labels}")


def _read_mat_variables(data: bytes) -> dict[str, np.ndarray]:
    """X, y, Xval and yval of a .mat file, read only once its headers say they are numeric
    and fit (``scipy.io.whosmat`` reads headers alone), and nothing else of the file."""
    import scipy.io  # only loaders need SciPy

    try:
        version, _ = scipy.io.matlab.matfile_version(io.BytesIO(data))
        unpacked, cut = _unpack_mat(data, MAX_MAT_UNPACKED_BYTES) if version == 1 else (data, False)
    except Exception as error:  # scipy and zlib raise many types for corrupt files
        raise _unreadable_mat(error) from None
    if version == 2:
        raise DatasetError(
            "This is a MATLAB v7.3 file, which the app cannot read; save it in the v7 "
            f"format ({_MAT_SAVE})."
        )
    too_big = DatasetError(
        f"The .mat file unpacks to more than {MAX_MAT_UNPACKED_BYTES / 1e6:g} MB, far more "
        f"than X, y, Xval and yval need; save only those ({_MAT_SAVE})."
    )
    try:
        variables = scipy.io.whosmat(io.BytesIO(unpacked))
    except Exception as error:
        raise too_big if cut else _unreadable_mat(error) from None
    _refuse_large_variables(variables)
    if cut:
        raise too_big
    _check_mat_variables(variables)
    try:
        return scipy.io.loadmat(io.BytesIO(unpacked), variable_names=MAT_KEYS)
    except Exception as error:
        raise _unreadable_mat(error) from None


def load_mat(file, *, name: str = "uploaded .mat", max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Read the course's ``.mat`` layout: ``X (m, 2)``, ``y (m, 1)``, ``Xval``, ``yval``
    (MATLAB v4 to v7; other variables are not read).

    Raises:
        DatasetError: when the file is not a readable MATLAB file, is v7.3 (HDF5), unpacks
            to more than :data:`MAX_MAT_UNPACKED_BYTES`, or lacks, mis-shapes or holds
            non-numeric or complex values in those keys.
    """
    contents = _read_mat_variables(_read_bytes(file, max_bytes))
    X_train, y_train = validate_points(contents["X"], contents["y"], what="X / y")
    X_test, y_test = validate_points(contents["Xval"], contents["yval"], what="Xval / yval")
    return _as_dataset(X_train, y_train, X_test, y_test, name)
