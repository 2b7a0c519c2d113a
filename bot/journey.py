"""The journey in Teams: its JourneyEvents and proactive messages, sent once through the queue.

- `Reacher` finds the chat with a person, or opens one: the stored conversation reference,
  else install the app for them (Graph) and open the 1:1 chat (Bot Connector). Why it cannot
  is a `Reach` (blocked, not found, no conversation), recorded on the departure for HR.
- `TeamsNotifier` renders what journey.flow tells people as cards. New messages become due
  actions (kind = journey.notify.MessageKind, due now), so the delivery engine sends each
  exactly once and honours Teams' throttling; cards already posted are updated in place.
- `ReportingQueue` tells the journey how each send ended: the offer's reach (403 blocked,
  404 not found) and the activity ids of the cards to update later. Failures are recorded,
  never retried blindly (the engine retries only 412/429/5xx).
- `JourneyRuntime` builds it all and runs the delivery worker for the app's lifetime.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.connector import (
    ConnectorClient,
    ConnectorError,
    ConversationGone,
    RecipientBlocked,
    TokenProvider,
)
from bot.delivery import DeliveryPolicy, DeliveryWorker, delivery_connector
from bot.survey_offer import offer_survey
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
    thank_you_card,
)
from cards.task import ask_times_card, task_card
from journey.booking import UnitRules
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus, InterviewerKind, PostedCard, Reach
from journey.due import DueAction, DueState, ErrorCode, ScheduledAction
from journey.flow import Journey
from journey.notify import MessageKind
from journey.people import Directory, PersonNotReachable, TeamsInstaller
from journey.ports import AuditLog, ConversationRef, ConversationRefStore, DepartureRepository
from journey.reminders import REMINDER_KINDS, Planned, ReminderRules, open_items
from journey.slots import Slot
from journey.workdays import WorkingTime
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.send_budget import SendBudget
from storage.service_urls import latest_service_url

if TYPE_CHECKING:
    from config.loaded import LoadedConfig
    from config.schema import HandoverItem
    from people.services import PeopleServices

log = logging.getLogger(__name__)

CARD = "application/vnd.microsoft.card.adaptive"
# The delivery engine looks for due messages this often: an offer or a task card should not
# wait long after the click that caused it.
POLL_SECONDS = 0.2

_FAILURE_REACH = {
    "http_403": Reach.BLOCKED,
    "http_404": Reach.NOT_FOUND,
    ErrorCode.NO_CONVERSATION.value: Reach.NO_CONVERSATION,
}


def unit_rules(config: LoadedConfig, unit: str) -> UnitRules:
    """What the journey needs of a unit's configuration."""
    settings = config.unit(unit or None)
    calendar = settings.calendar
    return UnitRules(
        minutes=settings.conversation.minutes,
        interviewers=tuple(
            InterviewerKind(kind.value) for kind in settings.conversation.interviewers
        ),
        hr_partners=tuple(settings.conversation.hr_partners),
        pool=tuple(settings.conversation.pool),
        working_hours=calendar.working_hours.span,
        working_days=calendar.weekday_numbers,
        holidays=frozenset(calendar.holidays),
    )


def reminder_rules(config: LoadedConfig, unit: str) -> ReminderRules:
    """A unit's reminder settings, calendar, handover checklist and HR contact."""
    settings = config.unit(unit or None)
    calendar, reminders = settings.calendar, settings.reminders
    # The ladder's last step: the unit's first HR partner, else the organisation's HR.
    contacts = [*settings.conversation.hr_partners, *config.organisation.hr.members]
    return ReminderRules(
        time=WorkingTime(
            zone=calendar.zone,
            working_days=calendar.weekday_numbers,
            hours=calendar.working_hours.span,
            holidays=frozenset(calendar.holidays),
        ),
        handover_days_before=reminders.handover_days_before,
        conversation_working_days_before=reminders.conversation_working_days_before,
        farewell_days_before=reminders.farewell_days_before,
        escalate_after_working_days=reminders.escalate_after_working_days,
        handover_items=tuple(item.id for item in config.handover_checklist(unit or None)),
        hr_contact=contacts[0] if contacts else None,
    )


def card_activity(card: dict[str, Any]) -> dict[str, Any]:
    """A message carrying one card and no text (text plus card would split in two)."""
    return {"type": "message", "attachments": [{"contentType": CARD, "content": card}]}


class Reacher:
    """Finds or opens the one-to-one chat between the bot and a person."""

    def __init__(
        self,
        *,
        refs: ConversationRefStore,
        directory: Directory,
        teams: TeamsInstaller,
        connector: ConnectorClient,
        db: Database,
        bot_id: str,
        tenant_id: str,
        default_service_url: str | None,
    ) -> None:
        self._refs = refs
        self._directory = directory
        self._teams = teams
        self._connector = connector
        self._db = db
        self._bot_id = bot_id
        self._tenant_id = tenant_id or None
        self._default_service_url = default_service_url

    async def conversation_with(self, upn: str) -> ConversationRef | Reach:
        """The person's chat with the bot, opened if need be; else why it cannot be."""
        ref = await self._refs.find_by_upn(upn)
        if ref is not None:
            return ref
        person = await self._directory.find_person(upn)
        if person is None:
            return Reach.NOT_FOUND
        try:
            await self._teams.ensure_installed_for(person.id)
        except PersonNotReachable as exc:
            return Reach.BLOCKED if exc.reason == "blocked" else Reach.NOT_FOUND
        known = await latest_service_url(self._db)
        service_url = known[0] if known else self._default_service_url
        tenant_id = self._tenant_id or (known[1] if known else None)
        if service_url is None:
            return Reach.NO_CONVERSATION
        member = person.teams_user_id or person.id
        parameters: dict[str, Any] = {
            "isGroup": False,
            "members": [{"id": member}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        if self._bot_id:
            parameters["bot"] = {"id": self._bot_id}
        try:
            created = await self._connector.create_conversation(service_url, parameters)
        except RecipientBlocked:
            return Reach.BLOCKED
        except ConversationGone:
            return Reach.NOT_FOUND
        except (ConnectorError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("opening a chat failed (%s)", type(exc).__name__)
            return Reach.NO_CONVERSATION
        conversation_id = created.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            return Reach.NO_CONVERSATION
        ref = ConversationRef(
            user_key=person.id,
            user_id=member,
            upn=person.upn,
            name=person.display_name,
            conversation_id=conversation_id,
            service_url=service_url,
            tenant_id=tenant_id,
            bot_id=self._bot_id,
            locale=person.preferred_language,
        )
        await self._refs.save(ref)
        return ref

    async def for_worker(self, recipient_key: str) -> ConversationRef | None:
        """The delivery engine's open_conversation hook: a chat, or None."""
        if "@" not in recipient_key:
            return None
        found = await self.conversation_with(recipient_key)
        return found if isinstance(found, ConversationRef) else None


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
    ) -> None:
        self._config = config
        self._refs = refs
        self._directory = directory
        self._queue = queue
        self._connector = connector
        self._reacher = reacher
        self._clock = clock

    # --- to the leaver -------------------------------------------------------------------

    async def offer(self, departure: Departure) -> Reach | None:
        """Schedule the offer for the leaver, once; why not, if they cannot be reached."""
        target = await self._reacher.conversation_with(departure.leaver_upn)
        if isinstance(target, Reach):
            return target
        say = self._speaker(departure, target.locale)
        card = offer_card(say, departure, self._minutes(departure))
        await self._send(
            departure, MessageKind.OFFER, target.user_key, card, f"{departure.id}:offer"
        )
        return None

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        """Subject and body of the meeting, in the leaver's language, stating the purpose."""
        say = await self._speaker_for(departure, departure.leaver_upn, departure.locale)
        name = leaver_name(departure)
        subject = say("booking.invitation_subject", name=name)
        body = say(
            "booking.invitation_body",
            name=name,
            interviewer=interviewer_name(departure),
            minutes=self._minutes(departure),
        )
        paragraphs = [line for line in body.split("\n") if line.strip()]
        return subject, "".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)

    async def slots_to_leaver(self, departure: Departure, slots: Sequence[Slot]) -> None:
        """New times for the leaver after someone else's change."""
        say = await self._speaker_for(departure, departure.leaver_upn, departure.locale)
        card = slots_card(say, departure, slots, self._minutes(departure))
        key = f"{departure.id}:slots:{departure.version}"
        await self._send(departure, MessageKind.SLOTS, departure.leaver_upn, card, key)

    async def booking_cancelled_to_leaver(self, departure: Departure) -> None:
        """The interviewer cancelled: the leaver can choose another time."""
        say = await self._speaker_for(departure, departure.leaver_upn, departure.locale)
        card = cancelled_booking_card(say, departure)
        key = f"{departure.id}:booking_cancelled:{departure.version}"
        await self._send(departure, MessageKind.BOOKING_CANCELLED, departure.leaver_upn, card, key)

    # --- to the interviewer --------------------------------------------------------------

    async def task_changed(self, departure: Departure) -> None:
        """Update the task card in place, or send it the first time."""
        interviewer = departure.interviewer_upn
        if not interviewer:
            return
        await self._retire_booked_card(departure)
        posted = departure.cards.get("task")
        if posted is not None:
            await self._update(posted, await self.task_card_for(departure))
            return
        if departure.status is DepartureStatus.CANCELLED:
            return
        target = await self._reacher.conversation_with(interviewer)
        if isinstance(target, Reach):
            log.warning("the interviewer of %s cannot be reached (%s)", departure.id, target)
            return
        card = await self.task_card_for(departure)
        key = f"{departure.id}:task:{interviewer}"
        # Until it is sent, scheduling again just replaces the pending card with this one.
        await self._send(departure, MessageKind.TASK, target.user_key, card, key)

    async def _retire_booked_card(self, departure: Departure) -> None:
        """The interviewer's confirmation of a meeting that is no longer booked loses its
        buttons and says where things stand, so nobody presses a stale "cancel"."""
        posted = departure.cards.get("booked")
        if posted is None or departure.is_booked:
            return
        interviewer = departure.interviewer_upn or ""
        say = await self._speaker_for(departure, interviewer, departure.locale)
        await self._update(posted, booking_replaced_card(say, departure))

    async def task_card_for(self, departure: Departure) -> dict[str, Any]:
        """The interviewer's full task card, refreshing for them only."""
        interviewer = departure.interviewer_upn or ""
        ref = await self._refs.find_by_upn(interviewer)
        say = await self._speaker_for(departure, interviewer, departure.locale)
        return task_card(say, departure, user_ids=[ref.user_id] if ref else [])

    async def booked(self, departure: Departure) -> None:
        """The interviewer's confirmation, with the join link."""
        interviewer = departure.interviewer_upn or ""
        say = await self._speaker_for(departure, interviewer, departure.locale)
        card = interviewer_booked_card(say, departure)
        key = f"{departure.id}:booked:{departure.meeting_event_id}"
        await self._send(departure, MessageKind.BOOKED, interviewer, card, key)
        # The survey (issue 5): offered to the leaver once the conversation is booked.
        await offer_survey(
            departure, config=self._config(), refs=self._refs, queue=self._queue, clock=self._clock
        )

    async def ask_for_times(self, departure: Departure) -> None:
        """Ask the interviewer to suggest other times."""
        interviewer = departure.interviewer_upn or ""
        say = await self._speaker_for(departure, interviewer, departure.locale)
        card = ask_times_card(say, departure)
        key = f"{departure.id}:ask_times:{departure.version}"
        await self._send(departure, MessageKind.ASK_TIMES, interviewer, card, key)

    # --- the leaver stays ----------------------------------------------------------------

    async def departure_cancelled(self, departure: Departure, *, was_booked: bool) -> None:
        """Withdraw what is not sent yet; mark the cards that are."""
        await self._queue.cancel(departure.id)
        leaver_card = departure.cards.get("leaver")
        if leaver_card is not None:
            say = await self._speaker_for(departure, departure.leaver_upn, departure.locale)
            await self._update(leaver_card, departure_cancelled_card(say, was_booked=was_booked))
        task = departure.cards.get("task")
        if task is not None:
            await self._update(task, await self.task_card_for(departure))
        await self._retire_booked_card(departure)
        await self.handover_changed(departure)  # the checklists say cancelled, without buttons

    # --- reminders and the handover checklist (issue 4) ----------------------------------

    async def reminders(self, departure: Departure, planned: Sequence[Planned]) -> None:
        """Render each planned reminder for its recipient and make them the plan."""
        actions = [
            ScheduledAction(
                key=item.key,
                kind=item.kind.value,
                recipient_key=item.recipient,
                due_at=item.due_at,
                payload=card_activity(await self._reminder_card(departure, item)),
                departure_id=departure.id,
            )
            for item in planned
        ]
        await self._queue.reschedule(
            departure.id, actions, kinds=[kind.value for kind in REMINDER_KINDS]
        )

    async def handover_changed(self, departure: Departure) -> None:
        """Update both posted checklists in place, each in its reader's language."""
        for slot, upn in (
            ("handover", departure.leaver_upn),
            ("handover_manager", departure.manager_upn),
        ):
            posted = departure.cards.get(slot)
            if posted is not None:
                await self._update(posted, await self.handover_card_for(departure, upn))

    async def handover_card_for(self, departure: Departure, upn: str) -> dict[str, Any]:
        """The checklist as `upn` (the leaver or the manager) sees it."""
        say = await self._speaker_for(departure, upn, departure.locale)
        items = self._config().handover_checklist(departure.unit or None)
        for_manager = upn != departure.leaver_upn
        return handover_card(say, departure, items, for_manager=for_manager)

    async def _reminder_card(self, departure: Departure, item: Planned) -> dict[str, Any]:
        kind = item.kind
        if kind in (MessageKind.HANDOVER, MessageKind.HANDOVER_MANAGER):
            return await self.handover_card_for(departure, item.recipient)
        say = await self._speaker_for(departure, item.recipient, departure.locale)
        if kind is MessageKind.OFFER_AGAIN:
            return offer_card(say, departure, self._minutes(departure), note=say("offer.reminder"))
        if kind is MessageKind.CONVERSATION_REMINDER:
            for_interviewer = item.recipient != departure.leaver_upn
            return conversation_reminder_card(
                say, departure, self._minutes(departure), for_interviewer=for_interviewer
            )
        if kind is MessageKind.FAREWELL_REMINDER:
            return farewell_reminder_card(say, departure)
        if kind is MessageKind.THANK_YOU:
            return thank_you_card(say, departure)
        left: list[HandoverItem] = []
        if kind is MessageKind.HANDOVER_ESCALATION:
            config = self._config()
            rules = reminder_rules(config, departure.unit)
            left = [config.handover_items[i] for i in open_items(departure, rules)]
        return escalation_card(say, departure, kind, item.days, left)

    # --- helpers -------------------------------------------------------------------------

    def _minutes(self, departure: Departure) -> int:
        return self._config().unit(departure.unit or None).conversation.minutes

    def _speaker(self, departure: Departure, locale: str | None) -> Speaker:
        return Speaker(self._config(), locale or departure.locale, departure.unit or None)

    async def _speaker_for(self, departure: Departure, upn: str, fallback: str) -> Speaker:
        """Texts in the person's language: as Teams last told it, else the directory's."""
        ref = await self._refs.find_by_upn(upn) if upn else None
        locale = ref.locale if ref is not None else None
        if locale is None and upn and upn != departure.leaver_upn:
            try:
                person = await self._directory.find_person(upn)
            except Exception:  # a language is nice to have
                person = None
            locale = person.preferred_language if person is not None else None
        return self._speaker(departure, locale or fallback)

    async def _send(
        self,
        departure: Departure,
        kind: MessageKind,
        recipient_key: str,
        card: dict[str, Any],
        key: str,
    ) -> None:
        await self._queue.schedule(
            ScheduledAction(
                key=key,
                kind=kind.value,
                recipient_key=recipient_key,
                due_at=self._clock.now(),
                payload=card_activity(card),
                departure_id=departure.id,
            )
        )

    async def _update(self, posted: PostedCard, card: dict[str, Any]) -> None:
        """Replace a posted card; a chat that is gone or blocked is left as it is."""
        activity = {**card_activity(card), "id": posted.activity_id}
        try:
            await self._connector.update_activity(
                posted.service_url, posted.conversation_id, posted.activity_id, activity
            )
        except (ConnectorError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("updating a card failed (%s)", type(exc).__name__)


Settled = Callable[[DueAction], Awaitable[None]]


class ReportingQueue(DueActionQueue):
    """The due-action queue that also tells the journey how each send ended."""

    def __init__(self, db: Database, clock: Clock, settled: Settled) -> None:
        super().__init__(db, clock)
        self._settled = settled

    async def mark_sent(
        self, action_id: int, owner: str, activity_id: str | None, **options: Any
    ) -> bool:
        changed = await super().mark_sent(action_id, owner, activity_id, **options)
        if changed:
            await self._tell(action_id)
        return changed

    async def mark_failed(
        self,
        action_id: int,
        owner: str,
        code: str,
        retry_at: datetime | None = None,
        **options: Any,
    ) -> bool:
        changed = await super().mark_failed(action_id, owner, code, retry_at, **options)
        if changed and retry_at is None:  # final: no retry follows
            await self._tell(action_id)
        return changed

    async def _tell(self, action_id: int) -> None:
        action = await self.get(action_id)
        if action is None:
            return
        try:
            await self._settled(action)
        except Exception:
            log.exception("recording the outcome of due action %s failed", action_id)


class JourneyRuntime:
    """The journey wired to Teams, the calendars and the database, with its delivery worker."""

    def __init__(
        self,
        *,
        db: Database,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        connector: ConnectorClient,
        refs: ConversationRefStore,
        departures: DepartureRepository,
        audit: AuditLog,
        clock: Clock,
        config: Callable[[], LoadedConfig],
        people: PeopleServices,
        bot_id: str,
        tenant_id: str,
        default_service_url: str | None = None,
    ) -> None:
        self._refs = refs
        self.reacher = Reacher(
            refs=refs,
            directory=people.directory,
            teams=people.teams,
            connector=connector,
            db=db,
            bot_id=bot_id,
            tenant_id=tenant_id,
            # Without one, chats are opened only at a service URL Teams itself has sent (any
            # stored conversation): no guessed address, no surprise traffic.
            default_service_url=default_service_url,
        )
        self.queue = ReportingQueue(db, clock, self._settled)
        self.notifier = TeamsNotifier(
            config=config,
            refs=refs,
            directory=people.directory,
            queue=self.queue,
            connector=connector,
            reacher=self.reacher,
            clock=clock,
        )
        self.journey = Journey(
            departures=departures,
            calendar=people.calendar,
            directory=people.directory,
            audit=audit,
            clock=clock,
            rules=lambda unit: unit_rules(config(), unit),
            notifier=self.notifier,
            reminder_rules=lambda unit: reminder_rules(config(), unit),
        )
        self.worker = DeliveryWorker(
            self.queue,
            delivery_connector(session, tokens),
            refs,
            budget=SendBudget(db),
            clock=clock,
            policy=DeliveryPolicy(poll_seconds=POLL_SECONDS),
            open_conversation=self.reacher.for_worker,
        )
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start delivering due messages in the background."""
        self._stop.clear()
        self._task = asyncio.create_task(self.worker.run_forever(self._stop))

    async def stop(self) -> None:
        """Finish sends under way and stop."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _settled(self, action: DueAction) -> None:
        """A send ended: the offer's reach and the posted card go on the departure."""
        try:
            kind = MessageKind(action.kind)
        except ValueError:
            return  # not one of the journey's messages
        if action.departure_id is None:
            return
        posted = None
        if action.state is DueState.SENT:
            reach = Reach.OK
            ref = await self._refs.get(action.recipient_key)
            if ref is None and "@" in action.recipient_key:
                ref = await self._refs.find_by_upn(action.recipient_key)
            if ref is not None and action.sent_activity_id:
                posted = PostedCard(
                    activity_id=action.sent_activity_id,
                    conversation_id=ref.conversation_id,
                    service_url=ref.service_url,
                )
        else:
            reach = _FAILURE_REACH.get(action.last_error or "", Reach.FAILED)
            log.warning("journey message %s not delivered (%s)", kind, action.last_error)
        await self.journey.delivered(
            action.departure_id,
            kind,
            reach=reach if kind is MessageKind.OFFER else None,
            posted=posted,
        )


JOURNEY = web.AppKey("journey", JourneyRuntime)
