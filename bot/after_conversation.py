"""After the conversation in Teams: the leaver's thank-you and the interviewer's note of their
wishes, sent once through the due-action queue (journey.after_conversation.AfterNotifier)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from cards.after_conversation import thank_you_card, wishes_card
from cards.locale import Speaker
from journey.after_conversation import Gesture
from journey.clock import Clock
from journey.departure import Departure
from journey.due import ScheduledAction
from journey.ports import ConversationRefStore
from storage.due_actions import DueActionQueue

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

# Not journey.notify.MessageKinds: the journey records nothing about them when they are sent.
THANKS_AFTER = "thanks_after"
WISHES = "thanks_wishes"
CARD = "application/vnd.microsoft.card.adaptive"


def gestures(config: LoadedConfig, unit: str) -> tuple[Gesture, ...]:
    """What a unit offers the leaver afterwards (organisation.yaml, thank_you_offers)."""
    return tuple(Gesture(o.value) for o in config.unit(unit or None).thank_you_offers)


class TeamsAfterNotifier:
    """Thank-you and wishes as cards; the task card update goes through the journey's."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        refs: ConversationRefStore,
        queue: DueActionQueue,
        clock: Clock,
        task_changed: Callable[[Departure], Awaitable[None]],
    ) -> None:
        self._config = config
        self._refs = refs
        self._queue = queue
        self._clock = clock
        self._task_changed = task_changed

    async def task_changed(self, departure: Departure) -> None:
        await self._task_changed(departure)

    async def thank_you(self, departure: Departure, offers: Sequence[Gesture]) -> None:
        """The thank-you card, once per departure; what was agreed only in its refresh."""
        ref = await self._refs.find_by_upn(departure.leaver_upn)
        say = self._speaker(departure, ref.locale if ref else None)
        card = thank_you_card(say, departure, offers, user_ids=[ref.user_id] if ref else [])
        key = f"{departure.id}:{THANKS_AFTER}"
        await self._send(
            departure, THANKS_AFTER, ref.user_key if ref else departure.leaver_upn, card, key
        )

    async def wishes(self, departure: Departure, chosen: Sequence[Gesture]) -> None:
        """Tell the interviewer (never the manager by the bot): the leaver chose whom to trust."""
        interviewer = departure.interviewer_upn
        if not interviewer:
            return
        ref = await self._refs.find_by_upn(interviewer)
        say = self._speaker(departure, ref.locale if ref else None)
        card = wishes_card(say, departure, chosen)
        # One message per change (the service tells only changes).
        key = f"{departure.id}:{WISHES}:{self._clock.now().isoformat()}"
        await self._send(departure, WISHES, ref.user_key if ref else interviewer, card, key)

    def _speaker(self, departure: Departure, locale: str | None) -> Speaker:
        return Speaker(self._config(), locale or departure.locale, departure.unit or None)

    async def _send(
        self, departure: Departure, kind: str, recipient: str, card: dict[str, Any], key: str
    ) -> None:
        await self._queue.schedule(
            ScheduledAction(
                key=key,
                kind=kind,
                recipient_key=recipient,
                due_at=self._clock.now(),
                payload={
                    "type": "message",
                    "attachments": [{"contentType": CARD, "content": card}],
                },
                departure_id=departure.id,
            )
        )
