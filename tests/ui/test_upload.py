"""ui/upload.py: good files become a Dataset; each bad one shows why and what is expected,
and the rest of the page carries on."""

import io
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from streamlit.testing.v1 import AppTest

from dnn_core import datasets
from tests.hostile_files import LONG_FIELD_CSV, MALFORMED_MATS
from ui.upload import COULD_NOT_READ, EXPECTED_FORMAT, dataset_csv, read_upload, template_csv

REPO_ROOT = Path(__file__).resolve().parents[2]


def upload_page():
    import streamlit as st

    from ui.upload import dataset_uploader

    st.title("Lesson")
    dataset = dataset_uploader("upload")
    if dataset is None:
        st.write("built-in data")
    else:
        st.write(f"uploaded {dataset.name} {dataset.X_train.shape} {dataset.X_test.shape}")
    st.write("rest of the page")


def upload(file_name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    app = AppTest.from_function(upload_page)
    app.run()
    app.file_uploader(key="upload").upload(file_name, content, mime)
    app.run()
    assert not app.exception
    assert not app.warning
    return app


def page_text(app: AppTest) -> list[str]:
    return [element.value for element in app.markdown]


def csv_bytes(rows: list[tuple], header: str = "x1,x2,label") -> bytes:
    lines = [header] if header else []
    lines += [",".join(str(value) for value in row) for row in rows]
    return "\n".join(lines).encode()


def two_class_rows(per_class: int = 10) -> list[tuple]:
    rng = np.random.default_rng(0)
    return [(*rng.normal(size=2).round(3), label) for label in (0, 1) for _ in range(per_class)]


def test_without_an_upload_the_page_uses_its_own_data():
    app = AppTest.from_function(upload_page)
    app.run()
    assert not app.exception
    assert page_text(app)[-2:] == ["built-in data", "rest of the page"]
    assert app.file_uploader(key="upload").allowed_type == [".csv", ".mat"]
    assert app.download_button(key="upload_template").label == "Example CSV"


def test_a_good_csv_becomes_a_dataset_split_into_train_and_test():
    app = upload("points.csv", csv_bytes(two_class_rows(20)))
    assert not app.error
    assert "uploaded points.csv (2, 30) (2, 10)" in page_text(app)
    (caption,) = app.caption
    assert caption.value == "Using **points\\.csv**: 30 training and 10 test points."


def test_a_course_layout_mat_file_keeps_its_own_test_set():
    rng = np.random.default_rng(1)
    buffer = io.BytesIO()
    scipy.io.savemat(
        buffer,
        {
            "X": rng.normal(size=(40, 2)),
            "y": np.repeat([[0], [1]], 20, axis=0),
            "Xval": rng.normal(size=(12, 2)),
            "yval": np.repeat([[0], [1]], 6, axis=0),
        },
    )
    app = upload("mine.mat", buffer.getvalue(), "application/octet-stream")
    assert not app.error
    assert "uploaded mine.mat (2, 40) (2, 12)" in page_text(app)


def test_the_course_football_data_uploads_as_is(course_data_path):
    app = upload("data.mat", course_data_path.read_bytes(), "application/octet-stream")
    assert not app.error
    assert "uploaded data.mat (2, 211) (2, 200)" in page_text(app)


def assert_refused_and_the_page_goes_on(app: AppTest, shown_name: str, reason: str) -> None:
    """One error box: the file's name (as Markdown), why, and what is expected; then the
    rest of the page on its own data."""
    (error,) = app.error
    assert error.value.startswith(f"**{shown_name}** can't be used: ")
    assert reason in error.value.replace("\\", "")  # the message is Markdown-escaped
    assert error.value.endswith(EXPECTED_FORMAT)
    assert page_text(app)[-2:] == ["built-in data", "rest of the page"]


REJECTED = {
    "empty": (b"", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
    "header only": (b"x1,x2,label\n", "no data rows"),
    "text values": (csv_bytes([(0.1, "high", 1), *two_class_rows()]), "not a number"),
    "two columns": (csv_bytes([(0.1, 1)] * 12), "expected 3"),
    "infinite": (csv_bytes([(float("inf"), 0.2, 1), *two_class_rows()]), "infinite or NaN"),
    "NaN": (csv_bytes([*two_class_rows(), ("nan", 0.2, 0)]), "infinite or NaN"),
    "labels 1 and 2": (csv_bytes([(0.1, 0.2, 2), *two_class_rows()]), "0 or 1"),
    "one class": (csv_bytes([(0.1 * i, 0.2, 1) for i in range(30)]), "only one class"),
    "too few of a class": (
        csv_bytes([(0.1 * i, 0.2, 0) for i in range(30)] + [(1, 1, 1)] * 2),
        "at least 5",
    ),
    "too many points": (
        csv_bytes([(i, i, i % 2) for i in range(datasets.MAX_POINTS + 1)]),
        "the limit is",
    ),
}


@pytest.mark.parametrize(("content", "reason"), REJECTED.values(), ids=REJECTED.keys())
def test_a_bad_csv_says_why_and_what_is_expected_and_the_page_goes_on(content, reason):
    app = upload("bad.csv", content)
    assert_refused_and_the_page_goes_on(app, "bad\\.csv", reason)


@pytest.mark.parametrize(("content", "reason"), MALFORMED_MATS.values(), ids=MALFORMED_MATS)
def test_a_malformed_or_hostile_mat_file_is_refused_and_the_page_goes_on(content, reason):
    app = upload("bad.mat", content, "application/octet-stream")
    assert_refused_and_the_page_goes_on(app, "bad\\.mat", reason)


def test_a_csv_with_a_huge_field_is_refused_and_the_page_goes_on():
    app = upload("long.csv", LONG_FIELD_CSV)
    assert_refused_and_the_page_goes_on(app, "long\\.csv", "field larger than field limit")


def test_an_unforeseen_failure_while_reading_is_a_plain_message(monkeypatch, caplog):
    def broken_loader(data, *, name):
        raise RuntimeError("a bug in a loader")

    monkeypatch.setattr(datasets, "load_csv", broken_loader)
    with pytest.raises(datasets.DatasetError, match=f"^{re.escape(COULD_NOT_READ)}$"):
        read_upload("points.csv", b"1,2,0\n")
    assert "a bug in a loader" in caplog.text  # the server's log keeps the traceback
    app = upload("unforeseen.csv", b"x1,x2,label\n0.5,0.5,1\n")  # content no test caches
    assert_refused_and_the_page_goes_on(app, "unforeseen\\.csv", COULD_NOT_READ)


def test_a_file_over_the_size_limit_is_refused():
    content = b"0.1,0.2,1\n" * (datasets.MAX_UPLOAD_BYTES // 10 + 1)
    app = upload("huge.csv", content)
    (error,) = app.error
    assert "the limit is 2 MB (2,000,000 bytes)" in error.value.replace("\\", "")


def test_one_upload_limit_in_the_browser_the_server_the_core_and_the_help():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]  # Streamlit's unit: MB
    assert limit_mb == datasets.MAX_UPLOAD_MB == 2
    # The browser allows limit_mb * 10**6 bytes (2**20 on Windows), the server
    # limit_mb * 2**20: the core's limit is the smaller, so every refusal past the browser
    # is the core's plain message, never an HTTP error.
    assert datasets.MAX_UPLOAD_BYTES == limit_mb * 10**6 <= limit_mb * 2**20
    app = AppTest.from_function(upload_page)
    app.run()
    uploader = app.file_uploader(key="upload")
    assert uploader.proto.max_upload_size_mb == limit_mb
    stated = "2 MB (2,000,000 bytes)"
    assert datasets.size_text(datasets.MAX_UPLOAD_BYTES) == stated
    assert EXPECTED_FORMAT.endswith(f"Up to {stated}.")
    assert f"up to {stated}" in (REPO_ROOT / "README.md").read_text()


def test_a_corrupt_mat_file_is_refused():
    app = upload("broken.mat", b"MATLAB 5.0 MAT-file, but then nothing", "application/octet-stream")
    (error,) = app.error
    assert "Not a readable MATLAB \\.mat file" in error.value


def test_a_mat_file_without_the_course_keys_is_refused():
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": np.zeros((10, 2)), "y": np.zeros((10, 1))})
    app = upload("partial.mat", buffer.getvalue(), "application/octet-stream")
    (error,) = app.error
    assert "lacks Xval\\, yval" in error.value


def test_a_file_name_cannot_inject_markdown():
    app = upload("[x](javascript:alert(1)) **b** :red[c] $x$.csv", b"")
    (error,) = app.error
    assert error.value.startswith(
        r"**\[x\]\(javascript\:alert\(1\)\) \*\*b\*\* \:red\[c\] \$x\$\.csv** can't be used"
    )
    app.file_uploader(key="upload").set_value(
        ("<em>:smile:&amp;.csv", csv_bytes(two_class_rows()), "text/csv")
    ).run()
    (caption,) = app.caption
    assert caption.value.startswith(r"Using **\<em\>\:smile\:\&amp\;\.csv**: 16 training")


def test_a_replaced_bad_file_no_longer_blocks_the_page():
    app = upload("bad.csv", b"")
    assert app.error
    app.file_uploader(key="upload").set_value(("good.csv", csv_bytes(two_class_rows()), "text/csv"))
    app.run()
    assert not app.error
    assert "uploaded good.csv (2, 16) (2, 4)" in page_text(app)


def test_the_template_is_a_valid_upload_of_the_moons_data():
    data = template_csv()
    assert data.startswith(b"x1,x2,label\n")
    dataset = read_upload("example.csv", data)
    assert dataset.X_train.shape[1] + dataset.X_test.shape[1] == 400
    moons = datasets.load("moons")
    assert set(np.unique(dataset.Y_train)) == {0, 1}
    np.testing.assert_allclose(
        np.sort(np.concatenate([dataset.X_train, dataset.X_test], axis=1), axis=1),
        np.sort(np.concatenate([moons.X_train, moons.X_test], axis=1), axis=1),
        atol=5e-6,  # written with 5 decimals
    )


def test_dataset_csv_round_trips_through_the_uploader():
    original = datasets.load("xor")
    again = read_upload("xor.csv", dataset_csv(original))
    assert again.X_train.shape[1] + again.X_test.shape[1] == 400
    assert again.name == "xor.csv"


def test_read_upload_refuses_other_extensions():
    with pytest.raises(datasets.DatasetError, match=r"neither a \.csv nor a \.mat"):
        read_upload("points.xlsx", b"x1,x2,label\n")
