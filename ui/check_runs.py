"""The gradient-checking lesson's runs: the case being checked and its cached checks
(shared by every session, like every other run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, gradcheck
from dnn_core.training import initial_parameters

from . import markdown
from .i18n import _
from .runs import load_dataset
from .sidebar import DataChoice

MASK_SEED = 0  # the gradient check's fixed dropout masks


@st.cache_data(max_entries=32, show_spinner=False)
def _sidebar_case(
    data: DataChoice, layer_dims: tuple[int, ...], weight_seed: int, points: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``X (2, points)``, ``Y (1, points)`` drawn at random from the training set, and the
    network's He-initialized parameters."""
    dataset = load_dataset(data)
    m = dataset.X_train.shape[1]
    chosen = np.sort(np.random.default_rng(0).choice(m, size=min(points, m), replace=False))
    config = TrainConfig(layer_dims=layer_dims, init="he", seed=weight_seed, course_seeding=True)
    return dataset.X_train[:, chosen], dataset.Y_train[:, chosen], initial_parameters(config)


@st.cache_data(max_entries=64, show_spinner=False)
def _gradient_check(
    case_key,
    _X: np.ndarray,
    _Y: np.ndarray,
    _params: dict[str, np.ndarray],
    *,
    bugs: tuple[str, ...] = (),
    epsilon: float = 1e-7,
    lambd: float = 0.0,
    cost_lambd: float | None = None,
    keep_prob: float = 1.0,
    fixed_masks: bool = True,
    batch_size: int | None = None,
    activation: str = "relu",
) -> gradcheck.GradCheckReport:
    """The gradient check of the case ``case_key`` (which identifies ``_X, _Y, _params``)."""
    masks, rng = None, None
    if keep_prob < 1.0:
        if fixed_masks:
            masks = gradcheck.fixed_dropout_masks(_X, _params, keep_prob, seed=MASK_SEED)
        else:
            rng = np.random.default_rng(MASK_SEED)
    return gradcheck.gradient_check(
        _params,
        _X,
        _Y,
        epsilon=epsilon,
        lambd=lambd,
        cost_lambd=cost_lambd,
        keep_prob=keep_prob,
        masks=masks,
        rng=rng,
        backward_fn=gradcheck.buggy_backward(bugs) if bugs else None,
        batch_size=batch_size,
        activation=activation,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _timed_check(
    case_key,
    _X: np.ndarray,
    _Y: np.ndarray,
    _params: dict[str, np.ndarray],
    *,
    epsilon: float,
    batch_size: int | None,
    repeats: int,
    activation: str = "relu",
) -> gradcheck.GradCheckReport:
    """The plain check of case ``case_key`` run ``repeats`` times; the report of the
    fastest run (one run is at the mercy of whatever else the machine is doing)."""
    runs = [
        gradcheck.gradient_check(
            _params, _X, _Y, epsilon=epsilon, batch_size=batch_size, activation=activation
        )
        for _ in range(repeats)
    ]
    return min(runs, key=lambda report: report.elapsed_s)


# Bigger networks would make the page wait: the check costs 2 cost evaluations per parameter.
MAX_CHECKED_PARAMETERS = 3000
# The course's loop of full forward passes runs by itself up to this much work (params x points).
AUTO_LOOP_WORK = 60_000


@dataclass(frozen=True)
class CheckCase:
    """What a gradient check checks: ``X (n_x, m)``, ``Y (1, m)`` and ``params``; ``key``
    identifies them in the caches and ``label`` describes them to the student."""

    key: tuple
    X: np.ndarray
    Y: np.ndarray
    params: dict[str, np.ndarray]
    label: str
    activation: str = "relu"  # the hidden layers'

    @property
    def num_params(self) -> int:
        return sum(value.size for value in self.params.values())

    @property
    def too_big(self) -> bool:
        return self.num_params > MAX_CHECKED_PARAMETERS

    @property
    def too_big_message(self) -> str:
        return _(
            "This network has {count} parameters; the page checks networks with up to "
            "{most} so that it answers at once. Use fewer or smaller hidden layers in the "
            "sidebar."
        ).format(count=f"{self.num_params:,}", most=f"{MAX_CHECKED_PARAMETERS:,}")


def check_case(config: Any, check: Any) -> CheckCase:
    """The course's test case, or the sidebar's network (``config``, a SidebarConfig) on a
    random subset of its training points (``check``: the network check's settings)."""
    if check.course_case:
        X, Y, params = gradcheck.course_test_case()
        return CheckCase(
            ("course",), X, Y, params, _("the course's test case (layers 4-5-3-1, 3 examples)")
        )
    X, Y, params = _sidebar_case(
        config.data, config.layer_dims, config.weight_seed, check.sample_size
    )
    layers = "-".join(str(units) for units in config.layer_dims)
    activation = config.activation
    return CheckCase(
        ("sidebar", config.data, config.layer_dims, config.weight_seed, X.shape[1], activation),
        X,
        Y,
        params,
        # Shown as Markdown: the label may be an uploaded file's name.
        (
            _("{data}, {points} points, layers {layers}")
            if activation == "relu"
            else _("{data}, {points} points, layers {layers}, {activation} hidden layers")
        ).format(
            data=markdown.escape(config.data.label),
            points=X.shape[1],
            layers=layers,
            activation=activation,
        ),
        activation,
    )


def gradient_check_run(case: CheckCase, **options: Any) -> gradcheck.GradCheckReport:
    """The gradient check of ``case`` (cached); ``options`` as :func:`_gradient_check`'s."""
    return _gradient_check(
        case.key, case.X, case.Y, case.params, activation=case.activation, **options
    )


def timed_gradient_check(case: CheckCase, **options: Any) -> gradcheck.GradCheckReport:
    """The plain check of ``case`` timed (cached); ``options`` as :func:`_timed_check`'s."""
    return _timed_check(
        case.key, case.X, case.Y, case.params, activation=case.activation, **options
    )
