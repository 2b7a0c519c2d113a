"""What people type shows on every card as they typed it: a markdown link, emphasis, a list or
a heading in a name, a place, an answer or a note never becomes one on someone's card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from cards.base import paragraph, typed
from cards.locale import Speaker
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.insights_service import Insights
from journey.locale import SUPPORTED_LANGUAGES
from journey.survey import Answer
from tests.cards import catalogue

EVIL = "https://evil.example"
NAME = f"[Sofie]({EVIL}) **Andersen**"
INTERVIEWER = "# Peter _Holm_"
PLACE = f"- [Mødelokale 2]({EVIL})"
ANSWER = f"1. Se [her]({EVIL})\n## *Mere* fleksibel tid"
COMMENT = f"[Klik her]({EVIL}) ~~for~~ `mere`"
FREE = {"reasons_more", "stay"}  # the catalogue's free-text questions

# A link, emphasis or code markdown would act on: its marks not escaped by a backslash.
_UNESCAPED = [
    re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\("),  # [text](
    re.compile(r"(?<!\\)\*\*\w"),  # **bold
    re.compile(r"(?<![\\\w])_\w+(?<!\\)_"),  # _italic_
    re.compile(r"(?<!\\)~~\w"),  # ~~strike
    re.compile(r"(?<!\\)`\w"),  # `code
    re.compile(r"^[ \t]*(#+ |- |\d+\. )", re.MULTILINE),  # heading, bullet, numbered item
]


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue's people, places, answers and comments, typed with markdown."""
    plain_departure, plain_answers, plain_insights = (
        catalogue.departure,
        catalogue.answers,
        catalogue.insights_of,
    )

    def departure(**changes: Any) -> Any:
        values = {"leaver_name": NAME, "interviewer_name": INTERVIEWER}
        if changes.get("meeting_place"):
            changes["meeting_place"] = PLACE
        return plain_departure(**values | changes)

    def answers() -> list[Answer]:
        return [
            answer.model_copy(update={"value": ANSWER}) if answer.question_id in FREE else answer
            for answer in plain_answers()
        ]

    def insights_of(**kwargs: Any) -> Insights:
        plain = plain_insights(**kwargs)
        comments = {q: (COMMENT, *texts) for q, texts in plain.comments.items()}
        return Insights(plain.report, comments)

    monkeypatch.setattr(catalogue, "departure", departure)
    monkeypatch.setattr(catalogue, "answers", answers)
    monkeypatch.setattr(catalogue, "insights_of", insights_of)


def _markdown_texts(node: Any) -> Iterator[str]:
    """Every text Teams renders as markdown: TextBlocks and facts."""
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield node["text"]
        if node.get("type") == "FactSet":
            for fact in node["facts"]:
                yield fact["title"]
                yield fact["value"]
        for value in node.values():
            yield from _markdown_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _markdown_texts(item)


def _runs(node: Any) -> Iterator[str]:
    """Every TextRun's text: shown exactly as written."""
    if isinstance(node, dict):
        if node.get("type") == "TextRun":
            yield node["text"]
        for value in node.values():
            yield from _runs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _runs(item)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_typed_markdown_is_rendered_on_any_card(
    config: LoadedConfig, hostile: None, language: str
) -> None:
    cards = catalogue.every_card(config, language)
    shown_literally: set[str] = set()
    for name, card in cards.items():
        for text in _markdown_texts(card):
            if EVIL in text or "Andersen" in text or "Holm" in text:
                found = [p.pattern for p in _UNESCAPED if p.search(text)]
                assert not found, f"{name}.{language}: {text!r} renders {found}"
        shown_literally.update(_runs(card))
    # The leaver's answer, the place and the comment are on some card, exactly as typed.
    assert ANSWER in shown_literally
    assert PLACE in shown_literally
    assert f"“{COMMENT}”" in shown_literally
    # And the names are on cards, escaped (shown as typed once Teams renders them).
    every_text = "\n".join(t for card in cards.values() for t in _markdown_texts(card))
    assert typed(NAME) in every_text and typed(INTERVIEWER) in every_text


def test_typed_escapes_each_mark_and_leaves_plain_names_alone() -> None:
    assert typed(f"[x]({EVIL})") == f"\\[x\\]({EVIL})"
    assert typed("**b** _i_ `c` ~~s~~ <b>") == "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~\\~s\\~\\~ \\<b\\>"
    assert typed("# h\n- item\n+ item\n> quote\n1. one\n 2) two") == (
        "\\# h\n\\- item\n\\+ item\n\\> quote\n1\\. one\n 2\\) two"
    )
    assert typed("a\\b") == "a\\\\b"
    for name in ("Anne-Marie O'Brien", "Søren Ærø-Åberg", "José da Silva Jr.", "李小龙"):
        assert typed(name) == name
    # After the card's own pass for dates at a line's start, nothing is escaped twice.
    assert paragraph(typed("22. december"))["text"] == "22\\. december"


def test_texts_for_buttons_and_labels_keep_names_as_typed(config: LoadedConfig) -> None:
    """Where Teams shows text as written (a button, a label), no backslash appears."""
    say = Speaker(config, "en")
    assert "\\" not in say.plain("task.send_times", name="Anne_Marie [HR]")
    assert "Anne_Marie [HR]" in say.plain("task.send_times", name="Anne_Marie [HR]")
    assert "Anne\\_Marie \\[HR\\]" in say("task.title", name="Anne_Marie [HR]")
