"""ui/markdown.py: user text in Markdown shows as typed."""

import pytest

from ui.markdown import WORD_JOINER as WJ
from ui.markdown import escape


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("plain name 2024", "plain name 2024"),
        ("data.mat", r"data\.mat"),
        ("[x](https://a.io)", "\\[x\\]\\(https\\:" + WJ + "\\/\\/a\\.io\\)"),
        ("www.a.io WWW.b.io", "www" + WJ + "\\.a\\.io WWW" + WJ + "\\.b\\.io"),
        ("me@a.io", "me" + WJ + "\\@a\\.io"),
        ("**b** _i_ ~~s~~ `code`", r"\*\*b\*\* \_i\_ \~\~s\~\~ \`code\`"),
        (":red[c] :blue-background[d]", r"\:red\[c\] \:blue\-background\[d\]"),
        (":material/home: :smile:", r"\:material\/home\: \:smile\:"),
        ("$x^2$ and $$y$$", r"\$x\^2\$ and \$\$y\$\$"),
        ("<b>bold</b> &amp; &#42;", r"\<b\>bold\<\/b\> \&amp\; \&\#42\;"),
        ("a\\b", r"a\\b"),
        ("# heading\n1. item\n- item\n| a | b |", r"\# heading 1\. item \- item \| a \| b \|"),
        ("x\r\ny\rz", "x y z"),
        ("数据 données.csv", r"数据 données\.csv"),
    ],
    ids=[
        "plain",
        "dot",
        "link",
        "www autolinks",
        "email autolinks",
        "emphasis and code",
        "colour directives",
        "icons and emoji",
        "math",
        "html and entities",
        "backslash",
        "blocks",
        "line breaks",
        "non-ascii",
    ],
)
def test_every_markdown_and_streamlit_construct_is_escaped(text, markdown):
    assert escape(text) == markdown
