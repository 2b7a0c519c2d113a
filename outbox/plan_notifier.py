"""Plans that change, told in Teams (journey.plan_changes.PlanNotifier): the old interviewer's
cards withdrawn in place, the new one's task card, the leaver's times with their new person."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cards.base import paragraph
from cards.booking import slots_card, waiting_card
from cards.locale import Speaker
from cards.plan_changes import released_card
from cards.task import task_card
from config.rules import conversation_minutes
from journey.departure import Departure, PostedCard, Reach
from journey.due import DueActions
from journey.notify import MessageKind
from journey.plan_change_rules import Release
from journey.slots import Slot
from outbox.messages import CardMessages
from outbox.notifier import TeamsNotifier
from outbox.reach import Reacher

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

log = logging.getLogger(__name__)

# What the person who held the conversation may still have waiting unsent.
_INTERVIEWER_KINDS = (MessageKind.TASK, MessageKind.BOOKED, MessageKind.ASK_TIMES)


class JourneyCards(Protocol):
    """What the journey's notifier (outbox.notifier.TeamsNotifier) lends: each person's words,
    the task card, and updating a posted card in place."""

    async def speaker(self, departure: Departure, upn: str) -> Speaker: ...

    async def task_card_for(self, departure: Departure) -> dict[str, Any]: ...

    async def update(self, posted: PostedCard, card: dict[str, Any]) -> None: ...


class TeamsPlanNotifier:
    """Cards for a changed plan, sent once through the queue or updated in place."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        queue: DueActions,
        messages: CardMessages,
        reacher: Reacher,
        journey: JourneyCards,
    ) -> None:
        self._config = config
        self._queue = queue
        self._messages = messages
        self._reacher = reacher
        self._journey = journey

    async def released(self, before: Departure, reason: Release, *, successor: str = "") -> None:
        """Withdraw what the old interviewer has not got yet; their cards say it is over."""
        await self._queue.cancel(before.id, kinds=[kind.value for kind in _INTERVIEWER_KINDS])
        say = await self._journey.speaker(before, before.interviewer_upn or "")
        card = released_card(say, before, reason, successor=successor)
        for slot in ("task", "booked"):
            posted = before.cards.get(slot)
            if posted is not None:
                await self._journey.update(posted, card)

    async def new_interviewer(self, departure: Departure, *, previous: str = "") -> None:
        """The task card to the person holding the conversation now (a new message)."""
        interviewer = departure.interviewer_upn
        if not interviewer:
            return
        target = await self._reacher.conversation_with(interviewer)
        if isinstance(target, Reach):
            log.warning("the new interviewer of %s cannot be reached (%s)", departure.id, target)
            return
        if previous:
            say = await self._journey.speaker(departure, interviewer)
            note = say("plan.handed_over_to_you", previous=previous)
            card = task_card(say, departure, user_ids=[target.user_id], note=note)
        else:
            card = await self._journey.task_card_for(departure)
        # The version in the key: someone who held it before and holds it again gets it anew.
        key = f"{departure.id}:task:{interviewer}:{departure.version}"
        await self._messages.send(departure, MessageKind.TASK, target.user_key, card, key=key)

    async def handed_over_to_leaver(
        self, departure: Departure, slots: Sequence[Slot], *, previous: str
    ) -> None:
        """Who holds the leaver's conversation now, and the times free with them."""
        say = await self._journey.speaker(departure, departure.leaver_upn)
        holder = departure.interviewer_name or departure.interviewer_upn or ""
        note = say("plan.handed_over_leaver", previous=previous, interviewer=holder)
        if slots:
            card = slots_card(say, departure, slots, self._minutes(departure), note=note)
        else:  # nothing free with the colleague yet: they were asked for times
            card = waiting_card(say, departure, found_none=True)
            card["body"].insert(1, paragraph(note))
        key = f"{departure.id}:handed_over:{departure.version}"
        await self._messages.send(departure, MessageKind.SLOTS, departure.leaver_upn, card, key=key)

    # --- helpers -------------------------------------------------------------------------

    def _minutes(self, departure: Departure) -> int:
        return conversation_minutes(self._config(), departure.unit)


class LentByNotifier:
    """JourneyCards from the journey's TeamsNotifier: its speaker and in-place update are the
    ones every other card of the journey uses, so a changed plan speaks the same way."""

    def __init__(self, notifier: TeamsNotifier) -> None:
        self._notifier = notifier

    async def speaker(self, departure: Departure, upn: str) -> Speaker:
        return await self._notifier.speaker_to(departure, upn)

    async def task_card_for(self, departure: Departure) -> dict[str, Any]:
        return await self._notifier.task_card_for(departure)

    async def update(self, posted: PostedCard, card: dict[str, Any]) -> None:
        await self._notifier.update_card(posted, card)
