"""Pure figure builders: NumPy arrays in, Plotly figures (or small tables) out.

No Streamlit calls here, so every builder can be unit-tested on its data. Shapes follow the
course: points ``X (2, m)``, labels ``Y (1, m)`` with values 0/1.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dnn_core import decision_grid
from dnn_core.datasets import Dataset
from dnn_core.diagnostics import FLAT_SPREAD, layer_spread

from .i18n import N_, _

# One palette for the whole lab, so a class or a series keeps its colour on every page:
# Okabe and Ito's colours, told apart with every common colour-vision deficiency. Classes
# also differ in marker shape (and the splits in fill), so a map reads in grey print too.
CLASS_COLORS = {0: "#D55E00", 1: "#0072B2"}  # vermillion, blue
CLASS_SYMBOLS = {0: "circle", 1: "square"}  # training points; test points: the open shape
CLASS_SIZES = {0: 8, 1: 7}  # a square of a circle's size looks larger (and blue darker)
SERIES_COLORS = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion (after the first four: it is close to orange)
    "#56B4E9",  # sky blue
    "#6F6F6F",  # grey (Okabe and Ito's black, softened: it must show on a dark page too)
    "#B8A000",  # dark yellow (their yellow is unreadable on white)
)
# Line dashes, so series stay apart where their curves meet (and in grey print).
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#E69F00"
# Probability of class 1: class 0's tint through white (undecided) to class 1's tint.
PROBABILITY_SCALE = [[0.0, "#F6C4A2"], [0.5, "#FFFFFF"], [1.0, "#A6CDEA"]]
WEIGHT_SCALE = "RdBu"  # weights: negative red, zero white, positive blue

# Page colours (the app's [theme.light] and [theme.dark] in .streamlit/config.toml, so a
# chart sits on the page without a frame; tests/ui/test_figures.py checks they agree).
LIGHT_BACKGROUND = "#FFFFFF"
LIGHT_TEXT = "#1F2933"
DARK_BACKGROUND = "#0E1117"
DARK_TEXT = "#E6EAF0"
_LIGHT_GRID = "#E3E8EF"
_DARK_GRID = "#2C3440"
BOUNDARY_COLOR = "#222222"  # the decision boundary's line
MARK_COLOR = "#444444"  # the line at a chosen value
THRESHOLD_COLOR = "#888888"
NOTE_COLOR = "#666666"
NOTE_BACKGROUND = "rgba(255, 255, 255, 0.85)"


def _template(background: str, text: str, grid: str) -> go.layout.Template:
    """The few layout defaults these figures use (a full Plotly template costs more to
    build and copy than a small figure itself)."""
    axis = {
        "gridcolor": grid,
        "linecolor": grid,
        "zerolinecolor": grid,
        "zerolinewidth": 2,
        "ticks": "",
        "automargin": True,  # room for large tick labels and axis titles
        "title": {"standoff": 12, "font": {"size": AXIS_TITLE_SIZE}},
    }
    return go.layout.Template(
        layout={
            "autotypenumbers": "strict",
            "colorway": SERIES_COLORS,
            "font": {"color": text},
            "hovermode": "closest",
            "hoverlabel": {"align": "left", "font": {"size": HOVER_SIZE}},
            "paper_bgcolor": background,
            "plot_bgcolor": background,
            "xaxis": axis,
            "yaxis": axis,
            "coloraxis": {"colorbar": {"outlinewidth": 0, "ticks": ""}},
            "shapedefaults": {"line": {"color": text}},
            "annotationdefaults": {"arrowcolor": text, "arrowhead": 0, "arrowwidth": 1},
        }
    )


# Sizes in CSS pixels, legible on a projected 1280 x 720 page from the back of a room:
# tick labels, legends and colour bars 16 px (the base size), axis titles 18, titles 22.
FONT_SIZE = 16
TITLE_SIZE = 22
AXIS_TITLE_SIZE = 18
HOVER_SIZE = 16
SMALL_FONT_SIZE = 14  # labels on a chart's edge (threshold values)
TEMPLATE = _template(LIGHT_BACKGROUND, LIGHT_TEXT, _LIGHT_GRID)
DARK_TEMPLATE = _template(DARK_BACKGROUND, DARK_TEXT, _DARK_GRID)
TITLE_CHARS = 28  # a title line that fits a phone's width
COMPACT_TITLE_CHARS = 20  # ... or a third of a projected page
HEIGHT = 460
MAP_HEIGHT = 540  # maps keep equal axes, so they need more height to be as wide
NO_BOUNDARY = N_("No decision boundary:<br>the same answer everywhere")
# Table columns named in English by the core and the pages (``ui.page.results_table``
# shows them in the reader's language).
TABLE_COLUMNS = (
    N_("model"),
    N_("initialization"),
    N_("optimizer"),
    N_("comment"),
    N_("train accuracy"),
    N_("test accuracy"),
    N_("gap (pts)"),
    N_("final cost"),
    N_("training time (s)"),
    N_("layer"),
    N_("std of A[l] at start"),
    N_("std of A[l] after"),
    N_("mean |dW[l]| at start"),
)
MAP_MARGIN = 0.08  # of the points' span on each side: a frame, not a moat
LIVE_RESOLUTION = 80  # coarse grid while training (small messages), finer when done
FINAL_RESOLUTION = 160
COMPACT_RESOLUTION = 100  # a small multiple, a third of a page wide: 100 points fill it
# Grid points per side above which the boundary line is traced on every other one.
THIN_CONTOUR_ABOVE = 100


def series_color(index: int) -> str:
    """The palette colour of the ``index``-th series (cycles)."""
    return SERIES_COLORS[index % len(SERIES_COLORS)]


def _style(
    fig: go.Figure, title: str, *, height: int = HEIGHT, title_chars: int = TITLE_CHARS
) -> go.Figure:
    # The legend sits along the bottom edge, below the axis title, so it never collides
    # with the title, subplot titles or a colour bar.
    has_legend = fig.layout.showlegend is not False and len(fig.data) > 1
    # Plotly never wraps a title: long ones are broken at spaces so they fit a phone (or a
    # third of a projected page) instead of running off the chart.
    title = wrap_title(title, title_chars) if "<br>" not in title else title
    lines = title.count("<br>") + 1 if title else 0
    _set_layout(
        fig,
        template=TEMPLATE,
        # Set on the plot's top edge and growing upwards: Plotly anchors a title's "top"
        # at its first line, so a wrapped title's first line ran off the chart.
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": _title_pad(lines, TITLE_SIZE),
            "font": {"size": TITLE_SIZE},
        },
        font={"size": FONT_SIZE},
        height=height,
        margin={
            "l": 60,
            "r": 20,
            "t": 25 + 25 * lines if title else 15,
            "b": 105 if has_legend else 55,
        },
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0.0,
            "yanchor": "bottom",
            "x": 0.0,
            "xanchor": "left",
            "traceorder": "normal",  # no gaps between legend groups
        },
    )
    return fig


def _set_layout(fig: go.Figure, **values) -> None:
    """``fig.update_layout(**values)`` at a quarter of the cost: a top-level property the
    figure has not set yet is assigned whole, where ``update_layout`` walks and validates
    every nested path one by one (about 6 ms a figure for :func:`_style`'s); one the figure
    has set is merged into, as ``update_layout`` does."""
    layout = fig.layout
    for key, value in values.items():
        if isinstance(value, dict) and layout[key].to_plotly_json():
            fig.update_layout({key: value})
        else:
            layout[key] = value


def _merge_into_axes(fig: go.Figure, kind: str, **values) -> None:
    """``fig.update_xaxes(**values)`` (``kind`` ``"xaxis"``) or ``update_yaxes`` on every
    axis of that kind, each axis assigned whole with its properties and ``values`` merged
    (see :func:`_set_layout`: a quarter of the cost on a grid of small maps)."""
    for name in fig.layout:
        if name.startswith(kind):
            fig.layout[name] = {**fig.layout[name].to_plotly_json(), **values}


def _is_wide(character: str) -> bool:
    """Whether ``character`` takes two columns (Chinese characters and punctuation)."""
    return unicodedata.east_asian_width(character) in ("W", "F")


def wrap_title(title: str, width: int) -> str:
    """``title`` broken into ``<br>``-separated lines of at most ``width`` columns: at
    spaces, and in Chinese also between two characters (one counts two columns, as wide as
    two Latin letters), preferably after a comma or colon or before a bracket, never inside
    a Latin word or before closing punctuation."""
    if not any(_is_wide(character) for character in title):
        return "<br>".join(textwrap.wrap(title, width))
    lines, rest = [], title.strip()
    while _columns(rest) > width:
        cut = _fitting(rest, width)
        natural = [
            i
            for i in range(max(cut // 2, 1), cut + 1)
            if rest[i - 1] in _BREAK_AFTER or rest[i - 1].isspace() or rest[i] in _BREAK_BEFORE
        ]
        if natural:
            cut = natural[-1]
        else:
            while (
                cut > 1
                and rest[cut - 1].isascii()
                and rest[cut].isascii()
                and not (rest[cut - 1].isspace() or rest[cut].isspace())
            ):
                cut -= 1  # not inside a Latin word or number
        while cut < len(rest) and rest[cut] in _CLOSING:
            cut += 1  # closing punctuation stays with what it closes
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        lines.append(rest)
    return "<br>".join(lines)


_BREAK_AFTER = frozenset("，、：；。！？,:;")  # noqa: RUF001 (Chinese punctuation)
_BREAK_BEFORE = frozenset("（(")  # noqa: RUF001 (Chinese punctuation)
_CLOSING = frozenset("，、：；。！？）)”’")  # noqa: RUF001 (Chinese punctuation)


def _unwrapped(lines: list[str]) -> str:
    """Wrapped lines joined back: with a space, except between Chinese characters."""
    text = lines[0]
    for line in lines[1:]:
        wide = text and line and (_is_wide(text[-1]) or _is_wide(line[0]))
        text += ("" if wide else " ") + line
    return text


def _columns(text: str) -> int:
    return sum(2 if _is_wide(character) else 1 for character in text)


def _fitting(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` columns (at least one)."""
    used = 0
    for index, character in enumerate(text):
        used += 2 if _is_wide(character) else 1
        if used > width:
            return max(index, 1)
    return len(text)


def _title_pad(lines: int, size: int) -> dict[str, int]:
    """The gap above a title of ``lines`` lines in ``size`` px that puts its first line
    8 px below the chart's top edge: Plotly lifts a wrapped title by 0.7 of its size per
    line after the first (measured in chromium), which ran its first line off the chart."""
    return {"t": 8 + round(0.7 * size * max(lines - 1, 0))}


def _point_traces(X: np.ndarray, Y: np.ndarray, split: str) -> list[go.Scatter]:
    """One scatter trace per class, each class its colour and shape (circles, squares);
    training points filled, test points open and a little larger, so a test point beside
    a training point shows as a ring around it instead of covering it."""
    traces = []
    labels = np.asarray(Y).ravel()
    for label in (0, 1):
        chosen = labels == label
        shown = (_("test, class {label}") if split == "test" else _("train, class {label}")).format(
            label=label
        )
        if split == "test":
            marker = {
                "symbol": f"{CLASS_SYMBOLS[label]}-open",
                "size": CLASS_SIZES[label] + 3,
                "color": CLASS_COLORS[label],
                "line": {"width": 2.5},
            }
        else:
            marker = {
                "symbol": CLASS_SYMBOLS[label],
                "size": CLASS_SIZES[label],
                "color": CLASS_COLORS[label],
                "line": {"width": 0.8, "color": LIGHT_BACKGROUND},
            }
        traces.append(
            go.Scatter(
                x=X[0, chosen],
                y=X[1, chosen],
                mode="markers",
                name=shown,
                legendgroup=split,
                marker=marker,
                hovertemplate=f"{shown}<br>x1=%{{x:.2f}}<br>x2=%{{y:.2f}}<extra></extra>",
            )
        )
    return traces


def scatter_figure(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None,
    *,
    title: str = "",
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """The data: training points filled, test points (if given) open; class 0 circles,
    class 1 squares.

    ``X_* (2, m)``, ``Y_* (1, m)``.
    """
    fig = go.Figure(_point_traces(X_train, Y_train, "train"))
    if X_test is not None and Y_test is not None:
        fig.add_traces(_point_traces(X_test, Y_test, "test"))
    fig.update_xaxes(title="x1", zeroline=False, constrain="domain")
    fig.update_yaxes(title="x2", zeroline=False, scaleanchor="x", scaleratio=1, constrain="domain")
    return _style(fig, title, height=height)


def decision_boundary_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None,
    *,
    title: str = "",
    height: int = MAP_HEIGHT,
    compact: bool = False,
) -> go.Figure:
    """The network's probability of class 1 as a heatmap, its 0.5 contour (the decision
    boundary) as a dark line, and the points on top.

    ``xs (r,)``, ``ys (r,)``, ``probs (r, r)`` as from :func:`dnn_core.decision_grid`
    (``probs[i, j]`` at ``(xs[j], ys[i])``). ``compact`` drops the colour bar and the
    legend, for small multiples side by side.
    """
    probs = np.asarray(probs)
    # Sent as float32: a map is drawn to 1/256 of a colour and hovered to 2 decimals, and
    # half the bytes is half of what every student's page costs the server to send.
    shown = probs.astype(np.float32)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=xs,
            y=ys,
            z=shown,
            zmin=0.0,
            zmax=1.0,
            colorscale=PROBABILITY_SCALE,
            colorbar={"title": {"text": _("P(class 1)"), "side": "right"}, "thickness": 14},
            hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>"
            + _("P(class 1)")
            + "=%{z:.2f}<extra></extra>",
            name=_("P(class 1)"),
            showscale=not compact,
        )
    )
    # The 0.5 level only exists where the probability crosses it, and means something only
    # where the probability varies: a flat 0.5 +- 1e-6 would draw round-off as a zig-zag.
    finite = probs[np.isfinite(probs)]
    flat = not finite.size or np.ptp(finite) < FLAT_SPREAD
    if flat:
        _centre_note(fig, _(NO_BOUNDARY))
    elif finite.min() < 0.5 < finite.max():
        # Every other row and column of a fine grid (edges kept) traces the same line to
        # within a pixel, and leaves the map a third lighter to send.
        rows = _thinned(len(ys)) if len(ys) > THIN_CONTOUR_ABOVE else slice(None)
        cols = _thinned(len(xs)) if len(xs) > THIN_CONTOUR_ABOVE else slice(None)
        fig.add_trace(
            go.Contour(
                x=np.asarray(xs)[cols],
                y=np.asarray(ys)[rows],
                z=shown[rows][:, cols],
                contours={"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "none"},
                line={"color": BOUNDARY_COLOR, "width": 2.5},
                showscale=False,
                hoverinfo="skip",
                name=_("boundary"),
                showlegend=True,
            )
        )
    fig.add_traces(_point_traces(X_train, Y_train, "train"))
    if X_test is not None and Y_test is not None:
        fig.add_traces(_point_traces(X_test, Y_test, "test"))
    _map_axes(fig, xs, ys)
    if compact:
        fig.update_layout(showlegend=False)
    return _style(
        fig, title, height=height, title_chars=COMPACT_TITLE_CHARS if compact else TITLE_CHARS
    )


def _map_axes(fig: go.Figure, xs: np.ndarray, ys: np.ndarray, *, x_axis: str = "x", **where):
    """A map's axes over its grid ``xs``, ``ys``: equal units on both, kept by shrinking
    the plot area rather than widening an axis beyond the map (which left the map small
    inside empty axes). ``where``: the subplot (``row``, ``col``), with ``x_axis`` its x."""
    fig.update_xaxes(
        title="x1", range=[float(xs[0]), float(xs[-1])], zeroline=False, constrain="domain", **where
    )
    fig.update_yaxes(
        title="x2",
        range=[float(ys[0]), float(ys[-1])],
        zeroline=False,
        scaleanchor=x_axis,
        scaleratio=1,
        constrain="domain",
        **where,
    )


def _centre_note(fig: go.Figure, text: str) -> None:
    """A note in the middle of the chart, on a veil that keeps it readable."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        bgcolor=NOTE_BACKGROUND,
        font={"size": FONT_SIZE},
    )


def _thinned(size: int) -> np.ndarray:
    """Every other index of ``range(size)``, the last one included."""
    return np.unique(np.r_[0:size:2, size - 1])


def boundary_figure(
    params: Mapping[str, np.ndarray],
    data: Dataset,
    *,
    show_test: bool = True,
    title: str = "",
    resolution: int | None = None,
    height: int = MAP_HEIGHT,
    compact: bool = False,
    activation: str = "relu",
):
    """The decision-boundary figure of ``params`` (hidden layers ``activation``) over
    ``data``'s range (train and test points span the grid, so hiding the test points keeps
    the same view), on a grid of ``resolution`` points per side (default
    :data:`FINAL_RESOLUTION`, or :data:`COMPACT_RESOLUTION` for a ``compact`` map)."""
    resolution = resolution or (COMPACT_RESOLUTION if compact else FINAL_RESOLUTION)
    everything = np.concatenate([data.X_train, data.X_test], axis=1)
    with np.errstate(all="ignore"):  # a diverged run's huge weights may overflow: drawn as is
        xs, ys, probs = decision_grid(
            dict(params),
            everything,
            resolution=resolution,
            margin=MAP_MARGIN,
            activation=activation,
        )
    return decision_boundary_figure(
        xs,
        ys,
        probs,
        data.X_train,
        data.Y_train,
        data.X_test if show_test else None,
        data.Y_test if show_test else None,
        title=title,
        height=height,
        compact=compact,
    )


def cost_curves_figure(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    title: str | None = None,
    num_iterations: int | None = None,
    log_y: bool = False,
    height: int = HEIGHT,
    x_title: str | None = None,
) -> go.Figure:
    """Cost against iteration, one line per entry of ``curves``: name -> ``(iterations
    (n,), costs (n,))``. ``num_iterations`` fixes the x range so a curve grows into it
    while training runs; ``x_title`` names the x axis (default "iteration"; e.g. "epoch").
    ``title`` defaults to "Cost"."""
    title = _("Cost") if title is None else title
    x_title = _("iteration") if x_title is None else x_title
    cost = _("cost")
    fig = go.Figure()
    for index, (name, (iterations, costs)) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=np.asarray(iterations),
                y=np.asarray(costs),
                # A run that diverged early has too few points to draw a line.
                mode="lines" if np.size(iterations) > 2 else "lines+markers",
                name=name,
                line={
                    "color": series_color(index),
                    "width": 3,
                    "dash": SERIES_DASHES[index % len(SERIES_DASHES)],
                },
                hovertemplate=f"{name}<br>{x_title} %{{x}}<br>{cost} %{{y:.4f}}<extra></extra>",
            )
        )
    fig.update_xaxes(title=x_title)
    if num_iterations is not None:
        fig.update_xaxes(range=[0, max(int(num_iterations) - 1, 1)])
    if log_y:  # one tick per decade: costs can span from 1e-3 to 1e2
        fig.update_yaxes(title=cost, type="log", dtick=1, exponentformat="power")
    else:
        fig.update_yaxes(title=cost, rangemode="tozero")
    return _style(fig, title, height=height)


def train_test_costs_figure(
    curves: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray]]],
    *,
    title: str | None = None,
    num_iterations: int | None = None,
    height: int = HEIGHT,
) -> go.Figure:
    """Overfitting as it happens: model -> ``{"train": (iterations, costs), "test": ...}``
    drawn as one colour a model, training points solid and test points dashed. A test
    curve that turns up while its training curve still falls is the network fitting noise.
    ``title`` defaults to "Cross-entropy on training and test points"."""
    title = _("Cross-entropy on training and test points") if title is None else title
    split_names = {"train": _("train"), "test": _("test")}
    iteration, cross_entropy = _("iteration"), _("cross-entropy")
    fig = go.Figure()
    for index, (model, splits) in enumerate(curves.items()):
        for split, dash in (("train", "solid"), ("test", "dash")):
            if split not in splits:
                continue
            iterations, costs = splits[split]
            fig.add_trace(
                go.Scatter(
                    x=np.asarray(iterations),
                    y=np.asarray(costs),
                    mode="lines",
                    name=f"{model}, {split_names[split]}",
                    legendgroup=model,
                    line={"color": series_color(index), "width": 3, "dash": dash},
                    hovertemplate=f"{model}, {split_names[split]}<br>{iteration} %{{x}}<br>"
                    f"{cross_entropy} %{{y:.4f}}<extra></extra>",
                )
            )
    fig.update_xaxes(title=iteration)
    if num_iterations is not None:
        fig.update_xaxes(range=[0, max(int(num_iterations) - 1, 1)])
    fig.update_yaxes(title=cross_entropy, rangemode="tozero")
    return _style(fig, title, height=height)


def with_gap(table: pd.DataFrame) -> pd.DataFrame:
    """A results table with a ``gap (pts)`` column: train minus test accuracy in
    percentage points (large and positive: the model overfits)."""
    gap = (table["train accuracy"] - table["test accuracy"]) * 100
    return table.assign(**{"gap (pts)": gap})


def layer_histograms_figure(
    panels: Mapping[str, Mapping[str, np.ndarray]],
    *,
    title: str = "",
    x_title: str = "value",
    bins: int = 40,
    height: int = 360,
) -> go.Figure:
    """Histograms side by side, one panel per key of ``panels`` (e.g. per layer); each
    panel overlays its named series (e.g. "at initialization", "after training").

    Values of any shape are flattened. Every panel gets its own x range, so a layer whose
    values collapse towards zero (vanishing) or spread far out (exploding) shows it.
    """
    count = _("count")
    names = list(panels)
    fig = make_subplots(rows=1, cols=max(len(names), 1), subplot_titles=names)
    series_names: list[str] = []
    for panel in panels.values():
        series_names.extend(name for name in panel if name not in series_names)
    for column, name in enumerate(names, start=1):
        for series, values in panels[name].items():
            index = series_names.index(series)
            flat = np.asarray(values, dtype=np.float64).ravel()
            flat = flat[np.isfinite(flat)]
            fig.add_trace(
                go.Histogram(
                    x=flat,
                    nbinsx=bins,
                    name=series,
                    legendgroup=series,
                    showlegend=column == 1,
                    marker={"color": series_color(index)},
                    opacity=0.65,
                    hovertemplate=f"{series}<br>%{{x}}<br>{count} %{{y}}<extra></extra>",
                ),
                row=1,
                col=column,
            )
    # One x title under the middle panel: repeated under each, they ran into each other.
    fig.update_xaxes(title=x_title, row=1, col=(len(names) + 1) // 2 or 1)
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(title=_("count"), row=1, col=1)
    fig.update_annotations(font={"size": AXIS_TITLE_SIZE})  # the subplot titles
    # Narrow panels side by side (four on a phone's 390 px): three short ticks each, so
    # neighbouring labels never run into each other (Plotly turns them if they would).
    fig.update_xaxes(nticks=3, tickformat="~g")
    return _style(fig, title, height=height)


def layer_signal_figures(start: tuple[dict, dict], end: tuple[dict, dict]):
    """Histograms of activations and weight gradients per layer at initialization and after
    training, and a table of their spread. ``start``/``end``: ``(activations, gradients)``
    as :func:`dnn_core.diagnostics.layer_signals` gives them."""
    (activations_start, gradients_start), (activations_end, gradients_end) = start, end
    before, after = _("at initialization"), _("after training")
    activation_figure = layer_histograms_figure(
        {
            _layer_name(layer): {before: activations_start[layer], after: values}
            for layer, values in activations_end.items()
        },
        title=_("Activations A[l] on the training set"),
        x_title=_("activation"),
    )
    gradient_figure = layer_histograms_figure(
        {
            _layer_name(layer): {before: gradients_start[layer], after: values}
            for layer, values in gradients_end.items()
        },
        title=_("Weight gradients dW[l]"),
        x_title=_("gradient"),
    )
    spread = pd.DataFrame(layer_spread(activations_start, activations_end, gradients_start))
    spread["layer"] = [_layer_name(layer) for layer in spread["layer"]]
    return activation_figure, gradient_figure, spread


def _layer_name(name: str) -> str:
    """The core's ``"layer 2"`` in the reader's language."""
    number = name.removeprefix("layer ")
    return _("layer {number}").format(number=number) if number.isdigit() else name


def weight_magnitudes_figure(runs: Mapping[str, Mapping[str, np.ndarray]]) -> go.Figure:
    """Histograms of |W[l]| per layer, one colour per run (``runs``: name -> params)."""
    first = next(iter(runs.values()))
    layers = range(1, len(first) // 2 + 1)
    return layer_histograms_figure(
        {
            f"|W{layer}|": {name: np.abs(params[f"W{layer}"]) for name, params in runs.items()}
            for layer in layers
        },
        title=_("Weight magnitudes after training, per layer"),
        x_title=_("|weight|"),
        bins=30,
    )


def weights_heatmap_figure(
    W: np.ndarray,
    *,
    title: str = "",
    row_label: str | None = None,
    column_label: str | None = None,
    height: int = 320,
) -> go.Figure:
    """A weight matrix ``W (n_l, n_{l-1})`` as a heatmap: one row per unit, so identical
    rows (symmetric units) show as identical stripes. Colours are centred on zero."""
    W = np.asarray(W, dtype=np.float64)
    bound = float(np.max(np.abs(W))) if W.size else 0.0
    bound = bound if bound > 0 else 1.0
    column_label, row_label = column_label or _("input"), row_label or _("unit")
    fig = go.Figure(
        go.Heatmap(
            z=W,
            x=[f"{column_label} {j + 1}" for j in range(W.shape[1])],
            y=[f"{row_label} {i + 1}" for i in range(W.shape[0])],
            zmin=-bound,
            zmax=bound,
            colorscale=WEIGHT_SCALE,
            colorbar={"thickness": 14},
            hovertemplate="%{y}, %{x}<br>" + _("weight") + " %{z:.4g}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title, height=height)


def sweep_figure(
    values: np.ndarray,
    train_accuracy: np.ndarray,
    test_accuracy: np.ndarray,
    *,
    x_title: str,
    title: str = "",
    marked: float | None = None,
    log_x: bool = False,
    height: int = 380,
) -> go.Figure:
    """Train and test accuracy against a setting (``values (K,)``, accuracies ``(K,)``);
    ``marked`` draws a vertical line at the currently chosen value."""
    fig = go.Figure()
    for name, accuracy, color, dash, symbol in (
        (_("train"), train_accuracy, TRAIN_COLOR, "solid", "circle"),
        (_("test"), test_accuracy, TEST_COLOR, "dash", "diamond"),
    ):
        fig.add_trace(
            go.Scatter(
                x=np.asarray(values),
                y=np.asarray(accuracy),
                mode="lines+markers",
                name=name,
                line={"color": color, "width": 3, "dash": dash},
                marker={"size": 10, "symbol": symbol},
                hovertemplate=f"{x_title} = %{{x:g}}<br>"
                + _("{split} accuracy").format(split=name)
                + " %{y:.1%}<extra></extra>",
            )
        )
    if marked is not None:
        fig.add_vline(x=marked, line={"color": MARK_COLOR, "dash": "dot", "width": 2})
    fig.update_xaxes(title=x_title, type="log" if log_x else "linear")
    fig.update_yaxes(title=_("accuracy"), tickformat=".1%")
    return _style(fig, title, height=height)


def results_table(
    names: Sequence[str],
    train_accuracy: Sequence[float],
    test_accuracy: Sequence[float],
    *,
    label: str = "model",
) -> pd.DataFrame:
    """The course's comparison table: one row per model with its train/test accuracy
    (fractions in [0, 1]; NaN for a model that could not be trained)."""
    return pd.DataFrame(
        {
            label: list(names),
            "train accuracy": np.asarray(train_accuracy, dtype=np.float64),
            "test accuracy": np.asarray(test_accuracy, dtype=np.float64),
        }
    )


# --- Gradient checking ---

# The course's verdict levels, from "backprop agrees" to "backprop is wrong".
VERDICT_COLORS = {
    "great": "#3a9a5b",
    "ok": "#c9a227",
    "suspicious": "#e07a1f",
    "wrong": "#d1495b",
    "error": "#6c757d",
}
CHECK_THRESHOLDS = ((1e-7, "1e-7"), (1e-5, "1e-5"), (1e-2, "1e-2"))
_TINY_DIFFERENCE = 1e-18  # an exact zero has no place on a log axis: drawn at the bottom


def _threshold_lines(fig: go.Figure) -> None:
    """Dashed horizontal lines at the course's thresholds on a log y axis, labelled at the
    right end (annotations on a log axis take log10 of the value)."""
    for value, label in CHECK_THRESHOLDS:
        fig.add_hline(y=value, line={"color": THRESHOLD_COLOR, "dash": "dash", "width": 1.5})
        fig.add_annotation(
            x=1.0,
            xref="paper",
            y=np.log10(value),
            yref="y",
            text=label,
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": SMALL_FONT_SIZE, "color": NOTE_COLOR},
        )


def epsilon_sweep_figure(
    epsilons: np.ndarray,
    differences: Mapping[str, np.ndarray],
    *,
    chosen_epsilon: float | None = None,
    title: str = "",
    height: int = HEIGHT,
) -> go.Figure:
    """Relative difference of a 1-D check against ε on log-log axes, one line per entry of
    ``differences``: name (e.g. "float64") -> ``(n,)``, for ``epsilons (n,)``.

    ε decreases to the right: truncation error falls (like ε²) until the round-off error of
    ``J(θ+ε) - J(θ-ε)`` takes over and grows (like 1/ε). ``chosen_epsilon`` is marked.
    """
    epsilons = np.asarray(epsilons, dtype=np.float64)
    difference = _("difference")
    fig = go.Figure()
    for index, (name, values) in enumerate(differences.items()):
        values = np.maximum(np.asarray(values, dtype=np.float64), _TINY_DIFFERENCE)
        fig.add_trace(
            go.Scatter(
                x=epsilons,
                y=values,
                mode="lines+markers",
                name=name,
                line={"color": series_color(index), "width": 3},
                marker={"size": 7},
                hovertemplate=f"{name}<br>ε = %{{x:.0e}}<br>{difference} %{{y:.2e}}<extra></extra>",
            )
        )
    _threshold_lines(fig)
    if chosen_epsilon is not None:
        fig.add_vline(x=chosen_epsilon, line={"color": MARK_COLOR, "dash": "dot", "width": 2})
    fig.update_xaxes(title="ε", type="log", autorange="reversed", exponentformat="power")
    fig.update_yaxes(title=_("relative difference"), type="log", exponentformat="power")
    return _style(fig, title, height=height)


def per_parameter_difference_figure(
    per_param: Mapping[str, float],
    levels: Mapping[str, str],
    *,
    title: str = "",
    x_title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """One bar per parameter block (``"W1", "b1", ...``) at its relative difference on a log
    axis, coloured by its verdict ``levels[block]`` ("great" ... "wrong", see
    :data:`VERDICT_COLORS`) so the broken blocks stand out against the dashed thresholds."""
    names = list(per_param)
    values = np.array([per_param[name] for name in names], dtype=np.float64)
    shown = np.where(np.isfinite(values), np.maximum(values, _TINY_DIFFERENCE), 1.0)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=shown,
            marker={"color": [VERDICT_COLORS[levels[name]] for name in names]},
            customdata=[levels[name] for name in names],
            text=[f"{value:.1e}" for value in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: " + _("difference") + " %{text}<br>%{customdata}<extra></extra>",
            name=_("relative difference"),
        )
    )
    _threshold_lines(fig)
    # Bars grow up from the bottom of the axis, so fix it below the smallest value.
    lowest = min(float(shown.min()) if shown.size else 1e-12, 1e-10)
    highest = max(float(shown.max()) if shown.size else 1.0, 1.0)
    fig.update_yaxes(
        title=_("relative difference"),
        type="log",
        range=[np.log10(lowest) - 0.5, np.log10(highest) + 1.0],
        exponentformat="power",
    )
    fig.update_xaxes(title=_("parameter block") if x_title is None else x_title)
    fig.update_layout(showlegend=False)
    return _style(fig, title, height=height)


def entry_difference_heatmap(
    grad: np.ndarray,
    gradapprox: np.ndarray,
    *,
    name: str,
    title: str = "",
    height: int = 320,
) -> go.Figure:
    """Entry-wise ``|grad - gradapprox| / (|grad| + |gradapprox|)`` of one block, both
    ``(n_l, n_{l-1})`` for a W or ``(n_l, 1)`` for a b, coloured on a log scale (0 where
    both are zero, e.g. a dead ReLU unit)."""
    grad = np.asarray(grad, dtype=np.float64)
    gradapprox = np.asarray(gradapprox, dtype=np.float64)
    denominator = np.abs(grad) + np.abs(gradapprox)
    relative = np.divide(
        np.abs(grad - gradapprox),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    exponent = np.log10(np.maximum(relative, _TINY_DIFFERENCE))
    columns = _("input") if name.startswith("W") else _("bias")
    difference = _("difference")
    fig = go.Figure(
        go.Heatmap(
            z=exponent,
            x=[f"{columns} {j + 1}" for j in range(relative.shape[1])],
            y=[_("unit {number}").format(number=i + 1) for i in range(relative.shape[0])],
            customdata=relative,
            zmin=-12,
            zmax=0,
            colorscale="YlOrRd",
            colorbar={
                "title": {"text": _("difference")},
                "tickvals": [-12, -9, -7, -5, -2, 0],
                "ticktext": ["1e-12", "1e-9", "1e-7", "1e-5", "1e-2", "1"],
                "thickness": 14,
            },
            hovertemplate=f"{name}: %{{y}}, %{{x}}<br>{difference} %{{customdata:.2e}}"
            "<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title, height=height)


# --- Optimization ---


def minibatch_costs_figure(
    curves: Mapping[str, np.ndarray],
    *,
    max_points: int = 4000,
    title: str = "",
    height: int = HEIGHT,
) -> go.Figure:
    """The cost of every mini-batch step, one thin line per entry of ``curves``: name ->
    ``costs (steps,)``. Longer runs are thinned to about ``max_points`` evenly spaced steps
    (a sample of a noisy curve is just as noisy), keeping the chart light."""
    step, cost = _("step"), _("cost")
    fig = go.Figure()
    for index, (name, costs) in enumerate(curves.items()):
        costs = np.asarray(costs, dtype=np.float64)
        stride = max(1, -(-costs.size // max(int(max_points), 1)))
        steps = np.arange(0, costs.size, stride)
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=costs[steps],
                mode="lines",
                name=name,
                opacity=0.75,
                line={"color": series_color(index), "width": 1},
                hovertemplate=f"{name}<br>{step} %{{x}}<br>{cost} %{{y:.4f}}<extra></extra>",
            )
        )
    fig.update_xaxes(title=_("mini-batch step"))
    fig.update_yaxes(title=_("cost of the mini-batch"), rangemode="tozero")
    return _style(fig, title, height=height)


def learning_rate_figure(
    epochs: np.ndarray,
    rates: np.ndarray,
    *,
    title: str = "",
    height: int = 300,
) -> go.Figure:
    """The learning rate used at each epoch: ``epochs (n,)``, ``rates (n,)``."""
    fig = go.Figure(
        go.Scatter(
            x=np.asarray(epochs),
            y=np.asarray(rates, dtype=np.float64),
            mode="lines",
            line={"color": series_color(5), "width": 3, "shape": "hv"},
            name=_("learning rate"),
            hovertemplate=_("epoch")
            + " %{x}<br>"
            + _("learning rate")
            + " %{y:.3g}<extra></extra>",
        )
    )
    fig.update_xaxes(title=_("epoch"))
    fig.update_yaxes(title=_("learning rate"), rangemode="tozero")
    fig.update_layout(showlegend=False)
    return _style(fig, title, height=height)


# --- Display: the page's theme and presentation mode ---

# Dark-page counterparts of the colours above (the palette keeps its hues, a little
# lighter where a colour would sink into a dark background).
DARK_COLORS = {
    LIGHT_BACKGROUND: DARK_BACKGROUND,
    "white": DARK_BACKGROUND,
    "#0072B2": "#3A9BDC",  # blue: class 1, the first series, training accuracy
    "#D55E00": "#F07A2E",  # vermillion: class 0
    "#6F6F6F": "#A8A8A8",
    "#B8A000": "#E0C832",
    BOUNDARY_COLOR: "#F2F2F2",
    MARK_COLOR: "#C8C8C8",
    THRESHOLD_COLOR: "#8A94A3",
    NOTE_COLOR: "#AAB3BF",
    NOTE_BACKGROUND: "rgba(14, 17, 23, 0.85)",
}
# Undecided is the page's own colour in both themes; the classes' tints darken.
DARK_PROBABILITY_SCALE = [[0.0, "#66341A"], [0.5, DARK_BACKGROUND], [1.0, "#1A4C73"]]
DARK_WEIGHT_SCALE = [[0.0, "#E8735A"], [0.5, "#1B212B"], [1.0, "#5AA6DC"]]
LARGE_FONT_SIZE = 22  # presentation mode: the base size (ticks, legends, colour bars)
LARGE_TITLE_SIZE = 28
LARGE_HEIGHT = 1.3  # times the figure's own height
_LARGE = LARGE_FONT_SIZE / FONT_SIZE


def _scale_key(scale) -> tuple:
    """A colour scale as Plotly stores it (a name becomes its list of colours)."""
    return tuple(map(tuple, go.Heatmap(colorscale=scale).colorscale))


_DARK_SCALES = {
    _scale_key(PROBABILITY_SCALE): DARK_PROBABILITY_SCALE,
    _scale_key(WEIGHT_SCALE): DARK_WEIGHT_SCALE,
}


def _darken(node):
    """``node`` (a figure's dict, or part of one) with every colour of
    :data:`DARK_COLORS` and scale of ``_DARK_SCALES`` swapped, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "colorscale" and isinstance(value, (list, tuple)):
                scale = tuple(map(tuple, value))
                node[key] = _DARK_SCALES.get(scale, value)
            elif key.endswith("color") and isinstance(value, str):
                node[key] = DARK_COLORS.get(value, value)
            elif key.endswith("color") and isinstance(value, (list, tuple)):
                node[key] = [DARK_COLORS.get(item, item) for item in value]
            elif isinstance(value, (dict, list, tuple)):
                _darken(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            if isinstance(item, (dict, list, tuple)):
                _darken(item)
    return node


def _enlarge(spec: dict) -> None:
    """Presentation sizes, in place: every font (base, titles, annotations, hover) and the
    margins that hold them scaled up, and the figure taller."""
    layout = spec["layout"]
    layout.setdefault("font", {})["size"] = LARGE_FONT_SIZE
    layout["height"] = round(layout.get("height", HEIGHT) * LARGE_HEIGHT)
    margin = layout.get("margin", {})
    layout["margin"] = {side: round(size * _LARGE) for side, size in margin.items()}
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        title.setdefault("font", {})["size"] = LARGE_TITLE_SIZE
        # Wrapped shorter, so no line grows wider than the longest one was (it fitted).
        lines = str(title["text"]).split("<br>")
        width = max(int(max(map(_columns, lines)) * TITLE_SIZE / LARGE_TITLE_SIZE), 8)
        title["text"] = wrap_title(_unwrapped(lines), width)
        lines = title["text"].split("<br>")
        title["pad"] = _title_pad(len(lines), LARGE_TITLE_SIZE)
        layout["margin"]["t"] = round((25 + 25 * len(lines)) * LARGE_TITLE_SIZE / TITLE_SIZE)
    layout["hoverlabel"] = {**layout.get("hoverlabel", {}), "font": {"size": LARGE_FONT_SIZE}}
    for annotation in layout.get("annotations", ()):
        font = annotation.setdefault("font", {})
        font["size"] = round(font.get("size", FONT_SIZE) * _LARGE)
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis.setdefault("title", {}).setdefault("font", {})["size"] = round(
                AXIS_TITLE_SIZE * _LARGE
            )
    # A replay's slider and buttons: their gaps below the (larger) axis titles grow too.
    for control in (*layout.get("sliders", ()), *layout.get("updatemenus", ())):
        pad = control.get("pad", {})
        control["pad"] = {side: round(size * _LARGE) for side, size in pad.items()}
        font = control.get("currentvalue", {}).get("font")
        if font is not None:
            font["size"] = round(font.get("size", FONT_SIZE) * _LARGE)


def packed(value):
    """``value`` with every figure in it (alone, or in a tuple, list or dict) holding its
    arrays already in the base64 form Plotly sends. A figure cached for every session is
    then sent without converting its arrays again each time it is shown: half of what
    showing a decision map costs, and the largest part of a page view that trains
    nothing."""
    if isinstance(value, go.Figure):
        return go.Figure(value.to_dict(), _validate=False)  # to_dict encodes the arrays
    if isinstance(value, tuple | list):
        return type(value)(packed(item) for item in value)
    if isinstance(value, dict):
        return {key: packed(item) for key, item in value.items()}
    return value


def for_display(fig: go.Figure, *, dark: bool = False, large: bool = False) -> go.Figure:
    """``fig`` as a page shows it: on a dark page (``dark``: dark background, light text
    and grid, the palette and colour scales adapted) and in presentation mode (``large``:
    larger fonts, taller). Returns a new figure and leaves ``fig`` as it was (figures are
    cached and shared between sessions); ``fig`` itself when neither applies."""
    if not dark and not large:
        return fig
    spec = fig.to_dict()  # a deep copy
    spec["layout"].pop("template", None)
    if dark:
        _darken(spec)
    if large:
        _enlarge(spec)
    # Every value came from a validated figure: skipping validation again makes the copy
    # several times cheaper (a decision map's copy: ~20 ms instead of ~100).
    shown = go.Figure(spec, _validate=False)
    shown.layout.template = DARK_TEMPLATE if dark else TEMPLATE
    return shown


# --- Replays: a run's boundary and cost curve, scrubbed in the browser ---

REPLAY_RESOLUTION = 32
"""Grid points per side of a replay's maps: one map a frame, every frame sent to every
student who opens the replay (a smooth contour fill hides the coarse grid)."""
REPLAY_HEIGHT = 560
REPLAY_FRAME_MS = 300  # per frame while playing: a run in about 7 s
REPLAY_CONTROLS_TOP = 62  # px from the plots' bottom edge to the slider: below x titles
REPLAY_SLIDER_HEIGHT = 64  # the slider with its current value; the buttons sit below it
REPLAY_CURVE_COLOR = "#B9C2CF"  # the whole run's cost, faint behind the part replayed
REPLAY_LEVELS = 255
"""A replay's maps are sent as bytes, the probability in 255 levels: what a colour
shows, and a quarter of float32's size in every frame."""


def replay_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    frame_iterations: Sequence[int],
    iterations: np.ndarray,
    costs: np.ndarray,
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None,
    *,
    title: str = "",
    num_iterations: int | None = None,
    x_title: str = "iteration",
    height: int = REPLAY_HEIGHT,
) -> go.Figure:
    """A run replayed: its cost curve (left) and decision boundary (right) at each of a few
    moments, as Plotly animation frames with a slider and play / pause buttons, so that
    scrubbing runs in the browser alone.

    ``probs (S, r, r)`` is the probability of class 1 on the grid ``xs (r,)``, ``ys (r,)``
    at iteration ``frame_iterations[s]``; ``iterations (n,)``, ``costs (n,)`` the run's
    whole cost curve. The figure opens on the first moment. Traces: 0 the whole curve,
    1 the curve so far, 2 its marker, 3 the map (a contour fill with the 0.5 line), then
    the points.
    """
    probs = np.asarray(probs, dtype=np.float64)
    iterations = np.asarray(iterations)
    costs = np.asarray(costs, dtype=np.float64)
    frame_iterations = [int(iteration) for iteration in frame_iterations]
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.4, 0.6],
        horizontal_spacing=0.1,
        subplot_titles=(_("Cost"), _("Decision boundary")),
    )
    fig.add_trace(
        go.Scatter(
            x=iterations.astype(np.int32),
            y=costs.astype(np.float32),
            mode="lines",
            line={"color": REPLAY_CURVE_COLOR, "width": 2},
            name=_("whole run"),
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    so_far = _("so far")
    moments = [
        _replay_moment(probs[s], i, iterations, costs) for s, i in enumerate(frame_iterations)
    ]
    first_curve, first_marker, first_map = moments[0]
    fig.add_trace(
        go.Scatter(
            **first_curve,
            mode="lines",
            line={"color": SERIES_COLORS[0], "width": 3},
            name=so_far,
            hovertemplate=f"{x_title} %{{x}}<br>{_('cost')} %{{y:.4f}}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            **first_marker,
            mode="markers",
            marker={
                "color": SERIES_COLORS[0],
                "size": 13,
                "line": {"width": 2, "color": LIGHT_BACKGROUND},
            },
            name=_("now"),
            hovertemplate=f"{x_title} %{{x}}<br>{_('cost')} %{{y:.4f}}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Contour(
            x=np.asarray(xs, dtype=np.float32),
            y=np.asarray(ys, dtype=np.float32),
            **first_map,
            zmin=0,
            zmax=REPLAY_LEVELS,
            colorscale=PROBABILITY_SCALE,
            contours={
                "start": REPLAY_LEVELS / 2,
                "end": REPLAY_LEVELS / 2,
                "size": REPLAY_LEVELS,
                "coloring": "heatmap",
            },
            line={"color": BOUNDARY_COLOR, "width": 2.5, "smoothing": 1.0},
            showscale=False,
            name=_("P(class 1)"),
            hoverinfo="skip",  # its values are levels of 255; the points keep their hover
        ),
        row=1,
        col=2,
    )
    points = _point_traces(X_train, Y_train, "train")
    if X_test is not None and Y_test is not None:
        points += _point_traces(X_test, Y_test, "test")
    for trace in points:
        fig.add_trace(trace, row=1, col=2)
    fig.frames = [
        go.Frame(
            name=str(s),
            data=[go.Scatter(**curve), go.Scatter(**marker), go.Contour(**shown)],
            traces=[1, 2, 3],
        )
        for s, (curve, marker, shown) in enumerate(moments)
    ]
    finite = costs[np.isfinite(costs)]
    top = float(finite.max()) * 1.05 if finite.size else 1.0
    last = int(num_iterations) - 1 if num_iterations else int(iterations.max(initial=1))
    # Upright ticks, fewer where the plot is narrow (a phone): rotated ones ran into the slider.
    fig.update_xaxes(title=x_title, range=[0, max(last, 1)], tickangle=0, nticks=3, row=1, col=1)
    fig.update_yaxes(title=_("cost"), range=[0, top], row=1, col=1)
    _map_axes(fig, xs, ys, x_axis="x2", row=1, col=2)
    playing = {
        "frame": {"duration": REPLAY_FRAME_MS, "redraw": True},
        "transition": {"duration": 0},
        "fromcurrent": True,
        "mode": "immediate",
    }
    still = {
        "frame": {"duration": 0, "redraw": True},
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    fig.update_layout(
        showlegend=False,
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "xanchor": "left",
                # Below the axes' titles, in pixels: it stays put at every size.
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": REPLAY_CONTROLS_TOP + REPLAY_SLIDER_HEIGHT, "r": 10},
                "showactive": False,
                "bgcolor": LIGHT_BACKGROUND,
                "bordercolor": THRESHOLD_COLOR,
                "buttons": [
                    {
                        "label": "\N{BLACK RIGHT-POINTING TRIANGLE} " + _("Play"),
                        "method": "animate",
                        "args": [None, playing],
                    },
                    {
                        "label": _("Pause"),
                        "method": "animate",
                        "args": [[None], still],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.0,
                "len": 1.0,
                "xanchor": "left",
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": REPLAY_CONTROLS_TOP},
                "currentvalue": {
                    "prefix": f"{x_title} ",
                    "font": {"size": FONT_SIZE, "color": MARK_COLOR},
                },
                # The ticks' own labels would crowd one another: the current one shows above.
                "font": {"color": "rgba(0, 0, 0, 0)", "size": 2},
                "bgcolor": LIGHT_BACKGROUND,
                "bordercolor": THRESHOLD_COLOR,
                "tickcolor": THRESHOLD_COLOR,
                "steps": [
                    {"label": f"{iteration:,}", "method": "animate", "args": [[str(s)], still]}
                    for s, iteration in enumerate(frame_iterations)
                ],
            }
        ],
    )
    _style(fig, title, height=height)
    fig.update_layout(margin={"b": REPLAY_CONTROLS_TOP + REPLAY_SLIDER_HEIGHT + 50})
    return fig


def _replay_moment(probs: np.ndarray, iteration: int, iterations: np.ndarray, costs: np.ndarray):
    """One replay frame's changing data: the cost curve up to ``iteration``, its marker and
    the map as levels of :data:`REPLAY_LEVELS` (a flat map drawn flat: its 0.5 line would
    trace round-off)."""
    seen = iterations <= iteration
    curve = {"x": iterations[seen].astype(np.int32), "y": costs[seen].astype(np.float32)}
    at = max(int(seen.sum()) - 1, 0)
    marker = {
        "x": [int(iterations[at])] if iterations.size else [],
        "y": [float(costs[at])] if costs.size else [],
    }
    finite = probs[np.isfinite(probs)]
    if not finite.size or np.ptp(finite) < FLAT_SPREAD:
        probs = np.full_like(probs, float(finite.mean()) if finite.size else 0.5)
    levels = np.rint(np.clip(np.nan_to_num(probs, nan=0.5), 0.0, 1.0) * REPLAY_LEVELS)
    return curve, marker, {"z": levels.astype(np.uint8)}


# --- Inside the network: one map per hidden unit ---

# A ReLU unit's output: 0 (off) is the page's own colour, so where a unit is silent the map
# is empty, and stronger outputs are deeper purple (apart from both classes' colours, so
# the points stay readable on top). On a dark page the ramp runs the other way: bright.
ACTIVATION_SCALE = [[0.0, "#FFFFFF"], [0.3, "#D4C6EA"], [0.65, "#8B67C2"], [1.0, "#3B1F6B"]]
DARK_ACTIVATION_SCALE = [
    [0.0, DARK_BACKGROUND],
    [0.3, "#3B2C61"],
    [0.65, "#8B6CCB"],
    [1.0, "#EEE6FF"],
]
_DARK_SCALES[_scale_key(ACTIVATION_SCALE)] = DARK_ACTIVATION_SCALE
UNIT_COLUMNS = 10  # small maps per row: a layer of 10 units fills one
TILE_PX = 64  # height of a row of small maps: a laptop page fits ten maps that tall a row
TILE_GAP_PX = 28  # between rows: room for the unit numbers above the maps
TILE_FRAME = THRESHOLD_COLOR  # an empty (all-zero) map still shows where it is


def _activation_top(values: Sequence[np.ndarray]) -> float:
    """The colour scale's top: the largest finite activation (1 when every one is 0, so an
    empty map is drawn as empty rather than as a scale of nothing)."""
    tops = [float(np.max(finite)) for v in values if (finite := v[np.isfinite(v)]).size]
    top = max(tops, default=0.0)
    return top if top > 0 else 1.0


def _float32(values: np.ndarray) -> np.ndarray:
    """``values`` as sent to the browser: float32 (a diverged run's values past float32's
    range arrive as infinite, drawn at the top of the scale)."""
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(np.float32)


def _grid_axes(xs: np.ndarray, ys: np.ndarray) -> dict:
    """A map's coordinates as a start and a step (two numbers instead of two arrays)."""
    return {
        "x0": float(xs[0]),
        "dx": float(xs[1] - xs[0]) if len(xs) > 1 else 1.0,
        "y0": float(ys[0]),
        "dy": float(ys[1] - ys[0]) if len(ys) > 1 else 1.0,
    }


def _light_points(X: np.ndarray, Y: np.ndarray, *, xaxis: str, yaxis: str) -> list[go.Scatter]:
    """The points, small and half transparent, over one small map (float32: a small map
    is far coarser than that)."""
    labels = np.asarray(Y).ravel()
    return [
        go.Scatter(
            x=X[0, labels == label].astype(np.float32),
            y=X[1, labels == label].astype(np.float32),
            xaxis=xaxis,
            yaxis=yaxis,
            mode="markers",
            marker={"size": 2, "color": CLASS_COLORS[label], "opacity": 0.4},
            hoverinfo="skip",
            showlegend=False,
            name=f"class {label}",
        )
        for label in (0, 1)
    ]


def unit_maps_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    maps: Mapping[int, np.ndarray],
    *,
    X: np.ndarray | None = None,
    Y: np.ndarray | None = None,
    title: str = "",
    columns: int = UNIT_COLUMNS,
) -> go.Figure:
    """Small multiples: one heatmap per hidden unit, a layer's units in a row (wrapped
    after ``columns``), the units of a layer on one colour scale from 0 (off) to the
    layer's largest output, so identical units show as one map repeated. (Each layer has
    its own range, beside its row: with large weights the layers' outputs differ by orders
    of magnitude, and one range would leave the quieter layers blank.)

    ``xs (r,)``, ``ys (r,)``, ``maps`` hidden layer -> ``(n_units, r, r)`` as from
    :func:`dnn_core.hidden_unit_maps` (``[k, i, j]`` at ``(xs[j], ys[i])``; units
    numbered from 1 on screen). ``X (2, m)``, ``Y (1, m)``: points drawn lightly on
    every map, if given.
    """
    layers = {layer: np.asarray(values) for layer, values in maps.items() if len(values)}
    columns = max(1, min(columns, max((len(v) for v in layers.values()), default=1)))
    # Each layer's first row of maps, and the (row, column) of every map (from 1).
    first_rows, places, rows = {}, {}, 0
    for layer, values in layers.items():
        first_rows[layer] = rows + 1
        for unit in range(len(values)):
            places[(layer, unit)] = (rows + unit // columns + 1, unit % columns + 1)
        rows += -(-len(values) // columns)
    rows = max(rows, 1)
    titles = [""] * (rows * columns)
    # Cells without a unit get no axes (a layer of 5 beside one of 10: less to send).
    specs = [[None] * columns for _row in range(rows)]
    for (_layer, unit), (row, column) in places.items():
        titles[(row - 1) * columns + column - 1] = str(unit + 1)
        specs[row - 1][column - 1] = {}
    plot_px = rows * TILE_PX + (rows - 1) * TILE_GAP_PX
    fig = make_subplots(
        rows=rows,
        cols=columns,
        specs=specs,
        subplot_titles=[title for title in titles if title],
        horizontal_spacing=0.1 / columns,
        vertical_spacing=TILE_GAP_PX / plot_px if rows > 1 else 0.0,
    )
    grid = _grid_axes(xs, ys)
    hover = (
        _("layer {layer}, unit {unit}").format(layer="%{meta[0]}", unit="%{meta[1]}")
        + "<br>x1=%{x:.2f}, x2=%{y:.2f}<br>"
        + _("activation")
        + " %{z:.3g}<extra></extra>"
    )
    scales = {}
    for index, (layer, values) in enumerate(layers.items(), start=1):
        scale = "coloraxis" if index == 1 else f"coloraxis{index}"
        scales[layer] = scale
        for unit, unit_map in enumerate(values):
            row, column = places[(layer, unit)]
            fig.add_trace(
                go.Heatmap(
                    z=_float32(unit_map),
                    **grid,
                    coloraxis=scale,
                    zsmooth="best",  # a coarse grid, drawn smooth (in the browser)
                    meta=[layer, unit + 1],
                    name=f"{layer}.{unit + 1}",
                    hovertemplate=hover,
                ),
                row=row,
                col=column,
            )
            heatmap = fig.data[-1]
            # Equal units on both axes of every small map, as on the decision map.
            fig.layout[heatmap.yaxis.replace("y", "yaxis", 1)].scaleanchor = heatmap.xaxis
            if X is not None and Y is not None:
                fig.add_traces(_light_points(X, Y, xaxis=heatmap.xaxis, yaxis=heatmap.yaxis))
        fig.get_subplot(first_rows[layer], 1).yaxis.title = {
            "text": _("layer {layer}").format(layer=layer),
            "standoff": 4,
        }
    frame = {"showline": True, "mirror": True, "linecolor": TILE_FRAME, "linewidth": 1}
    plain = {"showticklabels": False, "showgrid": False, "zeroline": False, **frame}
    _merge_into_axes(fig, "xaxis", range=[float(xs[0]), float(xs[-1])], constrain="domain", **plain)
    _merge_into_axes(fig, "yaxis", range=[float(ys[0]), float(ys[-1])], constrain="domain", **plain)
    fig.update_annotations(font={"size": SMALL_FONT_SIZE})  # the unit numbers
    # Room above the first row for its unit numbers, inside the plot area (so it scales
    # with the figure in presentation mode, where the title's margin is set anew).
    shrink = plot_px / (plot_px + TILE_GAP_PX)
    for name in fig.layout:
        if name.startswith("yaxis") and fig.layout[name].domain:
            low, high = fig.layout[name].domain
            fig.layout[name].domain = [low * shrink, high * shrink]
    for annotation in fig.layout.annotations:
        annotation.y *= shrink
    for layer, scale in scales.items():
        # The layer's range beside its rows: from the top of its first row of maps to the
        # bottom of its last.
        last_row = places[(layer, len(layers[layer]) - 1)][0]
        top = fig.get_subplot(first_rows[layer], 1).yaxis.domain[1]
        bottom = fig.get_subplot(last_row, 1).yaxis.domain[0]
        fig.layout[scale] = {
            "colorscale": ACTIVATION_SCALE,
            "cmin": 0.0,
            "cmax": _activation_top([layers[layer]]),
            # A layer whose units all output 0 has no range to show: its maps are empty.
            "showscale": bool(np.any(layers[layer])),
            "colorbar": {
                "thickness": 12,
                "len": top - bottom,
                "y": (top + bottom) / 2,
                "yanchor": "middle",
                "tickformat": ".2~g",
                "nticks": 3 if last_row == first_rows[layer] else 5,
            },
        }
    fig.update_layout(showlegend=False)
    fig = _style(fig, title)
    top_px, bottom_px = fig.layout.margin.t, 15
    fig.update_layout(
        height=top_px + TILE_GAP_PX + plot_px + bottom_px,
        margin={"t": top_px, "b": bottom_px, "l": 40, "r": 20},
    )
    return fig


def unit_map_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    values: np.ndarray,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    title: str = "",
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """One hidden unit's activation over the plane, large, with the training points:
    ``values (r, r)`` at ``(xs[j], ys[i])``, ``X (2, m)``, ``Y (1, m)``. Its colour scale
    runs from 0 to this unit's own largest output, so even a faint unit shows its shape."""
    values = np.asarray(values)
    fig = go.Figure(
        go.Heatmap(
            z=_float32(values),
            **_grid_axes(xs, ys),
            zmin=0.0,
            zmax=_activation_top([values]),
            colorscale=ACTIVATION_SCALE,
            showscale=bool(np.any(values)),
            colorbar={"title": {"text": _("activation"), "side": "right"}, "thickness": 14},
            name=_("activation"),
            hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>"
            + _("activation")
            + " %{z:.3g}<extra></extra>",
        )
    )
    fig.add_traces(_point_traces(X, Y, "train"))
    if not np.any(values):
        _centre_note(fig, _("This unit outputs 0<br>at every point"))
    _map_axes(fig, xs, ys)
    return _style(fig, title, height=height)


# --- A pinned run beside the current one (ui/pin_view.py) ------------------------------


def pinned_costs_figure(
    pinned: Mapping[str, tuple[np.ndarray, np.ndarray]],
    current: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    pinned_label: str | None = None,
    current_label: str | None = None,
    title: str | None = None,
    num_iterations: int | None = None,
    x_title: str | None = None,
    height: int = HEIGHT,
) -> go.Figure:
    """The pinned run's cost curves (dashed) over the current run's (solid): each side is
    name -> ``(iterations (n,), costs (n,))``, legend names from ``pinned_label`` and
    ``current_label`` (``{name}`` is the run's name; default "{name} (pinned)" and
    "{name} (current)"), ``x_title`` default "iteration". A run named on both sides keeps
    one colour, the current runs' colours in their order (as the page's own chart has
    them); with one run a side (one lesson's main run) each side has its own colour."""
    pinned_label = _("{name} (pinned)") if pinned_label is None else pinned_label
    current_label = _("{name} (current)") if current_label is None else current_label
    title = _("Cost: pinned run (dashed) and current run (solid)") if title is None else title
    x_title = _("iteration") if x_title is None else x_title
    cost = _("cost")
    one_each = len(pinned) <= 1 and len(current) <= 1
    names = list(dict.fromkeys([*current, *pinned]))
    fig = go.Figure()
    for side, (curves, label, dash) in enumerate(
        ((pinned, pinned_label, "dash"), (current, current_label, "solid"))
    ):
        for name, (iterations, costs) in curves.items():
            shown = label.format(name=name)
            fig.add_trace(
                go.Scatter(
                    x=np.asarray(iterations),
                    y=np.asarray(costs),
                    mode="lines" if np.size(iterations) > 2 else "lines+markers",
                    name=shown,
                    legendgroup=name,
                    line={
                        "color": series_color(1 - side if one_each else names.index(name)),
                        "width": 3,
                        "dash": dash,
                    },
                    hovertemplate=f"{shown}<br>{x_title} %{{x}}<br>{cost} %{{y:.4f}}"
                    "<extra></extra>",
                )
            )
    fig.update_xaxes(title=x_title)
    if num_iterations is not None:
        fig.update_xaxes(range=[0, max(int(num_iterations) - 1, 1)])
    fig.update_yaxes(title=cost, rangemode="tozero")
    return _style(fig, title, height=height)


# --- The loss landscape ---

# Low cost (the valley) in the page's own colour, higher cost greyer: the optimizers'
# palette colours stand out on it in both themes.
LANDSCAPE_SCALE = [[0.0, "#FFFFFF"], [1.0, "#8E9AA6"]]
DARK_LANDSCAPE_SCALE = [[0.0, DARK_BACKGROUND], [1.0, "#5B6776"]]
_DARK_SCALES[_scale_key(LANDSCAPE_SCALE)] = DARK_LANDSCAPE_SCALE
LEVEL_COLOR = "#B3BCC6"  # the contour lines between the levels
DARK_COLORS[LEVEL_COLOR] = "#3A4452"
START_COLOR = "#444444"  # MARK_COLOR's grey: light on a dark page (see DARK_COLORS)
PATH_END_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "pentagon", "star")
COST_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
LANDSCAPE_DECADES = 2.5  # colours span at most this many powers of ten above the lowest cost
BOWL_PANEL_GAP = 0.1  # of the width, between the bowls' panels: their end ticks stay apart


def _cost_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Colour-bar ticks of a log10(cost) scale from ``low`` to ``high`` (log10 values)."""
    ticks = [tick for tick in COST_TICKS if low <= np.log10(tick) <= high]
    return [float(np.log10(tick)) for tick in ticks], [f"{tick:g}" for tick in ticks]


def landscape_figure(
    alphas: np.ndarray,
    betas: np.ndarray,
    costs: np.ndarray,
    paths: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    title: str = "",
    x_title: str = "",
    y_title: str = "",
    levels: int = 14,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """The cost on a plane through the weights as filled contours of log10(cost), and on
    it each optimizer's path: ``paths`` is name -> ``(coordinates (n, 2), epochs done
    (n,))``, drawn as a line in that series' colour and dash (the order of the cost
    charts), from the start (an open ring) to a filled marker at its end.

    ``costs (b, a)`` at ``(alphas[j], betas[i])``, as :func:`dnn_core.landscape.cost_surface`
    gives them. Colours span at most :data:`LANDSCAPE_DECADES` above the lowest cost, so
    far hills don't flatten the valley; the grid goes as float32.
    """
    costs = np.asarray(costs, dtype=np.float64)
    finite = costs[np.isfinite(costs)]
    lowest = float(finite.min()) if finite.size else 1.0
    floor = np.finfo(np.float32).tiny
    logs = np.log10(np.maximum(np.where(np.isfinite(costs), costs, finite.max()), floor))
    low = float(np.log10(max(lowest, floor)))
    high = min(float(logs.max()), low + LANDSCAPE_DECADES)
    high = high if high > low else low + 1.0
    tickvals, ticktext = _cost_ticks(low, high)
    # Traces gathered, then one figure made of them: adding them one by one costs more
    # than the chart's data.
    traces = [
        go.Contour(
            x=np.asarray(alphas, dtype=np.float32),
            y=np.asarray(betas, dtype=np.float32),
            z=np.minimum(logs, high).astype(np.float32),
            customdata=costs.astype(np.float32),
            zmin=low,
            zmax=high,
            contours={"start": low, "end": high, "size": (high - low) / levels},
            colorscale=LANDSCAPE_SCALE,
            line={"color": LEVEL_COLOR, "width": 1},
            colorbar={
                "title": {"text": _("cost"), "side": "right"},
                "tickvals": tickvals,
                "ticktext": ticktext,
                "thickness": 14,
            },
            hovertemplate=_("cost {cost}").format(cost="%{customdata:.3f}") + "<extra></extra>",
            name=_("cost"),
            showlegend=False,
        )
    ]
    starts = []
    for index, (name, (coordinates, epochs)) in enumerate(paths.items()):
        coordinates = np.asarray(coordinates, dtype=np.float32).reshape(-1, 2)  # to send
        color = series_color(index)
        hover = _("{name}, after {epochs} epochs").format(name=name, epochs="%{customdata}")
        traces.append(
            go.Scatter(
                x=coordinates[:, 0],
                y=coordinates[:, 1],
                customdata=np.asarray(epochs),
                mode="lines",
                name=name,
                legendgroup=name,
                line={"color": color, "width": 3, "dash": SERIES_DASHES[index % 6]},
                hovertemplate=hover + "<extra></extra>",
            )
        )
        traces.append(
            go.Scatter(
                x=coordinates[-1:, 0],
                y=coordinates[-1:, 1],
                customdata=np.asarray(epochs)[-1:],
                mode="markers",
                name=_("{name}, end").format(name=name),
                legendgroup=name,
                showlegend=False,
                marker={
                    "symbol": PATH_END_SYMBOLS[index % len(PATH_END_SYMBOLS)],
                    "size": 15,
                    "color": color,
                    "line": {"width": 1.5, "color": LIGHT_BACKGROUND},
                },
                hovertemplate=hover + "<extra></extra>",
            )
        )
        starts.append(coordinates[0])
    if starts:
        first = np.unique(np.round(np.asarray(starts), 9), axis=0)  # shared starts: one ring
        traces.append(
            go.Scatter(
                x=first[:, 0],
                y=first[:, 1],
                mode="markers",
                name=_("start"),
                marker={
                    "symbol": "circle-open",
                    "size": 18,
                    "color": START_COLOR,
                    "line": {"width": 3},
                },
                hovertemplate=_("start") + "<extra></extra>",
            )
        )
    layout = {
        "xaxis": {"title": {"text": x_title}, "range": [float(alphas[0]), float(alphas[-1])]},
        "yaxis": {"title": {"text": y_title}, "range": [float(betas[0]), float(betas[-1])]},
    }
    for axis in layout.values():
        axis["zeroline"] = False
    return _style(go.Figure(traces, layout), title, height=height)


def bowl_figure(
    steps: np.ndarray,
    panels: Mapping[str, Mapping[str, np.ndarray]],
    *,
    title: str = "",
    x_title: str = "",
    height: int = 400,
) -> go.Figure:
    """The cost along lines through trained weights, one panel per direction:
    ``panels`` is direction name -> {network name -> costs (s,)} at ``steps (s,)`` (0 is
    the trained weights, marked by a dotted line). Each network keeps its colour and dash
    in every panel; the panels share the cost axis, so the bowls compare at a glance.

    The panels are laid out by hand: ``make_subplots`` costs more than the whole chart."""
    names = list(panels) or [""]
    networks: list[str] = []
    for panel in panels.values():
        networks.extend(name for name in panel if name not in networks)
    gap = BOWL_PANEL_GAP
    width = (1.0 - gap * (len(names) - 1)) / len(names)
    steps = np.asarray(steps, dtype=np.float64)
    layout: dict = {"annotations": [], "shapes": []}
    traces = []
    for column, (direction, panel) in enumerate(zip(names, panels.values(), strict=False)):
        suffix = str(column + 1) if column else ""
        left = column * (width + gap)
        layout[f"xaxis{suffix}"] = {
            "domain": [left, left + width],
            "anchor": f"y{suffix}",
            # A short title and three ticks under every panel: narrow panels side by side
            # (two in a phone's 390 px) would run longer ones into each other.
            "title": {"text": x_title},
            "dtick": 1.0,
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "rangemode": "tozero",
            **({"matches": "y", "showticklabels": False} if column else {"title": _("cost")}),
        }
        layout["annotations"].append(
            {
                "text": direction,
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": AXIS_TITLE_SIZE},
            }
        )
        layout["shapes"].append(
            {
                "type": "line",
                "x0": 0.0,
                "x1": 0.0,
                "y0": 0.0,
                "y1": 1.0,
                "xref": f"x{suffix}",
                "yref": f"y{suffix} domain",
                "line": {"color": MARK_COLOR, "dash": "dot", "width": 1.5},
            }
        )
        for name, costs in panel.items():
            index = networks.index(name)
            traces.append(
                go.Scatter(
                    x=steps,
                    y=np.asarray(costs, dtype=np.float64),
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=column == 0,
                    line={
                        "color": series_color(index),
                        "width": 3,
                        "dash": SERIES_DASHES[index % len(SERIES_DASHES)],
                    },
                    hovertemplate=_("{name}<br>step {step}<br>cost {cost}").format(
                        name=name, step="%{x:.2f}", cost="%{y:.3f}"
                    )
                    + "<extra></extra>",
                )
            )
    return _style(go.Figure(traces, layout), title, height=height)
