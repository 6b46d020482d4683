"""URL- and session-bound widgets: key naming, binding and presets.

Streamlit (1.67) binds a keyed widget to the URL query parameter of the same name when it is
created with ``bind="query-params"``:

- opening ``/Regularization?reg_lambd=0.7`` starts the widget at 0.7; a value that does not
  parse, is out of the widget's range or is not one of its options is ignored (the widget
  keeps its default and the parameter is dropped from the URL), so a bad or malicious link
  can never break the page;
- every change the student makes updates the address bar at once, and a value equal to the
  widget's default is left out, which keeps links short;
- with ``persist_state="session"`` the parameters come back when the student returns to the
  page through the sidebar.

For a link to reproduce a value exactly, the widget's default must be given to the widget
itself (``value=``, ``index=`` or ``default=``): Streamlit compares against that default when
it decides what to leave out of the URL. :func:`bound_widget` does this for every kind of
widget; don't seed the default through ``st.session_state`` alone.

Every widget has a stable ``key`` (``"<page prefix>_<setting>"``), which is also its URL query
parameter. Values are kept for the whole session too (``persist_state="session"``), so a
student can move between lessons and come back to the same settings. Presets assign
``st.session_state`` from their ``on_click`` callback (:func:`apply_settings`), the way
Streamlit documents for changing a URL-bound widget; the URL follows. Having both a default
and a Session State assignment is intended here, so ``.streamlit/config.toml`` turns off
Streamlit's log warning about that combination (``disableWidgetStateDuplicationWarning``).
Seeding through ``st.session_state`` instead of ``value=`` would break links: a preset value
equal to the widget's own fallback (say λ = 0, a slider's minimum) would be dropped from the
URL, and the link would reopen at the lesson's default.

The browser's Back button does not undo a setting, and the lab leaves it so. Streamlit
1.67's frontend writes a student's change of a bound widget into the address with
``history.replaceState`` (``WidgetStateManager.updateUrlParam``; there is no option to
push instead), so no history entry is added. Pushing one from the script does not work
either: ``st.query_params`` changes are pushed only when they differ from the address,
which the frontend has already updated. And on Back or Forward 1.67 keeps the widgets'
stale frontend state rather than re-seeding them from the URL (streamlit/streamlit#13853,
fix proposed in pull request #16998), so even a pushed entry would not restore the
settings; patching ``history`` from injected JavaScript would fight Streamlit's own
navigation.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import streamlit as st
from streamlit.errors import StreamlitAPIException

from . import i18n

PERSIST = "session"
BIND: Final = "query-params"

# How each widget takes its starting value; the rest use ``value=``.
_INDEX_WIDGETS = frozenset({"selectbox", "radio"})
_DEFAULT_WIDGETS = frozenset({"segmented_control", "pills", "multiselect"})


def starting_value_kwargs(widget_name: str, default: Any, options: Any = None) -> dict[str, Any]:
    """The keyword argument that gives widget ``widget_name`` (e.g. ``"selectbox"``) its
    starting value ``default``: ``{"index": i}``, ``{"default": ...}`` or ``{"value": ...}``.

    Raises:
        ValueError: when a selectbox or radio ``default`` is not among its ``options``.
    """
    if widget_name in _INDEX_WIDGETS:
        options = list(options)
        if default not in options:
            raise ValueError(f"Default {default!r} is not one of the options {options!r}.")
        return {"index": options.index(default)}
    if widget_name in _DEFAULT_WIDGETS:
        return {"default": default}
    return {"value": default}


def bound_widget(widget: Callable[..., Any], label: str, key: str, default: Any, **kwargs: Any):
    """Create ``widget`` (``st.slider``, ``st.sidebar.selectbox``, ...) bound to the URL query
    parameter ``key``, starting at ``default``; returns the widget's value.

    ``kwargs`` go to the widget (``options``, ``min_value``, ``help``, ``on_change``,
    ``persist_state`` (default: the session), ...). Keys become parameter names, so keep
    them short and readable (``init_lr``). Streamlit's URL shows option labels (after
    ``format_func``); for options whose labels are translated (:mod:`ui.i18n`) the URL
    shows the option itself, its identifier (``?reg_mode=dropout``), in every language
    (:func:`_identifier_bound`).

    Example::

        lr = bound_widget(st.slider, "Learning rate", "init_lr", 0.01,
                          min_value=0.0001, max_value=1.0, format="%.4f")
    """
    kwargs.setdefault("persist_state", PERSIST)
    bind = BIND
    if _crashes_streamlit(widget.__name__, default, st.query_params.get_all(key)):
        try:
            # A link just opened: the parameter is not bound yet, so it can be dropped and
            # the rerun starts from the cleaned URL.
            del st.query_params[key]
        except StreamlitAPIException:
            # Bound already (the student went back in the browser's history to that link):
            # skip the binding for this run, so the widget keeps its value instead of
            # seeding from the URL.
            bind = None
        else:
            st.rerun()
    if bind and _translated_options(kwargs):
        return _identifier_bound(widget, label, key, default, **kwargs)
    start = starting_value_kwargs(widget.__name__, default, kwargs.get("options"))
    return widget(label, key=key, bind=bind, **start, **kwargs)


def _crashes_streamlit(widget_name: str, default: Any, url_values: list[str]) -> bool:
    """Whether seeding the widget from ``url_values`` would crash the page: Streamlit 1.67
    raises ``OverflowError`` for an integer ``st.number_input`` given a non-finite number
    (``?seed=inf``, ``?seed=1e400``) instead of ignoring it as it does everywhere else."""
    if widget_name != "number_input" or type(default) is not int:
        return False
    for text in url_values:
        try:
            number = float(text)
        except ValueError:
            continue
        if not math.isfinite(number):
            return True
    return False


def key(prefix: str, name: str) -> str:
    """The session-state key of a setting on a page, e.g. ``key("init", "lr")``."""
    return f"{prefix}_{name}"


def apply_settings(values: Mapping[str, Any]) -> None:
    """Set several widgets at once (``key -> value``); use as an ``on_click`` callback so
    the values are in place before the widgets are drawn (the URL follows)."""
    for widget_key, value in values.items():
        st.session_state[widget_key] = value


# --- Presentation mode ------------------------------------------------------------------

PRESENT: Final = "present"
"""Key (and URL query parameter) of the presentation-mode toggle (``ui.page.chart`` draws
charts larger while :func:`presenting`)."""
# Streamlit writes a bound toggle to the URL as ``present=true`` and reads only
# ``true``/``false``; a teacher types ``?present=1``, so these spellings are accepted too.
_PRESENT_ALIASES: Final = frozenset({"1", "yes", "on", "y"})
_PRESENTING: Final = "dnl_presenting"
"""Session key (not a widget) remembering the toggle from page to page: Streamlit opens
another page without the query parameters, and a bound toggle whose parameter is missing
starts at its default."""


def present_from_url(url_values: list[str]) -> bool | None:
    """What the URL's ``present`` values ask for: ``True`` for ``true``, ``1``, ``yes`` or
    ``on`` (any case), ``False`` for ``false``/``0``/``no``/``off``, ``None`` when absent or
    unreadable (the last value counts, as Streamlit reads it)."""
    if not url_values:
        return None
    text = url_values[-1].strip().lower()
    if text == "true" or text in _PRESENT_ALIASES:
        return True
    if text in {"false", "0", "no", "off", "n"}:
        return False
    return None


def presenting() -> bool:
    """Whether presentation mode is on for this run: the toggle's value once it exists,
    else what the link asks for (before the toggle is drawn, e.g. in ``set_page_config``)."""
    if PRESENT in st.session_state:
        return bool(st.session_state[PRESENT])
    from_url = present_from_url(st.query_params.get_all(PRESENT))
    if from_url is not None:
        return from_url
    return bool(st.session_state.get(_PRESENTING))


def present_toggle(label: str = "Presentation mode", **kwargs: Any) -> bool:
    """The presentation-mode toggle, bound to ``?present=`` and kept for the session (so it
    stays on from lesson to lesson); returns whether it is on.

    A link's ``?present=1`` (or ``yes``/``on``) is rewritten to the ``true`` Streamlit's
    binding reads, before the toggle is bound, so it switches presentation mode on instead
    of being dropped as unreadable. On a page opened without the parameter while the
    session is presenting, the toggle is set on first (the URL follows), so it stays on and
    the link keeps it.
    """
    url_values = st.query_params.get_all(PRESENT)
    if not url_values and presenting():  # not when the student just turned it off
        # Set the way a preset sets a bound widget (the value wins), and the URL too.
        st.session_state[PRESENT] = True
        with contextlib.suppress(StreamlitAPIException):  # bound already: it follows
            st.query_params[PRESENT] = "true"
    if url_values and url_values[-1] not in ("true", "false"):
        wanted = present_from_url(url_values)
        try:
            if wanted is None:
                del st.query_params[PRESENT]
            else:
                st.query_params[PRESENT] = "true" if wanted else "false"
        except StreamlitAPIException:
            pass  # bound already (history navigation): the toggle keeps its value
        else:
            st.rerun()
    on = bool(bound_widget(st.toggle, label, PRESENT, False, **kwargs))
    st.session_state[_PRESENTING] = on
    return on


# --- Options whose labels are translated ------------------------------------------------
# Streamlit writes an option widget's *label* (after ``format_func``) to the URL. Labels
# are translated, so a bound widget would write ``?reg_mode=丢弃法`` in Chinese and
# ``?reg_mode=Dropout`` in English: a link would change with the reader's language. These
# widgets keep their option's identifier in the URL instead (``?reg_mode=dropout``), read
# and written here; a link naming an option by its label in any language opens it too.


def _translated_options(kwargs: Mapping[str, Any]) -> bool:
    """Whether the widget's option labels depend on the reader's language."""
    format_func = kwargs.get("format_func")
    if format_func is None or "options" not in kwargs:
        return False
    labels = []
    for language in i18n.LANGUAGES:
        with i18n.using(language):
            labels.append([format_func(option) for option in kwargs["options"]])
    return any(other != labels[0] for other in labels[1:])


def option_identifier(option: Any) -> str:
    """An option as the URL writes it: its identifier (``"dropout"``)."""
    return str(option)


def _identifier_bound(widget: Callable[..., Any], label: str, key: str, default: Any, **kwargs):
    """:func:`bound_widget` for an option widget with translated labels: the URL parameter
    ``key`` holds the chosen option's identifier (several for a multi-select), left out at
    the default, and a link's value (identifier, or label in any language) seeds it."""
    options = list(kwargs["options"])
    many = widget.__name__ == "multiselect" or kwargs.get("selection_mode") == "multi"
    url_values = st.query_params.get_all(key)
    if url_values and key not in st.session_state:  # a link just opened
        known: dict[str, Any] = {}
        for language in i18n.LANGUAGES:
            with i18n.using(language):
                known.update((kwargs["format_func"](option), option) for option in options)
        known.update((option_identifier(option), option) for option in options)
        chosen = [known[value] for value in url_values if value in known]
        if many:
            st.session_state[key] = list(dict.fromkeys(chosen))
        elif chosen:
            st.session_state[key] = chosen[-1]
    shown_in, language = f"dnl_shown_in_{key}", i18n.language()
    if key in st.session_state and st.session_state.get(shown_in, language) != language:
        # The browser still holds the old language's label as the widget's value: set
        # the value again, so the page sends the new label (the choice stays).
        st.session_state[key] = st.session_state[key]
    st.session_state[shown_in] = language
    start = starting_value_kwargs(widget.__name__, default, options)
    # Labels in this run's language, also where Streamlit formats later (an AppTest).
    kwargs["format_func"] = i18n.pinned(kwargs["format_func"])
    value = widget(label, key=key, **start, **kwargs)
    if many:
        at_default = set(value or ()) == set(default)
        shown = [option_identifier(option) for option in options if option in (value or ())]
    else:
        at_default = value == default
        shown = [option_identifier(value)] if value is not None else []
    if at_default or not shown:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get_all(key) != shown:
        st.query_params[key] = shown if many else shown[0]
    return value


# --- Language -----------------------------------------------------------------------------

LANGUAGE_SWITCH: Final = "dnl_language_switch"
"""Widget key of the language switch (the URL parameter is :data:`ui.i18n.LANG`)."""


def language_switch(**kwargs: Any) -> str:
    """The language switch (English / 简体中文), kept in ``?lang=zh`` and in the session
    (page links carry it, like the presentation toggle); returns the language code.

    The URL keeps the code (``zh``), not the switch's label, so the switch is not bound by
    Streamlit: it is set from the URL (or the session) on every run and writes the URL when
    changed. Only the language changes: every other widget keeps its key, its value and its
    URL value (labels are translated, identifiers never). A link's ``?lang=zh-CN`` (or
    ``ZH``, ``zh_Hans``) reads as ``zh``; English, the default, is left out of the URL.
    """
    current = i18n.requested_language()
    _write_language(current)

    def switched() -> None:
        _write_language(i18n.valid(st.session_state.get(LANGUAGE_SWITCH)) or i18n.DEFAULT)

    st.session_state[LANGUAGE_SWITCH] = current
    kwargs.setdefault("label_visibility", "collapsed")
    st.segmented_control(
        "English / 简体中文",
        list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key=LANGUAGE_SWITCH,
        on_change=switched,
        required=True,
        **kwargs,
    )
    return current


def _write_language(language: str) -> None:
    """Remember ``language`` for the session and show it in the URL (English: left out)."""
    st.session_state[i18n.REMEMBERED] = language
    if language == i18n.DEFAULT:
        if i18n.LANG in st.query_params:
            del st.query_params[i18n.LANG]
    elif st.query_params.get_all(i18n.LANG) != [language]:
        st.query_params[i18n.LANG] = language


# --- Tabs ---------------------------------------------------------------------------------


def bound_tabs(labels: Mapping[str, str], key: str, default: str) -> Any:
    """``st.tabs`` for ``labels`` (identifier -> label in the reader's language, e.g. a
    :class:`ui.i18n.Labels`) whose open tab is kept in the URL parameter ``key`` as its
    identifier (``?gc_tab=one_d``) and in the session under ``key``; returns the tab
    containers in the order of ``labels``.

    Streamlit's own binding would write the open tab's *label* to the URL, so a link would
    open another tab (or none) in another language. The tabs widget is keyed per language
    (each language's labels are its own options) and starts at the tab the URL or the
    session names; a click stores the identifier (the default one is left out of the
    URL). A link naming a tab by a label (``?gc_tab=1-D+check``) opens that tab too.
    """
    ids = list(labels)
    by_label: dict[str, str] = {}
    for language in i18n.LANGUAGES:
        with i18n.using(language):
            by_label.update((labels[tab], tab) for tab in ids)
    by_label.update((tab, tab) for tab in ids)
    url_value = st.query_params.get(key)
    open_tab = by_label.get(url_value) if url_value else None
    if open_tab is None:
        remembered = st.session_state.get(key)
        open_tab = remembered if remembered in ids else default
    _write_tab(key, open_tab, default)
    widget_key = f"{key}_{i18n.language()}"

    def remember() -> None:
        shown = {labels[tab]: tab for tab in ids}
        _write_tab(key, shown.get(st.session_state.get(widget_key), default), default)

    return st.tabs(
        [labels[tab] for tab in ids],
        default=labels[open_tab],
        key=widget_key,
        on_change=remember,
    )


def _write_tab(key: str, tab: str, default: str) -> None:
    """Remember the open tab for the session and show it in the URL (the default: left
    out)."""
    st.session_state[key] = tab
    if tab == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != tab:
        st.query_params[key] = tab
