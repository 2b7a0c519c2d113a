"""Pressing a card's buttons as Teams does, and judging the bot's answer to a press."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
FILLED_TEXT = "Fine"  # what the bench types into a free-text question

Card = dict[str, Any]


def actions_of(card: Card) -> list[dict[str, Any]]:
    """Every Action.Execute of a card (in action sets, actions and show-cards), in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key not in ("data", "refresh"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def verbs_of(card: Card | None) -> set[str]:
    return {action["verb"] for action in actions_of(card or {})}


def inputs_of(card: Card) -> dict[str, Any]:
    """The card's inputs as a person fills them: a given value stays; an empty choice takes the
    first choice, an empty text the word FILLED_TEXT, a toggle its on value. Not those of its
    show-cards (Teams sends a show-card's inputs only with the buttons inside it)."""
    values: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            kind, input_id = node.get("type", ""), node.get("id")
            if isinstance(kind, str) and kind.startswith("Input.") and input_id:
                value = _filled(node)
                if value is not None:
                    values[input_id] = value
            for key, value in node.items():
                if key not in ("data", "refresh") and not (
                    key == "card" and kind == "Action.ShowCard"
                ):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return values


def _filled(node: dict[str, Any]) -> Any:
    if node.get("value") not in (None, ""):
        return node["value"]
    kind = node["type"]
    if kind == "Input.ChoiceSet" and node.get("choices"):
        return node["choices"][0]["value"]
    if kind == "Input.Text":
        return FILLED_TEXT
    if kind == "Input.Toggle":
        return node.get("valueOn", "true")
    return None


def press(
    card: Card, verb: str, which: Callable[[dict[str, Any]], bool] = lambda _: True
) -> dict[str, Any] | None:
    """The data Teams sends for the first `verb` button that `which` accepts (the card's inputs
    merged in unless the button says associatedInputs none), or None without such a button."""
    for action in actions_of(card):
        if action["verb"] == verb and which(action.get("data") or {}):
            data = dict(action.get("data") or {})
            if action.get("associatedInputs") != "none":
                inputs = inputs_of(card)
                for shown in _show_cards_around(card, action):
                    inputs.update(inputs_of(shown))
                data = {**inputs, **data}
            return data
    return None


def _show_cards_around(card: Card, action: dict[str, Any]) -> list[Card]:
    """The show-cards the action sits in, outermost first."""
    path: list[Card] = []

    def walk(node: Any, around: list[Card]) -> bool:
        if node is action:
            path.extend(around)
            return True
        if isinstance(node, dict):
            inner = around
            if node.get("type") == "Action.ShowCard" and isinstance(node.get("card"), dict):
                inner = [*around, node["card"]]
            return any(walk(v, inner) for k, v in node.items() if k not in ("data", "refresh"))
        if isinstance(node, list):
            return any(walk(item, around) for item in node)
        return False

    walk(card, [])
    return path


def judged(status: int, answer: bytes) -> tuple[Card | None, str | None]:
    """The card an invoke answered with, or why the press failed (not 2xx, statusCode ≥ 400,
    an error body, a message instead of a card)."""
    if not 200 <= status < 300:
        return None, f"HTTP {status}"
    try:
        body = json.loads(answer)
    except ValueError:
        return None, "not JSON"
    if not isinstance(body, dict):
        return None, "not an invoke body"
    code = body.get("statusCode", 200)
    if not isinstance(code, int) or code >= 400:
        return None, f"statusCode {code}"
    if body.get("type") == ADAPTIVE_CARD and isinstance(body.get("value"), dict):
        return body["value"], None
    if body.get("type") == "application/vnd.microsoft.error":
        return None, "error body"
    # A text instead of the next card: a refusal or the generic "something went wrong".
    return None, "a message instead of a card"
