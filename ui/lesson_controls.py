"""Each lesson's own widgets (beside the shared sidebar), read into frozen settings
dataclasses, and each lesson's presets (the course's settings, the quick defaults)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, course
from dnn_core.optimizers import epoch_learning_rate

from . import sidebar
from .i18n import N_, Labels, _
from .state import bound_widget, key

TIMES = "\N{MULTIPLICATION SIGN}"
LAMBDA = "\N{GREEK SMALL LETTER LAMDA}"


def spaced(count: int) -> str:
    """``15000`` -> ``"15 000"``: thousands apart, readable in any language."""
    return f"{count:,}".replace(",", " ")


def presets(
    prefix: str,
    course_label: str,
    course: sidebar.LessonDefaults,
    defaults: sidebar.LessonDefaults,
    lesson_values: dict[str, Any],
    default_values: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """A lesson's two preset buttons, label (translated) -> widget values: the course's
    settings and the quick lesson defaults, each with the lesson's own widget values
    (``default_values`` override them for the quick defaults)."""
    return {
        course_label: sidebar.lesson_settings(prefix, course) | lesson_values,
        _("Quick lesson defaults"): sidebar.lesson_settings(prefix, defaults)
        | lesson_values
        | (default_values or {}),
    }


# --- Initialization ---

SCHEMES = Labels(
    {
        "zeros": N_("Zeros"),
        "random": N_("Random × scale"),  # noqa: RUF001 (a multiplication sign)
        "he": "He",
        "xavier": "Xavier",
    }
)
SCALES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 20.0)
COURSE_SCALE = course.COURSE_INIT_SCALE
CONSTANT_WEIGHT = 0.5  # the symmetric start that is not zero


def scheme_comments(runs: dict[str, Any], scale: float) -> list[str]:
    """A short comment on each scheme's run (``runs``: scheme -> TrainResult)."""
    notes = {
        "zeros": _("fails to break symmetry"),
        "random": (
            _("too large: saturated output")
            if scale >= 3
            else _("too small: signals vanish")
            if scale <= 0.1
            else _("workable for this small net")
        ),
        "he": _("recommended for ReLU"),
        "xavier": _("made for tanh, fine here"),
    }
    diverged = _("diverged; {note}")
    return [
        diverged.format(note=notes[name]) if run.diverged else notes[name]
        for name, run in runs.items()
    ]


@dataclass(frozen=True)
class InitializationSettings:
    """The scheme to train and watch, and the scale of the random scheme."""

    scheme: str
    scale: float

    def configs(self, base: TrainConfig) -> dict[str, TrainConfig]:
        """Scheme -> its run. Only the random scheme has a scale; the others keep one
        cache entry whatever it is."""
        configs = {name: replace(base, init=name) for name in SCHEMES}
        configs["random"] = replace(configs["random"], init_scale=self.scale)
        return configs


def initialization_presets(prefix: str) -> dict[str, dict[str, Any]]:
    """Preset buttons: label -> widget values (the course's random scale in both)."""
    return presets(
        prefix,
        _("Course settings ({count} iterations, slower)").format(
            count=spaced(course.INITIALIZATION.epochs)
        ),
        sidebar.INITIALIZATION_COURSE,
        sidebar.INITIALIZATION_DEFAULTS,
        {key(prefix, "scale"): COURSE_SCALE},
    )


def initialization_controls(prefix: str) -> InitializationSettings:
    """The scheme and the random scheme's scale (in the current container)."""
    choice_column, scale_column = st.columns([3, 2])
    with choice_column:
        scheme = bound_widget(
            st.segmented_control,
            _("Initialization scheme"),
            key(prefix, "scheme"),
            "he",
            options=list(SCHEMES),
            format_func=SCHEMES.get,
            required=True,
        )
    with scale_column:
        scale = bound_widget(
            st.select_slider,
            _("Scale of the random scheme (×)"),  # noqa: RUF001
            key(prefix, "scale"),
            COURSE_SCALE,
            options=SCALES,
            format_func=lambda value: f"{value:g}",
            disabled=scheme != "random",
            help=_("Random weights are standard normal times this scale (the course uses 10)."),
        )
    return InitializationSettings(scheme, float(scale))


# --- Regularization ---

MODES = Labels(
    {
        "none": N_("None"),
        "l2": "L2",
        "dropout": N_("Dropout"),
        "both": N_("L2 + dropout"),
    }
)
COURSE_LAMBDA = course.COURSE_LAMBDA
COURSE_KEEP_PROB = course.COURSE_KEEP_PROB
LAMBDA_SWEEP = (0.0, 0.1, 0.3, 0.7, 1.5, 3.0)
KEEP_PROB_SWEEP = (0.5, 0.65, 0.8, 0.86, 0.95, 1.0)


@dataclass(frozen=True)
class RegularizationSettings:
    """Which regularization is on, and its strengths (the sliders keep their values while
    a mode leaves them unused)."""

    mode: str
    lambd: float
    keep_prob: float

    @property
    def uses_l2(self) -> bool:
        return self.mode in ("l2", "both")

    @property
    def uses_dropout(self) -> bool:
        return self.mode in ("dropout", "both")

    def config(self, base: TrainConfig) -> TrainConfig:
        """``base`` with the regularization that is on."""
        return replace(
            base,
            lambd=self.lambd if self.uses_l2 else 0.0,
            keep_prob=self.keep_prob if self.uses_dropout else 1.0,
        )

    def sweeps(self) -> dict[str, tuple[tuple[float, ...], str, float | None]]:
        """Swept setting -> ``(values, axis title, the current value to mark or None)``:
        the current value is marked only while its regularization is on."""
        return {
            "lambd": (LAMBDA_SWEEP, _("L2 strength λ"), self.lambd if self.uses_l2 else None),
            "keep_prob": (
                KEEP_PROB_SWEEP,
                "keep_prob",
                self.keep_prob if self.uses_dropout else None,
            ),
        }

    def networks(self, base: TrainConfig) -> dict[str, TrainConfig]:
        """Every network the lesson trains, by name: ``"main"`` (the one to watch), the
        course's models and each swept value (:func:`swept_name`)."""
        swept = {
            swept_name(name, value): replace(base, **{name: value})
            for name, (values, *_) in self.sweeps().items()
            for value in values
        }
        return {"main": self.config(base), **self.course_configs(base), **swept}

    def course_configs(self, base: TrainConfig) -> dict[str, TrainConfig]:
        """The course's three models on ``base``: none, L2 and dropout at its strengths
        (English names: identifiers; :data:`COURSE_MODELS` shows them)."""
        return {
            "no regularization": base,
            f"L2, {LAMBDA} = {COURSE_LAMBDA:g}": replace(base, lambd=COURSE_LAMBDA),
            f"dropout, keep_prob = {COURSE_KEEP_PROB:g}": replace(base, keep_prob=COURSE_KEEP_PROB),
        }


COURSE_MODELS = Labels(
    {
        "no regularization": N_("no regularization"),
        f"L2, {LAMBDA} = {COURSE_LAMBDA:g}": f"L2, {LAMBDA} = {COURSE_LAMBDA:g}",
        f"dropout, keep_prob = {COURSE_KEEP_PROB:g}": f"dropout, keep_prob = {COURSE_KEEP_PROB:g}",
    }
)
"""The course's three models' names (:meth:`RegularizationSettings.course_configs`) as
shown; the formulas' names are translated through their words."""


def course_model_label(name: str) -> str:
    """A course model's name (``"dropout, keep_prob = 0.86"``) in the reader's language."""
    if name.startswith("dropout"):
        return _("dropout, {setting}").format(setting=name.removeprefix("dropout, "))
    return COURSE_MODELS[name]


def swept_name(setting: str, value: float) -> str:
    """The name of a sweep's network, e.g. ``"lambd=0.3"``."""
    return f"{setting}={value:g}"


def regularization_presets(prefix: str) -> dict[str, dict[str, Any]]:
    """Preset buttons: label -> widget values (the course's strengths in both)."""
    return presets(
        prefix,
        _("Course settings ({count} iterations, slower)").format(
            count=spaced(course.REGULARIZATION.epochs)
        ),
        sidebar.REGULARIZATION_COURSE,
        sidebar.REGULARIZATION_DEFAULTS,
        {key(prefix, "lambd"): COURSE_LAMBDA, key(prefix, "keep_prob"): COURSE_KEEP_PROB},
    )


def regularization_controls(prefix: str) -> RegularizationSettings:
    """The mode, λ and keep_prob (in the current container); unused sliders are greyed."""
    mode_column, lambda_column, keep_column = st.columns([3, 2, 2])  # all four modes in view
    with mode_column:
        mode = bound_widget(
            st.segmented_control,
            _("Regularization"),
            key(prefix, "mode"),
            "none",  # the lesson opens on the problem: a network that overfits
            options=list(MODES),
            format_func=MODES.get,
            required=True,
        )
    uses = RegularizationSettings(mode, 0.0, 1.0)
    with lambda_column:
        lambd = bound_widget(
            st.slider,
            _("L2 strength λ"),
            key(prefix, "lambd"),
            COURSE_LAMBDA,
            min_value=0.0,
            max_value=3.0,
            step=0.05,
            disabled=not uses.uses_l2,
            help=_("Adds λ/(2m)·Σ‖W‖² to the cost; the course uses 0.7."),
        )
    with keep_column:
        keep_prob = bound_widget(
            st.slider,
            _("Dropout keep_prob"),
            key(prefix, "keep_prob"),
            COURSE_KEEP_PROB,
            min_value=0.3,
            max_value=1.0,
            step=0.01,
            disabled=not uses.uses_dropout,
            help=_(
                "Probability of keeping each hidden unit in a training step; the course uses "
                "0.86. Predictions always use every unit."
            ),
        )
    return RegularizationSettings(mode, float(lambd), float(keep_prob))


# --- Optimization ---

OPTIMIZER_CHOICES = Labels(
    {
        "batch": N_("Batch gradient descent"),
        "minibatch": N_("Mini-batch gradient descent"),
        "momentum": N_("Momentum"),
        "adam": "Adam",
    }
)
MINI_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
BETA2_CHOICES = (0.9, 0.99, 0.995, 0.999, 0.9999)
ADAM_EPSILONS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
DECAYS = Labels({"none": N_("None"), "inverse": N_("Every epoch"), "scheduled": N_("In steps")})
MAX_DECAY_RATE = 10.0
MAX_DECAY_INTERVAL = 10_000
COURSE_BATCH_SIZE = course.COURSE_MINI_BATCH_SIZE
DEFAULT_BATCH_SIZE = 16  # many noisy steps an epoch: the optimizers part early
DEFAULT_OPTIMIZERS = ("batch", "minibatch", "momentum", "adam")


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

    def configs(self, config: sidebar.SidebarConfig) -> dict[str, TrainConfig]:
        """Optimizer choice -> its run on the sidebar's settings.

        Raises:
            ValueError: every problem of these settings, in plain words.
        """
        configs = {
            choice: config.train_config(**self.overrides(choice)) for choice in self.optimizers
        }
        problems = sorted({problem for run in configs.values() for problem in run.problems()})
        if problems:
            raise ValueError(" ".join(problems))
        return configs

    def steps_per_epoch(self, m: int) -> int:
        """Mini-batch steps per pass over ``m`` training points."""
        return math.ceil(m / self.mini_batch_size)

    def learning_rates(self, learning_rate0: float, epochs: int) -> tuple[np.ndarray, np.ndarray]:
        """``(epochs (E,), the rate each epoch trains at (E,))`` under this decay."""
        epoch_axis = np.arange(epochs)
        rates = np.array(
            [
                epoch_learning_rate(
                    learning_rate0, int(epoch), self.decay, self.decay_rate, self.decay_interval
                )
                for epoch in epoch_axis
            ]
        )
        return epoch_axis, rates


def optimization_controls(prefix: str) -> OptimizationSettings:
    """Widgets of the optimization lesson (in the current container): the optimizers to
    compare, the mini-batch size, and in an expander momentum's, Adam's and the decay's
    settings."""
    # Pills: every choice stays visible (a multiselect's box hid "Adam" on a phone).
    optimizers = bound_widget(
        st.pills,
        _("Optimizers to compare"),
        key(prefix, "optimizers"),
        list(DEFAULT_OPTIMIZERS),
        options=list(OPTIMIZER_CHOICES),
        selection_mode="multi",
        format_func=OPTIMIZER_CHOICES.get,
        help=_("Each one trains the same network from the same initial weights."),
    )
    with st.columns([3, 2])[0]:
        mini_batch_size = bound_widget(
            st.select_slider,
            _("Mini-batch size"),
            key(prefix, "batch_size"),
            DEFAULT_BATCH_SIZE,
            options=MINI_BATCH_SIZES,
            help=_(
                "Examples per step for mini-batch GD, momentum and Adam (1 is stochastic "
                "gradient descent). Batch GD always uses the whole training set."
            ),
        )
    with st.expander(_("Momentum, Adam and learning-rate decay settings")):
        momentum_column, adam_column, decay_column = st.columns(3)
        with momentum_column:
            beta = bound_widget(
                st.slider,
                _("Momentum β"),
                key(prefix, "beta"),
                0.9,
                min_value=0.0,
                max_value=0.99,
                step=0.01,
                help=_("How much of the previous velocity each step keeps (0 = plain GD)."),
            )
        with adam_column:
            beta1 = bound_widget(
                st.slider,
                "Adam β₁",
                key(prefix, "beta1"),
                0.9,
                min_value=0.0,
                max_value=0.99,
                step=0.01,
                help=_("Decay of the running mean of the gradients."),
            )
            beta2 = bound_widget(
                st.select_slider,
                "Adam β₂",
                key(prefix, "beta2"),
                0.999,
                options=BETA2_CHOICES,
                help=_("Decay of the running mean of the squared gradients."),
            )
            epsilon = bound_widget(
                st.select_slider,
                "Adam ε",
                key(prefix, "adam_epsilon"),
                1e-8,
                options=ADAM_EPSILONS,
                format_func=lambda value: f"{value:.0e}",
                help=_("Keeps the division by √v away from zero."),
            )
        with decay_column:
            decay = bound_widget(
                st.selectbox,
                _("Learning-rate decay"),
                key(prefix, "decay"),
                "none",
                options=list(DECAYS),
                format_func=DECAYS.get,
                help=_(
                    "None keeps the learning rate constant. Every epoch: after epoch e, "
                    "α = α₀ / (1 + rate · e). In steps: α = α₀ / (1 + rate · ⌊e / interval⌋)."  # noqa: RUF001
                ),
            )
            decay_rate = bound_widget(
                st.number_input,
                _("Decay rate"),
                key(prefix, "decay_rate"),
                1.0,
                min_value=0.0,
                max_value=MAX_DECAY_RATE,
                step=0.1,
                disabled=decay == "none",
            )
            decay_interval = bound_widget(
                st.number_input,
                _("Decay interval (epochs)"),
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


def optimization_presets(prefix: str) -> dict[str, dict[str, Any]]:
    """Preset buttons: label -> widget values (the course's optimizer settings in both)."""
    return presets(
        prefix,
        _("Course settings ({count} epochs, slower)").format(
            count=spaced(course.OPTIMIZATION.epochs)
        ),
        sidebar.OPTIMIZATION_COURSE,
        sidebar.OPTIMIZATION_DEFAULTS,
        {
            key(prefix, "batch_size"): COURSE_BATCH_SIZE,
            key(prefix, "beta"): 0.9,
            key(prefix, "beta1"): 0.9,
            key(prefix, "beta2"): 0.999,
            key(prefix, "adam_epsilon"): 1e-8,
            key(prefix, "decay"): "none",
        },
        {key(prefix, "batch_size"): DEFAULT_BATCH_SIZE},
    )
