"""Text from users (a file's name, a message quoting a file) put into Streamlit Markdown so
that it shows exactly as typed."""

from __future__ import annotations

import re

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where GitHub-style autolinks start (www., ://, user@host). They are found in the text
# after parsing, so escapes cannot stop them; an invisible WORD JOINER there does.
_AUTOLINK_STARTS = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?=@)")
WORD_JOINER = "\N{WORD JOINER}"


def escape(text: str) -> str:
    """``text`` as Markdown that shows it literally.

    Every ASCII punctuation character is backslash-escaped (CommonMark shows each such
    escape as the bare character), which disarms links, emphasis, HTML and entities as
    well as Streamlit's own syntax built on ``:`` and ``$`` (``:red[...]``,
    ``:material/icon:``, ``:smile:``, ``$math$``); an invisible word joiner keeps
    ``www.``, ``://`` and ``@`` from becoming links; line breaks become spaces, so the
    text cannot start a heading, a list or a table.
    """
    flat = " ".join(str(text).splitlines())
    return _ASCII_PUNCTUATION.sub(r"\\\1", _AUTOLINK_STARTS.sub(WORD_JOINER, flat))
