"""The sidebar every lesson shares: data set (catalogued or uploaded), architecture,
learning rate, iterations, seeds and presets, as frozen, hashable dataclasses."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, course, datasets
from dnn_core.datasets import Dataset

from . import share, upload
from .i18n import N_, Labels, _
from .state import apply_settings, bound_widget, key

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 100
MIN_LEARNING_RATE = 1e-5
MAX_LEARNING_RATE = 10.0
MAX_ITERATIONS = 30_000
MAX_SEED = 10_000
UPLOAD = "upload"
"""The data-set choice that shows the uploader instead of a catalogued set."""
# Translated when read: the catalogue's names are message ids (ui.i18n.CORE_MESSAGES).
DATA_LABELS = Labels(
    {name: spec.label for name, spec in datasets.CATALOG.items()}
    | {UPLOAD: N_("Upload your own (.csv or .mat)")}
)


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
        return _(datasets.CATALOG[self.name].label)


def content_hash(data: Dataset) -> str:
    """A short hash of a data set's points and labels (train and test, in order): equal
    for the same points whatever the file was called."""
    digest = hashlib.sha256()
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test):
        values = np.ascontiguousarray(array, dtype=np.float64)
        digest.update(str(values.shape).encode())
        digest.update(values.tobytes())
    return digest.hexdigest()[:16]


ACTIVATION_CHOICES = Labels({"relu": N_("ReLU"), "tanh": N_("tanh"), "sigmoid": N_("sigmoid")})
"""The hidden activations (:data:`dnn_core.losses.ACTIVATIONS`) as the sidebar shows them."""


@dataclass(frozen=True)
class LessonDefaults:
    """A lesson's starting settings for the shared sidebar."""

    dataset: str = "circles"
    hidden_layers: tuple[int, ...] = (10, 5)
    learning_rate: float = 0.1
    num_iterations: int = 2000
    weight_seed: int = 3
    activation: str = "relu"


# Each lesson's starting settings, fast enough to retrain on every change, slow enough to
# show the lesson; and the course's own (slower) settings for its preset.
INITIALIZATION_DEFAULTS = LessonDefaults(
    dataset="circles", hidden_layers=(10, 5), learning_rate=0.1, num_iterations=2000
)
INITIALIZATION_COURSE = replace(
    INITIALIZATION_DEFAULTS,
    learning_rate=course.INITIALIZATION.learning_rate,
    num_iterations=course.INITIALIZATION.epochs,
)
# The course trains 30 000 iterations; 2000 keep every change quick (the page trains 11
# networks) and already tell the story on the football set: without regularization about
# 92 % train / 83 % test, with L2 or dropout no gap and a higher test accuracy (91-93 %).
REGULARIZATION_DEFAULTS = LessonDefaults(
    dataset="football", hidden_layers=(20, 3), learning_rate=0.3, num_iterations=2000
)
REGULARIZATION_COURSE = replace(
    REGULARIZATION_DEFAULTS, num_iterations=course.REGULARIZATION.epochs
)
GRADIENT_CHECKING_DEFAULTS = LessonDefaults(dataset="moons", hidden_layers=(20, 3), weight_seed=3)
# The course trains 10 000 epochs at alpha = 0.0007, where every optimizer but Adam has
# barely started. Mini-batches of 16 at 0.1 for 200 epochs tell all four apart within a
# second each: batch GD lags (one step an epoch), momentum's averaged steps part from
# mini-batch GD's early on, Adam drops first.
OPTIMIZATION_DEFAULTS = LessonDefaults(
    dataset="moons", hidden_layers=(5, 2), learning_rate=0.1, num_iterations=200
)
OPTIMIZATION_COURSE = replace(
    OPTIMIZATION_DEFAULTS,
    learning_rate=course.OPTIMIZATION.learning_rate,
    num_iterations=course.OPTIMIZATION.epochs,
)


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
    activation: str = "relu"

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
            activation=self.activation,
        )
        return replace(config, **overrides)


def record_every(num_iterations: int) -> int:
    """Record the cost about 100 times per run: a smooth curve without slowing training."""
    return max(1, num_iterations // 100)


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
    prefix: str, default: str = "circles", *, allow_upload: bool = False, disabled: bool = False
) -> DataChoice:
    """Data set, noise and seed widgets (in the current container, e.g. ``st.sidebar``).

    With ``allow_upload`` the list ends with "Upload your own", which shows an uploader
    instead of noise and seed: an accepted file is the choice; until then (or after a
    rejected file) the page goes on with the data set used before, and says so.
    ``disabled`` greys the choice, noise and seed out (their values still count).
    """
    if default not in datasets.CATALOG:
        raise ValueError(f"Unknown data set {default!r}.")
    name = bound_widget(
        st.selectbox,
        _("Data set"),
        key(prefix, "dataset"),
        default,
        options=(*datasets.NAMES, UPLOAD) if allow_upload else datasets.NAMES,
        format_func=DATA_LABELS.get,
        help=_("Two-class points in the plane. Test points are held out from training."),
        disabled=disabled,
    )
    previous_key = key(prefix, "previous_data")  # session only: not a widget
    if name == UPLOAD:
        uploaded = upload.dataset_uploader(key(prefix, "upload"), label=_("Your file"))
        if uploaded is not None:
            return DataChoice.from_upload(uploaded)
        previous = st.session_state.get(previous_key) or DataChoice.catalogued(default)
        st.info(
            _(
                "Until a file is accepted, this page goes on with **{name}**. A file stays in "
                "use while you are on this page."
            ).format(name=previous.label),
            icon=":material/info:",
        )
        return previous
    spec = datasets.CATALOG[name]
    noise_key, seed_key = data_keys(prefix, name)
    noise = bound_widget(
        st.slider,
        _("Noise"),
        noise_key,
        float(spec.default_noise),
        min_value=0.0,
        max_value=float(spec.max_noise),
        step=0.01,
        help=_("How much the points are jittered; more noise blurs the classes together."),
        disabled=disabled,
    )
    seed = bound_widget(
        st.number_input,
        _("Data seed"),
        seed_key,
        int(spec.default_seed),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        help=_("Draws a different sample of the same data set."),
        disabled=disabled,
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
        return (), _("Type at least one hidden layer size, e.g. 20, 3.")
    if not _ARCHITECTURE_PATTERN.match(cleaned):
        return (), _(
            "Could not read the architecture {text}: type whole numbers of units per hidden "
            "layer, separated by commas, e.g. 20, 3."
        ).format(text=repr(text.strip()))
    sizes = tuple(int(part) for part in cleaned.split(","))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        return (), _("At most {most} hidden layers, please (got {count}).").format(
            most=MAX_HIDDEN_LAYERS, count=len(sizes)
        )
    if min(sizes) < 1 or max(sizes) > MAX_UNITS:
        return (), _("Each hidden layer needs between 1 and {most} units.").format(most=MAX_UNITS)
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
    iterations_label: str = N_("Iterations")
    iterations_help: str = N_("Full-batch gradient-descent steps. More is slower but fits better.")
    show_activation: bool = True
    """The hidden-activation choice (off for a lesson that keeps ReLU)."""
    unused_reason: str = ""
    """Why these settings change nothing on the page right now (Markdown): shown at the
    top of the sidebar, and every setting greyed out. ``""``: in use."""


def sidebar(
    prefix: str, defaults: LessonDefaults, options: SidebarOptions | None = None
) -> SidebarConfig:
    """The sidebar every lesson shares: data set, seed, architecture, learning rate,
    iterations and the test-set toggle. Keys are ``"<prefix>_<setting>"``."""
    options = options or SidebarOptions()
    disabled = bool(options.unused_reason)
    with st.sidebar:
        if disabled:
            st.info(options.unused_reason, icon=":material/block:")
        st.header(_("Data"))
        data = dataset_picker(prefix, defaults.dataset, allow_upload=True, disabled=disabled)
        st.header(_("Network and training"))
        architecture = bound_widget(
            st.text_input,
            _("Hidden layers (units per layer)"),
            key(prefix, "hidden"),
            format_hidden_layers(defaults.hidden_layers),
            max_chars=60,
            help=_(
                "Comma-separated units per hidden layer, e.g. 20, 3. The input layer (2) "
                "and the sigmoid output (1) are added for you."
            ),
            disabled=disabled,
        )
        activation = defaults.activation
        if options.show_activation:
            activation = bound_widget(
                st.selectbox,
                _("Hidden activation"),
                key(prefix, "activation"),
                defaults.activation,
                options=list(ACTIVATION_CHOICES),
                format_func=ACTIVATION_CHOICES.get,
                help=_(
                    "The hidden layers' function g(Z); the output is always a sigmoid. ReLU "
                    "is the course's; tanh is what Xavier initialization was made for; deep "
                    "sigmoid networks pass back vanishing gradients."
                ),
                disabled=disabled,
            )
        learning_rate, num_iterations = defaults.learning_rate, defaults.num_iterations
        if options.show_training:
            learning_rate = bound_widget(
                st.number_input,
                _("Learning rate α"),  # noqa: RUF001 (the course writes alpha)
                key(prefix, "lr"),
                float(defaults.learning_rate),
                min_value=MIN_LEARNING_RATE,
                max_value=MAX_LEARNING_RATE,
                step=0.01,
                format="%.4g",
                help=_("Step size of gradient descent. Too large and the cost blows up."),
            )
            num_iterations = bound_widget(
                st.number_input,
                _(options.iterations_label),
                key(prefix, "iterations"),
                int(defaults.num_iterations),
                min_value=10,
                max_value=MAX_ITERATIONS,
                step=500,
                help=_(options.iterations_help),
            )
        weight_seed = bound_widget(
            st.number_input,
            _("Weight seed"),
            key(prefix, "weight_seed"),
            int(defaults.weight_seed),
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            help=_("Seed of the random initial weights (the course uses 3)."),
            disabled=disabled,
        )
        show_test = True
        if options.show_test_toggle:
            show_test = bound_widget(
                st.toggle,
                _("Show test points"),
                key(prefix, "show_test"),
                True,
                help=_("Test points (open diamonds) were never used for training."),
            )
        for index, (label, values) in enumerate(options.presets.items()):
            st.button(
                label,
                key=key(prefix, f"preset_{index}"),
                on_click=apply_settings,
                args=(values,),
                width="stretch",
            )
        share.share_settings(key(prefix, "copy_link"), data.label if data.is_upload else None)
    hidden_layers, problem = parse_hidden_layers(architecture)
    if problem:
        hidden_layers = defaults.hidden_layers
        problem = _("{problem} Using the lesson's default ({layers}) until it is fixed.").format(
            problem=problem, layers=format_hidden_layers(defaults.hidden_layers)
        )
    return SidebarConfig(
        data=data,
        hidden_layers=hidden_layers,
        learning_rate=float(learning_rate),
        num_iterations=int(num_iterations),
        weight_seed=int(weight_seed),
        show_test=bool(show_test),
        architecture_error=problem,
        activation=str(activation),
    )


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
        key(prefix, "activation"): config.activation,
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
            activation=defaults.activation,
        ),
    )
