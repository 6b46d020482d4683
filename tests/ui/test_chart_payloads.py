"""What a shared chart sends is built once per look, equals what Streamlit would send for
the figure itself, and leaves the shared figure as it was; results derived from runs are
shared by content."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

from dnn_core.datasets import football
from ui import chart_payloads, figures, runs
from ui.caches import fingerprint


@pytest.fixture
def shared_map():
    data = football()
    params = {
        "W1": np.array([[1.0, -2.0], [0.5, 0.25]]),
        "b1": np.zeros((2, 1)),
        "W2": np.array([[1.0, -1.0]]),
        "b2": np.zeros((1, 1)),
    }
    return chart_payloads.share(figures.packed(figures.boundary_figure(params, data)))


def _sent_json(figure) -> dict:
    """The figure's specification as ``st.plotly_chart`` encodes it."""
    return json.loads(pio.to_json(figure, validate=False))


@pytest.mark.parametrize(("dark", "large"), [(False, False), (True, False), (False, True)])
def test_a_shared_figure_sends_what_the_restyled_figure_would(shared_map, dark, large):
    expected = _sent_json(figures.for_display(shared_map, dark=dark, large=large))

    sent = chart_payloads.sendable(shared_map, dark=dark, large=large)

    assert isinstance(sent, chart_payloads.SentFigure)
    assert _sent_json(sent) == expected
    assert _sent_json(sent) == expected  # encoding it again changes nothing


def test_a_shared_figure_is_restyled_once_per_look(shared_map, monkeypatch):
    restyled = []
    for_display = figures.for_display
    monkeypatch.setattr(
        figures,
        "for_display",
        lambda fig, **look: restyled.append(look) or for_display(fig, **look),
    )

    light = chart_payloads.sendable(shared_map, dark=False, large=False)
    dark = chart_payloads.sendable(shared_map, dark=True, large=False)

    assert chart_payloads.sendable(shared_map, dark=False, large=False) is light
    assert chart_payloads.sendable(shared_map, dark=True, large=False) is dark
    assert restyled == [{"dark": False, "large": False}, {"dark": True, "large": False}]
    background = dark.to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    assert background == figures.DARK_BACKGROUND
    assert shared_map.layout.template.layout.paper_bgcolor == figures.LIGHT_BACKGROUND


def test_a_figure_nobody_shares_is_restyled_every_time():
    figure = figures.cost_curves_figure({"a": ([0, 1], [1.0, 0.5])}, title="Cost")

    shown = chart_payloads.sendable(figure, dark=True, large=False)

    assert not isinstance(shown, chart_payloads.SentFigure)
    assert chart_payloads.sendable(figure, dark=True, large=False) is not shown


def test_memoized_figures_are_shared():
    runs.FIGURES.clear()
    built = runs.memoize(
        ("test shared payloads",), lambda: figures.cost_curves_figure({"a": ([0, 1], [1, 0])})
    )

    sent = chart_payloads.sendable(built, dark=False, large=False)

    assert chart_payloads.sendable(built, dark=False, large=False) is sent
    runs.FIGURES.clear()


def test_fingerprints_tell_content_apart():
    a = {"W1": np.arange(6.0).reshape(2, 3)}

    assert fingerprint(a) == fingerprint({"W1": np.arange(6.0).reshape(2, 3)})
    assert fingerprint(a) != fingerprint({"W1": np.arange(6.0).reshape(3, 2)})
    assert fingerprint(a) != fingerprint({"W1": np.arange(6).reshape(2, 3)})
    assert fingerprint(a) != fingerprint({"W2": np.arange(6.0).reshape(2, 3)})
    assert fingerprint(a["W1"].T) == fingerprint(np.ascontiguousarray(a["W1"].T))
    assert fingerprint(football()) == fingerprint(football())


def test_derived_results_are_computed_once_per_content():
    runs.DERIVED.clear()
    data = football()
    params = {"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}
    calls = []

    def build():
        calls.append(1)
        return runs._accuracies(params, data)

    first = runs.derived("test accuracies", build, params, data)
    again = runs.derived("test accuracies", build, {k: v.copy() for k, v in params.items()}, data)
    other = runs.derived("test accuracies", build, {"W1": -np.ones((1, 2)), "b1": params["b1"]})

    assert again is first and other is not first
    assert len(calls) == 2
    assert runs.accuracies(params, data) == first  # the page's own kind, same answer
    runs.DERIVED.clear()
