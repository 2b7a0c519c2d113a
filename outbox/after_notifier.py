"""After the conversation in Teams: the leaver's thank-you and the interviewer's note of their
wishes, sent once through the due-action queue (journey.after_conversation.AfterNotifier)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from cards.after_conversation import thank_you_card, wishes_card
from config.rules import reminder_rules
from journey.after_conversation import Gesture
from journey.clock import Clock
from journey.departure import Departure
from journey.notify import MessageKind
from journey.ports import ConversationRefStore
from outbox.messages import CardMessages
from outbox.speaker import Voices

if TYPE_CHECKING:
    from config.loaded import LoadedConfig


class TeamsAfterNotifier:
    """Thank-you and wishes as cards; the task card update goes through the journey's."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        refs: ConversationRefStore,
        messages: CardMessages,
        clock: Clock,
        task_changed: Callable[[Departure], Awaitable[None]],
        voices: Voices,
    ) -> None:
        self._config = config
        self._voices = voices
        self._refs = refs
        self._messages = messages
        self._clock = clock
        self._task_changed = task_changed

    async def task_changed(self, departure: Departure) -> None:
        """Update the interviewer's task card (through the journey's notifier)."""
        await self._task_changed(departure)

    async def thank_you(self, departure: Departure, offers: Sequence[Gesture]) -> None:
        """The thank-you card, once per departure; what was agreed only in its refresh."""
        ref = await self._refs.find_by_upn(departure.leaver_upn)
        say = await self._voices.speaker(
            departure, departure.leaver_upn, ref.locale if ref else None
        )
        card = thank_you_card(say, departure, offers, user_ids=[ref.user_id] if ref else [])
        await self._messages.send(
            departure,
            MessageKind.THANKS_AFTER,
            ref.user_key if ref else departure.leaver_upn,
            card,
            key=f"{departure.id}:{MessageKind.THANKS_AFTER.value}",
        )

    async def wishes(self, departure: Departure, chosen: Sequence[Gesture]) -> None:
        """Tell the interviewer (never the manager by the bot): the leaver chose whom to trust.
        Without a conversation (the farewell offers reach everyone), the unit's HR contact."""
        interviewer = (
            departure.interviewer_upn or reminder_rules(self._config(), departure.unit).hr_contact
        )
        if not interviewer:
            return
        ref = await self._refs.find_by_upn(interviewer)
        say = await self._voices.speaker(departure, interviewer, ref.locale if ref else None)
        card = wishes_card(say, departure, chosen)
        await self._messages.send(
            departure,
            MessageKind.WISHES,
            ref.user_key if ref else interviewer,
            card,
            # One message per change (the service tells only changes).
            key=f"{departure.id}:{MessageKind.WISHES.value}:{self._clock.now().isoformat()}",
        )
