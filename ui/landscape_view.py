"""The loss landscape on the lesson pages (Li et al., 2018; see :mod:`dnn_core.landscape`):
the optimizers' paths on the cost around their trained weights (Optimization), and how
L2's λ reshapes the bowl around a trained network (Regularization).

A path is a run's snapshots, the ones it keeps for replays as it trains
(:mod:`ui.snapshots`), so drawing it costs no training. A grid is the same for every
student with the same settings, so it is computed once, into a cached figure
(:func:`ui.runs.memoize`). Its work (grid points x examples x the network's size) is
bounded: a larger network gets fewer examples and a coarser grid, and past that a plain
note instead of a chart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, TrainResult, landscape
from dnn_core.datasets import Dataset
from dnn_core.network import params_to_vector

from . import figures, lesson_controls, page, replay, runs
from .i18n import _

RESOLUTION = 45  # grid points per axis: smooth contours, 8 KB of float32 a grid
MIN_RESOLUTION = 21
BOWL_STEPS = 61  # points along each line through the weights on Regularization
MAX_EXAMPLES = 300  # the cost on at most this many training points (a fixed sample)...
MIN_EXAMPLES = 100  # ... and at least this many before the grid gets coarser
GRID_WORK = 3e8
"""Work one landscape may take, counted as grid points x examples x (parameters + 8 per
unit: the elementwise passes cost about that much beside the products); the default
Optimization network's 45 x 45 grid on 300 points is a fifth of it (about 40 ms)."""
SAMPLE_SEED = 0  # which training points the cost uses when there are more than enough
DIRECTION_SEED = 0  # the random directions on Regularization (the same for both networks)
MARGIN = 0.2  # of the paths' span, around them on the plane
MIN_ASPECT = 0.35  # the plane's shorter side spans at least this share of its longer one


@dataclass(frozen=True)
class GridSize:
    """How finely a landscape is drawn: ``resolution`` points per axis, the cost on
    ``examples`` training points."""

    resolution: int
    examples: int


def _network_size(layer_dims) -> tuple[int, int]:
    """``(parameters, units)`` of a network ``(n_x, n_1, ..., n_L)``."""
    dims = tuple(layer_dims)
    parameters = sum(n * (n_prev + 1) for n_prev, n in pairwise(dims))
    return parameters, sum(dims[1:])


def examples_for(layer_dims, m: int, points: int) -> int | None:
    """How many of ``m`` training points the cost of ``points`` networks of ``layer_dims``
    may be measured on within :data:`GRID_WORK` (at most :data:`MAX_EXAMPLES`), or None
    when fewer than :data:`MIN_EXAMPLES` (or all ``m``, if fewer) would fit."""
    parameters, units = _network_size(layer_dims)
    fit = int(GRID_WORK // (points * (parameters + 8 * units)))
    examples = min(m, MAX_EXAMPLES, fit)
    return examples if examples >= min(m, MIN_EXAMPLES) else None


def grid_size(layer_dims, m: int) -> GridSize | None:
    """The grid of a landscape of a network of ``layer_dims`` on ``m`` training points:
    :data:`RESOLUTION` per axis on as many examples as fit, a coarser grid when not even
    :data:`MIN_EXAMPLES` fit, None when not even :data:`MIN_RESOLUTION` does."""
    for resolution in range(RESOLUTION, MIN_RESOLUTION - 1, -2):  # odd: a centre point
        examples = examples_for(layer_dims, m, resolution**2)
        if examples is not None:
            return GridSize(resolution, examples)
    return None


def _examples(data: Dataset, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The training points the cost is measured on: all, or a fixed sample of ``count``."""
    m = data.X_train.shape[1]
    if count >= m:
        return data.X_train, data.Y_train
    chosen = np.sort(np.random.default_rng(SAMPLE_SEED).choice(m, size=count, replace=False))
    return data.X_train[:, chosen], data.Y_train[:, chosen]


def _beside_text(figure, key: str, text: str, *, look_for: str):
    """The chart (three fifths of the width) and its explanation beside it; returns the
    text's column, to add to it."""
    chart_column, text_column = st.columns([3, 2])
    page.chart(figure, key=key, container=chart_column)
    with text_column:
        page.explain(text, look_for=look_for)
    return text_column


def _too_large_note() -> None:
    st.info(
        _(
            "This network is too large to draw its cost landscape for everyone on this "
            "server; choose smaller hidden layers in the sidebar to see it."
        ),
        icon=":material/info:",
    )


# --- Optimization: the paths on one plane ---


@dataclass(frozen=True)
class PathsFacts:
    """What the caption says about a drawn landscape: whose weights it is centred on, the
    share of the paths' movement the plane holds, and the points the cost is measured on."""

    center: str
    explained: float
    examples: int
    m: int


def _plane_ranges(coordinates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha range (2,), beta range (2,))`` around every path point ``(n, 2)``: their
    span with :data:`MARGIN` on each side, the shorter side widened to at least
    :data:`MIN_ASPECT` of the longer (a path along one direction would be a thin strip)."""
    lo, hi = coordinates.min(axis=0), coordinates.max(axis=0)
    span = np.maximum(hi - lo, 1e-12)
    span = np.maximum(span, MIN_ASPECT * span.max())
    middle = (lo + hi) / 2
    half = span * (0.5 + MARGIN)
    return np.array([middle[0] - half[0], middle[0] + half[0]]), np.array(
        [middle[1] - half[1], middle[1] + half[1]]
    )


Path = tuple[np.ndarray, np.ndarray]
"""A run's path: ``(epochs done (n,), parameter vectors (n, P))``, from its start."""


def run_path(result: TrainResult, kept) -> Path:
    """The path of ``result`` from its start through the snapshots it ``kept``
    (:class:`ui.snapshots.Snapshots`), cut before the first that is not finite."""
    vectors = np.stack(
        [params_to_vector(result.initial_params)]
        + [params_to_vector(params).astype(np.float64) for params in kept.params]
    )
    epochs = np.array([0] + [iteration + 1 for iteration in kept.iterations], dtype=np.int64)
    finite = np.all(np.isfinite(vectors), axis=-1)
    count = len(vectors) if finite.all() else int(np.argmin(finite))
    return epochs[:count], vectors[:count]


def paths_landscape(
    results: Mapping[str, TrainResult],
    paths: Mapping[str, Path],
    names: Mapping[str, str],
    data: Dataset,
    size: GridSize,
    *,
    lambd: float = 0.0,
    activation: str = "relu",
):
    """``(figure, PathsFacts)``: the cost on the plane of the top two principal directions
    of every run's path (``paths``: choice -> :data:`Path`), through the final weights of
    the run of ``results`` that ended lowest, with every path drawn on it (``names``:
    choice -> legend name, in the cost charts' order)."""
    finished = {
        choice: result
        for choice, result in results.items()
        if not result.diverged and result.costs.size and choice in paths
    }
    lowest = min(finished, key=lambda choice: float(finished[choice].costs[-1]))
    plane = landscape.trajectory_plane(
        finished[lowest].params, [vectors for _epochs, vectors in paths.values()]
    )
    coordinates = {
        choice: landscape.project(plane, vectors) for choice, (_epochs, vectors) in paths.items()
    }
    alpha_range, beta_range = _plane_ranges(np.concatenate(list(coordinates.values())))
    X, Y = _examples(data, size.examples)
    surface = landscape.cost_surface(
        plane,
        X,
        Y,
        np.linspace(*alpha_range, size.resolution),
        np.linspace(*beta_range, size.resolution),
        lambd=lambd,
        activation=activation,
    )
    figure = figures.landscape_figure(
        surface.alphas,
        surface.betas,
        surface.costs,
        {
            names[choice]: (coordinates[choice], paths[choice][0])
            for choice in results
            if choice in paths
        },
        title=_("Paths on the cost landscape"),
        x_title=_("1st principal direction"),
        y_title=_("2nd principal direction"),
    )
    facts = PathsFacts(names[lowest], float(plane.explained), X.shape[1], data.X_train.shape[1])
    return figure, facts


def show_optimizer_paths(
    data: Dataset,
    data_key: Hashable,
    configs: Mapping[str, TrainConfig],
    results: Mapping[str, TrainResult],
    names: Mapping[str, str],
) -> None:
    """The Optimization lesson's landscape section: every optimizer's path on the cost
    around the weights that ended lowest, and what to see in it."""
    st.header(_("Where the optimizers went"))
    first = next(iter(configs.values()))
    size = grid_size(first.layer_dims, data.X_train.shape[1])
    if size is None:
        _too_large_note()
        return
    if any(result.stopped_early for result in results.values()):
        st.info(
            _("The landscape opens once these runs have trained to the end."),
            icon=":material/info:",
        )
        return
    drawn = {choice: result for choice, result in results.items() if not result.diverged}
    if not drawn:
        st.info(_("No run finished, so there is no landscape to draw."), icon=":material/info:")
        return
    # The snapshots each run kept for replays (trained again, once, if they were dropped).
    kept = {
        choice: replay.history(
            data,
            runs.train_key(data_key, configs[choice]),
            configs[choice],
            result,
            label=_("Tracing {name}").format(name=names[choice]),
            unit="epoch",
        )[1]
        for choice, result in drawn.items()
    }
    figure, facts = runs.memoize(
        ("opt landscape", data_key, tuple(configs.items()), size),
        lambda: paths_landscape(
            drawn,
            {choice: run_path(drawn[choice], kept[choice]) for choice in drawn},
            names,
            data,
            size,
            lambd=first.lambd,
            activation=first.activation,
        ),
    )
    with _beside_text(
        figure,
        "opt-landscape",
        _(
            "The network has one cost for every setting of its weights. This map is a "
            "slice of it: the plane through the final weights of **{center}** that holds "
            "most of the optimizers' movement (the top two principal directions of their "
            "paths, as in Li et al., 2018). Greyer is higher; every path starts at the "
            "ring and ends at a filled marker."
        ).format(center=facts.center),
        look_for=_(
            "gradient descent heads straight downhill into the valley, then almost stops "
            "on its nearly flat floor, where the gradient is tiny (batch GD, one step an "
            "epoch, has hardly left the start). Adam divides each weight's step by the "
            "size of its recent gradients, so its steps stay large on the flat floor and "
            "it travels far along the valley."
        ),
    ):
        page.caption(
            _(
                "The plane holds {share} of the paths' spread from the centre; the paths "
                "are drawn at their nearest points in it. Cost on {examples} of the "
                "{m} training points, on a log colour scale."
            ).format(share=f"{facts.explained:.0%}", examples=facts.examples, m=facts.m)
        )


# --- Regularization: the bowl with and without L2 ---


def bowl_costs(
    networks: Mapping[str, tuple[dict[str, np.ndarray], float]],
    data: Dataset,
    examples: int,
    *,
    steps: np.ndarray,
    seed: int = DIRECTION_SEED,
) -> dict[str, dict[str, np.ndarray]]:
    """Direction name -> network name -> its cost (with its own L2 term) ``(s,)`` at
    ``steps`` along each of two filter-normalised random directions through its weights;
    ``networks`` is name -> ``(params, lambd)``. Every network draws the same Gaussian
    directions (``seed``), each scaled to its own weights, as Li et al. compare minima."""
    X, Y = _examples(data, examples)
    panels: dict[str, dict[str, np.ndarray]] = {
        _("direction 1"): {},
        _("direction 2"): {},
    }
    along_first = np.stack([steps, np.zeros_like(steps)], axis=-1)  # (s, 2)
    along_second = along_first[:, ::-1]
    for name, (params, lambd) in networks.items():
        plane = landscape.random_plane(params, seed=seed)
        both = landscape.costs_at(
            plane, X, Y, np.concatenate([along_first, along_second]), lambd=lambd
        )  # one stacked pass for both lines
        for panel, costs in zip(panels.values(), np.split(both, 2), strict=True):
            panel[name] = costs
    return panels


def show_regularization_bowl(
    data: Dataset,
    data_key: Hashable,
    networks: Mapping[str, tuple[TrainConfig, TrainResult]],
) -> None:
    """How L2 changes the bowl around trained weights: the cost along the same two
    filter-normalised random directions through each network in ``networks`` (name ->
    (config, result), e.g. without L2 and with it)."""
    first_config = next(iter(networks.values()))[0]
    # Two lines through each network's weights, BOWL_STEPS points each.
    examples = examples_for(
        first_config.layer_dims, data.X_train.shape[1], 2 * BOWL_STEPS * len(networks)
    )
    st.subheader(_("The bowl around the trained weights"))
    if examples is None:
        _too_large_note()
        return
    steps = np.linspace(-1.0, 1.0, BOWL_STEPS)
    figure = runs.memoize(
        (
            "reg bowl",
            data_key,
            tuple((name, config) for name, (config, _result) in networks.items()),
            examples,
        ),
        lambda: figures.bowl_figure(
            steps,
            bowl_costs(
                {
                    name: (result.params, config.lambd)
                    for name, (config, result) in networks.items()
                },
                data,
                examples,
                steps=steps,
            ),
            title=_("Cost along two random lines"),
            x_title=_("step"),
        ),
    )
    _beside_text(
        figure,
        "reg-bowl",
        _(
            "Each line walks away from a trained network's weights along a random "
            "direction, scaled so that a step of 1 moves every unit's weights by as much "
            "as they are large (Li et al.'s filter normalisation: the same directions for "
            "both networks, fair to both although their weights differ in size). The cost "
            "includes each network's own L2 term."
        ),
        look_for=_(
            "without L2 the network sits in a narrow, steep valley: a small change of its "
            "weights costs a lot, the mark of weights fitted to single points. With L2 the "
            "bowl is wider and rounder, its floor a little higher (training cost it gives "
            "up), so nearby weights predict about as well."
        ),
    )


def l2_networks(
    settings: lesson_controls.RegularizationSettings,
    base: TrainConfig,
    trained: Mapping[str, runs.Scored],
) -> dict[str, tuple[TrainConfig, TrainResult]]:
    """The Regularization lesson's pair for the bowl: its network without regularization
    and the one with L2 alone at the chosen λ (the course's λ while L2 is off or mixed with
    dropout), name -> ``(config, result)`` from the lesson's trained networks."""
    course = settings.course_configs(base)
    plain, course_l2 = list(course)[:2]
    pair = {_("no regularization"): (course[plain], trained[plain].result)}
    if settings.mode == "l2":
        name = f"L2, {lesson_controls.LAMBDA} = {settings.lambd:g}"
        pair[name] = (settings.config(base), trained["main"].result)
    else:
        pair[course_l2] = (course[course_l2], trained[course_l2].result)
    return pair
