"""AppTests of a student's own data in a lesson: the data-set choice's "Upload your own"
shows the uploader; a rejected file says why and the lesson goes on with the data it had;
an accepted file is trained on, cached by its content, and the share area says a link
cannot carry it."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import datasets
from tests.app.apptest_tools import (
    array,
    assert_clean,
    chart,
    chart_keys,
    messages,
    metrics,
    open_page,
    trace,
)
from tests.hostile_files import LONG_FIELD_CSV, MALFORMED_MATS
from ui import runs, sidebar

PAGE = "pages/2_Regularization.py"
QUICK = {"reg_iterations": 100}


def upload_page(**settings):
    """The Regularization lesson with "Upload your own" chosen and no file yet."""
    return open_page(PAGE, **(QUICK | {"reg_dataset": sidebar.UPLOAD} | settings)).run()


def csv_bytes(points: np.ndarray, labels: np.ndarray) -> bytes:
    rows = [
        f"{x1:.6f},{x2:.6f},{int(label)}" for (x1, x2), label in zip(points, labels, strict=True)
    ]
    return ("x1,x2,label\n" + "\n".join(rows) + "\n").encode()


def two_clusters(seed: int, m: int = 40) -> bytes:
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    points = rng.normal(size=(m, 2)) + 2.0 * labels[:, None]
    return csv_bytes(points, labels)


def upload(app, name: str, data: bytes):
    return app.file_uploader(key="reg_upload").upload(name, data, "text/csv").run()


def training_points(app) -> int:
    """How many training points the main decision boundary shows."""
    figure = chart(app, "reg-main-boundary")
    return sum(
        array(trace(figure, name)["x"]).size for name in ("train, class 0", "train, class 1")
    )


def football_training_points() -> int:
    return datasets.load("football").X_train.shape[1]


def test_choosing_upload_keeps_the_lesson_on_its_data_until_a_file_is_accepted():
    app = upload_page()

    said = messages(app)
    assert said == {"exception": [], "error": [], "warning": []}
    notes = [info.value for info in app.sidebar.info]
    assert notes == [
        "Until a file is accepted, this page goes on with **Football (course-like)**. A file "
        "stays in use while you are on this page."
    ]
    assert training_points(app) == football_training_points()
    assert app.sidebar.get("download_button")  # the example CSV


def test_a_rejected_file_says_why_and_nothing_else_is_lost():
    app = open_page(PAGE, **QUICK, reg_lambd=1.5).run()
    costs_before = array(trace(chart(app, "reg-main-cost"), "cost")["y"])
    app.selectbox(key="reg_dataset").set_value(sidebar.UPLOAD).run()

    upload(app, "labels.csv", b"x1,x2,label\n" + b"0.1,0.2,2\n" * 12)

    said = messages(app)
    assert said["exception"] == [] and said["warning"] == []
    assert len(said["error"]) == 1
    assert said["error"][0].startswith("**labels\\.csv** can't be used: Labels must be 0 or 1")
    assert "Expected:" in said["error"][0]
    # The lesson is all there, on the data it had, with the student's other settings.
    assert app.sidebar.info[0].value.startswith("Until a file is accepted")
    assert app.slider(key="reg_lambd").value == 1.5
    assert training_points(app) == football_training_points()
    np.testing.assert_array_equal(
        array(trace(chart(app, "reg-main-cost"), "cost")["y"]), costs_before
    )
    assert {"Train accuracy", "Test accuracy"} <= set(metrics(app))


HOSTILE_FILES = {f"{name}.mat": content for name, (content, _) in MALFORMED_MATS.items()} | {
    "long field.csv": LONG_FIELD_CSV,
    "not really.mat": b"MATLAB 5.0 MAT-file" + bytes(200),
}


def test_after_each_malformed_or_hostile_file_the_whole_lesson_still_draws():
    app = open_page(PAGE, **QUICK, reg_lambd=1.5).run()
    costs_before = array(trace(chart(app, "reg-main-cost"), "cost")["y"])
    charts_before = chart_keys(app)
    app.selectbox(key="reg_dataset").set_value(sidebar.UPLOAD).run()

    for file_name, content in HOSTILE_FILES.items():
        uploader = app.file_uploader(key="reg_upload")
        uploader.set_value((file_name, content, "application/octet-stream")).run()

        said = messages(app)
        assert said["exception"] == [] and said["warning"] == [], file_name
        assert len(said["error"]) == 1, file_name
        assert "can't be used: " in said["error"][0] and "Expected:" in said["error"][0]
        # Every chart and metric of the lesson, on the data it had, with its settings.
        assert chart_keys(app) == charts_before, file_name
        assert app.slider(key="reg_lambd").value == 1.5
        assert training_points(app) == football_training_points()
        np.testing.assert_array_equal(
            array(trace(chart(app, "reg-main-cost"), "cost")["y"]), costs_before
        )
        assert {"Train accuracy", "Test accuracy"} <= set(metrics(app))


def test_an_accepted_file_is_trained_on_and_cached_by_its_content():
    app = upload_page()

    upload(app, "good.csv", two_clusters(seed=0))

    assert_clean(app)
    assert "Using **good\\.csv**: 30 training and 10 test points." in [
        caption.value for caption in app.sidebar.caption
    ]
    assert training_points(app) == 30
    uploads = [key for key in runs.RESULTS if key[1].name == sidebar.UPLOAD]
    assert uploads and {key[1].upload_hash for key in uploads} == {
        sidebar.content_hash(datasets.load_csv(two_clusters(seed=0), name="good.csv"))
    }
    first_costs = array(trace(chart(app, "reg-main-cost"), "cost")["y"])

    # Different points under the same name and settings: a new run, not the cached one.
    upload(app.file_uploader(key="reg_upload").clear().run(), "good.csv", two_clusters(seed=1))
    assert_clean(app)
    assert not np.array_equal(array(trace(chart(app, "reg-main-cost"), "cost")["y"]), first_costs)


def test_the_share_area_says_a_link_cannot_carry_the_file():
    app = upload_page()
    upload(app, "good.csv", two_clusters(seed=0))

    captions = [caption.value for caption in app.sidebar.caption]
    assert any(
        caption.startswith("The link carries every setting but not your file (good\\.csv)")
        for caption in captions
    )
    assert "The link opens this lesson with every setting shown here." not in captions


@pytest.mark.parametrize(
    ("path", "prefix", "chart_key"),
    [
        ("pages/1_Initialization.py", "init", "init-main-boundary"),
        ("pages/4_Optimization.py", "opt", "opt-boundary-adam"),
    ],
)
def test_other_lessons_train_on_an_upload_too(path, prefix, chart_key):
    app = open_page(path, **{f"{prefix}_dataset": sidebar.UPLOAD, f"{prefix}_iterations": 30}).run()

    app.file_uploader(key=f"{prefix}_upload").upload("good.csv", two_clusters(0), "text/csv").run()

    assert_clean(app)
    figure = chart(app, chart_key)
    shown = sum(
        array(trace(figure, name)["x"]).size for name in ("train, class 0", "train, class 1")
    )
    assert shown == 30


def test_gradient_checking_checks_the_sidebar_network_on_an_upload():
    app = open_page(
        "pages/3_Gradient_Checking.py", gc_dataset=sidebar.UPLOAD, gc_source="sidebar"
    ).run()

    app.file_uploader(key="gc_upload").upload("good.csv", two_clusters(0), "text/csv").run()

    assert_clean(app)
    caption = next(c.value for c in app.caption if c.value.startswith("Checking "))
    assert caption.startswith("Checking good\\.csv, 30 points")


def test_an_uploaded_files_name_is_shown_as_typed_never_as_markdown():
    app = open_page(
        "pages/3_Gradient_Checking.py", gc_dataset=sidebar.UPLOAD, gc_source="sidebar"
    ).run()
    name = "[x](javascript:alert(1)) **b** :red[c] $x$.csv"
    app.file_uploader(key="gc_upload").upload(name, two_clusters(0), "text/csv").run()

    assert_clean(app)
    shown = r"\[x\]\(javascript\:alert\(1\)\) \*\*b\*\* \:red\[c\] \$x\$\.csv"
    captions = [caption.value for caption in app.caption]
    assert f"Checking {shown}, 30 points, layers 2-20-3-1: 127 parameters." in captions
    assert any(f"not your file ({shown}): whoever" in caption for caption in captions)
    assert f"Using **{shown}**: 30 training and 10 test points." in captions
