"""Page furniture: setup and page links, each lesson's header, metric rows, result tables,
charts, download panels, explanations, verdict badges, and warnings and run status."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dnn_core import TrainConfig, diagnostics
from dnn_core.datasets import DatasetError

from . import chart_payloads, export, figures, i18n, memory, runs, sidebar, state
from .i18n import N_, _


@dataclass(frozen=True)
class PageEntry:
    """A page of the lab: its script (relative to the app's folder), title and icon."""

    path: str
    title: str
    icon: str


APP_ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    PageEntry("app.py", N_("Home"), ":material/neurology:"),
    PageEntry("pages/1_Initialization.py", N_("Initialization"), ":material/casino:"),
    PageEntry("pages/2_Regularization.py", N_("Regularization"), ":material/tune:"),
    PageEntry("pages/3_Gradient_Checking.py", N_("Gradient checking"), ":material/rule:"),
    PageEntry("pages/4_Optimization.py", N_("Optimization"), ":material/speed:"),
)


def installed_pages() -> tuple[PageEntry, ...]:
    """The pages whose scripts exist (a lesson may be left out of a deployment)."""
    return tuple(page for page in PAGES if (APP_ROOT / page.path).is_file())


def setup_page(title: str, icon: str) -> None:
    """Wide layout, the browser tab's title, the page's style and the page links at the top
    of the sidebar; call first on every page.

    In presentation mode (:func:`ui.state.presenting`) the sidebar starts collapsed and
    the page's text is larger (:data:`PRESENT_CSS`).

    Streamlit's own page list is hidden (``showSidebarNavigation = false``) because it would
    name the home page "app" after its file; these links name it "Home". (Not
    ``st.navigation``: see DESIGN.md.)
    """
    presenting = state.presenting()
    st.set_page_config(
        page_title=f"{_(title)} · Deep Net Lab",
        page_icon=icon,
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    runs.begin_page_run()
    memory.page_run()  # after a crowd, freed memory goes back to the system
    st.html(f"<style>{PAGE_CSS}{PRESENT_CSS if presenting else ''}</style>")
    with st.sidebar.container(key="dnl_nav"):
        try:
            page_links(width="stretch")
        except StreamlitPageNotFoundError:
            # The lesson runs as an app of its own (``streamlit run pages/...``, or an
            # AppTest of one page): there are no other pages to link to. Home comes first,
            # so no link has been drawn.
            return
        # A thin rule, tighter than st.divider's, like the one under Streamlit's own list.
        st.html('<hr style="margin: 0.5rem 0 0; border: 0; border-top: 1px solid #D5DCE5">')


def page_links(**kwargs: Any) -> None:
    """A link to every installed page (``kwargs`` go to ``st.page_link``).

    Raises:
        StreamlitPageNotFoundError: when the page runs as an app of its own.
    """
    for page in installed_pages():
        page_link(page, **kwargs)


def page_link(page: PageEntry, **kwargs: Any) -> None:
    """A link to ``page`` (``kwargs`` go to ``st.page_link``), labelled in the reader's
    language, that keeps presentation mode on and the language: Streamlit opens another
    page without the current page's query parameters, and the toggle, bound to
    ``?present=``, and the switch, bound to ``?lang=``, would fall back to their
    defaults."""
    kwargs.setdefault("label", _(page.title))
    kwargs.setdefault("icon", page.icon)
    kept = {}
    if state.presenting():
        kept[state.PRESENT] = "true"
    if i18n.language() != i18n.DEFAULT:
        kept[i18n.LANG] = i18n.language()
    if kept:
        kwargs["query_params"] = kept
    st.page_link(page.path, **kwargs)


# Every page: less empty space above the title (the charts of a lesson start higher on a
# laptop or projector), and formulas that scroll inside their column instead of running
# past it on a phone.
PAGE_CSS = """
.stMainBlockContainer { padding-top: 4rem; }
.stMarkdown .katex-display { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
"""
# Presentation mode: text legible from the back of a room (Streamlit sizes its text in
# rem, so a larger root size scales it all); charts enlarge their own fonts (ui.page.chart).
# Only on a projector's or laptop's width: on a phone a title would break mid-word.
PRESENT_CSS = """
@media (min-width: 768px) {
  html { font-size: 21px; }
  .stMainBlockContainer { padding-top: 3.5rem; padding-left: 2rem; padding-right: 2rem; }
}
"""


def title_row(title: str) -> bool:
    """The page's title (``title`` in English: it is shown in the reader's language) with
    the language switch and the presentation-mode toggle beside it (reachable when the
    sidebar is hidden), and in presentation mode the links to every lesson above it;
    returns whether presentation mode is on."""
    if state.presenting():
        with (
            st.container(horizontal=True, key="dnl_present_nav", gap="small"),
            contextlib.suppress(StreamlitPageNotFoundError),
        ):
            page_links()
    with st.container(horizontal=True, vertical_alignment="center", key="dnl_title_row"):
        st.title(_(title), width="stretch")
        state.language_switch(width="content")
        return state.present_toggle(
            _("Presentation mode"),
            help=_(
                "Large text and charts for a projector; the sidebar and the long "
                "explanations are hidden. The link keeps it (?present=1)."
            ),
        )


def explain(text: str, *, formula: str | None = None, look_for: str | None = None) -> None:
    """A short plain-words explanation beside a chart: what it shows, optionally the
    formula (LaTeX) and what to look for. In presentation mode only the formula shows (the
    teacher says the rest)."""
    presenting = state.presenting()
    if not presenting:
        st.markdown(text)
    if formula:
        latex(formula)
    if look_for and not presenting:
        st.caption(_("**What to look for:** {look_for}").format(look_for=look_for))


def latex(formula: str) -> None:
    """A formula, centred and at display size, that wraps onto a second line where it
    does not fit (a phone) instead of running past its column: KaTeX breaks inline
    math after a top-level relation or operator (=, ~, ⇒, +, ·), never display math."""
    st.markdown(f"${DISPLAY_STYLE} {formula}$", text_alignment="center")


DISPLAY_STYLE = r"\displaystyle"


def caption(text: str) -> None:
    """A long caption, left out in presentation mode."""
    if not state.presenting():
        st.caption(text)


def figure_title(figure: go.Figure) -> str:
    """The figure's title text without markup (``""`` when it has none)."""
    text = figure.layout.title.text or ""
    return re.sub(r"<[^>]+>", " ", text).strip()


def _dark_page() -> bool:
    """Whether the page is drawn in the dark theme, as the browser last told the server
    (Streamlit 1.67 tells it with the next rerun after a switch in the app menu)."""
    try:
        return st.context.theme.type == "dark"
    except (AttributeError, RuntimeError):  # outside a session's script run
        return False


def chart(figure: go.Figure, *, key: str, container=None, filename: str | None = None) -> None:
    """Show a figure from :mod:`ui.figures` as designed (its own template and palette, not
    Streamlit's chart theme), full width, in the page's light or dark theme and larger in
    presentation mode (a restyled copy: ``figure`` may be cached and shared; for a shared
    one, what it sends is built once per look: :mod:`ui.chart_payloads`). Its camera
    button saves ``<filename>.png`` (default: the figure's title, else ``key``)."""
    name = filename or figure_title(figure) or key
    shown = chart_payloads.sendable(figure, dark=_dark_page(), large=state.presenting())
    (container or st).plotly_chart(
        shown, key=key, theme=None, config=export.plotly_config(f"deep net lab {name}")
    )


def boundary_chart(
    cache_key: Hashable,
    params: Mapping[str, Any],
    data: Any,
    *,
    key: str,
    title: str,
    show_test: bool,
    activation: str,
    compact: bool = False,
    container=None,
) -> None:
    """A trained network's decision map, built once for every session that shows it:
    memoized under ``cache_key``, which must name the run and the map's options."""
    chart(
        runs.memoize(
            cache_key,
            lambda: figures.boundary_figure(
                params,
                data,
                show_test=show_test,
                title=title,
                compact=compact,
                activation=activation,
            ),
        ),
        key=key,
        container=container,
    )


def downloads(
    runs: Mapping[str, tuple[Any, TrainConfig | None]],
    *,
    key: str,
    name: str,
    figures: Mapping[str, go.Figure] | None = None,
    files: Mapping[str, tuple[str, Callable[[], bytes]]] | None = None,
    files_title: str = "",
    title: str | None = None,
) -> None:
    """An expander with downloads: for each run its trained parameters (.npz, .json) and
    cost history (.csv), then ``files``, then ``figures`` as interactive HTML pages that
    open offline (files and figures are built only when clicked). ``title`` defaults to
    "Download this run".

    Args:
        runs: label -> ``(TrainResult, its TrainConfig)`` (the config goes into the JSON),
            e.g. ``{"He": (result, config)}``.
        key: prefix of the buttons' widget keys.
        name: what is downloaded, the start of every file name (e.g. ``"regularization"``).
        figures: name -> figure, e.g. ``{"Cost curve": ...}``.
        files: file name (e.g. ``"entries.csv"``) -> ``(button label, builder)``, under
            ``files_title`` (Markdown).
    """
    with st.expander(title or _("Download this run"), icon=":material/download:"):
        # One run (or files): beside the charts; several runs: a column each, charts below.
        single = len(runs) <= 1
        run_area, chart_area = st.columns(2) if single else (st.container(), st.container())
        run_columns = [run_area] if single else run_area.columns(max(len(runs), 2))
        for column, (index, (label, (result, config))) in zip(
            run_columns, enumerate(runs.items()), strict=False
        ):
            with column:
                st.markdown(
                    _("**{label}**: trained parameters and cost history").format(label=label)
                )
                export.download_run(
                    result, key=f"{key}_run{index}", name=f"{name} {label}", config=config
                )
        if files:
            with run_area:
                if files_title:
                    st.markdown(files_title)
                for file_name, (label, build) in files.items():
                    export.download_built(label, build, f"{name} {file_name}", f"{key}_{file_name}")
        if figures:
            with chart_area:
                st.markdown(_("**Charts** as interactive pages"))
                for index, (label, figure) in enumerate(figures.items()):
                    export.download_figure(
                        figure,
                        key=f"{key}_figure{index}",
                        name=f"{name} {label}",
                        label=f"{label} (.html)",
                    )


def lesson_header(
    title: str,
    icon: str,
    intro: str,
    prefix: str,
    defaults: sidebar.LessonDefaults,
    options: sidebar.SidebarOptions | None = None,
    *,
    warn_architecture: bool = True,
) -> sidebar.SidebarConfig:
    """Set the page up, show its title and introduction, draw the shared sidebar and (unless
    the page says where itself) warn about an unusable architecture; returns the sidebar's
    settings."""
    setup_page(title, icon)
    if not title_row(title):
        st.markdown(intro)
    config = sidebar.sidebar(prefix, defaults, options)
    if warn_architecture and config.architecture_error:
        st.warning(config.architecture_error, icon=":material/warning:")
    return config


def metric_row(values: Mapping[str, str], *, helps: Mapping[str, str] | None = None) -> None:
    """One row of metrics, label -> shown value."""
    helps = helps or {}
    for column, (label, value) in zip(st.columns(len(values)), values.items(), strict=True):
        column.metric(label, value, help=helps.get(label))


SQUARED_NORM = "\N{GREEK CAPITAL LETTER SIGMA}\N{DOUBLE VERTICAL LINE}W\N{DOUBLE VERTICAL LINE}²"


def weight_norm_metrics(runs: Mapping[str, Mapping[str, Any]], columns: Sequence[Any]) -> None:
    """Σ‖W‖² of each run (label -> params), one metric a column; the runs after the first
    show their change against it."""
    norms = [diagnostics.squared_weight_norm(params) for params in runs.values()]
    for index, (column, label) in enumerate(zip(columns, runs, strict=True)):
        change = norms[index] / norms[0] - 1 if index and norms[0] > 0 else None
        column.metric(
            f"{SQUARED_NORM} {label}",
            f"{norms[index]:.3g}",
            delta=None if change is None else f"{change * 100:+.0f} %",
            delta_color="off",
        )


def final_cost(result: Any) -> str:
    """A run's last recorded cost, to 4 significant digits."""
    return f"{result.costs[-1]:.4g}" if result.costs.size else _("n/a")


def symmetry_metric(symmetry: diagnostics.UnitSymmetry, train_accuracy: float) -> None:
    """How far apart the rows of a weight matrix are, and in words whether its units are
    identical (round-off counts as identical)."""
    if not symmetry.identical:
        shown, verdict = f"{symmetry.spread:.3g}", _("Distinct units: each row learns its own.")
    elif symmetry.spread == 0:
        shown, verdict = "0", _("Identical units: every row is exactly the same.")
    else:
        shown = "\N{ALMOST EQUAL TO} 0"
        verdict = _(
            "Identical units: the rows differ by at most {spread}, floating-point round-off "
            "next to weights of size {scale} (the computer added the same numbers in a "
            "slightly different order)."
        ).format(spread=f"{symmetry.spread:.1e}", scale=f"{symmetry.scale:.2g}")
    st.metric(
        _("Largest difference between two rows"),
        shown,
        help=_(
            "0 means every hidden unit of layer 1 computes exactly the same function. "
            "Differences below a billionth of the weights' size are round-off, not learning."
        ),
    )
    st.caption(
        _("{verdict} Train accuracy {accuracy}.").format(
            verdict=verdict, accuracy=f"{train_accuracy:.1%}"
        )
    )


# Steps (mini-batches) per optimizer a page will train: the course's run is 50 000.
MAX_STEPS = 100_000


def cap_epochs(
    config: sidebar.SidebarConfig, settings: Any, m: int, *, note: bool = True
) -> sidebar.SidebarConfig:
    """``config`` with at most as many epochs as keep the optimizers within
    :data:`MAX_STEPS` mini-batch steps each (``settings``: the optimization lesson's), and
    a plain note when it had to cut them (unless ``note`` is false)."""
    steps = settings.steps_per_epoch(m)
    epochs = config.num_iterations
    uses_mini_batches = any(choice != "batch" for choice in settings.optimizers)
    if not uses_mini_batches or epochs * steps <= MAX_STEPS:
        return config
    capped = max(1, MAX_STEPS // steps)
    if not note:
        return replace(config, num_iterations=capped)
    st.info(
        _(
            "Mini-batches of {size} make {steps} steps an epoch, so {epochs} epochs would be "
            "{total} steps per optimizer; this page trains at most {most} (the course's run "
            "is 50,000), so it trains {capped} epochs. Larger mini-batches allow more epochs."
        ).format(
            size=settings.mini_batch_size,
            steps=f"{steps:,}",
            epochs=f"{epochs:,}",
            total=f"{epochs * steps:,}",
            most=f"{MAX_STEPS:,}",
            capped=f"{capped:,}",
        ),
        icon=":material/info:",
    )
    return replace(config, num_iterations=capped)


def course_percent(*published: str) -> str:
    """Published accuracies as the course would say them: ``"0.9479"`` -> ``"94.8 %"``;
    a train and a test figure -> ``"94.8 % / 91.5 %"``."""
    return " / ".join(f"{float(figure) * 100:.3g} %" for figure in published)


def percent(value: float) -> str:
    return f"{value:.1%}"


def accuracy_metrics(train_accuracy: float, test_accuracy: float, **more: str) -> None:
    """Train and test accuracy (and ``more`` label -> value) in one row."""
    metric_row(
        {_("Train accuracy"): percent(train_accuracy), _("Test accuracy"): percent(test_accuracy)}
        | more
    )


def results_table(
    table, *, key: str, formats: Mapping[str, str] | None = None, container=None
) -> None:
    """A results table (e.g. :func:`ui.figures.results_table`) with its accuracy columns as
    percentages and ``formats`` (column -> printf format, e.g. ``"%.3g"``) for the others.

    Drawn as a plain table (``st.table``), not a ``st.dataframe`` grid: its cells wrap
    their text instead of cutting it ("fails to break symme…"), on a phone too, and are
    part of the page, so the legibility tests can measure them. ``key`` names the table's
    container (``st-key-<key>``)."""
    formatters: dict[str, Callable[[Any], str]] = {
        column: _percent_cell for column in ("train accuracy", "test accuracy") if column in table
    } | {column: _printf_cell(fmt) for column, fmt in (formats or {}).items() if column in table}
    # Columns are named in English (the formats refer to them); shown in the reader's.
    styled = (
        table.style.format(formatters)
        .hide(axis="index")
        .relabel_index([_(str(column)) for column in table.columns], axis="columns")
    )
    (container or st).container(key=key).table(styled)


def _percent_cell(value: Any) -> str:
    return "" if value is None or value != value else f"{value:.1%}"


def _printf_cell(fmt: str) -> Callable[[Any], str]:
    def cell(value: Any) -> str:
        return "" if value is None or value != value else fmt % value

    return cell


@contextlib.contextmanager
def stop_on_error() -> Iterator[None]:
    """Show a core's ``ValueError`` / ``DatasetError`` as a plain error box and stop the
    page there, instead of a traceback."""
    try:
        yield
    except (DatasetError, ValueError) as error:
        st.error(i18n.core_message(str(error)), icon=":material/error:")
        st.stop()


def explain_stall(params: Mapping[str, Any], X: Any, *, activation: str = "relu") -> None:
    """Say in plain words why a trained network answers the same for every point of
    ``X`` (see :func:`dnn_core.diagnostics.stall`); nothing when it learnt something."""
    verdict = runs.derived(
        "stall",
        lambda: diagnostics.stall(params, X, activation=activation),
        params,
        X,
        activation,
    )
    if verdict.kind == "zeros":
        text = _(
            "Every weight is still exactly 0: each hidden unit outputs 0 and receives a "
            "zero gradient, so nothing ever moves and the network answers 0.5 everywhere."
        )
    elif verdict.kind == "dead":
        layer, share = verdict.deadest_layer
        text = _(
            "The network answers {mean} for every point: {share} of the units of hidden "
            "layer {layer} output 0 on every training point (dead ReLUs), so no signal "
            "reaches the output and no gradient flows back to revive them. One step that is "
            "too large can kill them (try a smaller learning rate); weights that start at "
            "zero start them dead."
        ).format(mean=f"{verdict.mean:.2f}", share=f"{share:.0%}", layer=layer)
    elif verdict.kind == "vanished" and activation == "sigmoid":
        text = _(
            "The network predicts 0.5 everywhere: the gradient vanished on its way back. "
            "A sigmoid's slope is at most 1/4, so every sigmoid layer passes back a quarter "
            "of the gradient or less and the first layers hardly learn (compare the "
            "gradients per layer below; try ReLU with He, or fewer layers)."
        )
    elif verdict.kind == "vanished":
        text = _(
            "The network predicts 0.5 everywhere: the signal vanished. The weights are so "
            "small that the output hardly depends on the input, and the gradients that "
            "should make them grow are just as small (try a larger scale, or He)."
        )
    elif verdict.kind == "flat":
        text = _(
            "The network answers {mean} for every point: it has learnt nothing about the input yet."
        ).format(mean=f"{verdict.mean:.2f}")
    else:
        return
    st.warning(text, icon=":material/heart_broken:")


def show_run_status(result: Any, *, what: str | None = None) -> None:
    """A clear warning for a run (or sweep) that diverged; ``what`` names it when the page
    shows several (e.g. "The λ sweep"). The figures show its last finite state."""
    if getattr(result, "diverged", False):
        message = _("{message} The charts show the last finite state.").format(
            message=i18n.core_message(result.message)
        )
        st.warning(
            _("{what}: {message}").format(what=what, message=message) if what else message,
            icon=":material/warning:",
        )
