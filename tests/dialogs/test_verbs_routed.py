"""Every button a card can show is answered: the verbs the cards emit and the routed ones agree.

The cards are walked as built: the golden JSON of every card in every language
(tests/cards/golden), refresh actions and the cards inside Action.ShowCard included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cards import verbs
from dialogs.routes import build_router

GOLDEN = Path(__file__).resolve().parent.parent / "cards" / "golden"


def emitted_verbs(node: Any) -> Iterator[str]:
    """The verb of every Action.Execute (and Action.Submit with a verb) anywhere in a card."""
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute" and isinstance(node.get("verb"), str):
            yield node["verb"]
        data = node.get("data")
        if node.get("type") == "Action.Submit" and isinstance(data, dict) and "verb" in data:
            yield data["verb"]
        for value in node.values():
            yield from emitted_verbs(value)
    elif isinstance(node, list):
        for value in node:
            yield from emitted_verbs(value)


def golden_verbs() -> dict[str, str]:
    """Each verb the built cards emit, with one card that emits it."""
    found: dict[str, str] = {}
    for path in sorted(GOLDEN.glob("*.json")):
        for verb in emitted_verbs(json.loads(path.read_text(encoding="utf-8"))):
            found.setdefault(verb, path.name)
    return found


def declared_verbs() -> set[str]:
    return {value for name, value in vars(verbs).items() if name.isupper()}


def test_the_golden_cards_are_there_to_walk() -> None:
    assert len(list(GOLDEN.glob("*.json"))) > 20, f"no golden cards in {GOLDEN}"


def test_every_verb_a_card_emits_is_routed() -> None:
    routed = build_router().verbs
    unrouted = {verb: card for verb, card in golden_verbs().items() if verb not in routed}
    assert unrouted == {}, "a button nobody answers (verb: a card that shows it)"


def test_every_routed_verb_is_emitted_by_some_card() -> None:
    emitted = set(golden_verbs())
    assert sorted(build_router().verbs - emitted) == []


def test_routes_and_cards_share_the_verb_constants() -> None:
    assert build_router().verbs == declared_verbs()
    assert set(golden_verbs()) <= declared_verbs()
