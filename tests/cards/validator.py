"""Adaptive Card validation for tests: Microsoft's `adaptivecards` SDK plus this project's rules.

The SDK half runs in Node (validate_cards.cjs, one process per call for a whole batch of cards);
the project half (schema version, `$schema`, verbs on actions, and Teams' chart elements, which
the SDK does not know: tests/cards/charts.py) runs here in Python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.cards.charts import chart_errors

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("validate_cards.cjs")
SDK_BUNDLE = REPO_ROOT / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"

CARD_VERSION = "1.5"
SCHEMA_URLS = frozenset(
    {
        "http://adaptivecards.io/schemas/adaptive-card.json",
        "https://adaptivecards.io/schemas/adaptive-card.json",
    }
)
NODE_TIMEOUT_S = 60


def sdk_missing_reason() -> str | None:
    """Why the Node side cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs)"
    if not SDK_BUNDLE.is_file():
        return f"{SDK_BUNDLE.relative_to(REPO_ROOT)} is missing: run `npm ci` in {REPO_ROOT}"
    return None


def require_sdk() -> None:
    """Skip the calling test when the SDK is absent; in CI (CI=true) fail instead."""
    reason = sdk_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Adaptive Cards SDK unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"Adaptive Cards SDK unavailable: {reason}")


def validate_cards(cards: Sequence[dict[str, Any]]) -> list[list[str]]:
    """One list of readable error messages per card; an empty list means the card is valid."""
    if not cards:
        return []
    require_sdk()
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(list(cards)),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{SCRIPT.name} exited with {result.returncode}: {result.stderr.strip()[-2000:]}"
        )
    sdk_errors: list[list[str]] = json.loads(result.stdout)
    if len(sdk_errors) != len(cards):
        raise RuntimeError(f"{SCRIPT.name} answered {len(sdk_errors)} results for {len(cards)}")
    return [sdk + project_errors(card) for sdk, card in zip(sdk_errors, cards, strict=True)]


def validate_card(card: dict[str, Any]) -> list[str]:
    """Readable error messages for one card; empty when it is valid."""
    return validate_cards([card])[0]


def assert_valid_card(card: dict[str, Any]) -> None:
    """Raise AssertionError listing every problem the SDK and the project rules find."""
    errors = validate_card(card)
    if errors:
        listing = "\n".join(f"  - {error}" for error in errors)
        raise AssertionError(f"invalid Adaptive Card ({len(errors)} problems):\n{listing}")


def assert_valid_cards(cards: Sequence[dict[str, Any]]) -> None:
    """Validate a batch in one Node process; the message names each failing card by index."""
    failures = [
        f"card {index}:\n" + "\n".join(f"  - {error}" for error in errors)
        for index, errors in enumerate(validate_cards(cards))
        if errors
    ]
    if failures:
        raise AssertionError("invalid Adaptive Cards:\n" + "\n".join(failures))


def project_errors(card: Any) -> list[str]:
    """This project's rules on top of the schema: Teams' version 1.5, a verb on every action, and
    every chart element as documented, with a fallback."""
    if not isinstance(card, dict):
        return [f"$: a card must be a JSON object, got {type(card).__name__}"]
    errors: list[str] = []
    if card.get("type") != "AdaptiveCard":
        errors.append(f'$.type: must be "AdaptiveCard", got {card.get("type")!r}')
    if card.get("version") != CARD_VERSION:
        errors.append(
            f'$.version: must be "{CARD_VERSION}" (what Teams renders), got {card.get("version")!r}'
        )
    schema = card.get("$schema")
    if schema is not None and schema not in SCHEMA_URLS:
        errors.append(f"$.$schema: unexpected schema URL {schema!r}")
    for path, action in _actions(card, "$"):
        errors.extend(_action_errors(path, action))
    return errors + chart_errors(card)


def _action_errors(path: str, action: dict[str, Any]) -> list[str]:
    kind = action.get("type")
    if kind == "Action.Execute":
        verb = action.get("verb")
        if not isinstance(verb, str) or not verb.strip():
            return [
                f'{path} (Action.Execute): missing "verb" (the bot routes card actions by verb)'
            ]
    if kind == "Action.Submit":
        data = action.get("data")
        verb = data.get("verb") if isinstance(data, dict) else None
        if not isinstance(verb, str) or not verb.strip():
            return [f'{path} (Action.Submit): "data" must carry a "verb" (the bot routes by verb)']
    return []


def _actions(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every action object anywhere in the card, with its JSON path."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and node["type"].startswith("Action."):
            yield path, node
        for key, value in node.items():
            # `data` is the bot's own payload, not card structure.
            if key != "data":
                yield from _actions(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _actions(item, f"{path}[{index}]")
