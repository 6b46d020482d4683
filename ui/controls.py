"""Sidebar widgets -> frozen, hashable configuration dataclasses.

Every widget has a stable ``key`` (``"<page prefix>_<setting>"``), which is also its URL query
parameter: settings a student changes appear in the address bar (defaults are left out), so
a copied link opens the lesson with the same configuration (see :mod:`ui.share`). Values are
kept for the whole session too (``persist_state="session"``), so a student can move between
lessons and come back to the same settings.

Each widget gets its default through ``value=`` (or ``index=``/``default=``): Streamlit
compares against it to leave defaults out of the URL. Presets ("course settings", "quick
lesson defaults") assign ``st.session_state`` from their ``on_click`` callback, the way
Streamlit documents for changing a URL-bound widget; the URL follows. Having both a default
and a Session State assignment is intended here, so ``.streamlit/config.toml`` turns off
Streamlit's log warning about that combination (``disableWidgetStateDuplicationWarning``).
Seeding through ``st.session_state`` instead of ``value=`` would avoid the warning but break
links: a preset value equal to the widget's own fallback (say λ = 0, a slider's minimum)
would be dropped from the URL, and the link would reopen at the lesson's default.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dnn_core import TrainConfig, datasets, gradcheck
from dnn_core.datasets import Dataset

from . import export, markdown, share, upload

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 100
MIN_LEARNING_RATE = 1e-5
MAX_LEARNING_RATE = 10.0
MAX_ITERATIONS = 30_000
MAX_SEED = 10_000
PERSIST = "session"
UPLOAD = "upload"
"""The data-set choice that shows the uploader instead of a catalogued set."""
DATA_LABELS = {name: spec.label for name, spec in datasets.CATALOG.items()} | {
    UPLOAD: "Upload your own (.csv or .mat)"
}


@dataclass(frozen=True)
class DataChoice:
    """Which data set to use: a catalogued one (see :data:`dnn_core.datasets.CATALOG`) at a
    noise and seed, or an upload.

    An upload has ``name == UPLOAD``, ``upload_hash`` (a hash of its points, so cache keys
    tell uploads apart) and the data themselves in ``uploaded``, which stays out of
    equality and hashing: choices remain cheap, hashable cache keys.
    """

    name: str
    noise: float
    seed: int
    upload_hash: str = ""
    uploaded: Dataset | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_upload(cls, data: Dataset) -> DataChoice:
        return cls(UPLOAD, 0.0, 0, upload_hash=content_hash(data), uploaded=data)

    @classmethod
    def catalogued(cls, name: str) -> DataChoice:
        """Data set ``name`` at its own default noise and seed (the course's)."""
        spec = datasets.CATALOG[name]
        return cls(name, float(spec.default_noise), int(spec.default_seed))

    @property
    def is_upload(self) -> bool:
        return self.uploaded is not None

    @property
    def label(self) -> str:
        if self.uploaded is not None:
            return self.uploaded.name
        return datasets.CATALOG[self.name].label


def content_hash(data: Dataset) -> str:
    """A short hash of a data set's points and labels (train and test, in order): equal
    for the same points whatever the file was called."""
    digest = hashlib.sha256()
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test):
        values = np.ascontiguousarray(array, dtype=np.float64)
        digest.update(str(values.shape).encode())
        digest.update(values.tobytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class LessonDefaults:
    """A lesson's starting settings for the shared sidebar."""

    dataset: str = "circles"
    hidden_layers: tuple[int, ...] = (10, 5)
    learning_rate: float = 0.1
    num_iterations: int = 2000
    weight_seed: int = 3


@dataclass(frozen=True)
class SidebarConfig:
    """What the shared sidebar chose.

    ``architecture_error`` is a plain-language message when the typed architecture could
    not be used; ``hidden_layers`` then holds the lesson's default so the page still works.
    """

    data: DataChoice
    hidden_layers: tuple[int, ...]
    learning_rate: float
    num_iterations: int
    weight_seed: int
    show_test: bool = True
    architecture_error: str = ""

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """``(n_x, n_1, ..., 1)``: two inputs, the hidden layers, one sigmoid output."""
        return (2, *self.hidden_layers, 1)

    def train_config(self, **overrides: Any) -> TrainConfig:
        """The :class:`TrainConfig` of these settings, with lesson-specific ``overrides``
        (e.g. ``init="zeros"``, ``lambd=0.7``). Weights use the course's seeding, so the
        course's numbers come back with the course's settings."""
        config = TrainConfig(
            layer_dims=self.layer_dims,
            learning_rate=self.learning_rate,
            num_iterations=self.num_iterations,
            seed=self.weight_seed,
            record_every=record_every(self.num_iterations),
            course_seeding=True,
        )
        return replace(config, **overrides)


def record_every(num_iterations: int) -> int:
    """Record the cost about 100 times per run: a smooth curve without slowing training."""
    return max(1, num_iterations // 100)


def key(prefix: str, name: str) -> str:
    """The session-state key of a setting on a page, e.g. ``key("init", "lr")``."""
    return f"{prefix}_{name}"


def stateful(widget: Callable[..., Any], label: str, widget_key: str, default: Any, **kwargs):
    """Create ``widget`` (``st.slider``, ``st.selectbox``, ...) with ``key=widget_key``,
    starting at ``default``, bound to the URL query parameter ``widget_key`` and kept for
    the session; returns its value. A link's value that does not fit the widget (out of
    range, not an option) is ignored, so the widget starts at ``default``."""
    return share.bound_widget(widget, label, widget_key, default, persist_state=PERSIST, **kwargs)


def apply_settings(values: Mapping[str, Any]) -> None:
    """Set several widgets at once (``key -> value``); use as an ``on_click`` callback so
    the values are in place before the widgets are drawn (the URL follows)."""
    for widget_key, value in values.items():
        st.session_state[widget_key] = value


# --- Data set -------------------------------------------------------------------------


def data_keys(prefix: str, name: str) -> tuple[str, str]:
    """The keys of data set ``name``'s noise and seed widgets on a page, e.g.
    ``("reg_moons_noise", "reg_moons_seed")``.

    Each data set has its own pair (its own noise range and defaults), so switching sets
    starts the new one at its own defaults and switching back finds the old values. (One
    shared slider would change identity with its range and then be reset from the link.)
    """
    return key(prefix, f"{name}_noise"), key(prefix, f"{name}_seed")


def dataset_picker(
    prefix: str, default: str = "circles", *, allow_upload: bool = False
) -> DataChoice:
    """Data set, noise and seed widgets (in the current container, e.g. ``st.sidebar``).

    With ``allow_upload`` the list ends with "Upload your own", which shows an uploader
    instead of noise and seed: an accepted file is the choice; until then (or after a
    rejected file) the page goes on with the data set used before, and says so.
    """
    if default not in datasets.CATALOG:
        raise ValueError(f"Unknown data set {default!r}.")
    name = stateful(
        st.selectbox,
        "Data set",
        key(prefix, "dataset"),
        default,
        options=(*datasets.NAMES, UPLOAD) if allow_upload else datasets.NAMES,
        format_func=DATA_LABELS.get,
        help="Two-class points in the plane. Test points are held out from training.",
    )
    previous_key = key(prefix, "previous_data")  # session only: not a widget
    if name == UPLOAD:
        uploaded = upload.dataset_uploader(key(prefix, "upload"), label="Your file")
        if uploaded is not None:
            return DataChoice.from_upload(uploaded)
        previous = st.session_state.get(previous_key) or DataChoice.catalogued(default)
        st.info(
            f"Until a file is accepted, this page goes on with **{previous.label}**. A file "
            "stays in use while you are on this page.",
            icon=":material/info:",
        )
        return previous
    spec = datasets.CATALOG[name]
    noise_key, seed_key = data_keys(prefix, name)
    noise = stateful(
        st.slider,
        "Noise",
        noise_key,
        float(spec.default_noise),
        min_value=0.0,
        max_value=float(spec.max_noise),
        step=0.01,
        help="How much the points are jittered; more noise blurs the classes together.",
    )
    seed = stateful(
        st.number_input,
        "Data seed",
        seed_key,
        int(spec.default_seed),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        help="Draws a different sample of the same data set.",
    )
    choice = DataChoice(name=name, noise=float(noise), seed=int(seed))
    st.session_state[previous_key] = choice
    return choice


# --- Architecture ---------------------------------------------------------------------

_ARCHITECTURE_PATTERN = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")


def format_hidden_layers(hidden_layers: tuple[int, ...]) -> str:
    """``(20, 3)`` -> ``"20, 3"`` (the text the architecture box shows)."""
    return ", ".join(str(units) for units in hidden_layers)


def parse_hidden_layers(text: str) -> tuple[tuple[int, ...], str]:
    """Read hidden layer sizes typed as ``"20, 3"``.

    Returns:
        ``(sizes, "")`` when the text is usable, else ``((), message)`` with a plain
        message that says what to type.
    """
    cleaned = (text or "").strip().strip("()[]").strip().rstrip(",")
    if not cleaned:
        return (), "Type at least one hidden layer size, e.g. 20, 3."
    if not _ARCHITECTURE_PATTERN.match(cleaned):
        return (), (
            f"Could not read the architecture {text.strip()!r}: type whole numbers of units "
            "per hidden layer, separated by commas, e.g. 20, 3."
        )
    sizes = tuple(int(part) for part in cleaned.split(","))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        return (), f"At most {MAX_HIDDEN_LAYERS} hidden layers, please (got {len(sizes)})."
    if min(sizes) < 1 or max(sizes) > MAX_UNITS:
        return (), f"Each hidden layer needs between 1 and {MAX_UNITS} units."
    return sizes, ""


# --- The shared sidebar ---------------------------------------------------------------


@dataclass(frozen=True)
class SidebarOptions:
    """Per-page switches for :func:`sidebar`."""

    show_test_toggle: bool = True
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Button label -> settings (``key -> value``) the button applies."""
    show_training: bool = True
    """Learning-rate and iterations widgets (off for a lesson that does not train)."""
    iterations_label: str = "Iterations"
    iterations_help: str = "Full-batch gradient-descent steps. More is slower but fits better."


def sidebar(
    prefix: str, defaults: LessonDefaults, options: SidebarOptions | None = None
) -> SidebarConfig:
    """The sidebar every lesson shares: data set, seed, architecture, learning rate,
    iterations and the test-set toggle. Keys are ``"<prefix>_<setting>"``."""
    options = options or SidebarOptions()
    with st.sidebar:
        st.header("Data")
        data = dataset_picker(prefix, defaults.dataset, allow_upload=True)
        st.header("Network and training")
        architecture = stateful(
            st.text_input,
            "Hidden layers (units per layer)",
            key(prefix, "hidden"),
            format_hidden_layers(defaults.hidden_layers),
            max_chars=60,
            help="Comma-separated units per hidden layer, e.g. 20, 3. The input layer (2) "
            "and the sigmoid output (1) are added for you.",
        )
        learning_rate, num_iterations = defaults.learning_rate, defaults.num_iterations
        if options.show_training:
            learning_rate = stateful(
                st.number_input,
                "Learning rate α",  # noqa: RUF001 (the course writes alpha)
                key(prefix, "lr"),
                float(defaults.learning_rate),
                min_value=MIN_LEARNING_RATE,
                max_value=MAX_LEARNING_RATE,
                step=0.01,
                format="%.4g",
                help="Step size of gradient descent. Too large and the cost blows up.",
            )
            num_iterations = stateful(
                st.number_input,
                options.iterations_label,
                key(prefix, "iterations"),
                int(defaults.num_iterations),
                min_value=10,
                max_value=MAX_ITERATIONS,
                step=500,
                help=options.iterations_help,
            )
        weight_seed = stateful(
            st.number_input,
            "Weight seed",
            key(prefix, "weight_seed"),
            int(defaults.weight_seed),
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            help="Seed of the random initial weights (the course uses 3).",
        )
        show_test = True
        if options.show_test_toggle:
            show_test = stateful(
                st.toggle,
                "Show test points",
                key(prefix, "show_test"),
                True,
                help="Test points (open diamonds) were never used for training.",
            )
        for index, (label, values) in enumerate(options.presets.items()):
            st.button(
                label,
                key=key(prefix, f"preset_{index}"),
                on_click=apply_settings,
                args=(values,),
                width="stretch",
            )
        share_settings(prefix, data)
    hidden_layers, problem = parse_hidden_layers(architecture)
    if problem:
        hidden_layers = defaults.hidden_layers
        problem = (
            f"{problem} Using the lesson's default "
            f"({format_hidden_layers(defaults.hidden_layers)}) until it is fixed."
        )
    return SidebarConfig(
        data=data,
        hidden_layers=hidden_layers,
        learning_rate=float(learning_rate),
        num_iterations=int(num_iterations),
        weight_seed=int(weight_seed),
        show_test=bool(show_test),
        architecture_error=problem,
    )


def share_settings(prefix: str, data: DataChoice) -> None:
    """The copy-link button (in the current container) and what a link carries."""
    st.subheader("Share")
    share.copy_link_button(key=key(prefix, "copy_link"))
    if data.is_upload:
        st.caption(
            f"The link carries every setting but not your file "
            f"({markdown.escape(data.label)}): whoever opens it gets the upload option and "
            "the lesson's own data until they upload the file too.",
        )
    else:
        st.caption("The link opens this lesson with every setting shown here.")


def settings_for(prefix: str, config: SidebarConfig) -> dict[str, Any]:
    """The widget values (``key -> value``) that reproduce ``config`` on a page: the
    building block of presets."""
    noise_key, seed_key = data_keys(prefix, config.data.name)
    return {
        key(prefix, "dataset"): config.data.name,
        noise_key: config.data.noise,
        seed_key: config.data.seed,
        key(prefix, "hidden"): format_hidden_layers(config.hidden_layers),
        key(prefix, "lr"): config.learning_rate,
        key(prefix, "iterations"): config.num_iterations,
        key(prefix, "weight_seed"): config.weight_seed,
    }


def lesson_settings(prefix: str, defaults: LessonDefaults) -> dict[str, Any]:
    """The widget values (``key -> value``) that restore a lesson's ``defaults``, its data
    set at that set's own noise and seed: what a "defaults" or "course settings" button
    applies (add page-specific keys with ``|``)."""
    return settings_for(
        prefix,
        SidebarConfig(
            data=DataChoice.catalogued(defaults.dataset),
            hidden_layers=defaults.hidden_layers,
            learning_rate=defaults.learning_rate,
            num_iterations=defaults.num_iterations,
            weight_seed=defaults.weight_seed,
        ),
    )


# --- Page furniture -------------------------------------------------------------------


@dataclass(frozen=True)
class PageEntry:
    """A page of the lab: its script (relative to the app's folder), title and icon."""

    path: str
    title: str
    icon: str


APP_ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    PageEntry("app.py", "Home", ":material/neurology:"),
    PageEntry("pages/1_Initialization.py", "Initialization", ":material/casino:"),
    PageEntry("pages/2_Regularization.py", "Regularization", ":material/tune:"),
    PageEntry("pages/3_Gradient_Checking.py", "Gradient checking", ":material/rule:"),
    PageEntry("pages/4_Optimization.py", "Optimization", ":material/speed:"),
)
PAGE_RUN_KEY = "dnl_page_run"
"""Session-state counter of page runs (``setup_page`` counts), so helpers can tell which
run they are in."""


def installed_pages() -> tuple[PageEntry, ...]:
    """The pages whose scripts exist (a lesson may be left out of a deployment)."""
    return tuple(page for page in PAGES if (APP_ROOT / page.path).is_file())


def setup_page(title: str, icon: str) -> None:
    """Wide layout, the browser tab's title and the page links at the top of the sidebar;
    call first on every page.

    Streamlit's own page list is hidden (``showSidebarNavigation = false``) because it would
    name the home page "app" after its file; these links name it "Home". (Not
    ``st.navigation``: see DESIGN.md.)
    """
    st.set_page_config(page_title=f"{title} · Deep Net Lab", page_icon=icon, layout="wide")
    st.session_state[PAGE_RUN_KEY] = st.session_state.get(PAGE_RUN_KEY, 0) + 1
    with st.sidebar.container(key="dnl_nav"):
        try:
            for page in installed_pages():
                st.page_link(page.path, label=page.title, icon=page.icon, width="stretch")
        except StreamlitPageNotFoundError:
            # The lesson runs as an app of its own (``streamlit run pages/...``, or an
            # AppTest of one page): there are no other pages to link to. Home comes first,
            # so no link has been drawn.
            return
        # A thin rule, tighter than st.divider's, like the one under Streamlit's own list.
        st.html('<hr style="margin: 0.5rem 0 0; border: 0; border-top: 1px solid #D5DCE5">')


def explain(text: str, *, formula: str | None = None, look_for: str | None = None) -> None:
    """A short plain-words explanation beside a chart: what it shows, optionally the
    formula (LaTeX) and what to look for."""
    st.markdown(text)
    if formula:
        st.latex(formula)
    if look_for:
        st.caption(f"**What to look for:** {look_for}")


def figure_title(figure: go.Figure) -> str:
    """The figure's title text without markup (``""`` when it has none)."""
    text = figure.layout.title.text or ""
    return re.sub(r"<[^>]+>", " ", text).strip()


def chart(figure: go.Figure, *, key: str, container=None, filename: str | None = None) -> None:
    """Show a figure from :mod:`ui.figures` as designed (its own template and palette, not
    Streamlit's chart theme), full width. Its camera button saves ``<filename>.png``
    (default: the figure's title, else ``key``)."""
    name = filename or figure_title(figure) or key
    (container or st).plotly_chart(
        figure, key=key, theme=None, config=export.plotly_config(f"deep net lab {name}")
    )


def downloads(
    runs: Mapping[str, tuple[Any, TrainConfig | None]],
    *,
    key: str,
    name: str,
    figures: Mapping[str, go.Figure] | None = None,
    title: str = "Download this run",
) -> None:
    """An expander with downloads: for each run its trained parameters (.npz, .json) and
    cost history (.csv), then ``figures`` as interactive HTML pages that open offline
    (built only when clicked).

    Args:
        runs: label -> ``(TrainResult, its TrainConfig)`` (the config goes into the JSON),
            e.g. ``{"He": (result, config)}``.
        key: prefix of the buttons' widget keys.
        name: what is downloaded, the start of every file name (e.g. ``"regularization"``).
        figures: name -> figure, e.g. ``{"Cost curve": ...}``.
    """
    with st.expander(title, icon=":material/download:"):
        # One run: its files beside the charts; several: a column per run, charts below.
        run_area, chart_area = st.columns(2) if len(runs) == 1 else (st.container(), st.container())
        run_columns = [run_area] if len(runs) == 1 else run_area.columns(max(len(runs), 2))
        for column, (index, (label, (result, config))) in zip(
            run_columns, enumerate(runs.items()), strict=False
        ):
            with column:
                st.markdown(f"**{label}**: trained parameters and cost history")
                export.download_run(
                    result, key=f"{key}_run{index}", name=f"{name} {label}", config=config
                )
        if figures:
            with chart_area:
                st.markdown("**Charts** as interactive pages")
                for index, (label, figure) in enumerate(figures.items()):
                    export.download_figure(
                        figure,
                        key=f"{key}_figure{index}",
                        name=f"{name} {label}",
                        label=f"{label} (.html)",
                    )


# --- Gradient checking ---

CHECK_EPSILONS = tuple(float(f"1e-{power}") for power in range(1, 13))
# Short option labels: they are what a shared link shows (``?gc_function=θ³x``).
ONE_D_FUNCTIONS = {"linear": "θx", "cubic": "θ³x", "sine": "sin(θx)"}
COURSE_BUGS = ("dW2_x2", "db1_x4")
OTHER_BUGS = ("relu_mask", "missing_1_over_m", "l2_forgotten")
MAX_CHECK_POINTS = 300
MAX_CHECK_LAMBDA = 10.0


@dataclass(frozen=True)
class OneDCheckSettings:
    """The 1-D check: which ``J(θ)``, its input ``x``, the point ``θ`` and the step ``ε``."""

    function: str
    x: float
    theta: float
    epsilon: float


@dataclass(frozen=True)
class NetworkCheckSettings:
    """The network check: what to check and under which conditions.

    ``cost_lambd`` is the L2 strength the cost uses (0 when the L2 term is left out of
    the cost while backprop still adds it); ``fixed_masks`` holds one dropout mask for
    every cost evaluation instead of drawing fresh ones.
    """

    course_case: bool
    sample_size: int
    epsilon: float
    bugs: tuple[str, ...]
    lambd: float
    l2_in_cost: bool
    keep_prob: float
    fixed_masks: bool

    @property
    def cost_lambd(self) -> float:
        return self.lambd if self.l2_in_cost else 0.0


def _format_epsilon(value: float) -> str:
    return f"{value:.0e}"


def one_d_check_controls(prefix: str) -> OneDCheckSettings:
    """Widgets of the 1-D check (in the current container)."""
    function = stateful(
        st.radio,
        "Function",
        key(prefix, "function"),
        "linear",
        options=list(ONE_D_FUNCTIONS),
        format_func=ONE_D_FUNCTIONS.get,
        captions=["the course's", "", ""],
        horizontal=True,
        help="θx is linear, so its two-sided difference has no truncation error; the "
        "curved functions show both kinds of error.",
    )
    x_column, theta_column = st.columns(2)
    with x_column:
        x = stateful(
            st.number_input,
            "x",
            key(prefix, "x"),
            2.0,
            min_value=-10.0,
            max_value=10.0,
            step=0.5,
        )
    with theta_column:
        theta = stateful(
            st.number_input,
            "θ",
            key(prefix, "theta"),
            4.0,
            min_value=-10.0,
            max_value=10.0,
            step=0.5,
        )
    epsilon = stateful(
        st.select_slider,
        "ε (step of the two-sided difference)",
        key(prefix, "epsilon"),
        1e-7,
        options=CHECK_EPSILONS,
        format_func=_format_epsilon,
        help="The course uses 1e-7.",
    )
    return OneDCheckSettings(function, float(x), float(theta), float(epsilon))


def network_check_controls(prefix: str) -> NetworkCheckSettings:
    """Widgets of the network check (in the current container): the network, the planted
    bugs, and the L2 and dropout conditions."""
    source = stateful(
        st.radio,
        "Network to check",
        key(prefix, "source"),
        "course",
        options=["course", "sidebar"],
        format_func={"course": "Course's test case", "sidebar": "Sidebar's network"}.get,
        captions=[
            "4 inputs, 3 examples, layers 4-5-3-1",
            "the sidebar's data set and hidden layers, He initialization",
        ],
    )
    course_case = source == "course"
    sample_size = stateful(
        st.slider,
        "Training points used",
        key(prefix, "points"),
        50,
        min_value=5,
        max_value=MAX_CHECK_POINTS,
        step=5,
        disabled=course_case,
        help="A random subset keeps the check instant; the cost is the same function of "
        "the weights whatever the number of points.",
    )
    epsilon = stateful(
        st.select_slider,
        "ε",
        key(prefix, "net_epsilon"),
        1e-7,
        options=CHECK_EPSILONS,
        format_func=_format_epsilon,
    )
    st.markdown("**Plant bugs in backprop**")
    bugs = []
    for name in (*COURSE_BUGS, *OTHER_BUGS):
        label = gradcheck.BUGS[name]
        if stateful(st.checkbox, label, key(prefix, f"bug_{name}"), name in COURSE_BUGS):
            bugs.append(name)
    st.markdown("**Regularization while checking**")
    lambd = stateful(
        st.number_input,
        "L2 strength λ",
        key(prefix, "lambd"),
        0.0,
        min_value=0.0,
        max_value=MAX_CHECK_LAMBDA,
        step=0.1,
        help="Backprop adds λ/m · W to every dW.",
    )
    l2_in_cost = stateful(
        st.checkbox,
        "L2 term in the cost too",
        key(prefix, "l2_in_cost"),
        True,
        help="Untick to check a gradient with L2 against a cost without it.",
    )
    keep_prob = stateful(
        st.slider,
        "Dropout keep_prob",
        key(prefix, "keep_prob"),
        1.0,
        min_value=0.5,
        max_value=1.0,
        step=0.05,
        help="1 means no dropout.",
    )
    masks = stateful(
        st.radio,
        "Dropout masks",
        key(prefix, "masks"),
        "fixed",
        options=["fixed", "fresh"],
        format_func={"fixed": "Fixed", "fresh": "Fresh"}.get,
        captions=["one mask for every cost evaluation", "a new mask at every cost evaluation"],
        disabled=keep_prob >= 1.0,
    )
    return NetworkCheckSettings(
        course_case=course_case,
        sample_size=int(sample_size),
        epsilon=float(epsilon),
        bugs=tuple(bugs),
        lambd=float(lambd),
        l2_in_cost=bool(l2_in_cost),
        keep_prob=float(keep_prob),
        fixed_masks=masks == "fixed",
    )


# --- Optimization ---

OPTIMIZER_CHOICES = {
    "batch": "Batch gradient descent",
    "minibatch": "Mini-batch gradient descent",
    "momentum": "Momentum",
    "adam": "Adam",
}
MINI_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
BETA2_CHOICES = (0.9, 0.99, 0.995, 0.999, 0.9999)
ADAM_EPSILONS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
DECAYS = {"none": "None", "inverse": "Every epoch", "scheduled": "In steps"}
MAX_DECAY_RATE = 10.0
MAX_DECAY_INTERVAL = 10_000


@dataclass(frozen=True)
class OptimizationSettings:
    """Which optimizers to compare and their hyper-parameters (learning rate, epochs and
    the network come from the shared sidebar)."""

    optimizers: tuple[str, ...]
    mini_batch_size: int
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    decay: str = "none"
    decay_rate: float = 1.0
    decay_interval: int = 1000

    def overrides(self, choice: str) -> dict[str, Any]:
        """:class:`TrainConfig` fields for one of :data:`OPTIMIZER_CHOICES`. Settings an
        optimizer does not use are left at their defaults, so they don't split the cache."""
        fields: dict[str, Any] = {"init": "he", "record_minibatch_costs": True}
        if choice == "batch":
            fields |= {"optimizer": "gd", "mini_batch_size": None}
        elif choice == "minibatch":
            fields |= {"optimizer": "gd", "mini_batch_size": self.mini_batch_size}
        elif choice == "momentum":
            fields |= {
                "optimizer": "momentum",
                "mini_batch_size": self.mini_batch_size,
                "beta": self.beta,
            }
        elif choice == "adam":
            fields |= {
                "optimizer": "adam",
                "mini_batch_size": self.mini_batch_size,
                "beta1": self.beta1,
                "beta2": self.beta2,
                "epsilon": self.epsilon,
            }
        else:
            raise ValueError(f"Unknown optimizer choice {choice!r}.")
        if self.decay != "none":
            fields |= {"decay": self.decay, "decay_rate": self.decay_rate}
            if self.decay == "scheduled":
                fields["decay_interval"] = self.decay_interval
        return fields


def optimization_controls(prefix: str) -> OptimizationSettings:
    """Widgets of the optimization lesson (in the current container): the optimizers to
    compare, the mini-batch size, and in an expander momentum's, Adam's and the decay's
    settings."""
    choice_column, size_column = st.columns([3, 2])
    with choice_column:
        optimizers = stateful(
            st.multiselect,
            "Optimizers to compare",
            key(prefix, "optimizers"),
            ["minibatch", "momentum", "adam"],
            options=list(OPTIMIZER_CHOICES),
            format_func=OPTIMIZER_CHOICES.get,
            help="Each one trains the same network from the same initial weights.",
        )
    with size_column:
        mini_batch_size = stateful(
            st.select_slider,
            "Mini-batch size",
            key(prefix, "batch_size"),
            64,
            options=MINI_BATCH_SIZES,
            help="Examples per step for mini-batch GD, momentum and Adam (1 is stochastic "
            "gradient descent). Batch GD always uses the whole training set.",
        )
    with st.expander("Momentum, Adam and learning-rate decay settings"):
        momentum_column, adam_column, decay_column = st.columns(3)
        with momentum_column:
            beta = stateful(
                st.slider,
                "Momentum β",
                key(prefix, "beta"),
                0.9,
                min_value=0.0,
                max_value=0.99,
                step=0.01,
                help="How much of the previous velocity each step keeps (0 = plain GD).",
            )
        with adam_column:
            beta1 = stateful(
                st.slider,
                "Adam β₁",
                key(prefix, "beta1"),
                0.9,
                min_value=0.0,
                max_value=0.99,
                step=0.01,
                help="Decay of the running mean of the gradients.",
            )
            beta2 = stateful(
                st.select_slider,
                "Adam β₂",
                key(prefix, "beta2"),
                0.999,
                options=BETA2_CHOICES,
                help="Decay of the running mean of the squared gradients.",
            )
            epsilon = stateful(
                st.select_slider,
                "Adam ε",
                key(prefix, "adam_epsilon"),
                1e-8,
                options=ADAM_EPSILONS,
                format_func=lambda value: f"{value:.0e}",
                help="Keeps the division by √v away from zero.",
            )
        with decay_column:
            decay = stateful(
                st.selectbox,
                "Learning-rate decay",
                key(prefix, "decay"),
                "none",
                options=list(DECAYS),
                format_func=DECAYS.get,
                help="None keeps the learning rate constant. Every epoch: α₀ / (1 + rate · "
                "epoch). In steps: α₀ / (1 + rate · ⌊epoch / interval⌋).",
            )
            decay_rate = stateful(
                st.number_input,
                "Decay rate",
                key(prefix, "decay_rate"),
                1.0,
                min_value=0.0,
                max_value=MAX_DECAY_RATE,
                step=0.1,
                disabled=decay == "none",
            )
            decay_interval = stateful(
                st.number_input,
                "Decay interval (epochs)",
                key(prefix, "decay_interval"),
                1000,
                min_value=1,
                max_value=MAX_DECAY_INTERVAL,
                step=100,
                disabled=decay != "scheduled",
            )
    return OptimizationSettings(
        optimizers=tuple(optimizers),
        mini_batch_size=int(mini_batch_size),
        beta=float(beta),
        beta1=float(beta1),
        beta2=float(beta2),
        epsilon=float(epsilon),
        decay=decay,
        decay_rate=float(decay_rate),
        decay_interval=int(decay_interval),
    )
