"""Whose words a proactive message speaks: HR's texts in the person's language."""

from __future__ import annotations

from cards.locale import Speaker
from config.loaded import LoadedConfig
from journey.departure import Departure


def speaker_for(config: LoadedConfig, departure: Departure, locale: str | None) -> Speaker:
    """Texts in `locale` (else the departure's), with the departure's unit's own wording."""
    return Speaker(config, locale or departure.locale, departure.unit or None)
