"""Data sets: the catalog, the course's generators, and the loaders' clear refusals."""

from __future__ import annotations

import io
import re
import tracemalloc

import numpy as np
import pytest
import scipy.io
import scipy.sparse
import sklearn.datasets

from dnn_core import datasets
from dnn_core.datasets import MAX_POINTS, MAX_UPLOAD_BYTES, DatasetError
from tests.core.reference import course_global_seed
from tests.hostile_files import (
    GOOD_X,
    GOOD_Y,
    LONG_FIELD_CSV,
    MALFORMED_MATS,
    UNREADABLE_VARIABLE,
    V73,
    bomb,
    course_layout,
    junk_beside_good_data,
    lying_bomb,
)

SIZES = {  # (train, test) points
    "football": (211, 200),
    "circles": (300, 100),
    "moons": (300, 100),
    "xor": (300, 100),
    "spiral": (300, 100),
    "blobs": (300, 100),
}


def test_the_catalog_offers_every_named_set():
    assert set(datasets.NAMES) == set(SIZES) == set(datasets.CATALOG)
    for spec in datasets.CATALOG.values():
        assert spec.label and spec.about
        assert 0 <= spec.default_noise <= spec.max_noise


@pytest.mark.parametrize("name", SIZES)
def test_catalog_sets_have_course_shapes_and_both_labels(name):
    data = datasets.load(name)
    n_train, n_test = SIZES[name]
    assert data.name == name
    assert data.X_train.shape == (2, n_train) and data.Y_train.shape == (1, n_train)
    assert data.X_test.shape == (2, n_test) and data.Y_test.shape == (1, n_test)
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test):
        assert array.dtype == np.float64 and np.all(np.isfinite(array))
    for labels in (data.Y_train, data.Y_test):
        assert set(np.unique(labels)) == {0.0, 1.0}


@pytest.mark.parametrize("name", SIZES)
def test_catalog_sets_are_deterministic_per_seed_and_noise(name):
    spec = datasets.CATALOG[name]
    first = datasets.load(name, seed=5)
    again = datasets.load(name, seed=5)
    other = datasets.load(name, seed=6)
    np.testing.assert_array_equal(first.X_train, again.X_train)
    np.testing.assert_array_equal(first.Y_test, again.Y_test)
    assert not np.array_equal(first.X_train, other.X_train)
    quiet = datasets.load(name, seed=5, noise=0.0)
    noisy = datasets.load(name, seed=5, noise=spec.max_noise)
    # Noise moves the points, or (football) blurs the labels near the frontier.
    assert not np.array_equal(
        np.vstack([quiet.X_train, quiet.Y_train]), np.vstack([noisy.X_train, noisy.Y_train])
    )


def test_load_refuses_unknown_names_and_out_of_range_noise():
    with pytest.raises(DatasetError, match="Unknown data set 'iris'; choose one of football"):
        datasets.load("iris")
    with pytest.raises(DatasetError, match=r"Noise for Moons must be between 0 and 0\.5"):
        datasets.load("moons", noise=0.9)
    with pytest.raises(DatasetError, match="Noise for Moons"):
        datasets.load("moons", noise=float("nan"))


def test_circles_are_the_courses_make_circles_after_seeds_1_and_2():
    data = datasets.circles()
    with course_global_seed(1):
        train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=0.05)
    with course_global_seed(2):
        test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=0.05)
    np.testing.assert_array_equal(data.X_train, train_X.T)
    np.testing.assert_array_equal(data.Y_train, train_Y.reshape(1, -1))
    np.testing.assert_array_equal(data.X_test, test_X.T)
    np.testing.assert_array_equal(data.Y_test, test_Y.reshape(1, -1))


def test_moons_are_the_courses_make_moons_after_seed_3():
    with course_global_seed(3):
        train_X, train_Y = sklearn.datasets.make_moons(n_samples=300, noise=0.2)
    data = datasets.moons()
    np.testing.assert_array_equal(data.X_train, train_X.T)
    np.testing.assert_array_equal(data.Y_train, train_Y.reshape(1, -1))


def test_the_course_football_file(course_football):
    assert course_football.X_train.shape == (2, 211) and course_football.Y_train.shape == (1, 211)
    assert course_football.X_test.shape == (2, 200) and course_football.Y_test.shape == (1, 200)
    assert set(np.unique(course_football.Y_train)) == {0.0, 1.0}


# --- CSV uploads ----------------------------------------------------------------------------

POINTS = np.column_stack([np.linspace(-1, 1, 40), np.cos(np.linspace(0, 6, 40)), np.arange(40) % 2])


def csv_bytes(rows=POINTS, separator=",", header=None) -> bytes:
    lines = [separator.join(header)] if header else []
    lines += [separator.join(f"{value:.17g}" for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def assert_holds_the_points(data, rows=POINTS):
    """Train and test together are exactly the file's points, each label with its point."""
    X = np.hstack([data.X_train, data.X_test]).T
    y = np.hstack([data.Y_train, data.Y_test]).ravel()
    order = np.lexsort(X.T)
    expected = rows[np.lexsort(rows[:, :2].T)]
    np.testing.assert_array_equal(X[order], expected[:, :2])
    np.testing.assert_array_equal(y[order], expected[:, 2])


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(),
        csv_bytes(header=["x1", "x2", "label"]),
        csv_bytes(separator=";", header=["a", "b", "y"]),
        csv_bytes(separator="\t"),
        csv_bytes(separator="\t", header=["x1", "x2", "label"]),
        csv_bytes().replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + csv_bytes(header=["x1", "x2", "label"]),  # Excel's UTF-8 BOM
        csv_bytes() + b"\n\n",
    ],
    ids=["plain", "header", "semicolon", "tab", "tab+header", "crlf", "bom", "trailing blank"],
)
def test_good_csv_files_load(content):
    data = datasets.load_csv(content, name="mine")
    assert data.name == "mine"
    assert data.X_train.shape[1] + data.X_test.shape[1] == 40
    assert data.X_test.shape == (2, 10)  # test_fraction 0.25
    for labels in (data.Y_train, data.Y_test):
        assert set(np.unique(labels)) == {0.0, 1.0}
    assert_holds_the_points(data)


def test_csv_from_a_path_or_a_file_like_and_a_seeded_split(tmp_path):
    path = tmp_path / "points.csv"
    path.write_bytes(csv_bytes())
    from_path = datasets.load_csv(path)
    from_str = datasets.load_csv(str(path))
    from_stream = datasets.load_csv(io.BytesIO(csv_bytes()))  # like Streamlit's UploadedFile
    np.testing.assert_array_equal(from_path.X_train, from_str.X_train)
    np.testing.assert_array_equal(from_path.X_train, from_stream.X_train)
    other_split = datasets.load_csv(path, seed=1, test_fraction=0.5)
    assert other_split.X_test.shape == (2, 20)
    assert_holds_the_points(other_split)


def with_row(line: bytes) -> bytes:
    """The good points with ``line`` as the sixth data row."""
    rows = csv_bytes().splitlines(keepends=True)
    return b"".join([*rows[:5], line + b"\n", *rows[5:]])


def labelled(labels) -> bytes:
    rows = np.column_stack([np.linspace(0, 1, len(labels)), np.linspace(1, 0, len(labels)), labels])
    return csv_bytes(rows)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n \n\n", "The file has no rows."),
        (b"x1,x2,label\n", "The file has a header but no data rows."),
        (b"x1,x2,\xe9tiquette\n0,1,1\n", "The file is not UTF-8 text; save it as a plain CSV."),
        (
            b"1,2,0\n" * (MAX_UPLOAD_BYTES // 6 + 1),
            "The file is 2,000,004 bytes; the limit is 2 MB (2,000,000 bytes).",
        ),
        (with_row(b"0.5,1"), "Data row 6 has 2 columns; expected 3 (x1, x2, label)."),
        (with_row(b"0.5,1,0,7"), "Data row 6 has 4 columns; expected 3 (x1, x2, label)."),
        (with_row(b"0.5,abc,0"), "Data row 6, column 2: 'abc' is not a number."),
        (with_row(b"0.5,,0"), "Data row 6, column 2: '' is not a number."),
        (with_row(b"nan,1,0"), "The CSV contains missing, infinite or NaN feature values."),
        (with_row(b"0.5,inf,1"), "The CSV contains missing, infinite or NaN feature values."),
        (with_row(b"0.5,1,2"), "Labels must be 0 or 1; found 2."),
        (with_row(b"0.5,1,0.5"), "Labels must be 0 or 1; found 0.5."),
        (with_row(b"0.5,1,-1"), "Labels must be 0 or 1; found -1."),
        (labelled([1] * 30), "The CSV has only one class; it needs points labelled 0 and 1."),
        (
            labelled([0] * 30 + [1] * 4),
            "The CSV has 30 points of class 0 and 4 of class 1; each class needs at least 5.",
        ),
        (labelled(np.arange(MAX_POINTS + 1) % 2), "The CSV has 5001 points; the limit is 5000."),
    ],
    ids=[
        "empty",
        "blank lines",
        "header only",
        "not utf-8",
        "oversize",
        "too few columns",
        "too many columns",
        "non-numeric",
        "empty cell",
        "nan",
        "inf",
        "label 2",
        "label 0.5",
        "label -1",
        "single class",
        "too few per class",
        "too many points",
    ],
)
def test_bad_csv_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(DatasetError, match=f"^{re.escape(message)}$"):
        datasets.load_csv(content)


def test_the_size_limit_is_exactly_max_upload_bytes():
    at_the_limit = csv_bytes().ljust(MAX_UPLOAD_BYTES, b"\n")  # blank lines are skipped
    assert len(at_the_limit) == MAX_UPLOAD_BYTES == 2_000_000
    assert datasets.load_csv(at_the_limit).X_train.shape == (2, 30)
    with pytest.raises(DatasetError, match=r"^The file is 2,000,001 bytes; the limit is 2 MB"):
        datasets.load_csv(at_the_limit + b"\n")


def test_missing_files_and_odd_inputs_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="File not found"):
        datasets.load_csv(tmp_path / "nowhere.csv")
    with pytest.raises(DatasetError, match=r"Expected a file, a path or bytes\."):
        datasets.load_csv(42)
    assert issubclass(DatasetError, ValueError)


# --- .mat files -----------------------------------------------------------------------------


def mat_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, arrays)
    return buffer.getvalue()


TRAIN = {"X": POINTS[:30, :2], "y": POINTS[:30, 2:]}
TEST = {"Xval": POINTS[30:, :2], "yval": POINTS[30:, 2:]}


def test_a_mat_file_in_the_course_layout_loads(tmp_path):
    path = tmp_path / "data.mat"
    path.write_bytes(mat_bytes(**TRAIN, **TEST))
    data = datasets.load_mat(path, name="course-like")
    assert data.name == "course-like"
    np.testing.assert_array_equal(data.X_train, POINTS[:30, :2].T)
    np.testing.assert_array_equal(data.Y_train, POINTS[:30, 2:].T)
    np.testing.assert_array_equal(data.X_test, POINTS[30:, :2].T)
    np.testing.assert_array_equal(data.Y_test, POINTS[30:, 2:].T)
    np.testing.assert_array_equal(datasets.load_mat(path.read_bytes()).X_train, data.X_train)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (mat_bytes(**TRAIN), "The .mat file lacks Xval, yval; it needs X, y (train) and Xval"),
        (mat_bytes(X=TRAIN["X"], **TEST), "The .mat file lacks y;"),
        (b"MATLAB 5.0 MAT-file, truncated" + bytes(20), "Not a readable MATLAB .mat file"),
        (bytes(range(256)) * 4, "Not a readable MATLAB .mat file"),
        (
            mat_bytes(X=POINTS[:30], y=TRAIN["y"], **TEST),
            "X / y must have exactly two feature columns (got shape (30, 3)).",
        ),
        (
            mat_bytes(**TRAIN, Xval=TEST["Xval"], yval=TEST["yval"] * 3),
            "Labels must be 0 or 1; found 3.",
        ),
        (b"", "The file is empty."),
    ],
    ids=["no test keys", "no y", "truncated", "noise", "three columns", "bad labels", "empty"],
)
def test_bad_mat_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(DatasetError, match=re.escape(message)):
        datasets.load_mat(content)


def test_validate_points_checks_lengths():
    with pytest.raises(DatasetError, match="has 3 points but 2 labels"):
        datasets.validate_points(np.zeros((3, 2)), np.zeros(2))


@pytest.mark.parametrize(("content", "message"), MALFORMED_MATS.values(), ids=MALFORMED_MATS)
def test_malformed_and_hostile_mat_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(DatasetError, match=f"^{re.escape(message)}"):
        datasets.load_mat(content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            MALFORMED_MATS["cell X"][0],
            "X is a cell array; X, y, Xval and yval must be plain numeric matrices "
            "(e.g. X = double(full(X))).",
        ),
        (
            V73,
            "This is a MATLAB v7.3 file, which the app cannot read; save it in the v7 format "
            "(in MATLAB: save data.mat X y Xval yval -v7).",
        ),
        (
            MALFORMED_MATS["bomb"][0],
            "X holds 2,000,000 values (shape (2000000, 1)), more than 5000 points of two "
            "features; save only X, y, Xval and yval (in MATLAB: save data.mat X y Xval yval "
            "-v7).",
        ),
        (
            MALFORMED_MATS["lying bomb"][0],
            "The .mat file unpacks to more than 4 MB, far more than X, y, Xval and yval "
            "need; save only those (in MATLAB: save data.mat X y Xval yval -v7).",
        ),
        (
            MALFORMED_MATS["complex X"][0],
            "X / y has complex features; they must be real numbers.",
        ),
    ],
    ids=["cell", "v7.3", "bomb", "lying bomb", "complex"],
)
def test_refusals_say_how_to_fix_the_file(content, message):
    with pytest.raises(DatasetError, match=f"^{re.escape(message)}$"):
        datasets.load_mat(content)


@pytest.mark.parametrize("craft", [bomb, lying_bomb, junk_beside_good_data])
def test_a_decompression_bomb_is_refused_without_unpacking_it(craft):
    content = craft(12_500_000)  # 100 MB of zeros in about 100 kB
    assert len(content) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError):
            datasets.load_mat(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * datasets.MAX_MAT_UNPACKED_BYTES  # 16 MB, against 100 MB to read it


def test_only_the_course_variables_are_read_and_small_extras_are_ignored():
    content = course_layout(notes=np.array(["made by hand"]), meta={"n": 30}, extra=np.eye(3))
    data = datasets.load_mat(content + UNREADABLE_VARIABLE)  # SciPy fails to read that one
    np.testing.assert_array_equal(data.X_train, GOOD_X.T)
    np.testing.assert_array_equal(data.Y_test, GOOD_Y.T)


def test_integer_and_logical_variables_and_v4_files_load():
    as_ints = datasets.load_mat(course_layout(X=(GOOD_X * 10).astype(np.int16), y=GOOD_Y == 1))
    np.testing.assert_array_equal(as_ints.X_train, (GOOD_X * 10).astype(np.int16).T)
    np.testing.assert_array_equal(as_ints.Y_train, GOOD_Y.T)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {**TRAIN, **TEST}, format="4")
    np.testing.assert_array_equal(datasets.load_mat(buffer.getvalue()).X_test, TEST["Xval"].T)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.array([[1.0, 2.0]], dtype=object), "the features must be a numeric matrix, not cells"),
        (np.array(["ab", "cd"]), "the features must be a numeric matrix, not text"),
        (np.zeros(3, dtype=[("a", "f8")]), "the features must be a numeric matrix, not a struct"),
        (scipy.sparse.csc_matrix(np.eye(2)), "the features must be a numeric matrix, not cells"),
        (np.ones((10, 2)) * 1j, "has complex features; they must be real numbers"),
        ([[1.0, 2.0], [3.0]], "the features must be a numeric matrix, not cells"),
    ],
    ids=["cell", "char", "struct", "sparse", "complex", "ragged"],
)
def test_validate_points_refuses_anything_but_real_numbers(X, message):
    with pytest.raises(DatasetError, match=re.escape(message)):
        datasets.validate_points(X, np.arange(10) % 2)


def test_a_csv_field_over_the_csv_modules_limit_is_refused():
    with pytest.raises(
        DatasetError,
        match=re.escape("Line 3 is not readable CSV (field larger than field limit (131072))."),
    ):
        datasets.load_csv(LONG_FIELD_CSV)


def test_a_long_bad_cell_is_quoted_short():
    with pytest.raises(DatasetError) as refusal:
        datasets.load_csv(with_row(b"0.5," + b"a" * 100_000 + b",0"))
    assert str(refusal.value) == f"Data row 6, column 2: {'a' * 20!r}... is not a number."


def test_a_csv_stops_reading_past_the_point_limit():
    index = np.arange(MAX_POINTS + 2)
    rows = np.column_stack([index, np.zeros_like(index), index % 2])
    with pytest.raises(
        DatasetError, match=r"^The CSV has more than 5000 points; the limit is 5000\.$"
    ):
        datasets.load_csv(csv_bytes(rows, header=["x1", "x2", "label"]))


def test_old_mac_line_endings_load():
    data = datasets.load_csv(csv_bytes().replace(b"\n", b"\r"))
    assert_holds_the_points(data)
