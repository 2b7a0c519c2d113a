"""Small pure helpers that every card builder uses: Adaptive Cards 1.5, what Teams renders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from cards.cldr import MONTHS, MONTHS_SHORT, MONTHS_SHORT_STAND_ALONE
from journey.departure import Departure
from journey.locale import SUPPORTED_LANGUAGES

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

Element = dict[str, Any]


def _month_names() -> list[str]:
    """Every month's name in the supported languages, full and short ("december", "dec."),
    longest first so that a name wins over its own beginning."""
    names = {
        name.lower()
        for lang in SUPPORTED_LANGUAGES
        for table in (MONTHS, MONTHS_SHORT, MONTHS_SHORT_STAND_ALONE)
        for name in table[lang]
    }
    return sorted(names, key=len, reverse=True)


# "22. december 2026" at the start of a line: a day number, a full stop, a month's name.
_LEADING_DATE = re.compile(
    r"^(\s*\d{1,2})\.(?=\s+(?:" + "|".join(map(re.escape, _month_names())) + r")(?![^\W\d_]))",
    re.MULTILINE | re.IGNORECASE,
)


def markdown_safe(text: str) -> str:
    """`text` for a TextBlock or a fact, which Teams renders as markdown: a line that starts
    with a Danish or Norwegian date ("22. december 2026 · …") would become a numbered list
    (shown as "1."), so its full stop is escaped ("22\\. december"), as CommonMark allows.
    HR's own numbered lists ("1. Hand in your badge") stay lists."""
    if "\n" not in text and not text.lstrip()[:1].isdigit():
        return text  # one line that does not start with a digit: nothing to escape
    return _LEADING_DATE.sub(r"\1\\.", text)


# Markdown a TextBlock or a fact would act on: emphasis, links, code, strike-through, html.
_INLINE_MARKS = re.compile(r"([\\`*_\[\]<>~|])")
# At a line's start: a numbered item ("1." or "1)"); a heading, a quote or a bullet.
_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
_LINE_MARK = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)
# Whatever of the three above a text has.
_ANY_MARK = re.compile(r"[\\`*_\[\]<>~|]|^[ \t]*(?:\d+[.)]|[#>+=-])", re.MULTILINE)


def typed(text: str) -> str:
    """Text a person typed (a name, a place, a search), for a TextBlock or a fact: every mark
    markdown would act on is escaped, so it shows as written, never as a link, emphasis,
    a list or a heading. Free text that stands alone goes in a `literal` TextRun instead."""
    if _ANY_MARK.search(text) is None:
        return text  # most names: one look instead of three rewrites that change nothing
    text = _INLINE_MARKS.sub(r"\\\1", text)
    text = _LINE_NUMBER.sub(r"\1\\\2", text)
    return _LINE_MARK.sub(r"\1\\\2", text)


def literal(text: str, *, subtle: bool = False) -> Element:
    """Someone's own words, shown exactly as written (no markdown, no links): a TextBlock
    renders a markdown subset, a RichTextBlock's TextRun shows its text as it is."""
    run: Element = {"type": "TextRun", "text": text}
    if subtle:
        run["isSubtle"] = True
    return {"type": "RichTextBlock", "inlines": [run]}


def adaptive_card(
    body: list[Element],
    actions: list[Element] | None = None,
    *,
    refresh: Element | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """A complete card with the schema and version Teams expects."""
    card: dict[str, Any] = {
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": VERSION,
        "body": body,
    }
    if lang:
        card["lang"] = lang
    if actions:
        card["actions"] = actions
    if refresh:
        card["refresh"] = refresh
    return card


def heading(text: str) -> Element:
    """A card's title line."""
    return subheading(text, size="Large")


def paragraph(text: str, *, subtle: bool = False) -> Element:
    """Wrapped body text."""
    block: Element = {"type": "TextBlock", "text": markdown_safe(text), "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A two-column list of labels and values."""
    return {
        "type": "FactSet",
        "facts": [{"title": markdown_safe(t), "value": markdown_safe(v)} for t, v in pairs],
    }


def execute(title: str, verb: str, data: dict[str, Any] | None = None, **extra: Any) -> Element:
    """An Action.Execute button; the bot parses `data` with a pydantic model on receipt."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb}
    if data:
        action["data"] = data
    action.update(extra)
    return action


def subheading(text: str, *, size: str | None = None, **layout: Any) -> Element:
    """A bold line over a part of a card (a label, a section's title); `layout` goes last."""
    block: Element = {"type": "TextBlock", "text": markdown_safe(text)}
    if size:
        block["size"] = size
    block |= {"weight": "Bolder", "wrap": True, **layout}
    return block


def notice_card(
    title: str, text: str, actions: list[Element] | None = None, *, lang: str
) -> dict[str, Any]:
    """A card that says one thing under its title, with at most a few buttons."""
    return adaptive_card([heading(title), paragraph(text)], actions, lang=lang)


def separated(items: list[Element]) -> Element:
    """A part of a card set off from what comes before it by a line."""
    return {"type": "Container", "separator": True, "items": items}


def button_row(*actions: Element) -> Element:
    """Buttons inside the body; one button per row keeps a long title from squeezing others."""
    return {"type": "ActionSet", "actions": list(actions)}


def choice_set(
    input_id: str,
    label: str,
    choices: Iterable[tuple[str, str]],
    *,
    style: str = "compact",
    **extra: Any,
) -> Element:
    """An Input.ChoiceSet of (title, value) pairs; `extra` properties stand before the choices."""
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": style,
        **extra,
        "choices": [{"title": title, "value": value} for title, value in choices],
    }


def long_text(input_id: str, label: str, max_length: int, value: str | None = None) -> Element:
    """A multi-line Input.Text, filled with `value` when there is one."""
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": True,
        "maxLength": max_length,
    }
    if value is not None:
        element["value"] = value
    return element


def nested_card(body: list[Element], actions: list[Element]) -> dict[str, Any]:
    """A card shown inside another (Action.ShowCard): no schema of its own."""
    card = adaptive_card(body, actions)
    del card["$schema"]
    return card


def show_card(title: str, body: list[Element], actions: list[Element]) -> Element:
    """A button that opens a form within the card (Action.ShowCard): its inputs travel only
    with its own buttons, not with the buttons of the card around it."""
    return {"type": "Action.ShowCard", "title": title, "card": nested_card(body, actions)}


def about(departure: Departure, **more: Any) -> dict[str, Any]:
    """The data of a card action about `departure`: its id and the mark of the plan the card
    is drawn for, so a press on a card that is no longer current is refused (dialogs.router)."""
    return {"departure": departure.id, "mark": departure.mark, **more}


def with_notice(card: dict[str, Any], text: str) -> dict[str, Any]:
    """A copy of `card` headed by `text` in the attention colour (e.g. why it replaced another)."""
    notice: Element = {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention"}
    return {**card, "body": [notice, *card.get("body", [])]}


def refresh(verb: str, departure: Departure | str, user_ids: Sequence[str]) -> Element | None:
    """A card's refresh: who gets their own view of it (Teams user ids); none without them.
    Given only the departure's id (a view drawn without the case), the data carries no mark."""
    if not user_ids:
        return None
    data = {"departure": departure} if isinstance(departure, str) else about(departure)
    return {
        "action": {"type": "Action.Execute", "verb": verb, "data": data},
        "userIds": list(user_ids),
    }
