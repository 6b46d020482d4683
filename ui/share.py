"""Shareable lessons: every setting lives in the page's URL, and a button copies that URL.

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
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from typing import Any, Final

import streamlit as st
from streamlit.errors import StreamlitAPIException

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
    ``persist_state``, ...). Keys become parameter names, so keep them short and readable
    (``init_lr``); option labels (after ``format_func``) are what the URL shows.

    Example::

        lr = bound_widget(st.slider, "Learning rate", "init_lr", 0.01,
                          min_value=0.0001, max_value=1.0, format="%.4f")
    """
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


_COPY_SCRIPT = """
<button id="{element_id}" type="button" class="dnl-copy-link" title="{tooltip}">{label}</button>
<style>
.dnl-copy-link {{
  /* Sized like Streamlit's secondary buttons, so it sits in a row of them. */
  font: inherit; font-size: 0.875rem; color: inherit; background: transparent; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  min-height: 2.5rem; padding: 0.25rem 0.75rem;
}}
.dnl-copy-link:hover, .dnl-copy-link:focus-visible {{
  border-color: {primary}; color: {primary};
}}
</style>
<script>
(() => {{
  const button = document.getElementById({element_id_json});
  if (!button || button.dataset.ready) return;
  button.dataset.ready = "1";
  const label = button.textContent;
  const done = (text) => {{
    button.textContent = text;
    setTimeout(() => {{ button.textContent = label; }}, 2000);
  }};
  button.addEventListener("click", async () => {{
    // Read the address bar at click time: it already holds every bound setting.
    const href = window.location.href;
    try {{
      await navigator.clipboard.writeText(href);
      done({copied_json});
    }} catch (error) {{
      // No clipboard access (plain http on another host): let the student copy it by hand.
      window.prompt({prompt_json}, href);
    }}
  }});
}})();
</script>
"""


def copy_link_button(
    label: str = "Copy link to these settings",
    *,
    key: str,
    copied: str = "Link copied",
) -> None:
    """A small button that copies the page's current URL (with every bound setting) to the
    clipboard and says ``copied`` for two seconds; where the browser refuses clipboard
    access, it shows the link in a dialog to copy by hand. Works offline (no network).

    ``key`` makes the button's HTML id unique on the page (``dnl-copy-<key>``).
    """
    element_id = "dnl-copy-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)
    primary = st.get_option("theme.primaryColor") or "currentColor"
    st.html(
        _COPY_SCRIPT.format(
            element_id=element_id,
            element_id_json=_js_string(element_id),
            label=html.escape(label),
            tooltip="Copy a link that opens this page with the current settings",
            primary=html.escape(primary),
            copied_json=_js_string(copied),
            prompt_json=_js_string("Copy this link:"),
        ),
        unsafe_allow_javascript=True,
        width="content",
    )


def _js_string(text: str) -> str:
    """A JavaScript string literal that is safe inside a ``<script>`` element."""
    return json.dumps(text).replace("<", "\\u003c")
