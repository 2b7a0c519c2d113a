"""Small pure helpers that every card builder uses: Adaptive Cards 1.5, what Teams renders."""

from __future__ import annotations

from typing import Any

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

Element = dict[str, Any]


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
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def paragraph(text: str, *, subtle: bool = False) -> Element:
    """Wrapped body text."""
    block: Element = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A two-column list of labels and values."""
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}


def execute(title: str, verb: str, data: dict[str, Any] | None = None, **extra: Any) -> Element:
    """An Action.Execute button; the bot parses `data` with a pydantic model on receipt."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb}
    if data:
        action["data"] = data
    action.update(extra)
    return action
