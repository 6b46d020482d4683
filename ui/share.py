"""Sharing a lesson: a button that copies the page's URL (which holds every bound setting,
see :mod:`ui.state`) and what a link carries."""

from __future__ import annotations

import html
import json
import re

import streamlit as st

from . import markdown
from .i18n import _

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
    label: str | None = None,
    *,
    key: str,
    copied: str | None = None,
) -> None:
    """A small button that copies the page's current URL (with every bound setting) to the
    clipboard and says ``copied`` for two seconds; where the browser refuses clipboard
    access, it shows the link in a dialog to copy by hand. Works offline (no network).

    ``key`` makes the button's HTML id unique on the page (``dnl-copy-<key>``). ``label``
    and ``copied`` default to "Copy link to these settings" and "Link copied".
    """
    label = label or _("Copy link to these settings")
    copied = copied or _("Link copied")
    element_id = "dnl-copy-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)
    primary = st.get_option("theme.primaryColor") or "currentColor"
    st.html(
        _COPY_SCRIPT.format(
            element_id=element_id,
            element_id_json=_js_string(element_id),
            label=html.escape(label),
            tooltip=html.escape(_("Copy a link that opens this page with the current settings")),
            primary=html.escape(primary),
            copied_json=_js_string(copied),
            prompt_json=_js_string(_("Copy this link:")),
        ),
        unsafe_allow_javascript=True,
        width="content",
    )


def _js_string(text: str) -> str:
    """A JavaScript string literal that is safe inside a ``<script>`` element."""
    return json.dumps(text).replace("<", "\\u003c")


def share_settings(key: str, upload_label: str | None = None) -> None:
    """The sidebar's share block (in the current container): the copy-link button and what
    a link carries; ``upload_label`` names the student's file when one is in use."""
    st.subheader(_("Share"))
    copy_link_button(key=key)
    if upload_label is not None:
        st.caption(
            _(
                "The link carries every setting but not your file ({name}): whoever opens it "
                "gets the upload option and the lesson's own data until they upload the file "
                "too."
            ).format(name=markdown.escape(upload_label)),
        )
    else:
        st.caption(_("The link opens this lesson with every setting shown here."))
