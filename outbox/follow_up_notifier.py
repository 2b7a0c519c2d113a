"""Follow-ups in Teams (journey.follow_ups.FollowUpNotifier): the owner's card when they are
given one, and the reminder on the due date at 09:00 on the departure's wall clock.

Both are due actions that name the follow-up rather than carry a card: the card is drawn when
it goes (`card_at_send`), so it shows the follow-up as it is then, in the owner's language.
The keys make each go once: the owner's card once per revision, the reminder once per
follow-up, owner and due date. Re-planning after every change (a hand-on moves the reminder to
the new owner, done withdraws it) makes the open follow-ups' reminders the departure's plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cards.follow_ups import areas_for, follow_up_card
from cards.locale import Speaker
from journey.clock import Clock
from journey.departure import Departure
from journey.due import DueAction, DueActions, ScheduledAction
from journey.follow_up_rules import FollowUp, reminder_at, reminder_expires
from journey.follow_ups import FollowUpStore
from journey.notify import MessageKind
from journey.ports import ConversationRef, DepartureRepository
from outbox.messages import card_activity

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

FOLLOW_UP_KEY = "follow_up"  # the payload's one key: the follow-up's id


class TeamsFollowUpNotifier:
    """Schedules the owners' cards and reminders; draws them when they are sent."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        queue: DueActions,
        clock: Clock,
        store: FollowUpStore,
        departures: DepartureRepository,
        speaker_to: Callable[[Departure, str], Any],
    ) -> None:
        self._config = config
        self._queue = queue
        self._clock = clock
        self._store = store
        self._departures = departures
        self._speaker_to = speaker_to

    async def assigned(self, departure: Departure, follow_up: FollowUp) -> None:
        """The owner's card, due now, once per revision (a hand-on is a new revision)."""
        await self._queue.schedule(
            ScheduledAction(
                key=f"{departure.id}:{MessageKind.FOLLOW_UP.value}:{follow_up.id}:"
                f"{follow_up.revision}",
                kind=MessageKind.FOLLOW_UP.value,
                recipient_key=follow_up.owner_upn,
                due_at=self._clock.now(),
                payload={FOLLOW_UP_KEY: follow_up.id},
                departure_id=departure.id,
            )
        )

    async def replan(self, departure: Departure, follow_ups: Sequence[FollowUp]) -> None:
        """The open follow-ups' reminders are the plan; others not yet sent are withdrawn."""
        kind = MessageKind.FOLLOW_UP_REMINDER.value
        wanted = []
        for follow_up in follow_ups:
            due_at = reminder_at(follow_up, departure.zone)
            if due_at is None:
                continue
            wanted.append(
                ScheduledAction(
                    key=f"{departure.id}:{kind}:{follow_up.id}:{follow_up.owner_upn}:"
                    f"{follow_up.due_on.isoformat()}",
                    kind=kind,
                    recipient_key=follow_up.owner_upn,
                    due_at=due_at,
                    payload={FOLLOW_UP_KEY: follow_up.id},
                    departure_id=departure.id,
                    expires_at=reminder_expires(follow_up, departure.zone),
                )
            )
        await self._queue.reschedule(departure.id, wanted, kinds=[kind])

    async def card_at_send(self, action: DueAction, ref: ConversationRef) -> dict[str, Any]:
        """The owner's card as the follow-up is now; the reminder says it is due today."""
        follow_up = await self._store.get(str(action.payload.get(FOLLOW_UP_KEY, "")))
        if follow_up is None or action.departure_id is None:
            raise ValueError(f"due action {action.id} names no follow-up that is kept")
        departure = await self._departures.get(action.departure_id)
        say: Speaker = await self._speaker_to(departure, action.recipient_key)
        config = self._config()
        note = None
        if action.kind == MessageKind.FOLLOW_UP_REMINDER.value:
            note = say("follow_up.reminder_note")
        card = follow_up_card(
            say,
            follow_up,
            areas=areas_for(config, say, follow_up.unit),
            unit_name=config.unit_name(follow_up.unit or None, say.lang) or follow_up.unit,
            today=self._clock.now().astimezone(departure.zone).date(),
            user_ids=[ref.user_id],
            can_act=follow_up.owned_by(action.recipient_key),
            note=note,
        )
        return card_activity(card)
