"""What the journey tells people, as Teams cards: sent once through the queue, updated in place.

New messages become due actions (outbox.messages, kind = journey.notify.MessageKind, due now),
so the delivery worker sends each exactly once and honours Teams' throttling; cards already
posted are updated in place.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp

from cards.after_conversation import farewell_gestures_card
from cards.booking import (
    booking_replaced_card,
    cancelled_booking_card,
    departure_cancelled_card,
    interviewer_booked_card,
    interviewer_name,
    slots_card,
)
from cards.handover import handover_card
from cards.locale import Speaker
from cards.offer import leaver_name, offer_card
from cards.reminders import (
    conversation_reminder_card,
    escalation_card,
    farewell_reminder_card,
    notes_reminder_card,
    thank_you_card,
)
from cards.survey import offer_survey_card
from cards.survey_instead import survey_instead_card
from cards.task import ask_times_card, task_card
from config.rules import conversation_minutes, gestures, offer_policy, reminder_rules
from journey import outbound, reminders
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus, PostedCard, Reach
from journey.due import ScheduledAction
from journey.meeting_modes import location_of
from journey.notify import MessageKind
from journey.people import Directory
from journey.ports import ConversationRefStore
from journey.reminders import REMINDER_KINDS, Planned, open_items
from journey.slots import Slot
from journey.survey_offer import survey_offer_key
from outbox.connector import ConnectorClient, ConnectorError
from outbox.messages import CardMessages, card_activity
from outbox.reach import Reacher
from outbox.speaker import Voices

if TYPE_CHECKING:
    from config.loaded import LoadedConfig
    from config.schema import HandoverItem
    from storage.due_actions import DueActionQueue

log = logging.getLogger(__name__)


class TeamsNotifier:
    """journey.notify.JourneyNotifier for Teams: cards, sent once, updated in place."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        refs: ConversationRefStore,
        directory: Directory,
        queue: DueActionQueue,
        connector: ConnectorClient,
        reacher: Reacher,
        clock: Clock,
        voices: Voices,
    ) -> None:
        self._config = config
        self._voices = voices
        self._refs = refs
        self._directory = directory
        self._queue = queue
        self._messages = CardMessages(queue, clock)
        self._connector = connector
        self._reacher = reacher

    # --- to the leaver -------------------------------------------------------------------

    async def offer(self, departure: Departure) -> Reach | None:
        """Schedule the offer for the leaver, once; why not, if they cannot be reached."""
        target = await self._reacher.conversation_with(departure.leaver_upn)
        if isinstance(target, Reach):
            return target
        say = await self._voices.speaker(departure, departure.leaver_upn, target.locale)
        card = offer_card(say, departure, self._minutes(departure))
        key = f"{departure.id}:offer"
        await self._messages.send(departure, MessageKind.OFFER, target.user_key, card, key=key)
        return None

    async def survey_instead(self, departure: Departure) -> Reach | None:
        """The survey in place of a conversation (journey.offer_policy), once; why not."""
        target = await self._reacher.conversation_with(departure.leaver_upn)
        if isinstance(target, Reach):
            return target
        say = await self._voices.speaker(departure, departure.leaver_upn, target.locale)
        card = survey_instead_card(say, departure)
        key = survey_offer_key(departure)
        kind = MessageKind.SURVEY_OFFER
        await self._messages.send(departure, kind, target.user_key, card, key=key)
        return None

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        """Subject and body of the meeting, in the leaver's language, stating the purpose."""
        say = await self.speaker_to(departure, departure.leaver_upn)
        name = leaver_name(departure)
        subject = say.plain("booking.invitation_subject", name=name)
        place = location_of(departure)  # in person: where, and no camera to turn on
        body = say.plain(
            "meeting.invitation_body_in_person" if place else "booking.invitation_body",
            name=name,
            interviewer=interviewer_name(departure),
            minutes=self._minutes(departure),
            place=place or "",
        )
        paragraphs = [line for line in body.split("\n") if line.strip()]
        return subject, "".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)

    async def slots_to_leaver(self, departure: Departure, slots: Sequence[Slot]) -> None:
        """New times for the leaver after someone else's change."""
        minutes = self._minutes(departure)
        await self.tell(
            departure,
            MessageKind.SLOTS,
            departure.leaver_upn,
            lambda say: slots_card(say, departure, slots, minutes),
            key=f"{departure.id}:slots:{departure.version}",
        )

    async def booking_cancelled_to_leaver(self, departure: Departure) -> None:
        """The interviewer cancelled: the leaver can choose another time."""
        await self.tell(
            departure,
            MessageKind.BOOKING_CANCELLED,
            departure.leaver_upn,
            lambda say: cancelled_booking_card(say, departure),
            key=f"{departure.id}:booking_cancelled:{departure.version}",
        )

    def _survey_offer(self, departure: Departure) -> ScheduledAction | None:
        """The survey, once the conversation is booked, if the unit's offer policy offers this
        type of departure the survey (issue 11); once per departure (a rebooking does not
        offer it again). Planned for the leaver's UPN and drawn when it goes (`reminder_card`),
        like their reminders: the worker reaches them then."""
        policy = offer_policy(self._config(), departure.unit)
        if not policy.offered(departure.departure_type).survey:
            return None
        key = survey_offer_key(departure)
        kind = MessageKind.SURVEY_OFFER
        return self._messages.drawn_at_send(departure, kind, departure.leaver_upn, key=key)

    # --- to the interviewer --------------------------------------------------------------

    async def task_changed(self, departure: Departure) -> None:
        """Update the task card in place, or send it the first time.

        The first time it is planned for the interviewer's UPN and drawn when it goes: the
        delivery worker opens the chat with someone who has none yet (outbox.reach, its
        open_conversation hook), and one it cannot reach is recorded for HR then (a failed
        task card on the departure's timeline, and a warning), never inside the click.
        """
        interviewer = departure.interviewer_upn
        if not interviewer:
            return
        await self._retire_booked_card(departure)
        posted = departure.cards.get("task")
        if posted is not None:
            await self.update_card(posted, await self.task_card_for(departure))
            return
        if departure.status is DepartureStatus.CANCELLED:
            return
        # Once per "yes": after a "no" and a new "yes" (journey.plan_changes) it goes again.
        since = departure.accepted_at.timestamp() if departure.accepted_at else 0
        key = f"{departure.id}:task:{interviewer}:{since:.0f}"
        # Until it is sent, scheduling again changes nothing: it is drawn when it goes.
        await self._messages.send_drawn_at_send(departure, MessageKind.TASK, interviewer, key=key)

    async def _retire_booked_card(self, departure: Departure) -> None:
        """The interviewer's confirmation of a meeting that is no longer booked loses its
        buttons and says where things stand, so nobody presses a stale "cancel"."""
        posted = departure.cards.get("booked")
        if posted is None or departure.is_booked:
            return
        say = await self.speaker_to(departure, departure.interviewer_upn or "")
        await self.update_card(posted, booking_replaced_card(say, departure))

    async def task_card_for(self, departure: Departure, upn: str | None = None) -> dict[str, Any]:
        """The interviewer's full task card (for `upn`, by default the interviewer now),
        refreshing for them only."""
        interviewer = upn or departure.interviewer_upn or ""
        ref = await self._refs.find_by_upn(interviewer)
        say = await self.speaker_to(departure, interviewer)
        return task_card(say, departure, user_ids=[ref.user_id] if ref else [])

    async def booked(self, departure: Departure) -> None:
        """The interviewer's confirmation, with the join link, and the leaver's survey offer:
        scheduled in one write, each drawn when it is sent (`reminder_card`), so the click
        neither looks them up nor renders their cards."""
        interviewer = departure.interviewer_upn or ""
        booked = self._messages.drawn_at_send(
            departure,
            MessageKind.BOOKED,
            interviewer,
            key=f"{departure.id}:booked:{departure.meeting_event_id}",
        )
        survey = self._survey_offer(departure)
        await self._messages.send_all([booked] if survey is None else [booked, survey])

    async def ask_for_times(self, departure: Departure) -> None:
        """Ask the interviewer to suggest other times."""
        await self.tell(
            departure,
            MessageKind.ASK_TIMES,
            departure.interviewer_upn or "",
            lambda say: ask_times_card(say, departure),
            key=f"{departure.id}:ask_times:{departure.version}",
        )

    # --- the leaver stays ----------------------------------------------------------------

    async def departure_cancelled(self, departure: Departure, *, was_booked: bool) -> None:
        """Withdraw what is not sent yet; mark the cards that are."""
        await self._queue.cancel(departure.id)
        leaver_card = departure.cards.get("leaver")
        if leaver_card is not None:
            say = await self.speaker_to(departure, departure.leaver_upn)
            await self.update_card(
                leaver_card, departure_cancelled_card(say, was_booked=was_booked)
            )
        task = departure.cards.get("task")
        if task is not None:
            await self.update_card(task, await self.task_card_for(departure))
        await self._retire_booked_card(departure)
        await self.handover_changed(departure)  # the checklists say cancelled, without buttons

    # --- reminders and the handover checklist (issue 4) ----------------------------------

    async def reminders(self, departure: Departure, planned: Sequence[Planned]) -> None:
        """Make the planned reminders the plan; each card is rendered when it is sent
        (`reminder_card`, through outbox.render), so only changed rows are written."""
        await self._queue.replan(
            departure.id,
            reminders.due_actions(departure.id, planned),
            kinds=[kind.value for kind in REMINDER_KINDS],
        )

    async def handover_changed(self, departure: Departure) -> None:
        """Update both posted checklists in place, each in its reader's language."""
        for slot, upn in (
            ("handover", departure.leaver_upn),
            ("handover_manager", departure.manager_upn),
        ):
            posted = departure.cards.get(slot)
            if posted is not None:
                await self.update_card(posted, await self.handover_card_for(departure, upn))

    async def handover_card_for(self, departure: Departure, upn: str) -> dict[str, Any]:
        """The checklist as `upn` (the leaver or the manager) sees it."""
        say = await self.speaker_to(departure, upn)
        items = self._config().handover_checklist(departure.unit or None)
        for_manager = upn != departure.leaver_upn
        return handover_card(say, departure, items, for_manager=for_manager)

    async def reminder_card(
        self, departure: Departure, kind: MessageKind, recipient: str, days: int = 0
    ) -> dict[str, Any]:
        """A planned card for `recipient` (a UPN), from the departure as it is now: a reminder
        (`days`: an escalation's count of working days), the first task card, the interviewer's
        confirmation of a booking or the leaver's survey offer."""
        if kind is MessageKind.TASK:
            return await self.task_card_for(departure, recipient)
        if kind in (MessageKind.HANDOVER, MessageKind.HANDOVER_MANAGER):
            return await self.handover_card_for(departure, recipient)
        say = await self.speaker_to(departure, recipient)
        if kind is MessageKind.BOOKED:
            # A meeting called off before its confirmation went: where things stand instead.
            if departure.status is not DepartureStatus.BOOKED:
                return booking_replaced_card(say, departure)
            return interviewer_booked_card(say, departure)
        if kind is MessageKind.SURVEY_OFFER:
            return offer_survey_card(say, departure)
        if kind is MessageKind.OFFER_AGAIN:
            return offer_card(say, departure, self._minutes(departure), note=say("offer.reminder"))
        if kind is MessageKind.CONVERSATION_REMINDER:
            for_interviewer = recipient != departure.leaver_upn
            return conversation_reminder_card(
                say, departure, self._minutes(departure), for_interviewer=for_interviewer
            )
        if kind is MessageKind.FAREWELL_REMINDER:
            return farewell_reminder_card(say, departure)
        if kind is MessageKind.THANK_YOU:
            return thank_you_card(say, departure)
        if kind is MessageKind.NOTES_REMINDER:
            return notes_reminder_card(say, departure)
        if kind is MessageKind.FAREWELL_GESTURES:
            # The unit's offers for every leaver (issue 11), refreshing for the leaver only.
            ref = await self._refs.find_by_upn(departure.leaver_upn)
            offers = gestures(self._config(), departure.unit)
            users = [ref.user_id] if ref else []
            return farewell_gestures_card(say, departure, offers, user_ids=users)
        left: list[HandoverItem] = []
        if kind is MessageKind.HANDOVER_ESCALATION:
            config = self._config()
            rules = reminder_rules(config, departure.unit)
            left = [config.handover_items[i] for i in open_items(departure, rules)]
        return escalation_card(say, departure, kind, days, left)

    # --- helpers -------------------------------------------------------------------------

    def _minutes(self, departure: Departure) -> int:
        return conversation_minutes(self._config(), departure.unit)

    # speaker_to, tell and update_card are shared with the notifiers of issue 11's steps
    # (outbox/meeting_notifier.py, outbox/plan_notifier.py).
    async def speaker_to(self, departure: Departure, upn: str) -> Speaker:
        """Texts in the person's language (outbox.speaker): their choice, the leaver's as HR
        registered it, else as Teams last told it, else the directory's."""
        if upn and departure.locale and upn.strip().lower() == departure.leaver_upn:
            # The leaver's registered language comes before Teams': no need to look them up.
            return await self._voices.speaker(departure, upn, None)
        ref = await self._refs.find_by_upn(upn) if upn else None
        locale = ref.locale if ref is not None else None
        if locale is None and upn and upn != departure.leaver_upn:
            try:
                person = await self._directory.find_person(upn)
            except Exception:  # a language is nice to have
                person = None
            locale = person.preferred_language if person is not None else None
        return await self._voices.speaker(departure, upn, locale)

    async def tell(
        self,
        departure: Departure,
        kind: MessageKind,
        upn: str,
        card: Callable[[Speaker], dict[str, Any]],
        *,
        key: str,
    ) -> None:
        """Schedule a card for `upn`, in their language, due now."""
        say = await self.speaker_to(departure, upn)
        await self._messages.send(departure, kind, upn, card(say), key=key)

    async def update_card(self, posted: PostedCard, card: dict[str, Any]) -> None:
        """Replace a posted card once the turn's writes are committed (journey.outbound), so a
        click's writes stay one transaction; a chat that is gone or blocked is left as it is."""
        await outbound.after_turn(lambda: self._replace(posted, card))

    async def _replace(self, posted: PostedCard, card: dict[str, Any]) -> None:
        activity = {**card_activity(card), "id": posted.activity_id}
        try:
            await self._connector.update_activity(
                posted.service_url, posted.conversation_id, posted.activity_id, activity
            )
        except (ConnectorError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("updating a card failed (%s)", type(exc).__name__)
