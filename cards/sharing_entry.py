"""The leaver's way to sharing (issue 14), on the thank-you and the sent survey: its own module
so those cards need nothing else of cards.sharing."""

from __future__ import annotations

from cards import verbs
from cards.base import Element, execute
from cards.locale import Speaker


def share_button(say: Speaker, departure_id: str) -> Element:
    """Opens the leaver's sharing card (journey.sharing: nothing is shared until they choose)."""
    data = {"departure": departure_id}
    return execute(say("sharing.open"), verbs.SHARING_OPEN, data, associatedInputs="none")
