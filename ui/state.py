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
    them short and readable (``init_lr``); option labels (after ``format_func``) are what
    the URL shows.

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
