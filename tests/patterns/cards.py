"""Finding the patterns on a rendered task card."""

from __future__ import annotations

import json
from typing import Any

from cards.locale import Speaker
from config.loaded import LoadedConfig
from tests.cards.charts import charts_in
from tests.helpers.journey import texts_of

UNIT_NAMES = {"da": "Social og Sundhed", "sv": "Social och hälsa", "nb": "Helse og omsorg",
              "en": "Social Care"}  # fmt: skip


def part_of(card: dict[str, Any], config: LoadedConfig, lang: str = "en") -> dict[str, Any] | None:
    """The task card's container of patterns (figures, or the one line of too few), if any."""
    say = Speaker(config, lang, "social-care")
    title = say("patterns.title", unit_name=UNIT_NAMES[lang])
    too_few = say.plain("patterns.too_few", unit_name=UNIT_NAMES[lang], period="").split(" (")[0]
    for element in card.get("body", []):
        if element.get("type") != "Container":
            continue
        texts = texts_of({"body": element["items"]})
        if title in texts or texts.startswith(too_few):
            return element
    return None


def charts_of(part: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The part's charts by type (one of each)."""
    return {chart["type"]: chart for _, chart in charts_in(part)}


def x_labels(chart: dict[str, Any]) -> list[str]:
    return [point["x"] for point in chart["data"]]


def y_values(chart: dict[str, Any]) -> list[float]:
    return [point["y"] for point in chart["data"]]


def fallback_titles(chart: dict[str, Any]) -> list[str]:
    return [fact["title"] for fact in chart["fallback"]["facts"]]


def anywhere(card: dict[str, Any]) -> str:
    """Everything the card holds, as text (charts, fallbacks and all)."""
    return json.dumps(card, ensure_ascii=False)
