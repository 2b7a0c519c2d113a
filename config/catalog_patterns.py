"""The texts of the patterns before the conversation (issue 14, cards.patterns): key ->
the placeholders the code fills in (config.catalog)."""

from __future__ import annotations

PATTERNS_TEXTS: dict[str, tuple[str, ...]] = {
    "patterns.title": ("unit_name",),
    "patterns.intro": ("period", "departures"),
    "patterns.too_few": ("unit_name", "period"),
    "patterns.note": ("min",),
}
