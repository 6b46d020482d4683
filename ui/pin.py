"""A pinned run: a lesson's settings written into one short URL value (``?pin=...``), read
back with the same bounds and choices as the widgets, and compared with the current ones.

A pin holds every setting that decides a lesson's run (the sidebar's data set and network
and the lesson's own controls), never what only changes the display (test points shown,
presentation mode, language). Its text is readable and URL-safe (letters, digits, ``-``,
``.`` and ``_`` are left as they are by both the server's and the browser's URL
encoding)::

    v1_init_scheme-random_scale-3
    v1_opt_optimizers-momentum-adam_batch-32_lr-0.05

``v1`` is the format's version, ``init`` the lesson (a pin opened on another lesson says
so), then ``name-value`` pairs split at their first ``-`` (a value may hold more: a list of
stable identifiers or layer sizes is joined by ``-``, ``1e-05`` is a number). As in the URL
itself, a setting at the lesson's default is left out, so pinning the defaults gives
``v1_init``. Values are the widgets' stable identifiers (``random``, ``adam``), never
display labels, so a pin works in every language.

Reading a pin never trusts it: its length is bounded, every name must be one of the
lesson's settings (an unknown or repeated one is refused: the pin was edited by hand or
comes from another version), and every value must be one the widget itself accepts (its
options, or its minimum and maximum; hidden layers through the sidebar's own parser), so a
pin cannot ask for more work than the widgets can.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from dnn_core import datasets

from . import lesson_controls as controls
from . import markdown, sidebar
from .i18n import Labels, _

PIN: Final = "pin"
"""The URL query parameter that holds the pin."""
VERSION: Final = "v1"
MAX_PIN_CHARS: Final = 400
"""Longer than any pin this version writes (about 200 characters with every setting away
from its default): a longer value is refused before it is read."""
PAIRS: Final = "_"
NAME_VALUE: Final = "-"
LIST: Final = "-"
_SHOWN_CHARS = 40  # of a refused value, quoted in the message


class PinError(ValueError):
    """A pin that cannot be read; the message says why, in plain words."""


Values = dict[str, Any]
"""Setting name (as in the pin) -> its value (a stable identifier, a number, a tuple)."""


@dataclass(frozen=True)
class Setting:
    """One setting a pin can hold.

    ``parse(text, values)`` reads the pin's text (``values``: the settings read before it,
    e.g. the data set that decides the noise's range) and raises ``ValueError`` with a
    reason; ``write(value)`` is its text in the pin; ``show(value)`` what a reader sees;
    ``default(values)`` the lesson's starting value.
    """

    name: str
    label: Callable[[], str]
    parse: Callable[[str, Values], Any]
    write: Callable[[Any], str]
    show: Callable[[Any], str]
    default: Callable[[Values], Any]


# --- How values are written and read --------------------------------------------------


def _number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(_("not a finite number"))
    return number


def _write_number(value: float) -> str:
    return str(int(value)) if isinstance(value, int) else repr(float(value))


def _choice(options: Mapping[str, str]) -> tuple[Callable, Callable, Callable]:
    def parse(text: str, values: Values) -> str:
        if text not in options:
            raise ValueError(_("not one of {options}").format(options=", ".join(options)))
        return text

    return parse, str, lambda value: options.get(value, str(value))


def _steps(options: tuple[float, ...], shown: str = "{:g}") -> tuple[Callable, Callable, Callable]:
    """One of a select slider's ``options`` (numbers; matched within round-off)."""

    def parse(text: str, values: Values) -> float:
        number = _number(text)
        for option in options:
            if math.isclose(number, option, rel_tol=1e-9, abs_tol=0.0):
                return option
        raise ValueError(
            _("not one of {options}").format(options=", ".join(shown.format(o) for o in options))
        )

    return parse, _write_number, shown.format


def _bounded(
    low: float | Callable[[Values], float],
    high: float | Callable[[Values], float],
    *,
    integer: bool = False,
) -> tuple[Callable, Callable, Callable]:
    """A number between ``low`` and ``high`` (numbers, or functions of the settings read
    before it), a whole one when ``integer``."""

    def parse(text: str, values: Values) -> float | int:
        number = _number(text)
        if integer and number != int(number):
            raise ValueError(_("not a whole number"))
        bottom = low(values) if callable(low) else low
        top = high(values) if callable(high) else high
        if not bottom <= number <= top:
            raise ValueError(_("not between {low:g} and {high:g}").format(low=bottom, high=top))
        return int(number) if integer else number

    shown = _spaced if integer else "{:g}".format
    return parse, _write_number, shown


def _spaced(value: int) -> str:
    return controls.spaced(int(value))


def _several(options: Mapping[str, str]) -> tuple[Callable, Callable, Callable]:
    """Some of ``options`` in the order chosen (at least one, each once)."""

    def parse(text: str, values: Values) -> tuple[str, ...]:
        chosen = tuple(text.split(LIST))
        unknown = [item for item in chosen if item not in options]
        if unknown or len(set(chosen)) != len(chosen) or not chosen:
            raise ValueError(
                _("not a list of different choices among {options}").format(
                    options=", ".join(options)
                )
            )
        return chosen

    def show(value: tuple[str, ...]) -> str:
        return ", ".join(options.get(item, item) for item in value)

    return parse, LIST.join, show


def _layers() -> tuple[Callable, Callable, Callable]:
    """Hidden layer sizes, read by the sidebar's own parser (same limits as typing them)."""

    def parse(text: str, values: Values) -> tuple[int, ...]:
        sizes, problem = sidebar.parse_hidden_layers(text.replace(LIST, ","))
        if problem:
            raise ValueError(problem)
        return sizes

    def write(value: tuple[int, ...]) -> str:
        return LIST.join(str(units) for units in value)

    return parse, write, sidebar.format_hidden_layers


def _setting(name: str, label: Callable[[], str], codec: tuple, default: Any) -> Setting:
    parse, write, show = codec
    return Setting(
        name, label, parse, write, show, default if callable(default) else lambda _v: default
    )


# --- The settings of each lesson ------------------------------------------------------


def _catalogued(values: Values) -> datasets.DatasetSpec:
    return datasets.CATALOG[values["dataset"]]


# Translated when read, as the sidebar shows them (an upload cannot be pinned).
CATALOGUED_LABELS = Labels({name: sidebar.DATA_LABELS.english[name] for name in datasets.NAMES})


def sidebar_settings(defaults: sidebar.LessonDefaults, iterations_label: Callable[[], str]):
    """The shared sidebar's settings that decide a run (an upload cannot be pinned: a link
    cannot carry the file), with this lesson's ``defaults``."""
    return (
        _setting("dataset", lambda: _("Data set"), _choice(CATALOGUED_LABELS), defaults.dataset),
        _setting(
            "noise",
            lambda: _("Noise"),
            _bounded(0.0, lambda values: float(_catalogued(values).max_noise)),
            lambda values: float(_catalogued(values).default_noise),
        ),
        _setting(
            "seed",
            lambda: _("Data seed"),
            _bounded(0, sidebar.MAX_SEED, integer=True),
            lambda values: int(_catalogued(values).default_seed),
        ),
        _setting("hidden", lambda: _("Hidden layers"), _layers(), defaults.hidden_layers),
        _setting(
            "activation",
            lambda: _("Hidden activation"),
            _choice(sidebar.ACTIVATION_CHOICES),
            defaults.activation,
        ),
        _setting(
            "lr",
            lambda: _("Learning rate α"),  # noqa: RUF001 (the course writes alpha)
            _bounded(sidebar.MIN_LEARNING_RATE, sidebar.MAX_LEARNING_RATE),
            float(defaults.learning_rate),
        ),
        _setting(
            "iterations",
            iterations_label,
            _bounded(10, sidebar.MAX_ITERATIONS, integer=True),
            int(defaults.num_iterations),
        ),
        _setting(
            "wseed",
            lambda: _("Weight seed"),
            _bounded(0, sidebar.MAX_SEED, integer=True),
            int(defaults.weight_seed),
        ),
    )


@dataclass(frozen=True)
class Lesson:
    """What a lesson's pin holds: its name, the sidebar's defaults and its own settings,
    and how its settings dataclass is built from the pinned values (``build``) and read
    back (``read``: the dataclass -> values)."""

    title: Callable[[], str]
    defaults: sidebar.LessonDefaults
    own: tuple[Setting, ...]
    build: Callable[[Values], Any]
    read: Callable[[Any], Values]
    iterations_label: Callable[[], str] = lambda: _("Iterations")

    @property
    def settings(self) -> tuple[Setting, ...]:
        return (*sidebar_settings(self.defaults, self.iterations_label), *self.own)


LESSONS: Final[dict[str, Lesson]] = {
    "init": Lesson(
        lambda: _("Initialization"),
        sidebar.INITIALIZATION_DEFAULTS,
        (
            _setting("scheme", lambda: _("Initialization scheme"), _choice(controls.SCHEMES), "he"),
            _setting(
                "scale",
                lambda: _("Scale of the random scheme"),
                _steps(controls.SCALES),
                controls.COURSE_SCALE,
            ),
        ),
        lambda values: controls.InitializationSettings(values["scheme"], values["scale"]),
        lambda settings: {"scheme": settings.scheme, "scale": settings.scale},
    ),
    "reg": Lesson(
        lambda: _("Regularization"),
        sidebar.REGULARIZATION_DEFAULTS,
        (
            _setting("mode", lambda: _("Regularization"), _choice(controls.MODES), "none"),
            _setting(
                "lambda",
                lambda: _("L2 strength λ"),
                _bounded(0.0, 3.0),
                controls.COURSE_LAMBDA,
            ),
            _setting(
                "keep",
                lambda: _("Dropout keep_prob"),
                _bounded(0.3, 1.0),
                controls.COURSE_KEEP_PROB,
            ),
        ),
        lambda values: controls.RegularizationSettings(
            values["mode"], values["lambda"], values["keep"]
        ),
        lambda settings: {
            "mode": settings.mode,
            "lambda": settings.lambd,
            "keep": settings.keep_prob,
        },
    ),
    "opt": Lesson(
        lambda: _("Optimization"),
        sidebar.OPTIMIZATION_DEFAULTS,
        (
            _setting(
                "optimizers",
                lambda: _("Optimizers"),
                _several(controls.OPTIMIZER_CHOICES),
                tuple(controls.DEFAULT_OPTIMIZERS),
            ),
            _setting(
                "batch",
                lambda: _("Mini-batch size"),
                _steps(controls.MINI_BATCH_SIZES),
                controls.DEFAULT_BATCH_SIZE,
            ),
            _setting("beta", lambda: _("Momentum β"), _bounded(0.0, 0.99), 0.9),
            _setting("beta1", lambda: _("Adam β₁"), _bounded(0.0, 0.99), 0.9),
            _setting("beta2", lambda: _("Adam β₂"), _steps(controls.BETA2_CHOICES), 0.999),
            _setting("eps", lambda: _("Adam ε"), _steps(controls.ADAM_EPSILONS, "{:.0e}"), 1e-8),
            _setting("decay", lambda: _("Learning-rate decay"), _choice(controls.DECAYS), "none"),
            _setting("rate", lambda: _("Decay rate"), _bounded(0.0, controls.MAX_DECAY_RATE), 1.0),
            _setting(
                "interval",
                lambda: _("Decay interval (epochs)"),
                _bounded(1, controls.MAX_DECAY_INTERVAL, integer=True),
                1000,
            ),
        ),
        lambda values: controls.OptimizationSettings(
            optimizers=values["optimizers"],
            mini_batch_size=int(values["batch"]),
            beta=values["beta"],
            beta1=values["beta1"],
            beta2=values["beta2"],
            epsilon=values["eps"],
            decay=values["decay"],
            decay_rate=values["rate"],
            decay_interval=values["interval"],
        ),
        lambda settings: {
            "optimizers": tuple(settings.optimizers),
            "batch": settings.mini_batch_size,
            "beta": settings.beta,
            "beta1": settings.beta1,
            "beta2": settings.beta2,
            "eps": settings.epsilon,
            "decay": settings.decay,
            "rate": settings.decay_rate,
            "interval": settings.decay_interval,
        },
        lambda: _("Epochs"),
    ),
}


# --- A lesson's settings as a pin, and back -------------------------------------------


@dataclass(frozen=True)
class Pinned:
    """A lesson's run settings: ``prefix`` (``"init"``, ...) and every setting's value."""

    prefix: str
    values: tuple[tuple[str, Any], ...]

    @property
    def lesson(self) -> Lesson:
        return LESSONS[self.prefix]

    def value(self, name: str) -> Any:
        return dict(self.values)[name]

    @property
    def is_upload(self) -> bool:
        return self.value("dataset") == sidebar.UPLOAD

    def sidebar_config(self, show_test: bool = True) -> sidebar.SidebarConfig:
        """The shared sidebar's settings of this pin (``show_test`` is the viewer's)."""
        values = dict(self.values)
        return sidebar.SidebarConfig(
            data=sidebar.DataChoice(values["dataset"], values["noise"], values["seed"]),
            hidden_layers=values["hidden"],
            activation=values["activation"],
            learning_rate=values["lr"],
            num_iterations=values["iterations"],
            weight_seed=values["wseed"],
            show_test=show_test,
        )

    def lesson_settings(self) -> Any:
        """The lesson's settings dataclass of this pin."""
        return self.lesson.build(dict(self.values))


def snapshot(prefix: str, config: sidebar.SidebarConfig, settings: Any) -> Pinned:
    """The run settings a page shows now: its sidebar's ``config`` (the settings in use,
    e.g. after a refused architecture) and its lesson ``settings``."""
    values = {
        "dataset": config.data.name,
        "noise": config.data.noise,
        "seed": config.data.seed,
        "hidden": tuple(config.hidden_layers),
        "activation": config.activation,
        "lr": config.learning_rate,
        "iterations": config.num_iterations,
        "wseed": config.weight_seed,
    } | LESSONS[prefix].read(settings)
    return Pinned(prefix, tuple(values.items()))


def encode(pinned: Pinned) -> str:
    """The pin's URL value (settings at the lesson's default left out).

    Raises:
        PinError: for an uploaded data set (a link cannot carry the file).
    """
    if pinned.is_upload:
        raise PinError(_("A run on your own file cannot be pinned: a link cannot carry it."))
    values = dict(pinned.values)
    parts = [VERSION, pinned.prefix]
    for setting in pinned.lesson.settings:
        value = values[setting.name]
        if not _same(value, setting.default(values)):
            parts.append(f"{setting.name}{NAME_VALUE}{setting.write(value)}")
    return PAIRS.join(parts)


def decode(text: str, prefix: str) -> Pinned:
    """The settings of pin ``text`` opened on lesson ``prefix``.

    Raises:
        PinError: with a plain message when the pin is not one of this version, belongs
            to another lesson, names a setting the lesson does not have (or twice), or
            holds a value its widget would not accept.
    """
    text = (text or "").strip()
    if len(text) > MAX_PIN_CHARS:
        raise PinError(_("The pin is too long to be one this lab wrote."))
    version, _sep, rest = text.partition(PAIRS)
    if version != VERSION:
        raise PinError(
            _("The pin {pin} is not one this version of the lab can read.").format(
                pin=_quoted(text)
            )
        )
    pinned_prefix, _sep, rest = rest.partition(PAIRS)
    if pinned_prefix != prefix:
        other = LESSONS.get(pinned_prefix)
        if other is None:
            raise PinError(_("The pin names no lesson of this lab."))
        raise PinError(
            _("The pin belongs to the {lesson} lesson; open it there.").format(lesson=other.title())
        )
    lesson = LESSONS[prefix]
    settings = {setting.name: setting for setting in lesson.settings}
    texts: dict[str, str] = {}
    for pair in rest.split(PAIRS) if rest else []:
        name, sep, value = pair.partition(NAME_VALUE)
        if name not in settings or not sep:
            raise PinError(
                _("The pin names a setting this lesson does not have: {name}.").format(
                    name=_quoted(name)
                )
            )
        if name in texts:
            raise PinError(_("The pin gives the setting {name} twice.").format(name=_quoted(name)))
        texts[name] = value
    values: Values = {}
    for name, setting in settings.items():  # in order: the data set before its noise
        if name not in texts:
            values[name] = setting.default(values)
            continue
        try:
            values[name] = setting.parse(texts[name], values)
        except ValueError as problem:
            raise PinError(
                _("The pin's {setting} {value} cannot be used: {problem}.").format(
                    setting=setting.label(),
                    value=_quoted(texts[name]),
                    problem=str(problem).rstrip("."),
                )
            ) from None
    return Pinned(prefix, tuple(values.items()))


def differences(pinned: Pinned, current: Pinned) -> list[tuple[str, str, str]]:
    """``(setting, pinned value, current value)`` for each setting that differs, in the
    lesson's order, as a reader sees them (an uploaded file is "your file", without a
    noise or data seed)."""
    now = dict(current.values)
    rows = []
    upload = pinned.is_upload or current.is_upload  # a file has no noise or data seed
    for setting in pinned.lesson.settings:
        if upload and setting.name in DATA_DRAW:
            continue
        then = pinned.value(setting.name)
        if not _same(then, now[setting.name]):
            rows.append(
                (setting.label(), _shown(setting, then), _shown(setting, now[setting.name]))
            )
    return rows


DATA_DRAW: Final = frozenset({"noise", "seed"})
"""Settings of how a catalogued data set is drawn (meaningless for an uploaded file)."""


def _shown(setting: Setting, value: Any) -> str:
    if setting.name == "dataset" and value == sidebar.UPLOAD:
        return _("your file")
    return setting.show(value)


def _same(first: Any, second: Any) -> bool:
    """Equal settings, numbers within round-off (a slider's 0.7 may be 0.7000000000000001)."""
    if isinstance(first, int | float) and isinstance(second, int | float):
        return math.isclose(first, second, rel_tol=1e-9, abs_tol=1e-12)
    return first == second


def _quoted(text: str) -> str:
    """A part of a pin quoted in a message: shortened, shown literally in Markdown."""
    short = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
    return f"“{markdown.escape(short)}”"
