"""What a chart sends to the browser, built once for every session that shows it.

``st.plotly_chart`` turns the figure it is given into its specification
(``Figure.to_dict()``: a deep copy of every trace and of the layout, its arrays checked
again for encoding) on every call, and a page in the dark theme or in presentation mode
first restyles a copy of the figure (:func:`ui.figures.for_display`). A figure cached for
everyone (:func:`ui.runs.memoize`) is shown by every session of a class, so each of them
repeated that work for every chart. A shared figure (:func:`share`) instead keeps, for
each look it is shown in (light or dark, normal or large), the specification it sends,
and hands Streamlit that (:class:`SentFigure`). Figures built for one session only are
restyled and sent as before: nothing keeps them.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from . import figures

LOOKS_ATTRIBUTE = "_dnl_sent_looks"
"""Attribute of a shared figure: ``(dark, large) -> SentFigure``. It lives and goes with the
figure, so it is bounded by the cache that holds the figure."""


class SentFigure(BaseFigure):
    """A figure's finished specification, as ``st.plotly_chart`` sends it.

    Streamlit asks a figure for nothing but ``to_dict()`` (then encodes the dict as
    JSON), so this holds that dict and hands it out as it is: shared by every session,
    never changed (the trace ids Plotly's JSON encoder would remove are removed here).
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # builds no figure: holds the dict
        for trace in spec.get("data", []):
            trace.pop("uid", None)
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec

    def __repr__(self) -> str:  # BaseFigure's would read the figure this is not
        return f"SentFigure({len(self._spec.get('data', []))} traces)"


def share(value: Any) -> Any:
    """Mark every figure in ``value`` (alone, or in a tuple, list or dict) as shown by many
    sessions: what it sends is then kept (see :func:`sendable`). Returns ``value``."""
    if isinstance(value, go.Figure):
        if getattr(value, LOOKS_ATTRIBUTE, None) is None:
            setattr(value, LOOKS_ATTRIBUTE, {})
    elif isinstance(value, tuple | list):
        for item in value:
            share(item)
    elif isinstance(value, dict):
        for item in value.values():
            share(item)
    return value


def sendable(figure: go.Figure, *, dark: bool, large: bool) -> BaseFigure:
    """``figure`` as ``st.plotly_chart`` should get it in this look: for a shared figure
    its :class:`SentFigure`, built the first time any session shows it so; otherwise the
    restyled figure (:func:`ui.figures.for_display`)."""
    looks = getattr(figure, LOOKS_ATTRIBUTE, None)
    if looks is None:
        return figures.for_display(figure, dark=dark, large=large)
    sent = looks.get((dark, large))
    if sent is None:  # two sessions may both build it: the same spec, one is kept
        shown = figures.for_display(figure, dark=dark, large=large)
        sent = looks.setdefault((dark, large), SentFigure(shown.to_dict()))
    return sent
