"""Students' own data: an uploader for a CSV or the course's .mat layout that returns a
``Dataset`` or, with a clear message and the expected format, nothing.

Validation is ``dnn_core.datasets``' (size, numbers, finite values, 0/1 labels, two classes
with enough points each); this module only puts it on the page.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

import numpy as np
import streamlit as st

from dnn_core import datasets
from dnn_core.datasets import Dataset, DatasetError

from . import i18n, markdown
from .i18n import N_, _


def expected_format() -> str:
    """What an upload must look like, in the reader's language."""
    return _(
        "**Expected:** a CSV with three columns `x1, x2, label` (label 0 or 1; a header row "
        "is optional), at most {most} points and at least {fewest} of each class; or a "
        "MATLAB `.mat` file with `X` (m, 2), `y` (m, 1), `Xval`, `yval` like the course's "
        "`data.mat`. Up to {size}."
    ).format(
        most=datasets.MAX_POINTS,
        fewest=datasets.MIN_POINTS_PER_CLASS,
        size=datasets.size_text(datasets.MAX_UPLOAD_BYTES),
    )


EXPECTED_FORMAT = expected_format()  # in English (imported before any session)
COULD_NOT_READ = N_(
    "The app could not read this file. Check that it is a CSV or a .mat file laid out as "
    "below, or save it again and upload the new copy."
)
_LOG = logging.getLogger(__name__)


def dataset_csv(dataset: Dataset) -> bytes:
    """A data set in the upload format: ``x1,x2,label`` rows, training then test points."""
    X = np.concatenate([dataset.X_train, dataset.X_test], axis=1)  # (2, m)
    Y = np.concatenate([dataset.Y_train, dataset.Y_test], axis=1)  # (1, m)
    lines = ["x1,x2,label"]
    lines += [f"{x1:.5f},{x2:.5f},{int(label)}" for x1, x2, label in zip(*X, *Y, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def template_csv() -> bytes:
    """The example upload: the Moons data set (400 points) in the upload format."""
    return dataset_csv(datasets.load("moons"))


def read_upload(file_name: str, data: bytes) -> Dataset:
    """The ``Dataset`` in an uploaded file, chosen by its extension (``.csv`` or ``.mat``);
    CSV rows are split 75/25 into training and test points.

    Raises:
        DatasetError: with a message for the student when the file can't be used, also
            when reading it failed in a way the loaders did not foresee.
    """
    path = PurePath(file_name)
    loaders = {".mat": datasets.load_mat, ".csv": datasets.load_csv}
    load = loaders.get(path.suffix.lower())
    if load is None:
        raise DatasetError(f"{path.name} is neither a .csv nor a .mat file.")
    try:
        return load(data, name=path.name)
    except DatasetError:
        raise
    except Exception:  # an upload must never take the page down: logged for the server
        _LOG.exception("Reading the upload %r failed unexpectedly", file_name)
        raise DatasetError(COULD_NOT_READ) from None


@st.cache_data(max_entries=16, show_spinner=False)
def _read_upload_cached(file_name: str, data: bytes) -> tuple[Dataset | None, str]:
    """``(dataset, "")`` or ``(None, message)``; rejections are cached too, since reading a
    rejected 2 MB file again on every rerun would take about half a second."""
    try:
        return read_upload(file_name, data), ""
    except DatasetError as error:
        return None, str(error)


def dataset_uploader(key: str, *, label: str | None = None) -> Dataset | None:
    """An uploader and an example-CSV download in the current container (e.g. inside
    ``with st.sidebar:``); returns the uploaded ``Dataset`` or ``None``.

    A file that can't be used shows an error saying why and what is expected, and returns
    ``None``: the page goes on with its built-in data and nothing else is lost.

    Args:
        key: widget key of the uploader; the template button uses ``<key>_template``.
        label: the uploader's label (default: "Your own data (.csv or .mat)").
    """
    uploaded = st.file_uploader(
        label or _("Your own data (.csv or .mat)"),
        type=["csv", "mat"],
        key=key,
        help=expected_format(),
        max_upload_size=datasets.MAX_UPLOAD_MB,
    )
    st.download_button(
        _("Example CSV"),
        template_csv,
        file_name="deep-net-lab-example.csv",
        mime="text/csv",
        key=f"{key}_template",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )
    if uploaded is None:
        return None
    dataset, problem = _read_upload_cached(uploaded.name, uploaded.getvalue())
    if dataset is None:
        message = _("**{name}** can't be used: {problem}").format(
            name=markdown.escape(uploaded.name),
            problem=markdown.escape(i18n.core_message(problem)),
        )
        st.error(f"{message}\n\n{expected_format()}", icon=":material/error:")
        return None
    st.caption(
        _("Using **{name}**: {train} training and {test} test points.").format(
            name=markdown.escape(dataset.name),
            train=dataset.X_train.shape[1],
            test=dataset.X_test.shape[1],
        )
    )
    return dataset
