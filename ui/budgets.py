"""Budgets that bound: a page view's training is estimated before it starts, and refused
with a plain message when it would keep the shared server busy for too long."""

from __future__ import annotations

import math
from collections.abc import Sequence

import streamlit as st

from dnn_core import TrainConfig
from dnn_core.datasets import Dataset

from .i18n import _

PAGE_BUDGET_S = 30.0
"""Estimated CPU seconds one page view may ask for: more is refused before it starts."""
# A training step costs about this per layer, plus this per example and weight (measured on
# a quiet core with one BLAS thread; mini-batch steps carry extra slicing and updates).
STEP_SECONDS_PER_LAYER = 10e-6
MINI_BATCH_STEP_SECONDS = 20e-6
SECONDS_PER_EXAMPLE_WEIGHT = 0.4e-9


def estimated_seconds(config: TrainConfig, m: int) -> float:
    """About how many CPU seconds training ``config`` on ``m`` points takes."""
    dims = config.layer_dims
    weights = sum(n * n_prev for n, n_prev in zip(dims[1:], dims[:-1], strict=False))
    batch = min(config.mini_batch_size or m, m)
    steps = config.epochs * math.ceil(m / batch)
    step = STEP_SECONDS_PER_LAYER * (len(dims) - 1) + SECONDS_PER_EXAMPLE_WEIGHT * batch * weights
    if batch < m:
        step += MINI_BATCH_STEP_SECONDS
    return steps * step


def check_page_budget(data: Dataset, configs: Sequence[TrainConfig]) -> None:
    """Refuse, with a plain message that says what to change, a page view whose training
    (``configs``, one per network it trains) would take more than :data:`PAGE_BUDGET_S`;
    the page stops there, before any work starts."""
    m = data.X_train.shape[1]
    needed = sum(estimated_seconds(config, m) for config in configs)
    if needed <= PAGE_BUDGET_S:
        return
    most = max(configs, key=lambda config: estimated_seconds(config, m))
    fits = int(most.epochs * PAGE_BUDGET_S / needed)
    st.warning(
        _(
            "These settings would need about {needed} s of computing ({count} networks, "
            "{iterations} iterations each on {points} points); a page may take about "
            "{budget} s, so that everyone sharing the server gets a turn. Use at most about "
            "{fits} iterations, or smaller hidden layers, or fewer points."
        ).format(
            needed=f"{needed:,.0f}",
            count=len(configs),
            iterations=f"{most.epochs:,}",
            points=f"{m:,}",
            budget=f"{PAGE_BUDGET_S:g}",
            fits=f"{max(fits, 1):,}",
        ),
        icon=":material/timer:",
    )
    st.stop()
