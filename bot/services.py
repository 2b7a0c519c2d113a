"""The services built from their resources: what the dialogs see and what reaches people."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot.settings import Settings
from config.loaded import LoadedConfig
from config.rules import conversation_minutes, gestures, reminder_rules, unit_rules
from config.survey_plan import survey_plan
from dialogs.turn import Services
from journey.after_conversation import AfterConversation
from journey.clock import Clock
from journey.flow import DepartureFlow
from journey.follow_ups import FollowUps
from journey.hr import HrRoster
from journey.leave_date_check import LeaveDateCheck
from journey.meeting_modes import MeetingModes
from journey.patterns import UnitPatterns
from journey.plan_changes import PlanChanges
from journey.registration import RegistrationService
from journey.reminders import farewell_gestures_at
from journey.sharing import Sharing
from journey.survey import Answer, Attribution
from journey.survey_service import Surveys
from outbox.connector import ConnectorClient, TokenProvider
from outbox.leave_date_notifier import LeaveDateNotifier
from outbox.messages import CardMessages
from outbox.plan_notifier import LentByNotifier, TeamsPlanNotifier
from outbox.service import Outbox
from outbox.sharing_notifier import TeamsSharingNotifier
from outbox.speaker import Voices
from people.ports import PeoplePorts
from storage.after_conversation import SqlNotesStore
from storage.alumni import SqlAlumni
from storage.database import Database
from storage.follow_up_lists import SqlFollowUpLists
from storage.follow_ups import SqlFollowUpStore
from storage.insights import SqlInsightsSource
from storage.language_choices import SqlLanguageChoices
from storage.leave_dates import SqlLeaveDates
from storage.repositories import SqlAuditLog, SqlConversationRefStore, SqlDepartureRepository
from storage.sharing import SqlSharingStore
from storage.survey import SqlSurveyStore


@dataclass(frozen=True)
class Resources:
    """What the services are built on: opened (and closed) by the app or by a test."""

    db: Database
    people: PeoplePorts
    config: Callable[[], LoadedConfig]  # the configuration in force, read at each use
    session: aiohttp.ClientSession  # for the Bot Connector
    tokens: TokenProvider  # the bot's own token for the Bot Connector


@dataclass(frozen=True)
class EntraLeaveDates:
    """Departures from Entra ID (issue 16): the check, and who tells HR what it found."""

    check: LeaveDateCheck
    notifier: LeaveDateNotifier


@dataclass(frozen=True)
class Wiring:
    """The services built once: the dialogs' bundle, the journey, and the outbox."""

    services: Services
    flow: DepartureFlow
    outbox: Outbox
    connector: ConnectorClient
    leave_dates: EntraLeaveDates  # departures from Entra ID (issue 16)


def build_services(settings: Settings, clock: Clock, resources: Resources) -> Wiring:
    """Every service of the running bot on the given resources; nothing starts yet."""
    db, people, config = resources.db, resources.people, resources.config
    # The app's clock dates a new departure (the offer reads it: registered at short notice);
    # a turn reads a departure with its stored plan, which its clicks then re-plan.
    departures, audit = SqlDepartureRepository(db, clock, plans=True), SqlAuditLog(db)
    conversations = SqlConversationRefStore(db)
    connector = ConnectorClient(resources.session, resources.tokens)
    outbox = _outbox(settings, clock, resources, connector, conversations)
    flow = _flow(clock, resources, outbox, departures, audit)
    registration = RegistrationService(
        departures, people.directory, config, clock, audit, flow, zones=people.zones
    )
    entra = _leave_dates(clock, resources, registration, outbox, conversations)
    services = Services(
        config=config,
        departures=departures,
        conversations=conversations,
        audit=audit,
        clock=clock,
        people=people,
        registration=registration,
        flow=flow,
        hr=HrRoster(config, people.groups, clock),
        # The survey: its sent answers update the interviewer's task card in place.
        surveys=Surveys(
            departures=departures,
            store=SqlSurveyStore(db),
            audit=audit,
            clock=clock,
            plans=lambda unit: survey_plan(config(), unit),
            sent=outbox.notifier.task_changed,
        ),
        after=_after_conversation(db, clock, config, outbox, flow),
        # Insights across departures: counts only, added up in SQL (issue 7).
        insights=SqlInsightsSource(db),
        follow_up_lists=SqlFollowUpLists(db),  # issue 14: who sees which unit's follow-ups
        # What earlier leavers of the unit said, on the interviewer's task card (issue 14).
        patterns=UnitPatterns(SqlInsightsSource(db), clock),
        languages=SqlLanguageChoices(db, clock),
        plans=_plan_changes(clock, resources, outbox, flow, departures, audit),
        sharing=_sharing(clock, resources, outbox, conversations),  # issue 14
        follow_ups=_follow_ups(clock, resources, outbox, departures, audit),
        leave_dates=entra.check,  # HR's inbox of leave dates from Entra ID (issue 16)
        meetings=MeetingModes(
            departures=departures,
            calendar=people.calendar,
            audit=audit,
            clock=clock,
            notifier=outbox.meetings,
            minutes=lambda unit: conversation_minutes(config(), unit),
            replan=flow.replan,
        ),
    )
    return Wiring(services, flow, outbox, connector, entra)


def _outbox(
    settings: Settings,
    clock: Clock,
    resources: Resources,
    connector: ConnectorClient,
    conversations: SqlConversationRefStore,
) -> Outbox:
    """What reaches people on the bot's initiative, and the worker that sends each message once."""
    return Outbox(
        db=resources.db,
        session=resources.session,
        tokens=resources.tokens,
        connector=connector,
        refs=conversations,
        clock=clock,
        config=resources.config,
        people=resources.people,
        bot_id=f"28:{settings.app_id}" if settings.app_id else "",
        tenant_id=settings.app_tenant_id,
        default_service_url=settings.teams_service_url or None,
    )


def _plan_changes(
    clock: Clock,
    resources: Resources,
    outbox: Outbox,
    flow: DepartureFlow,
    departures: SqlDepartureRepository,
    audit: SqlAuditLog,
) -> PlanChanges:
    """Plans that change: "no" after "yes", someone else, a handover (issue 11)."""
    config = resources.config
    return PlanChanges(
        departures=departures,
        calendar=resources.people.calendar,
        directory=resources.people.directory,
        audit=audit,
        clock=clock,
        rules=lambda unit: unit_rules(config(), unit),
        notifier=outbox.notifier,
        plans=TeamsPlanNotifier(
            config=config,
            queue=outbox.queue,
            messages=CardMessages(outbox.queue, clock),
            reacher=outbox.reacher,
            journey=LentByNotifier(outbox.notifier),
        ),
        replan=flow.replan,
    )


def _after_conversation(
    db: Database,
    clock: Clock,
    config: Callable[[], LoadedConfig],
    outbox: Outbox,
    flow: DepartureFlow,
) -> AfterConversation:
    """After the conversation: notes and "held" (the leaver is thanked), wishes."""
    return AfterConversation(
        departures=SqlDepartureRepository(db),
        store=SqlNotesStore(db),
        audit=SqlAuditLog(db),
        clock=clock,
        offers=lambda unit: gestures(config(), unit),
        notifier=outbox.after,
        replan=flow.replan,
        # Issue 11: consents to alumni contact; the farewell offers for every leaver.
        alumni=SqlAlumni(db),
        farewell_at=lambda d: farewell_gestures_at(d, reminder_rules(config(), d.unit)),
    )


def _follow_ups(
    clock: Clock,
    resources: Resources,
    outbox: Outbox,
    departures: SqlDepartureRepository,
    audit: SqlAuditLog,
) -> FollowUps:
    """Follow-ups (issue 14): owned by the interviewer, the manager, HR's contact or a person
    from the directory; areas are the unit's question set's sections."""
    config = resources.config
    return FollowUps(
        departures=departures,
        store=SqlFollowUpStore(resources.db),
        audit=audit,
        clock=clock,
        directory=resources.people.directory,
        hr_contact=lambda unit: reminder_rules(config(), unit).hr_contact,
        areas=lambda unit: [s.id for s in config().survey_sections(unit or None)],
        notifier=outbox.follow_ups,
    )


def _sharing(
    clock: Clock, resources: Resources, outbox: Outbox, conversations: SqlConversationRefStore
) -> Sharing:
    """Sharing, chosen by the leaver (issue 14): readers are told through the outbox."""
    db, config = resources.db, resources.config
    surveys = SqlSurveyStore(db)
    named = frozenset({Attribution.NAMED})

    async def named_answers(departure_id: str) -> list[Answer]:
        return await surveys.answers(departure_id, named, sent_only=True)

    return Sharing(
        departures=SqlDepartureRepository(db),
        store=SqlSharingStore(db),
        audit=SqlAuditLog(db),
        clock=clock,
        notifier=TeamsSharingNotifier(
            refs=conversations,
            queue=outbox.queue,
            messages=CardMessages(outbox.queue, clock),
            voices=Voices(config, SqlLanguageChoices(db, clock)),
        ),
        directory=resources.people.directory,
        named_answers=named_answers,
    )


def _flow(
    clock: Clock,
    resources: Resources,
    outbox: Outbox,
    departures: SqlDepartureRepository,
    audit: SqlAuditLog,
) -> DepartureFlow:
    """Offers, interviewers and bookings (journey.flow)."""
    people, config = resources.people, resources.config
    return DepartureFlow(
        departures=departures,
        calendar=people.calendar,
        directory=people.directory,
        audit=audit,
        clock=clock,
        rules=lambda unit: unit_rules(config(), unit),
        notifier=outbox.notifier,
        reminder_rules=lambda unit: reminder_rules(config(), unit),
    )


def _leave_dates(
    clock: Clock,
    resources: Resources,
    registration: RegistrationService,
    outbox: Outbox,
    conversations: SqlConversationRefStore,
) -> EntraLeaveDates:
    """The check of leave dates in Entra ID (issue 16) on the people ports' source; it acts
    only while HR's YAML turns it on (read at each check)."""
    db, people, config = resources.db, resources.people, resources.config
    check = LeaveDateCheck(
        SqlLeaveDates(db, clock),
        people.leave_dates,
        registration,
        SqlDepartureRepository(db, clock),
        people.groups,
        SqlAuditLog(db),
        lambda: config().leave_dates,
        clock,
        holder=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        time_zone=str(config().defaults.calendar.zone),
        retention_months=lambda: config().retention_months,
    )
    notifier = LeaveDateNotifier(
        inbox=check,
        queue=outbox.queue,
        refs=conversations,
        choices=SqlLanguageChoices(db, clock),
        config=config,
        clock=clock,
    )
    return EntraLeaveDates(check, notifier)
