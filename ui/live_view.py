"""Where a single run draws while it trains: its cost curve and decision boundary,
streamed into placeholders, then the finished figures."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dnn_core import TrainProgress, TrainResult
from dnn_core.datasets import Dataset

from . import figures, page
from .i18n import N_, _
from .runs import FRAMES, memoize


@dataclass
class LiveView:
    """Where a single run draws: placeholders (``st.empty()``) for its cost curve and
    decision boundary, and a key prefix for the charts (and their PNG file names).

    After :meth:`draw_result`, ``final_figures`` holds the finished figures by name
    (``"Cost curve"``, ``"Decision boundary"``), e.g. for downloads."""

    cost: Any
    boundary: Any
    data: Dataset
    show_test: bool = True
    key: str = "live"
    cost_title: str = N_("Cost while training")
    boundary_title: str = N_("Decision boundary")
    activation: str = "relu"  # the network's hidden activation

    @classmethod
    def in_columns(cls, data: Dataset, **options: Any) -> LiveView:
        """A view whose cost curve and boundary sit side by side in two new columns."""
        cost_column, boundary_column = st.columns(2)
        return cls(cost=cost_column.empty(), boundary=boundary_column.empty(), data=data, **options)

    def __post_init__(self) -> None:
        self._frames = 0
        self.final_figures: dict[str, go.Figure] = {}

    def _show(self, place, figure: go.Figure, key: str, title: str) -> None:
        page.chart(figure, key=key, container=place, filename=f"{self.key} {title}")

    def _figures(self, params, iterations, costs, num_iterations: int, resolution: int):
        cost_figure = figures.cost_curves_figure(
            {_("cost"): (np.asarray(iterations), np.asarray(costs))},
            title=_(self.cost_title),
            num_iterations=num_iterations,
            height=figures.MAP_HEIGHT,  # level with the boundary beside it
        )
        figure = figures.boundary_figure(
            params,
            self.data,
            show_test=self.show_test,
            title=_(self.boundary_title),
            resolution=resolution,
            activation=self.activation,
        )
        return cost_figure, figure

    def draw_progress(self, progress: TrainProgress, frame_key: Hashable = None) -> None:
        """One frame while training (coarse grid). ``frame_key`` names this moment of this
        run: sessions following one run then build its frame once and all draw it."""

        def build():
            return self._figures(
                progress.params,
                progress.iterations,
                progress.costs,
                progress.num_iterations,
                figures.LIVE_RESOLUTION,
            )

        if frame_key is None:
            cost_figure, figure = build()
        else:
            view_key = (self.show_test, self.cost_title, self.boundary_title)
            cost_figure, figure = memoize(("live frame", frame_key, view_key), build, cache=FRAMES)
        # Each frame is a new chart in the same placeholder; unique keys keep Streamlit
        # from mistaking two frames for one duplicated element.
        self._frames += 1
        self._show(self.cost, cost_figure, f"{self.key}-cost-frame{self._frames}", "cost")
        self._show(self.boundary, figure, f"{self.key}-boundary-frame{self._frames}", "boundary")

    def follow(self, name: str) -> Callable[[dict[str, TrainProgress], Hashable], None]:
        """A frame drawer for :func:`ui.runs.train_together`: draws run ``name``'s progress."""

        def draw(progress: dict[str, TrainProgress], frame_key: Hashable) -> None:
            if name in progress:
                self.draw_progress(progress[name], (frame_key, name))

        return draw

    def draw_run(self, result: TrainResult, config: Any, data_key: Hashable) -> None:
        """The finished figures of the run of ``config`` on the data ``data_key`` names."""
        self.draw_result(result, config.epochs, cache_key=("train", data_key, config))

    def draw_result(
        self, result: TrainResult, num_iterations: int, *, cache_key: Hashable = None
    ) -> None:
        """The finished figures, kept in :attr:`final_figures`; memoized under
        ``cache_key`` (with what the view shows) when one is given."""

        def build():
            return self._figures(
                result.params,
                result.iterations,
                result.costs,
                num_iterations,
                figures.FINAL_RESOLUTION,
            )

        if cache_key is None:
            cost_figure, figure = build()
        else:
            view_key = (self.show_test, self.cost_title, self.boundary_title)
            cost_figure, figure = memoize(("live view", cache_key, view_key), build)
        self.final_figures = {_("Cost curve"): cost_figure, _("Decision boundary"): figure}
        self._show(self.cost, cost_figure, f"{self.key}-cost", "cost")
        self._show(self.boundary, figure, f"{self.key}-boundary", "boundary")
