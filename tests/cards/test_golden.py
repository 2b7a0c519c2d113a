"""Every card in each language matches its golden JSON file, and every golden file is valid.

Regenerate after an intended change: `UPDATE_GOLDEN=1 .venv/bin/pytest tests/cards/test_golden.py`
(see tests/cards/golden/README.md), then review the diff.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from config.loader import LoadedConfig, default_config_dir, load_config
from journey.locale import SUPPORTED_LANGUAGES
from tests.cards.catalogue import every_card
from tests.cards.validator import validate_cards

GOLDEN = Path(__file__).with_name("golden")
CARDS = Path(__file__).resolve().parents[2] / "cards"
CATALOGUE = Path(__file__).with_name("catalogue.py")
DIFF_LINES = 60


def updating() -> bool:
    """Whether this run rewrites the golden files instead of comparing with them."""
    return os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


def as_json(card: dict[str, Any]) -> str:
    """A card as the golden file holds it: indented, in the card's own key order."""
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def golden_path(name: str, language: str) -> Path:
    """Where the golden file of one card in one language lives."""
    return GOLDEN / f"{name}.{language}.json"


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def _diff(expected: str, actual: str, path: Path) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), str(path), "built now", lineterm=""
    )
    return "\n".join(list(lines)[:DIFF_LINES])


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_card_matches_its_golden_file(config: LoadedConfig, language: str) -> None:
    differing: list[str] = []
    for name, card in every_card(config, language).items():
        path = golden_path(name, language)
        actual = as_json(card)
        if updating():
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            continue
        expected = path.read_text(encoding="utf-8") if path.is_file() else ""
        if expected != actual:
            differing.append(_diff(expected, actual, path) or f"{path} is missing")
    assert not differing, (
        f"{len(differing)} cards differ from their golden files "
        "(UPDATE_GOLDEN=1 rewrites them):\n" + "\n\n".join(differing)
    )


def test_no_golden_file_without_its_card(config: LoadedConfig) -> None:
    wanted = {
        golden_path(name, language).name
        for language in SUPPORTED_LANGUAGES
        for name in every_card(config, language)
    }
    stale = sorted(path for path in GOLDEN.glob("*.json") if path.name not in wanted)
    if updating():
        for path in stale:
            path.unlink()
        return
    assert not stale, f"golden files no card is built for: {[p.name for p in stale]}"


def test_every_golden_file_is_a_valid_card() -> None:
    paths = sorted(GOLDEN.glob("*.json"))
    assert paths, f"no golden files in {GOLDEN}"
    # One Node process for the whole batch: 2 cores are shared with the rest of the suite.
    results = validate_cards([json.loads(path.read_text(encoding="utf-8")) for path in paths])
    failures = [
        f"{path.name}:\n" + "\n".join(f"  - {error}" for error in errors)
        for path, errors in zip(paths, results, strict=True)
        if errors
    ]
    assert not failures, "invalid golden cards:\n" + "\n".join(failures)


def _card_builders() -> set[str]:
    """Every public function of cards/ that returns a whole card, as `cards.module.name`.

    base.py holds their parts.
    """
    found: set[str] = set()
    for module in CARDS.glob("*.py"):
        if module.name == "base.py":
            continue
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.FunctionDef)
                and not node.name.startswith("_")
                and node.name.endswith(("_card", "_without_details"))
            ):
                found.add(f"cards.{module.stem}.{node.name}")
    return found


def _called_in_catalogue() -> set[str]:
    """The functions catalogue.py imports from cards/ and calls, as `cards.module.name`."""
    tree = ast.parse(CATALOGUE.read_text(encoding="utf-8"))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    return {
        f"{node.module}.{alias.name}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cards.")
        for alias in node.names
        if (alias.asname or alias.name) in called
    }


def test_every_card_builder_has_golden_files() -> None:
    missing = sorted(_card_builders() - _called_in_catalogue())
    assert not missing, f"card builders without a golden card in catalogue.py: {missing}"
