"""The survey in place of an exit conversation (a unit's `offer`, issue 11; seed 002: the
conversation "can also be carried out as an electronic survey").

Sent to the leaver at registration instead of the offer of a conversation. There is nobody to
share answers with, so they count only in anonymous statistics; the card says so.
"""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.base import about, adaptive_card, execute, heading, paragraph
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.departure import Departure


def survey_instead_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """The offer of the survey alone: its purpose, that it is voluntary and anonymous."""
    return adaptive_card(
        [
            heading(say("survey_instead.title")),
            paragraph(say("survey_instead.body", name=leaver_name(departure))),
        ],
        [
            execute(
                say("survey_instead.start"),
                verbs.SURVEY_START,
                about(departure),
                associatedInputs="none",
            )
        ],
        lang=say.lang,
    )
