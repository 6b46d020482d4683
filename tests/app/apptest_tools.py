"""Helpers for the pages' AppTests: open a page with small settings, read chart data back.

Charts are found by their ``key`` (Streamlit ends the element id with it); their data come
back from the Plotly JSON the browser would receive, with NumPy's binary arrays decoded.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from ui import runs as ui_runs
from ui import snapshots as ui_snapshots

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # seconds; generous for a loaded machine, the pages take a few seconds


def clear_caches() -> None:
    """Forget every cached run, figure and result derived from runs, so a test trains
    what it asserts about."""
    ui_runs.RESULTS.clear()
    ui_runs.FIGURES.clear()
    ui_runs.PARTIAL.clear()
    ui_runs.STACKS.clear()
    ui_runs.FRAMES.clear()
    ui_snapshots.SNAPSHOTS.clear()
    ui_runs.DERIVED.clear()


def open_page(path: str, *, query: dict[str, Any] | None = None, **session_state: Any) -> AppTest:
    """An AppTest of page ``path`` (relative to the repository) as the server runs it: the
    app is ``app.py`` and its first run opens ``path``, like a deep link. ``query`` holds the
    link's query parameters; ``session_state`` widget values preset in the session."""
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        app.switch_page(path)
    app.query_params.update(query or {})
    for key, value in session_state.items():
        app.session_state[key] = value
    return app


def cached_trainings() -> list[tuple[Any, Any]]:
    """``(TrainConfig, TrainResult)`` of every finished single training run the pages
    computed (sweeps and other kinds of run left out), oldest first."""
    runs = []
    for cache_key in ui_runs.RESULTS:
        if isinstance(cache_key, tuple) and cache_key[0] == "train":
            runs.append((cache_key[-1], ui_runs.RESULTS.get(cache_key)))
        elif isinstance(cache_key, tuple) and cache_key[0] == "train scored":
            runs.append((cache_key[-1], ui_runs.RESULTS.get(cache_key).result))  # and its curves
    return runs


def chart_keys(app: AppTest) -> list[str]:
    """Keys of the Plotly charts on the page, in order."""
    return [
        element.proto.id.split("-", 2)[-1]
        for element in app.get("plotly_chart")
        if element.proto.id.startswith("$$ID-")
    ]


def chart(app: AppTest, key: str) -> dict:
    """The Plotly figure (as a dict) of the chart with ``key``."""
    for element in app.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key!r}; charts: {chart_keys(app)}")


def array(value: Any) -> np.ndarray:
    """A trace's array, whether plain JSON or Plotly's typed-array encoding."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape is None:
            return flat
        dims = [int(part) for part in str(shape).split(",")]
        return flat.reshape(dims)
    return np.asarray(value)


def trace(figure: dict, name: str) -> dict:
    """The first trace called ``name``."""
    for candidate in figure["data"]:
        if candidate.get("name") == name:
            return candidate
    raise AssertionError(f"no trace {name!r}; traces: {[t.get('name') for t in figure['data']]}")


def metrics(app: AppTest) -> dict[str, str]:
    """Metric label -> shown value (the first metric of each label)."""
    shown: dict[str, str] = {}
    for metric in app.metric:
        shown.setdefault(metric.label, metric.value)
    return shown


def messages(app: AppTest) -> dict[str, list[str]]:
    """Everything the page said that is not content: exceptions, errors and warnings."""
    return {
        "exception": [item.message for item in app.exception],
        "error": [item.value for item in app.error],
        "warning": [item.value for item in app.warning],
    }


def assert_clean(app: AppTest) -> None:
    """No exception, error or warning on the page."""
    said = messages(app)
    assert said == {"exception": [], "error": [], "warning": []}, said
