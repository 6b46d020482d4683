"""Inside the network, one map per hidden unit: what every hidden unit computes over the
input plane, at initialization and after training, small and side by side (a layer a row),
and one chosen unit large. A symmetric start shows as one map repeated across a layer.

Every figure is built once for everyone (keyed by the run that determines it) and kept
small: a bounded number of maps, on a coarser grid the more maps there are.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, TrainResult, diagnostics, hidden_unit_maps
from dnn_core.datasets import Dataset
from ui.i18n import _

from . import figures, lesson_controls, page
from .runs import memoize
from .state import bound_widget, key

MAX_MAPS = 60
"""Small maps a figure shows at most (a layer's first units): 6 layers of 100 units would
be 600 maps, too many to read and to send to a class."""
MAX_UNITS_PER_LAYER = 20  # two rows of ten
MAP_POINTS = 24 * 32 * 32
"""Grid points of all small maps together: 24 maps of 32 x 32, sent as float32, about
130 kB (more maps get a coarser grid, down to :data:`MIN_RESOLUTION`). A small map is
60-80 px tall on a laptop or a projector, so 32 points a side already draw it smoothly."""
MAX_RESOLUTION = 32
MIN_RESOLUTION = 20
LARGE_RESOLUTION = figures.LIVE_RESOLUTION  # the chosen unit, a third of a page wide
WHEN = ("start", "trained")  # the weights drawn: the initial ones, or the trained ones


@dataclass(frozen=True)
class UnitNetwork:
    """A trained network whose units the section can show: its name on the page, its run
    and what determines that run (with the data, the key of every figure drawn from it)."""

    label: str
    result: TrainResult
    run_key: Hashable
    activation: str = "relu"  # its hidden layers'


def shown_units(layer_sizes: Sequence[int]) -> dict[int, range]:
    """Hidden layer (from 1) -> the units (0-based) drawn small: each layer's first ones,
    as many as fit :data:`MAX_UNITS_PER_LAYER` and, shared by the layers, :data:`MAX_MAPS`."""
    per_layer = min(MAX_UNITS_PER_LAYER, MAX_MAPS // max(len(layer_sizes), 1))
    return {layer: range(min(size, per_layer)) for layer, size in enumerate(layer_sizes, 1)}


def small_resolution(maps: int) -> int:
    """Points per side of each small map, for ``maps`` of them within :data:`MAP_POINTS`."""
    fits = math.isqrt(MAP_POINTS // max(maps, 1))
    return max(MIN_RESOLUTION, min(MAX_RESOLUTION, fits))


def _hidden_sizes(params: Mapping[str, np.ndarray]) -> list[int]:
    """Units of each hidden layer, ``[n_1, ..., n_{L-1}]``."""
    layers = len(params) // 2
    return [params[f"W{layer}"].shape[0] for layer in range(1, layers)]


def _plane(data: Dataset) -> np.ndarray:
    """Every point, train and test ``(2, m)``: the maps cover what the decision map covers."""
    return np.concatenate([data.X_train, data.X_test], axis=1)


def identical_layers(maps: Mapping[int, np.ndarray]) -> tuple[int, ...]:
    """The layers (of two or more units) whose maps ``(n_units, r, r)`` are all the same,
    up to round-off: their units are copies of one another."""
    return tuple(
        layer
        for layer, values in maps.items()
        if len(values) > 1
        and diagnostics.unit_symmetry(np.asarray(values).reshape(len(values), -1)).identical
    )


@dataclass(frozen=True)
class MapsSummary:
    """What the small maps show, in numbers for the sentence under them: the layers whose
    maps are all the same (``identical``), how many maps are 0 everywhere (``empty``; all
    of them: ``silent``), and ``capped``: layer -> ``(shown, total)`` for the layers not
    shown in full."""

    identical: tuple[int, ...]
    empty: int
    silent: bool
    capped: dict[int, tuple[int, int]]


def small_maps(
    params: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    points: bool,
    title: str,
    activation: str = "relu",
):
    """``(figure of the small maps, its MapsSummary)``."""
    sizes = _hidden_sizes(params)
    units = shown_units(sizes)
    resolution = small_resolution(sum(len(chosen) for chosen in units.values()))
    with np.errstate(all="ignore"):  # huge initial weights may overflow: drawn as they are
        xs, ys, maps = hidden_unit_maps(
            dict(params),
            _plane(data),
            resolution=resolution,
            margin=figures.MAP_MARGIN,
            units=units,
            activation=activation,
        )
    figure = figures.unit_maps_figure(
        xs,
        ys,
        maps,
        X=data.X_train if points else None,
        Y=data.Y_train if points else None,
        title=title,
    )
    capped = {
        layer: (len(units[layer]), size)
        for layer, size in enumerate(sizes, 1)
        if len(units[layer]) < size
    }
    empty = sum(int(np.sum(~np.any(values, axis=(1, 2)))) for values in maps.values())
    shown = sum(len(values) for values in maps.values())
    return figure, MapsSummary(identical_layers(maps), empty, empty == shown, capped)


def large_map(
    params: Mapping[str, np.ndarray],
    data: Dataset,
    layer: int,
    unit: int,
    *,
    title: str,
    activation: str = "relu",
):
    """The figure of hidden unit ``unit`` (0-based) of ``layer``, large, with the points."""
    with np.errstate(all="ignore"):
        xs, ys, maps = hidden_unit_maps(
            dict(params),
            _plane(data),
            resolution=LARGE_RESOLUTION,
            margin=figures.MAP_MARGIN,
            units={layer: [unit]},
            activation=activation,
        )
    return figures.unit_map_figure(xs, ys, maps[layer][0], data.X_train, data.Y_train, title=title)


def _when_label(when: str) -> str:
    return _("At initialization") if when == "start" else _("After training")


def _verdict(summary: MapsSummary, layers: int) -> str:
    """In words: which layers' units are copies of one another, and which units are
    silent."""
    if summary.silent:
        return _(
            "Every unit outputs 0 at every point: all maps are the same, and empty. No "
            "signal reaches the output, and no gradient comes back."
        )
    identical = summary.identical
    names = ", ".join(str(layer) for layer in identical)
    if not identical:
        verdict = _("Every unit has a map of its own: the symmetry is broken.")
    elif len(identical) == layers:
        verdict = _(
            "In every layer all maps are the same (layers {layers}): each layer works like "
            "a single unit, copied."
        ).format(layers=names)
    else:
        verdict = _("All maps are the same in layer(s) {layers}: those units are copies.")
        verdict = verdict.format(layers=names)
    if summary.empty and not identical:
        verdict += " " + _(
            "{count} map(s) are empty: those units output 0 at every point (dead ReLUs) and "
            "pass nothing on."
        ).format(count=summary.empty)
    return verdict


def _choice(label: str, widget_key: str, options, format_func, default=None):
    """One of ``options`` (stable ids, the first by default), as buttons side by side."""
    return bound_widget(
        st.segmented_control,
        label,
        widget_key,
        options[0] if default is None else default,
        options=list(options),
        format_func=format_func,
        required=True,
    )


def unit_maps(
    prefix: str,
    data: Dataset,
    data_key: Hashable,
    networks: Mapping[str, UnitNetwork],
    *,
    text: str,
    look_for: str,
    opt_in: bool = False,
) -> None:
    """The section: its header and explanation (``text``, ``look_for``), which network
    and when, its small maps, which layers are symmetric, then a chosen unit large.
    ``networks``: option id (stable, in the URL) -> network. With ``opt_in`` the maps
    wait for a toggle (``?<prefix>_units=true`` in a link): a page where they are not
    the lesson's point does not build them for every visitor."""
    st.header(_("Inside the network: one map per hidden unit"))
    if opt_in and not bound_widget(
        st.toggle,
        _("Show every hidden unit's map"),
        key(prefix, "units"),
        False,
        help=_("A small map per hidden unit of its output over the plane, and any unit large."),
    ):
        return
    page.explain(text, look_for=look_for)
    picks = st.columns([3, 3, 2], vertical_alignment="bottom")
    with picks[0]:
        chosen = _choice(
            _("Network"), key(prefix, "units_net"), list(networks), lambda n: networks[n].label
        )
    with picks[1]:
        when = _choice(_("Weights"), key(prefix, "units_when"), WHEN, _when_label, "trained")
    with picks[2]:
        points = bound_widget(
            st.toggle,
            _("Show the points"),
            key(prefix, "units_points"),
            False,
            help=_("Draw the training points lightly on every small map."),
        )
    network = networks[chosen]
    params = network.result.initial_params if when == "start" else network.result.params
    title = _("Units at initialization") if when == "start" else _("Units after training")
    figure, summary = memoize(
        ("unit maps", data_key, network.run_key, when, points),
        lambda: small_maps(params, data, points=points, title=title, activation=network.activation),
    )
    page.chart(figure, key=f"{prefix}-unit-maps")
    sizes = _hidden_sizes(params)
    st.markdown(f"**{_verdict(summary, len(sizes))}**")
    if summary.capped:
        parts = "; ".join(
            _("layer {layer}, the first {shown} of {total}").format(
                layer=layer, shown=shown, total=total
            )
            for layer, (shown, total) in summary.capped.items()
        )
        st.caption(
            _(
                "Too many units to draw them all: {parts}. Any unit can be shown large below."
            ).format(parts=parts)
        )

    options = [(layer, unit) for layer, size in enumerate(sizes, 1) for unit in range(size)]
    # Above the large map, so a phone (one column) shows the choice before its map.
    layer, unit = bound_widget(
        st.columns([2, 3])[0].selectbox,
        _("Unit to show large"),
        key(prefix, "unit"),
        options[0],
        options=options,
        format_func=lambda option: _("Layer {layer}, unit {unit}").format(
            layer=option[0], unit=option[1] + 1
        ),
    )
    map_column, text_column = st.columns([3, 2])
    with text_column:
        page.explain(
            _(
                "The chosen unit's output at every point of the plane, with the training "
                "points. A ReLU unit is 0 (no colour) on one side of a boundary and grows "
                "on the other; in layer 1 that boundary is a straight line, later layers "
                "combine the lines before them into bends and corners."
            ),
        )
    page.chart(
        memoize(
            ("unit map", data_key, network.run_key, when, layer, unit),
            lambda: large_map(
                params,
                data,
                layer,
                unit,
                title=_("Layer {layer}, unit {unit}").format(layer=layer, unit=unit + 1),
                activation=network.activation,
            ),
        ),
        key=f"{prefix}-unit-map",
        container=map_column,
    )


def initialization_unit_maps(
    prefix: str,
    data: Dataset,
    data_key: Hashable,
    scheme: str,
    trained: Mapping[str, TrainResult],
    configs: Mapping[str, TrainConfig],
) -> None:
    """The Initialization lesson's section: the chosen scheme's network and the constant
    start's (trained as ``trained["constant"]`` from ``configs["he"]``'s settings)."""
    constant_weight = lesson_controls.CONSTANT_WEIGHT
    networks = {
        "scheme": UnitNetwork(
            lesson_controls.SCHEMES[scheme],
            trained[scheme],
            configs[scheme],
            configs[scheme].activation,
        ),
        "constant": UnitNetwork(
            _("All weights {weight:g}").format(weight=constant_weight),
            trained["constant"],
            (configs["he"], "constant", constant_weight),
            configs["he"].activation,
        ),
    }
    text = _(
        "Every small map is one hidden unit: its output at each point of the plane, "
        "a layer a row, each layer on its own colour scale beside its row (no colour: "
        "the unit outputs 0 there)."
    )
    look_for = _(
        "with zeros every map is empty; with all weights {weight:g} every map of a "
        "layer is the same, at the start and after training: the symmetry never "
        "breaks. With He or Xavier each unit has its own map, and training turns them "
        "into pieces of the rings."
    ).format(weight=constant_weight)
    unit_maps(prefix, data, data_key, networks, text=text, look_for=look_for)


def regularization_unit_maps(
    prefix: str,
    data: Dataset,
    data_key: Hashable,
    runs: Mapping[str, TrainResult],
    configs: Mapping[str, TrainConfig],
) -> None:
    """The Regularization lesson's section: the hidden units of the course's three models
    (``runs`` and ``configs`` keyed alike: no regularization, L2, dropout)."""
    networks = {
        model: UnitNetwork(
            lesson_controls.MODES[model], runs[name], configs[name], configs[name].activation
        )
        for model, name in zip(("none", "l2", "dropout"), configs, strict=True)
    }
    text = _(
        "What each hidden unit of the course's three models computes: a small map per "
        "unit of its output over the plane, a layer a row, each layer on its own colour "
        "scale."
    )
    look_for = _(
        "compare the ranges beside the rows: with L2 the units' outputs stay smaller, "
        "because L2 keeps the weights small. All three start from the same weights "
        "(switch to At initialization), so every difference after training comes from "
        "the regularization."
    )
    unit_maps(prefix, data, data_key, networks, text=text, look_for=look_for, opt_in=True)
