"""The interface's strings in the reader's language: English (the default) or Simplified
Chinese, with gettext semantics (the message id is the English text).

Catalogs live in ``locales/<language>/LC_MESSAGES/messages.po``; the ``.po`` file is the
only source of truth. Streamlit Community Cloud runs no build step, so no ``.mo`` file is
kept in step with it: Babel reads the ``.po`` and compiles it in memory, once per process
(fuzzy entries are left out, as ``msgfmt`` would).

The language comes from ``?lang=zh`` (the switch drawn by :func:`ui.state.language_switch`
writes it to the URL and the session, and page links carry it), English when absent.
URL values elsewhere stay stable identifiers: only what a widget shows is translated
(``format_func``), never what it stores.

Usage::

    from ui.i18n import _
    st.header(_("Decision boundaries"))
    st.caption(_("Trained {count} models").format(count=n))

Module-level text (evaluated once, at import, in no particular language) is marked with
:func:`N_` and translated where it is shown, e.g. through :class:`Labels`.

Outside a session's script run (a worker thread, a bench), the language is English unless
the caller says otherwise with :func:`using`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: Final = {"en": "English", "zh": "简体中文"}
"""Language code (the URL value) -> its own name (what the switch shows)."""
DEFAULT: Final = "en"
LANG: Final = "lang"
"""URL query parameter that holds the language."""
REMEMBERED: Final = "dnl_language"
"""Session key (not a widget) remembering the language from page to page: Streamlit opens
another page without the query parameters."""
DOMAIN: Final = "messages"
LOCALES: Final = Path(__file__).resolve().parents[1] / "locales"

_CHOSEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("dnl_language", default=None)


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language``, e.g. ``locales/zh/LC_MESSAGES/messages.po``."""
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """``language``'s catalog, read from its ``.po`` and compiled in memory once per
    process (English: the message ids themselves)."""
    if language == DEFAULT or language not in LANGUAGES:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # leaves fuzzy entries out
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def valid(language: object) -> str | None:
    """``language`` when it is one of :data:`LANGUAGES`, else ``None``."""
    return language if isinstance(language, str) and language in LANGUAGES else None


def parse_language(text: str) -> str | None:
    """The language a link's ``?lang=`` asks for: ``"zh"`` for ``zh``, ``zh-CN``,
    ``zh_Hans``, ... (any case), ``"en"`` likewise, ``None`` when unreadable."""
    code = text.strip().lower().replace("_", "-").split("-")[0]
    return valid(code)


def requested_language() -> str:
    """The language of this script run: what the link asks for (``?lang=``; the switch
    writes it), else what the session last used, else English."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT
    from_url = st.query_params.get_all(LANG)
    if from_url and parse_language(from_url[-1]):
        return parse_language(from_url[-1])
    return valid(st.session_state.get(REMEMBERED)) or DEFAULT


def language() -> str:
    """The reader's language code (``"en"`` or ``"zh"``): the one :func:`using` chose in
    this context, else this session's (:func:`requested_language`)."""
    return _CHOSEN.get() or requested_language()


@contextlib.contextmanager
def using(language_code: str) -> Iterator[None]:
    """Translate into ``language_code`` inside the block (e.g. on a worker thread, which
    has no session to ask)."""
    token = _CHOSEN.set(valid(language_code) or DEFAULT)
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def pinned(function: Callable[..., str]) -> Callable[..., str]:
    """``function`` (e.g. a widget's ``format_func``) answering in the language of now,
    whichever thread calls it later."""
    language_code = language()

    def in_language(*args: Any, **kwargs: Any) -> str:
        with using(language_code):
            return function(*args, **kwargs)

    return in_language


def _(message: str) -> str:
    """``message`` (its English text, the message id) in the reader's language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the reader's language (Chinese has
    one form)."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (module-level text);
    translate it where it is shown, with ``_(text)`` or a :class:`Labels` mapping."""
    return message


class Labels(Mapping[str, str]):
    """Stable identifiers -> their display labels, translated when read: ``labels[key]``,
    ``labels.get`` (a widget's ``format_func``) and ``labels.items()`` give the reader's
    language, while the keys (URL values, cache keys) never change.

    Example::

        SCHEMES = Labels({"zeros": N_("Zeros"), "he": "He"})
        st.segmented_control("Scheme", list(SCHEMES), format_func=SCHEMES.get)
    """

    def __init__(self, english: Mapping[str, str]) -> None:
        self.english = dict(english)

    def __getitem__(self, key: str) -> str:
        return _(self.english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.english)

    def __len__(self) -> int:
        return len(self.english)

    def __repr__(self) -> str:
        return f"Labels({self.english!r})"


# --- Messages from dnn_core ------------------------------------------------------------
# The core never imports the interface, so its plain-language messages (validation,
# divergence, data files) arrive in English; these templates give each a message id, and
# core_message() reads the values back out of the English text to fill the translation.
CORE_MESSAGES: Final = (
    N_(
        "Training diverged at iteration {epoch}: the cost or the weights became infinite or "
        "NaN. Lower the learning rate (now {rate}) or use a smaller initialization."
    ),
    N_("Stopped early after {done} of {total} iterations."),
    N_("{names} must be whole numbers."),
    N_("The network needs an input size, an output size and no empty layer."),
    N_("The output layer must have exactly one unit (binary classification)."),
    N_("Unknown initialization {name}."),
    N_("Unknown optimizer {name}."),
    N_("Unknown activation {name}; use {names}."),
    N_("The learning rate must be a positive number."),
    N_("Train for at least one iteration."),
    N_("The L2 strength lambda must be zero or positive."),
    N_("keep_prob must be in (0, 1]: it is the probability of keeping a unit."),
    N_("The mini-batch size must be at least 1."),
    N_("X must be (n_x, m) and Y (1, m) with the same number of examples."),
    N_("Unknown data set {name}; choose one of {names}."),
    N_("Noise for {name} must be between 0 and {limit}."),
    N_("File not found: {path}."),
    N_("The file is empty."),
    N_("The file is {size} bytes; the limit is {limit}."),
    N_("{what} has complex {part}; they must be real numbers."),
    N_("{what}: the {part} must be a numeric matrix, not {found}."),
    N_("{what} must have exactly two feature columns (got shape {shape})."),
    N_("{what} has {points} points but {labels} labels."),
    N_("{what} has {points} points; the limit is {limit}."),
    N_("{what} contains missing, infinite or NaN feature values."),
    N_("Labels must be 0 or 1; found {values}."),
    N_("{what} has only one class; it needs points labelled 0 and 1."),
    N_("Line {line} is not readable CSV ({error})."),
    N_("The file is not UTF-8 text; save it as a plain CSV."),
    N_("The file has no rows."),
    N_("The file has a header but no data rows."),
    N_("Data row {line} has {count} columns; expected 3 (x1, x2, label)."),
    N_("{name} is neither a .csv nor a .mat file."),
    # Gradient checking's verdicts and planted bugs (dnn_core.gradcheck).
    N_("The check produced NaN or infinity: the cost is not finite here."),
    N_("Backprop agrees with the numerical gradient (< 1e-7)."),
    N_("Probably fine (< 1e-5), but worth a second look at kinks such as ReLU at 0."),
    N_("Suspicious (< 1e-2): there may be a bug in backprop."),
    N_("Backprop is wrong (>= 1e-2): look at the blocks with the largest difference."),
    N_("dW2 multiplied by 2 (the course's first planted bug)"),
    N_("db1 multiplied by 4 (the course's second planted bug)"),
    N_("ReLU derivative forgotten: dZ = dA instead of dA * (Z > 0)"),
    N_("Gradients not divided by m (summed instead of averaged)"),
    N_("L2 term lambd/m * W left out of dW (while the cost includes it)"),
    # The data sets' names and descriptions (dnn_core.datasets.CATALOG).
    N_("Football (course-like)"),
    N_("Circles"),
    N_("Moons"),
    N_("XOR"),
    N_("Spiral"),
    N_("Blobs"),
    N_(
        "Where should the goalkeeper kick? A curved frontier with noisy points: the "
        "regularization lesson's overfitting playground."
    ),
    N_("Two concentric rings (the initialization lesson): no straight line separates them."),
    N_("Two interleaving half-moons (the optimization lesson)."),
    N_("Opposite quadrants share a class: needs a hidden layer."),
    N_("Two interleaved spiral arms: hard for shallow nets."),
    N_("Two Gaussian clouds: almost linearly separable."),
)


def _template_pattern(template: str) -> str:
    """A regular expression matching ``template``'s English text, one named group per
    ``{field}``."""
    parts = re.split(r"\{(\w+)\}", template)
    return "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )


@functools.cache
def _core_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    # Longest first: a template that is a prefix of another must not win.
    ordered = sorted(CORE_MESSAGES, key=len, reverse=True)
    return tuple((re.compile(_template_pattern(text) + r"(?:\s+|\Z)"), text) for text in ordered)


def core_message(text: str) -> str:
    """A message from :mod:`dnn_core` (one or several of :data:`CORE_MESSAGES`, joined by
    spaces) in the reader's language; text it does not know stays as it is."""
    if language() == DEFAULT or not text:
        return text
    exact = _(text)  # a message id of the interface's own (e.g. an upload's refusal)
    if exact != text:
        return exact
    translated, position = [], 0
    while position < len(text):
        for pattern, template in _core_patterns():
            found = pattern.match(text, position)
            if found:
                translated.append(_(template).format(**found.groupdict()))
                position = found.end()
                break
        else:
            translated.append(text[position:])  # not one of the core's: left in English
            break
    return "".join(translated)
