"""Whose words a proactive message speaks: HR's texts in the person's language.

The language follows journey.locale.preferred_locale: the person's own choice (the `language`
command), else, for the leaver, the language HR registered on the departure, else the Teams
locale last seen from them (for others, the directory's when Teams never told it).
"""

from __future__ import annotations

from collections.abc import Callable

from cards.locale import Speaker
from config.loaded import LoadedConfig
from journey.departure import Departure
from journey.locale import preferred_locale
from journey.ports import LanguageChoices


def speaker_for(
    config: LoadedConfig,
    departure: Departure,
    upn: str,
    *,
    chosen: str | None,
    teams: str | None,
) -> Speaker:
    """Texts for `upn` about `departure`, with the departure's unit's own wording."""
    is_leaver = upn.strip().lower() == departure.leaver_upn
    locale = preferred_locale(
        chosen=chosen, registered=departure.locale if is_leaver else None, teams=teams
    )
    return Speaker(config, locale, departure.unit or None)


class Voices:
    """The speaker for each recipient of a proactive card, with the language they chose."""

    def __init__(self, config: Callable[[], LoadedConfig], choices: LanguageChoices) -> None:
        self._config = config
        self._choices = choices

    async def speaker(self, departure: Departure, upn: str, teams: str | None) -> Speaker:
        """Texts for `upn` (the leaver, interviewer or manager); `teams`: their Teams locale."""
        chosen = await self._choices.chosen(upn) if upn else None
        return speaker_for(self._config(), departure, upn, chosen=chosen, teams=teams)
