# ruff: noqa: RUF001 (Chinese punctuation in the expected text)
"""The Chinese catalog covers every string the code marks, and ui.i18n serves it: each
language its own text, core messages mapped, identifiers never translated."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from ui import i18n
from ui.i18n import _

REPO_ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extracted_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every message id the code marks (``_()``, ``N_()``, ``ngettext()``), found by Babel's
    own extractor with the project's ``babel.cfg`` (what ``pybabel extract`` finds) ->
    where."""
    found: dict[str | tuple[str, str], list[str]] = {}
    with (REPO_ROOT / "babel.cfg").open() as config:
        method_map, options_map = _read_mapping(config)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        REPO_ROOT, method_map, options_map
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def _read_mapping(config):
    from babel.messages.frontend import parse_mapping_cfg

    return parse_mapping_cfg(config)


def chinese_catalog():
    with i18n.catalog_path("zh").open("rb") as po_file:
        return read_po(po_file, locale="zh")


def test_the_extractor_finds_the_marked_strings():
    found = extracted_messages()
    assert len(found) > 300
    assert "Decision boundaries" in found  # _() in a page
    assert "Random × scale" in found  # N_() in a module-level Labels
    assert ("{label} ({count} network at once)", "{label} ({count} networks at once)") in found
    assert any(
        location.startswith("app.py") for locations in found.values() for location in locations
    )


def test_every_marked_string_has_a_chinese_translation():
    catalog = chinese_catalog()
    missing = []
    for message, locations in extracted_messages().items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(f"{key!r} ({locations[0]})")
    assert not missing, "untranslated (see README, Translations):\n" + "\n".join(missing)


def test_the_catalog_has_no_obsolete_or_fuzzy_entries():
    catalog = chinese_catalog()
    extracted = {
        message[0] if isinstance(message, tuple) else message for message in extracted_messages()
    }
    obsolete = [entry.id for entry in catalog if entry.id and _singular(entry.id) not in extracted]
    assert not obsolete and not catalog.obsolete, f"no longer in the code: {obsolete}"
    assert not [entry.id for entry in catalog if entry.id and entry.fuzzy]


def _singular(message_id):
    return message_id[0] if isinstance(message_id, tuple) else message_id


def test_translations_keep_every_placeholder():
    for entry in chinese_catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, entry.id


def test_english_is_the_message_id_and_chinese_comes_from_the_catalog():
    assert i18n.language() == "en"  # no session: English
    assert _("Decision boundary") == "Decision boundary"
    with i18n.using("zh"):
        assert i18n.language() == "zh"
        assert _("Decision boundary") == "决策边界"
        assert _("Gradient checking") == "梯度检验"
        assert _("Not a message id") == "Not a message id"
        plural = i18n.ngettext(
            "{label} ({count} network at once)", "{label} ({count} networks at once)", 3
        )
        assert plural.format(label="训练", count=3) == "训练（同时训练 3 个网络）"
    assert _("Decision boundary") == "Decision boundary"


def test_an_unknown_language_reads_as_english():
    with i18n.using("fr"):
        assert i18n.language() == "en"
    assert [i18n.parse_language(text) for text in ("zh-CN", "ZH", "zh_Hans", "en-GB", "xx")] == [
        "zh",
        "zh",
        "zh",
        "en",
        None,
    ]


def test_the_language_is_per_thread():
    """A figure built on another thread (another session) keeps that thread's language."""
    seen = {}

    def build(language):
        with i18n.using(language):
            threading.Event().wait(0.05)  # overlap with the other thread
            seen[language] = _("Decision boundary")

    threads = [threading.Thread(target=build, args=(code,)) for code in ("en", "zh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"en": "Decision boundary", "zh": "决策边界"}


def test_labels_translate_the_label_and_keep_the_identifier():
    labels = i18n.Labels({"dropout": "Dropout", "none": "None"})
    with i18n.using("zh"):
        assert list(labels) == ["dropout", "none"]
        assert labels["none"] == "无"
        assert labels.get("dropout") == "Dropout"
    assert dict(labels) == {"dropout": "Dropout", "none": "None"}


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "Training diverged at iteration 12: the cost or the weights became infinite or "
            "NaN. Lower the learning rate (now 5) or use a smaller initialization.",
            "在第 12 次迭代时训练发散：代价或权重变成了无穷大或 NaN。请降低学习率（当前为 5）"
            "或使用更小的初始化。",
        ),
        (
            # Two of TrainConfig.problems() joined, as the core raises them.
            "The learning rate must be a positive number. Train for at least one iteration.",
            "学习率必须是正数。至少训练一次迭代。",
        ),
        ("The file is empty.", "文件是空的。"),
        ("File not found: a.b.csv.", "找不到文件：a.b.csv。"),
        ("Something the catalog never heard of.", "Something the catalog never heard of."),
    ],
)
def test_core_messages_are_shown_in_chinese(english, chinese):
    assert i18n.core_message(english) == english  # English: unchanged
    with i18n.using("zh"):
        assert i18n.core_message(english) == chinese


def test_every_core_message_template_matches_what_the_core_says():
    """The templates are copies of the core's English: a changed core message must change
    its template too, or it would be shown in English."""
    from dnn_core import TrainConfig, datasets, gradcheck

    said = [
        *TrainConfig(layer_dims=(2, 0), learning_rate=-1.0, keep_prob=2.0).problems(),
        *(spec.label for spec in datasets.CATALOG.values()),
        *(spec.about for spec in datasets.CATALOG.values()),
        *gradcheck.BUGS.values(),
        *(gradcheck.verdict(value)[1] for value in (float("nan"), 1e-9, 1e-6, 1e-3, 1.0)),
    ]
    for message in said:
        with i18n.using("zh"):
            shown = i18n.core_message(message)
        assert shown != message and not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", shown), (
            message,
            shown,
        )
