# ruff: noqa: RUF001 (Chinese punctuation in the expected text)
"""Every page in Simplified Chinese (``?lang=zh``): its title, headers, widgets, metrics and
chart titles read in Chinese, and switching the language keeps the settings and the URL's
identifiers."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from tests.app.apptest_tools import chart, chart_keys, messages, open_page
from ui import i18n, state

PAGES = (
    "app.py",
    "pages/1_Initialization.py",
    "pages/2_Regularization.py",
    "pages/3_Gradient_Checking.py",
    "pages/4_Optimization.py",
)
# Quick settings: the text is what these tests read, not the training.
QUICK = {
    "pages/1_Initialization.py": {"init_iterations": "100"},
    "pages/2_Regularization.py": {"reg_iterations": "100"},
    "pages/4_Optimization.py": {"opt_iterations": "10"},
}
# Per page: its Chinese title, a widget label, a chart title that must appear.
EXPECTED = {
    "app.py": ("Deep Net Lab", "数据集", "足球（类似课程）"),
    "pages/1_Initialization.py": ("初始化", "初始化方法", "训练中的代价"),
    "pages/2_Regularization.py": ("正则化", "L2 强度 λ", "训练点和测试点上的交叉熵"),
    "pages/3_Gradient_Checking.py": ("梯度检验", "要检验的网络", "各参数块的相对差异"),
    "pages/4_Optimization.py": ("优化算法", "要比较的优化算法", "每个小批量步的代价"),
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Names and symbols that stay as they are in Chinese course notes.
KEPT = re.compile(
    r"Deep Net Lab|Adam|He|Xavier|ReLU|L2|dropout|Dropout|keep_prob|NumPy|sigmoid|tanh|"
    r"gradapprox|float(32|64)|CSV|\.mat|\.csv|\.json|\.npz|GD|W\d|b\d|dW\d|db\d"
)
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}[ ,-]+[A-Za-z]{2,}")


def english_left(text: str) -> str | None:
    """The English phrase left in ``text`` (two words or more), if any."""
    found = ENGLISH_PHRASE.search(KEPT.sub(" ", text))
    return found.group(0) if found else None


def chinese_page(path: str, **query: str):
    app = open_page(path, query={"lang": "zh", **QUICK.get(path, {}), **query}).run()
    said = messages(app)
    assert said["exception"] == [] and said["error"] == []
    return app


def read_texts(app) -> list[str]:
    """What a reader sees first: title, headers, widget labels, metric labels, tabs,
    expanders, infos and warnings."""
    texts = [element.value for element in (*app.title, *app.header, *app.subheader)]
    for kind in (
        "selectbox",
        "slider",
        "select_slider",
        "number_input",
        "text_input",
        "toggle",
        "checkbox",
        "radio",
        "button",
        "button_group",
    ):
        texts.extend(widget.label for widget in getattr(app, kind))
    texts.extend(metric.label for metric in app.metric)
    texts.extend(tab.label for tab in app.tabs)
    texts.extend(expander.label for expander in app.expander)
    texts.extend(box.value for box in (*app.info, *app.warning))
    return [text for text in texts if text and text != "English / 简体中文"]


@pytest.mark.parametrize("path", PAGES)
def test_the_page_reads_in_chinese(path):
    app = chinese_page(path)
    title, label, chart_title = EXPECTED[path]

    assert app.title[0].value == title
    labels = [widget.label for widget in (*app.selectbox, *app.button_group, *app.slider)]
    labels += [widget.label for widget in (*app.radio, *app.number_input)]
    assert label in labels
    titles = [
        chart(app, key)["layout"]["title"]["text"].replace("<br>", "") for key in chart_keys(app)
    ]
    assert chart_title in titles
    texts = read_texts(app)
    assert len(texts) > 5
    leftovers = {text: english_left(text) for text in texts if english_left(text)}
    assert not leftovers, leftovers
    assert sum(bool(CHINESE.search(text)) for text in texts) > len(texts) * 0.8


@pytest.mark.parametrize("path", PAGES[1:])
def test_every_chart_title_and_axis_reads_in_chinese(path):
    app = chinese_page(path)
    for key in chart_keys(app):
        layout = chart(app, key)["layout"]
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and axis.get("title", {}).get("text"):
                assert not english_left(axis["title"]["text"]), (key, axis["title"]["text"])
        assert not english_left(layout.get("title", {}).get("text", "")), key


def test_a_figure_built_in_chinese_is_not_shown_in_english():
    """Figures are shared by every session: each language has its own."""
    chinese = chinese_page("pages/1_Initialization.py")
    english = open_page("pages/1_Initialization.py", query=QUICK["pages/1_Initialization.py"]).run()
    key = "init-comparison-costs"
    assert "代价" in chart(chinese, key)["layout"]["title"]["text"]
    assert chart(english, key)["layout"]["title"]["text"] == "Cost by scheme (log scale)"
    assert chart(english, key)["layout"]["yaxis"]["title"]["text"] == "cost"


def switch(app, language: str):
    app.button_group(key=state.LANGUAGE_SWITCH).set_value(language)
    return app.run()


@pytest.mark.parametrize(
    ("path", "settings"),
    [
        (
            "pages/2_Regularization.py",
            {"reg_mode": "dropout", "reg_keep_prob": "0.6", "reg_iterations": "100"},
        ),
        (
            "pages/4_Optimization.py",
            {
                "opt_optimizers": ["momentum", "adam"],
                "opt_decay": "inverse",
                "opt_iterations": "10",
                "opt_moons_noise": "0.3",
            },
        ),
        ("pages/3_Gradient_Checking.py", {"gc_tab": "one_d", "gc_function": "θ³x"}),
        ("app.py", {"home_dataset": "moons"}),
    ],
)
def test_switching_language_keeps_the_settings_and_the_url(path, settings):
    app = open_page(path, query=settings).run()
    english_url = dict(app.query_params)
    english_state = {key: app.session_state[key] for key in settings if key in app.session_state}
    assert set(english_url) == set(settings)  # every setting is in the link

    app = switch(app, "zh")
    assert CHINESE.search(app.header[0].value)
    assert dict(app.query_params) == english_url | {"lang": "zh"}
    assert {key: app.session_state[key] for key in english_state} == english_state
    assert messages(app)["exception"] == []

    app = switch(app, "en")
    assert dict(app.query_params) == english_url
    assert {key: app.session_state[key] for key in english_state} == english_state


def test_option_widgets_keep_identifiers_in_the_url():
    """Streamlit would write a translated label (``?reg_mode=随机失活``); the URL keeps the
    identifier in either language, and a link naming a label in either language opens it."""
    app = open_page("pages/2_Regularization.py", query={"reg_iterations": "100"}).run()
    app.button_group(key="reg_mode").set_value("l2").run()
    assert app.query_params["reg_mode"] == "l2"
    app = switch(app, "zh")
    assert app.query_params["reg_mode"] == "l2"

    with i18n.using("zh"):
        from ui.lesson_controls import MODES

        chinese_label = MODES["both"]
    for sent in ("both", "L2 + dropout", chinese_label):
        linked = chinese_page("pages/2_Regularization.py", reg_mode=sent)
        assert linked.session_state["reg_mode"] == "both"
        assert linked.query_params["reg_mode"] == "both"


def test_the_language_follows_the_student_from_page_to_page():
    app = chinese_page("app.py")
    links = [link for link in app.get("page_link")]
    assert links
    for link in links:
        assert parse_qs(link.proto.query_string) == {"lang": ["zh"]}, link.proto.label
    assert {link.proto.label for link in links} >= {
        "首页",
        "初始化",
        "正则化",
        "梯度检验",
        "优化算法",
    }

    # Opened without ?lang (Streamlit's own navigation) the session keeps Chinese.
    app.switch_page("pages/1_Initialization.py")
    app.query_params.clear()
    app.query_params.update(QUICK["pages/1_Initialization.py"])
    app.run()
    assert app.title[0].value == "初始化"
    assert app.query_params["lang"] == "zh"


@pytest.mark.parametrize(
    ("sent", "shown"), [("zh-CN", "初始化"), ("ZH", "初始化"), ("fr", "Initialization")]
)
def test_a_link_s_language_spelling_is_read_or_dropped(sent, shown):
    app = open_page(
        "pages/1_Initialization.py", query={"lang": sent, **QUICK["pages/1_Initialization.py"]}
    ).run()
    assert app.title[0].value == shown
    assert app.query_params.get("lang") == ("zh" if shown == "初始化" else None)
