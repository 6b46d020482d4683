"""Downloads of a run's results: trained parameters (.npz and JSON), the cost history (CSV),
a figure as a standalone HTML page, and the Plotly config that gives every chart a PNG button.

The builders (``params_npz``, ``params_json``, ``cost_history_csv``, ``figure_html``) are pure:
arrays or figures in, bytes out. The ``download_*`` functions render ``st.download_button``s
that never rerun the page. A run's files are usually small (a few kB, about 5 ms to build)
and are built with the page, so a click is a plain link the browser follows at once; a file
over :data:`EAGER_BYTES` (a wide network's parameters) and a figure's HTML page (about
5 MB) are built only when clicked (a deferred callable), so a page that reruns on every
slider move never serializes them unasked, and no session keeps them in server memory.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .i18n import _

PARAMS_FORMAT = "deep-net-lab/params-v1"
EAGER_BYTES = 256_000
"""The largest file built with the page. Streamlit keeps a session's ready files in server
memory until the session is gone, two minutes after its tab closed: six layers of 100
units make 1.7 MB of parameter files per run, and 20 tabs of the Optimization lesson held
136 MB of them."""
_BYTES_PER_NUMBER = {"npz": 8, "json": 24, "csv": 24}  # float64 binary; repr() text


def file_stem(name: str) -> str:
    """A safe file-name stem: ``"He init, λ=0.7"`` -> ``"he-init-0-7"`` (``"deep-net-lab"`` if
    nothing is left)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem or "deep-net-lab"


def params_npz(params: Mapping[str, np.ndarray]) -> bytes:
    """Parameters ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` as a compressed NumPy ``.npz``
    (``np.load`` gives the same arrays back under the same names)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{name: np.asarray(value) for name, value in params.items()})
    return buffer.getvalue()


def params_from_npz(data: bytes) -> dict[str, np.ndarray]:
    """Inverse of ``params_npz``."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def params_json(params: Mapping[str, np.ndarray], *, config: Any = None) -> bytes:
    """Parameters as JSON: ``{"format", "params": {"W1": [[...]], ...}, "config"}``.

    Each array is a nested list with the array's shape (``b1`` stays ``(n1, 1)``); floats are
    written with full float64 precision, so reading them back gives identical arrays.
    ``config`` (a dataclass such as ``TrainConfig``) is included so the file says how the
    parameters were trained.
    """
    arrays = {name: np.asarray(value, dtype=np.float64).tolist() for name, value in params.items()}
    document = {
        "format": PARAMS_FORMAT,
        "params": arrays,
        "config": None if config is None else dataclasses.asdict(config),
    }
    return json.dumps(document, indent=1).encode()


def params_from_json(data: bytes) -> dict[str, np.ndarray]:
    """Inverse of ``params_json``: ``{"W1": array (n1, n0), ...}`` (float64).

    Raises:
        ValueError: when the bytes are not a Deep Net Lab parameter file.
    """
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("Not a JSON file.") from None
    if not isinstance(document, dict) or document.get("format") != PARAMS_FORMAT:
        raise ValueError(f"Not a Deep Net Lab parameter file (expected format {PARAMS_FORMAT}).")
    return {name: np.asarray(value, dtype=np.float64) for name, value in document["params"].items()}


def cost_history_csv(
    iterations: Sequence[int] | np.ndarray,
    costs: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[Any] | None = None,
) -> bytes:
    """The cost curve as CSV.

    Args:
        iterations: ``(n_rec,)`` recorded iteration numbers.
        costs: ``(n_rec,)`` for one run -> columns ``iteration,cost``; or ``(n_rec, K)`` for K
            runs (a sweep) -> columns ``iteration,cost_<label>`` for each of ``labels (K,)``.

    Raises:
        ValueError: when the shapes do not match.
    """
    iterations = np.asarray(iterations).ravel()
    costs = np.asarray(costs, dtype=np.float64)
    if costs.ndim == 1:
        costs = costs[:, None]
        header = ["iteration", "cost"]
    else:
        labels = list(range(costs.shape[1])) if labels is None else list(labels)
        if len(labels) != costs.shape[1]:
            raise ValueError(f"{costs.shape[1]} cost columns but {len(labels)} labels.")
        header = ["iteration", *(f"cost_{label}" for label in labels)]
    if costs.shape[0] != iterations.shape[0]:
        raise ValueError(f"{iterations.shape[0]} iterations but {costs.shape[0]} cost rows.")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for iteration, row in zip(iterations, costs, strict=True):
        writer.writerow([int(iteration), *(repr(float(cost)) for cost in row)])
    return text.getvalue().encode()


def figure_html(fig: go.Figure, *, name: str = "figure") -> bytes:
    """A standalone HTML page of the figure with plotly.js embedded (about 5 MB), so it opens
    offline; its PNG button saves ``<name>.png``."""
    return fig.to_html(include_plotlyjs=True, full_html=True, config=plotly_config(name)).encode()


def plotly_config(filename: str) -> dict[str, Any]:
    """Config for ``st.plotly_chart(fig, config=...)``: the camera button saves a PNG named
    ``<filename>.png`` at twice the screen resolution (rendered in the browser, works offline);
    the Plotly logo and the selection tools the lab's charts don't use are hidden."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "png", "filename": file_stem(filename), "scale": 2},
    }


def download_run(result: Any, *, key: str, name: str, config: Any = None, labels=None) -> None:
    """Three download buttons for a finished run: parameters (.npz, .json) and costs (.csv).

    Args:
        result: a ``TrainResult`` (or ``SweepResult``): anything with ``params``,
            ``iterations`` and ``costs``.
        key: unique prefix for the buttons' widget keys (``<key>_npz``, ``_json``, ``_csv``).
        name: what the run is, used for the file names (e.g. ``"initialization he"``).
        config: the run's ``TrainConfig``, written into the JSON.
        labels: column labels when ``result.costs`` is ``(n_rec, K)``.
    """
    stem = file_stem(name)
    params = result.params
    n_params = sum(np.size(value) for value in params.values())
    n_costs = np.size(result.costs) + np.size(result.iterations)
    _download(
        _("Parameters (.npz)"),
        lambda: params_npz(params),
        f"{stem}-params.npz",
        "application/octet-stream",
        f"{key}_npz",
        size=_BYTES_PER_NUMBER["npz"] * n_params,
    )
    _download(
        _("Parameters (.json)"),
        lambda: params_json(params, config=config),
        f"{stem}-params.json",
        "application/json",
        f"{key}_json",
        size=_BYTES_PER_NUMBER["json"] * n_params,
    )
    _download(
        _("Cost history (.csv)"),
        lambda: cost_history_csv(result.iterations, result.costs, labels=labels),
        f"{stem}-costs.csv",
        "text/csv",
        f"{key}_csv",
        size=_BYTES_PER_NUMBER["csv"] * n_costs,
    )


MIME_TYPES = {".npz": "application/octet-stream", ".json": "application/json", ".csv": "text/csv"}


def download_built(label: str, build: Callable[[], bytes], name: str, key: str) -> None:
    """A download button for a file built only when clicked; ``name`` ends with its
    extension (``"gradient check entries.csv"`` -> ``gradient-check-entries.csv``)."""
    stem, dot, extension = name.rpartition(".")
    mime = MIME_TYPES.get(f".{extension}", "application/octet-stream")
    _download(label, build, f"{file_stem(stem)}{dot}{extension}", mime, key)


def entries_csv(report: Any, params: dict[str, np.ndarray]) -> bytes:
    """Every parameter's backprop gradient, two-sided difference and relative difference:
    columns ``parameter, row, column, grad, gradapprox, difference``."""
    rows = []
    for name, span in report.slices.items():
        shape = params[name].shape
        grad, approx = report.grad[span], report.gradapprox[span]
        denominator = np.abs(grad) + np.abs(approx)
        difference = np.divide(
            np.abs(grad - approx), denominator, out=np.zeros_like(grad), where=denominator > 0
        )
        row, column = np.unravel_index(np.arange(grad.size), shape)
        rows.append(
            pd.DataFrame(
                {
                    "parameter": name,
                    "row": row,
                    "column": column,
                    "grad": grad,
                    "gradapprox": approx,
                    "difference": difference,
                }
            )
        )
    return pd.concat(rows).to_csv(index=False, float_format="%.17g").encode()


def download_figure(fig: go.Figure, *, key: str, name: str, label: str = "Figure (.html)") -> None:
    """A download button for the figure as an interactive HTML page that works offline."""
    _download(
        label, lambda: figure_html(fig, name=name), f"{file_stem(name)}.html", "text/html", key
    )


def _download(
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    *,
    size: float = math.inf,
) -> None:
    """A download button that does not rerun the page. A file of about ``size`` bytes up to
    :data:`EAGER_BYTES` is built now and served as a link; a larger one is built when
    clicked (one round trip to the server before the download)."""
    st.download_button(
        label,
        build() if size <= EAGER_BYTES else build,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )
