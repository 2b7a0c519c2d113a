"""Every card the bot sends, built from fixed, realistic view models: the golden files' source.

One entry per card and variant; the names become tests/cards/golden/<name>.<lang>.json. The
data is fixed (ids, names, dates, times, the default HR config) so a card only changes when
its builder or HR's default texts do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cards.after_conversation import (
    farewell_gestures_card,
    notes_block,
    thank_you_card,
    thank_you_without_details,
    wishes_card,
)
from cards.base import adaptive_card
from cards.booking import (
    booking_replaced_card,
    cancelled_booking_card,
    confirmation_card,
    departure_cancelled_card,
    interviewer_booked_card,
    slots_card,
    waiting_card,
)
from cards.follow_up_lists import follow_up_lists_card
from cards.follow_ups import (
    areas_for,
    follow_up_card,
    follow_up_without_details,
    follow_ups_block,
    promised_block,
)
from cards.handover import handover_card
from cards.help import HelpCommand, HelpView, help_card
from cards.insights import Choice as InsightsChoice
from cards.insights import insights_card
from cards.interviewer import interviewer_card
from cards.language import language_card
from cards.leave_dates import leave_dates_banner, leave_dates_card
from cards.locale import Speaker
from cards.meeting_modes import (
    outside_form_card,
    recorded_card,
    short_notice_card,
    short_notice_hr_card,
)
from cards.offer import declined_card, offer_card
from cards.plan_changes import released_card, switch_card
from cards.register import (
    REGRET_VALUES,
    FormValues,
    RegisteredView,
    RegisterFormView,
    register_form_card,
    registered_card,
)
from cards.register import Choice as RegisterChoice
from cards.reminders import (
    conversation_reminder_card,
    escalation_card,
    farewell_reminder_card,
    notes_reminder_card,
)
from cards.reminders import thank_you_card as farewell_thanks_card
from cards.sharing import (
    hiring_manager_card,
    hr_button,
    leaver_card,
    nothing_shared_card,
    reader_card,
    reader_notice_card,
)
from cards.status import HrListView, holding_card, hr_card, leaver_status_card, list_state
from cards.survey import (
    handoff_block,
    intro_card,
    message_card,
    offer_survey_card,
    section_card,
    sent_card,
    summary_card,
)
from cards.survey_instead import survey_instead_card
from cards.task import ask_times_card, choose_times_card, task_card, task_card_without_details
from cards.welcome import WelcomeView, welcome_card
from config.loaded import LoadedConfig
from journey.after_conversation import ConversationNotes, Gesture, Wishes
from journey.booking import InterviewerOption
from journey.departure import (
    Departure,
    DepartureStatus,
    DepartureType,
    Door,
    InterviewerKind,
    MeetingMode,
    Reach,
)
from journey.farewell import AlumniContact
from journey.follow_up_lists import FollowUpPage
from journey.follow_up_rules import FollowUp, OwnerKind
from journey.hr_status import Attention, HrPage, HrQuery
from journey.insights import Figure, PeriodFigures, Report
from journey.insights_service import Insights
from journey.notify import MessageKind
from journey.periods import Month, Period
from journey.plan_change_rules import Release
from journey.sharing import LeaverView, Reader, ReaderView, SharedSummary
from journey.slots import Slot
from journey.survey import Answer, Attribution
from tests.cards.catalogue_follow_up_lists import follow_up_page
from tests.cards.catalogue_leave_dates import leave_date_views
from tests.cards.catalogue_patterns import patterns_cards

Card = dict[str, Any]
Build = Callable[[LoadedConfig, str], dict[str, Card]]

UNIT = "social-care"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_DAY = date(2026, 12, 18)
LATEST_DAY = date(2027, 11, 23)  # TODAY + departures.max_days_ahead (365)
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Copenhagen
SLOTS = [
    Slot(start=START + timedelta(days=n), end=START + timedelta(days=n, hours=1)) for n in range(3)
]
# Each language named in itself, as HR's registration form lists them.
LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk (bokmål)", "en": "English"}
LEAVER_ID = "29:leaver"
PARTNER_ID = "29:partner"
NOTES = ConversationNotes(
    departure_id="d-0001",
    main_points="Kortere transport; stolt af den nye *modtagelse*",
    agreed_actions="Jeg tager **vagtplanen** op på [personalemødet](https://evil.example)",
    data_use="Kun feedback om vagtplanen går videre, uden navn",
    revision=2,
)


def departure(**changes: Any) -> Departure:
    """Sofie leaves social care; Peter (an HR partner) holds her conversation."""
    values: dict[str, Any] = {
        "id": "d-0001",
        "leaver_upn": "sofie@contoso.example",
        "leaver_name": "Sofie Andersen",
        "manager_upn": "mads@contoso.example",
        "unit": UNIT,
        "last_working_day": LAST_DAY,
        "locale": "da",
        "status": DepartureStatus.ACCEPTED,
        "interviewer_upn": "peter@contoso.example",
        "interviewer_name": "Peter Holm",
        "proposed_slots": [slot.key for slot in SLOTS],
    }
    values.update(changes)
    return Departure.model_validate(values)


def booked(**changes: Any) -> Departure:
    """The conversation is booked on the first slot, with a Teams link."""
    values: dict[str, Any] = {
        "status": DepartureStatus.BOOKED,
        "proposed_slots": [],
        "meeting_start": SLOTS[0].start,
        "meeting_end": SLOTS[0].end,
        "meeting_event_id": "event-1",
        "meeting_join_url": "https://teams.microsoft.com/l/meetup-join/event-1",
    }
    return departure(**values | changes)


def _offer_and_booking(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language, UNIT)
    choices = [
        (InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example"), "Mads Nielsen"),
        (InterviewerOption(InterviewerKind.HR_PARTNER, "peter@contoso.example"), "Peter Holm"),
        (InterviewerOption(InterviewerKind.POOL, "lene@contoso.example"), "Lene Dahl"),
        (InterviewerOption(InterviewerKind.POOL, "ole@contoso.example"), "Ole Berg"),
    ]
    offered = departure(status=DepartureStatus.OFFERED, interviewer_upn=None, proposed_slots=[])
    return {
        "offer": offer_card(say, offered, 60),
        "offer-later": offer_card(say, offered, 60, note=say("offer.reminder")),
        "declined": declined_card(say, offered.changed(status=DepartureStatus.DECLINED)),
        "interviewer": interviewer_card(say, offered, choices, intro=say("offer.accepted")),
        "slots": slots_card(say, departure(), SLOTS, 60),
        "slots-with-note": slots_card(say, departure(), SLOTS, 60, note=say("booking.slot_taken")),
        "waiting": waiting_card(say, departure(proposed_slots=[]), found_none=False),
        "waiting-none-found": waiting_card(say, departure(proposed_slots=[]), found_none=True),
        "confirmation": confirmation_card(say, booked()),
        "cancelled-booking": cancelled_booking_card(say, departure(proposed_slots=[])),
        "interviewer-booked": interviewer_booked_card(say, booked()),
        "booking-replaced": booking_replaced_card(say, departure()),
        "departure-cancelled": departure_cancelled_card(say, was_booked=True),
    }


def _task(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language, UNIT)
    waiting = departure(proposed_slots=[], times_requested_at=NOW)
    held = booked(status=DepartureStatus.HELD)
    return {
        "task": task_card(say, departure(), user_ids=[PARTNER_ID]),
        "task-booked-with-notes": task_card(
            say, booked(), user_ids=[PARTNER_ID], notes=notes_block(say, booked(), NOTES)
        ),
        "task-held-with-answers": task_card(
            say,
            held,
            user_ids=[PARTNER_ID],
            survey=handoff_block(say, held, config.survey_sections(UNIT), answers()),
            notes=notes_block(say, held, NOTES),
        ),
        "task-times-requested": task_card(say, waiting, user_ids=[PARTNER_ID]),
        "task-cancelled": task_card(say, departure(status=DepartureStatus.CANCELLED), user_ids=[]),
        "task-without-details": task_card_without_details(say, "d-0001", user_ids=[PARTNER_ID]),
        "ask-times": ask_times_card(say, waiting),
        "choose-times": choose_times_card(say, waiting, SLOTS),
        "choose-times-none": choose_times_card(say, waiting, [], note=say("booking.slot_taken")),
    }


def _status(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language, UNIT)
    others = [
        booked(),
        departure(id="d-0002", leaver_name="Jonas Lund", reach=Reach.BLOCKED),
    ]
    return {
        "leaver-status": leaver_status_card(say, booked(), confirmation_card(say, booked())),
        "leaver-status-nothing-to-do": leaver_status_card(say, departure(), None),
        "holding": holding_card(say, others),
        **_hr_lists(config, say),
    }


def _hr_lists(config: LoadedConfig, say: Speaker) -> dict[str, Card]:
    """HR's list (issue 11): a middle page with reasons to look, a search, an empty one."""
    units = [(unit, config.unit_name(unit) or unit) for unit in config.unit_ids]
    # Issue 16: each row says the door it came through (Teams, the CSV import, Entra ID).
    offered = departure(
        id="d-0003",
        leaver_name="Åse Østergaard",
        status=DepartureStatus.OFFERED,
        registered_via=Door.ENTRA,
    )
    blocked = departure(
        id="d-0002", leaver_name="Jonas Lund", reach=Reach.BLOCKED, registered_via=Door.CSV
    )
    middle = HrPage(
        departures=(booked(), blocked, offered),
        total=33,
        query=HrQuery(page=1),
        attention={blocked.id: (Attention.UNREACHABLE,), offered.id: (Attention.UNANSWERED,)},
    )
    closed = booked(status=DepartureStatus.CLOSED)
    search = HrQuery(unit=UNIT, state=None, attention=False, search="sofie")
    found = HrPage(departures=(closed,), total=1, query=search)
    none = HrPage(departures=(), total=0, query=HrQuery(attention=True))
    return {
        "hr-status": hr_card(say, HrListView(page=middle, units=units)),
        "hr-status-search": hr_card(say, HrListView(page=found, units=units)),
        "hr-status-empty": hr_card(say, HrListView(page=none, units=units, notice="")),
    }


def _reminders(config: LoadedConfig, language: str) -> dict[str, Card]:
    unit = "technical-services"
    say = Speaker(config, language, unit)
    items = config.handover_checklist(unit)
    case = booked(unit=unit, handover_done=[items[0].id], handover_successor="Anna Berg")
    done = case.changed(handover_done=[item.id for item in items])
    return {
        "conversation-reminder": conversation_reminder_card(say, case, 60, for_interviewer=False),
        "conversation-reminder-interviewer": conversation_reminder_card(
            say, case, 60, for_interviewer=True
        ),
        "farewell-reminder": farewell_reminder_card(say, case),
        "notes-reminder": notes_reminder_card(say, case),
        "farewell-thanks": farewell_thanks_card(say, case),
        "escalation-offer": escalation_card(say, case, MessageKind.OFFER_ESCALATION, 3),
        # Issue 11: to the HR contact when the interviewer has not sent other times.
        "escalation-interviewer": escalation_card(
            say,
            departure(unit=unit, proposed_slots=[], times_requested_at=NOW),
            MessageKind.BOOKING_ESCALATION,
            3,
        ),
        "escalation-handover": escalation_card(
            say, case, MessageKind.HANDOVER_ESCALATION, 2, items[1:]
        ),
        "handover": handover_card(say, case, items, for_manager=False),
        "handover-manager": handover_card(say, case, items, for_manager=True),
        "handover-all-done": handover_card(say, done, items, for_manager=False),
        # After "Save": when it was saved (issue 11).
        "handover-saved": handover_card(
            say,
            case,
            items,
            for_manager=False,
            note=say("handover.saved", at=say.moment(NOW, case.zone)),
        ),
        "handover-closed": handover_card(
            say, done.changed(status=DepartureStatus.CLOSED), items, for_manager=True
        ),
    }


def answers() -> list[Answer]:
    """What Sofie answered, one of each kind of question."""
    given: list[tuple[str, str, str | list[str]]] = [
        ("reasons", "reasons", ["career", "pay"]),
        ("reasons", "reasons_more", "Længere transport – og «nye» opgaver"),
        ("job_content", "expectations", "4"),
        ("work_environment", "recommend", "yes"),
        ("work_environment", "stay", "Mere fleksibel arbejdstid"),
    ]
    return [
        Answer(question_id=q, section_id=s, value=v, attribution=Attribution.NAMED)
        for s, q, v in given
    ]


def _survey(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language, UNIT)
    case = booked()
    sections = config.survey_sections(UNIT)
    only = (Attribution.ANONYMOUS_STATS,)
    title = config.question_sets["standard"].title.get(language)
    cards = {
        "survey-intro": intro_card(say, case, title),
        "survey-intro-after-decline": intro_card(
            say, departure(status=DepartureStatus.DECLINED), title, only
        ),
        "survey-offer": offer_survey_card(say, case),
        # Issue 11: the survey instead of a conversation, and its intro (statistics only).
        "survey-instead": survey_instead_card(say, departure(status=DepartureStatus.REGISTERED)),
        "survey-intro-instead": intro_card(
            say, departure(status=DepartureStatus.REGISTERED, interviewer_upn=None), title, only
        ),
        "survey-summary": summary_card(say, case, sections, 3, answers()),
        "survey-summary-saved": summary_card(
            say,
            case,
            sections,
            3,
            answers(),
            note=say("survey.choices_saved", at=say.moment(NOW, case.zone)),
        ),
        "survey-summary-empty": summary_card(say, case, sections, 3, [], only),
        "survey-sent": sent_card(say, case, 4, can_withdraw=True),
        "survey-sent-final": sent_card(say, case, 4, can_withdraw=False),
        "survey-message": message_card(say, say("survey.withdrawn")),
    }
    for position, section in enumerate(sections):
        cards[f"survey-section-{position + 1}-{section.id}"] = section_card(
            say, case, sections, position, 3, answers()
        )
    return cards


def _after_conversation(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language, UNIT)
    held = booked(status=DepartureStatus.HELD)
    wishes = Wishes(departure_id="d-0001", chosen=(Gesture.ALUMNI,), answered_at=NOW)
    return {
        "thank-you": thank_you_card(say, held, tuple(Gesture), user_ids=[LEAVER_ID]),
        "thank-you-own-view": thank_you_card(
            say,
            held,
            tuple(Gesture),
            user_ids=[LEAVER_ID],
            notes=NOTES,
            wishes=wishes,
            note=say("thanks_offer.noted"),
        ),
        "thank-you-without-offers": thank_you_card(say, held, (), user_ids=[]),
        "thank-you-without-details": thank_you_without_details(say, "d-0001", user_ids=[LEAVER_ID]),
        "wishes": wishes_card(say, held, [Gesture.REFERENCE_LETTER, Gesture.CONTACT_LATER]),
        "wishes-none": wishes_card(say, held, []),
        **_farewell_for_everyone(say),
    }


def _farewell_for_everyone(say: Speaker) -> dict[str, Card]:
    """Issue 11: the offers for every leaver, and the leaver's own view with their consent."""
    declined = departure(status=DepartureStatus.DECLINED)
    wishes = Wishes(departure_id="d-0001", chosen=(Gesture.ALUMNI,), answered_at=NOW)
    consent = AlumniContact(
        departure_id="d-0001",
        name="Sofie Andersen",
        unit=UNIT,
        private_email="sofie.andersen@example.org",
        consented_at=NOW,
    )
    return {
        "farewell-gestures": farewell_gestures_card(
            say, declined, tuple(Gesture), user_ids=[LEAVER_ID]
        ),
        "farewell-gestures-own-view": farewell_gestures_card(
            say,
            declined,
            tuple(Gesture),
            user_ids=[LEAVER_ID],
            wishes=wishes,
            alumni=consent,
            note=say("thanks_offer.noted"),
        ),
        "farewell-gestures-reference-only": farewell_gestures_card(
            say, declined, (Gesture.REFERENCE_LETTER,), user_ids=[LEAVER_ID]
        ),
    }


def _types(text: Callable[[str], str]) -> list[RegisterChoice]:
    """The types of departure as HR's form and card offer them (issue 11)."""
    return [
        RegisterChoice(title=text(f"departure_type.{k.value}"), value=k.value)
        for k in DepartureType
    ]


def _latest(config: LoadedConfig, language: str) -> str:
    return Speaker(config, language).day(LATEST_DAY)


def _form_view(config: LoadedConfig, language: str, **changes: Any) -> RegisterFormView:
    def text(key: str) -> str:
        return config.text(key, language)

    return RegisterFormView(
        lang=language,
        title=text("register.title"),
        leaver_label=text("register.leaver"),
        manager_label=text("register.manager"),
        manager_hint=text("register.manager_hint"),
        unit_label=text("register.unit"),
        units=[
            RegisterChoice(title=config.unit_name(u, language) or u, value=u)
            for u in config.unit_ids
        ],
        type_label=text("register.type"),
        types=_types(text),
        last_day_label=text("register.last_day"),
        earliest_day=TODAY,
        latest_day=LATEST_DAY,
        locale_label=text("register.locale"),
        locale_hint=text("register.locale_hint"),
        languages=[RegisterChoice(title=t, value=v) for v, t in LANGUAGE_NAMES.items()],
        required_message=text("register.required"),
        day_message=config.text(
            "register.day_required", language, latest=_latest(config, language)
        ),
        submit_label=text("register.submit"),
        **changes,
    )


def _registered_view(config: LoadedConfig, language: str, **changes: Any) -> RegisteredView:
    def text(key: str, **params: str) -> str:
        return config.text(key, language, **params)

    name = "Sofie Andersen"
    values: dict[str, Any] = {
        "lang": language,
        "title": name,
        "message": text("register.created", name=name, last_day="18/12"),
        "facts": [
            (text("task.leaver"), "sofie@contoso.example"),
            (text("register.fact_manager"), "mads@contoso.example"),
            (text("register.unit"), config.unit_name(UNIT, language) or UNIT),
            (text("task.last_day"), Speaker(config, language).day(LAST_DAY)),
            (text("register.locale"), LANGUAGE_NAMES["da"]),
            (text("task.state"), text("state.registered")),
            (text("register.registered_via"), text("door.api")),
        ],
        "departure_id": "d-0001",
        "can_change": True,
        "change_label": text("register.change_day"),
        "new_day_label": text("register.last_day"),
        "current_day": LAST_DAY,
        "earliest_day": TODAY,
        "latest_day": LATEST_DAY,
        "save_label": text("register.save_day"),
        "required_message": text("register.required"),
        "day_message": text("register.day_required", latest=_latest(config, language)),
        "cancel_label": text("register.cancel"),
        "cancel_question": text("register.cancel_confirm", name=name),
        "cancel_yes_label": text("register.cancel_yes"),
        # Issue 11: the type and HR's regret, to change on the card.
        "details_label": text("register.change_details"),
        "type_label": text("register.type"),
        "types": _types(text),
        "current_type": "retirement",
        "regret_label": text("register.regret"),
        "regrets": [
            RegisterChoice(title=text(f"register.regret_{v}"), value=v) for v in REGRET_VALUES
        ],
        "current_regret": "yes",
    }
    return RegisteredView(**values | changes)


def _register(config: LoadedConfig, language: str) -> dict[str, Card]:
    filled = FormValues(
        leaver="sofie@contoso.example",
        manager="mads@contoso.example",
        unit="home-care",
        last_working_day="2026-12-18",
        locale="sv",
        departure_type="fixed_term_end",
    )
    error = config.text("register.unknown_person", language)
    return {
        "register-form": register_form_card(_form_view(config, language)),
        "register-form-error": register_form_card(
            _form_view(config, language, error=error, values=filled)
        ),
        "registered": registered_card(_registered_view(config, language)),
        "registered-closed": registered_card(
            _registered_view(config, language, message="", error=error, can_change=False)
        ),
        # Opened from HR's list (issue 11): its changes and a button lead back to the list.
        "registered-from-list": registered_card(
            _registered_view(
                config,
                language,
                message="",
                back=list_state(HrQuery(unit=UNIT, attention=True, page=2)),
                back_label=config.text("status.hr_back", language),
            )
        ),
    }


def _welcome_and_help(config: LoadedConfig, language: str) -> dict[str, Card]:
    def text(key: str) -> str:
        return config.text(key, language)

    words = {"help": "help", "status": "status", "register": "register", "language": "language"}
    return {
        "welcome": welcome_card(
            WelcomeView(
                lang=language,
                title=text("welcome.title"),
                body=text("welcome.body"),
                help_label="Help",
            )
        ),
        "help": help_card(
            HelpView(
                lang=language,
                title=text("help.title"),
                intro=text("help.intro"),
                commands=[
                    HelpCommand(word=word, description=text(f"help.command.{command}"))
                    for command, word in words.items()
                ],
            )
        ),
    }


def _language(config: LoadedConfig, language: str) -> dict[str, Card]:
    """The language card (issue 11), and as it answers a choice: in the chosen language."""
    say = Speaker(config, language)
    return {
        "language": language_card(say),
        "language-saved": language_card(say, note=say("language.saved")),
    }


def _figures(period: Period, scale: float, *, hidden: bool = False) -> PeriodFigures:
    """A period's figures; `scale` makes the period before differ from the current one."""
    if hidden:
        return PeriodFigures(
            period=period,
            hidden=True,
            departures=Figure(None, 0, hidden=True),
            per_month=(),
            accepted_share=Figure(None, 0, hidden=True),
            answered_share=Figure(None, 0, hidden=True),
            reasons={},
            reasons_respondents=Figure(None, 0, hidden=True),
            areas={},
            recommend_share=Figure(None, 0, hidden=True),
        )
    months = period.months()
    per_month = tuple(
        (month, Figure(None, 3, hidden=True) if n == 1 else Figure(round(8 * scale) + n, 9))
        for n, month in enumerate(months)
    )
    return PeriodFigures(
        period=period,
        hidden=False,
        departures=Figure(round(27 * scale), 27),
        per_month=per_month,
        accepted_share=Figure(0.74 * scale, 27),
        answered_share=Figure(0.59, 27),
        reasons={
            "career": Figure(0.5, 8),
            "pay": Figure(0.375 * scale, 6),
            "commute": Figure(None, 2, hidden=True),
        },
        reasons_respondents=Figure(16, 16),
        areas={
            "relations": Figure(4.2, 16),
            "job_content": Figure(3.65 * scale, 16),
            "pay_benefits": Figure(None, 0),
        },
        recommend_share=Figure(0.8125, 16),
        by_type=(
            ("resignation", Figure(round(19 * scale), 19), Figure(0.8, 19)),
            ("fixed_term_end", Figure(6, 6), Figure(0.5 * scale, 6)),
            ("dismissal", Figure(None, 0, hidden=True), Figure(None, 0, hidden=True)),
        ),
        # Issue 14: follow-ups per area, agreed and done; one area's group is too small.
        follow_ups={
            "relations": (Figure(9, 7), Figure(round(4 * scale), 7)),
            "work_environment": (Figure(6, 5), Figure(6, 5)),
            "pay_benefits": (Figure(None, 0, hidden=True), Figure(None, 0, hidden=True)),
        },
    )


def insights_of(
    *, hidden: bool = False, answered: bool = True, period: Period | None = None
) -> Insights:
    """Three months of figures (or `period`'s) with one hidden month, one hidden reason and two
    comments; without `answered`, departures but no survey answers."""
    period = period or Period(Month(2026, 9), Month(2026, 11))
    current = _figures(period, 1.0, hidden=hidden)
    if not answered:
        current = replace(current, reasons={}, areas={})
    shown = answered and not hidden
    report = Report(
        unit=None,
        current=current,
        previous=_figures(period.previous(), 0.8, hidden=hidden),
        comment_questions=("stay",) if shown else (),
        top_reasons=("career", "pay", "commute") if shown else (),
    )
    comments = {"stay": ("Mere fleksibel arbejdstid", "En fast makker " * 30)} if shown else {}
    return Insights(report, comments)


def _insights(config: LoadedConfig, language: str) -> dict[str, Card]:
    say = Speaker(config, language)
    units = [InsightsChoice("all", say("insights.scope_all"))] + [
        InsightsChoice(unit, config.unit_name(unit) or unit) for unit in config.unit_ids
    ]
    # Whole half-years that are over (issue 14: periods that never overlap), newest first.
    periods = [
        InsightsChoice(f"{year}-{(half - 1) * 6 + 1:02d}",
                       say("insights.period.half", year=str(year), half=str(half)))
        for year, half in ((2026, 1), (2025, 2), (2025, 1))
    ]  # fmt: skip

    def card(insights: Insights, unit: str) -> Card:
        scope = say("insights.scope_all") if unit == "all" else config.unit_name(unit) or unit
        return insights_card(
            say,
            insights,
            scope_title=scope,
            units=units,
            unit_value=unit,
            periods=periods,
            period_value="2026-01",
            min_answers=5,
        )

    return {
        "insights": card(insights_of(), "all"),
        "insights-hidden": card(insights_of(hidden=True), "home-care"),
        "insights-without-answers": card(insights_of(answered=False), "technical-services"),
    }


def _meeting_modes(config: LoadedConfig, language: str) -> dict[str, Card]:
    """In person, agreed outside the bot, short notice (issue 11); the place as typed."""
    say = Speaker(config, language, UNIT)
    place = "Mødelokale 2, *Rådhuset* [kort](https://evil.example)"
    in_person = booked(
        meeting_mode=MeetingMode.IN_PERSON,
        meeting_place=place,
        meeting_event_id="event-2",
        meeting_join_url=None,
    )
    outside = booked(
        meeting_mode=MeetingMode.OUTSIDE,
        meeting_place="Kantinen",
        meeting_event_id=None,
        meeting_join_url=None,
    )
    tomorrow = departure(proposed_slots=[], last_working_day=TODAY + timedelta(days=1))
    offered = tomorrow.changed(status=DepartureStatus.OFFERED, interviewer_upn=None, created_at=NOW)
    registered = _registered_view(config, language, outside_label=say("meeting.outside"))
    return {
        "task-in-person": task_card(say, in_person, user_ids=[PARTNER_ID]),
        "confirmation-in-person": confirmation_card(
            say, in_person, note=say("meeting.changed_note")
        ),
        "interviewer-booked-in-person": interviewer_booked_card(say, in_person),
        "conversation-reminder-in-person": conversation_reminder_card(
            say, in_person, 60, for_interviewer=False
        ),
        "confirmation-outside": confirmation_card(say, outside),
        "meeting-recorded": recorded_card(say, outside),
        "meeting-outside-form": outside_form_card(say, departure(proposed_slots=[])),
        "offer-short-notice": offer_card(say, offered, 60),
        "short-notice": short_notice_card(say, tomorrow, survey=True),
        "short-notice-hr": short_notice_hr_card(say, tomorrow),
        "registered-outside": registered_card(registered),
    }


def _plan_changes(config: LoadedConfig, language: str) -> dict[str, Card]:
    """Plans that change (issue 11): someone else, the old interviewer's card, the handover."""
    say = Speaker(config, language, UNIT)
    others = [
        (InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example"), "Mads Nielsen"),
        (InterviewerOption(InterviewerKind.POOL, "lene@contoso.example"), "Lene Dahl"),
    ]
    lene = departure(interviewer_upn="lene@contoso.example", interviewer_name="Lene Dahl")
    handed = say("plan.handed_over_leaver", previous="Peter Holm", interviewer="Lene Dahl")
    released = {
        f"plan-released-{why.value.replace('_', '-')}": released_card(
            say, booked(), why, successor="Lene Dahl"
        )
        for why in Release
    }
    return {
        "plan-switch": switch_card(say, booked(), others),
        "plan-switch-none": switch_card(say, booked(), []),
        **released,
        "plan-handed-over-leaver": slots_card(say, lene, SLOTS, 60, note=handed),
        "task-handed-over-to-you": task_card(
            say,
            lene,
            user_ids=[PARTNER_ID],
            note=say("plan.handed_over_to_you", previous="Peter Holm"),
        ),
    }


def follow_up(**changes: Any) -> FollowUp:
    """A follow-up agreed in the catalogue's held conversation (issue 14)."""
    values: dict[str, Any] = {
        "id": "f-0001",
        "departure_id": "d-0001",
        "unit": UNIT,
        "area": "work_environment",
        "what": "Tage **vagtplanen** op på [personalemødet](https://x) i januar",
        "owner_upn": "manager@contoso.example",
        "owner_kind": OwnerKind.MANAGER,
        "due_on": date(2026, 12, 10),
        "created_by": "hrpartner@contoso.example",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return FollowUp.model_validate(values | changes)


def _follow_ups(config: LoadedConfig, language: str) -> dict[str, Card]:
    """Follow-ups (issue 14): on the task card, the owner's card (open, reminded, done, seen
    by someone else), what anyone else gets, and the leaver's thank-you with the promises."""
    say = Speaker(config, language, UNIT)
    held = booked(status=DepartureStatus.HELD)
    today = NOW.date()
    areas = areas_for(config, say, UNIT)
    rep = "union.rep@contoso.example"
    other = follow_up(id="f-0002", area="other", owner_kind=OwnerKind.PERSON, owner_upn=rep)
    done = follow_up(state="done", outcome="Aftalt: **ny** plan fra februar.", revision=2)
    listed = [follow_up(), other]
    unit = config.unit_name(UNIT, say.lang) or UNIT
    owner = {"areas": areas, "unit_name": unit, "today": today, "user_ids": [PARTNER_ID]}
    notes = [*notes_block(say, held, NOTES), *follow_ups_block(say, held, listed, areas, today)]
    return {
        "task-held-with-follow-ups": task_card(say, held, user_ids=[PARTNER_ID], notes=notes),
        "follow-up": follow_up_card(say, follow_up(), can_act=True, **owner),
        "follow-up-reminder": follow_up_card(
            say, follow_up(), can_act=True, note=say("follow_up.reminder_note"), **owner
        ),
        "follow-up-done": follow_up_card(
            say, done, can_act=True, note=say("follow_up.done_note"), **owner
        ),
        "follow-up-seen": follow_up_card(say, other, can_act=False, **owner),
        "follow-up-without-details": follow_up_without_details(say),
        "thank-you-with-promises": thank_you_card(
            say,
            held,
            tuple(Gesture),
            user_ids=[LEAVER_ID],
            notes=NOTES,
            promised=promised_block(say, [*listed, done], today),
        ),
    }


def _follow_up_lists(config: LoadedConfig, language: str) -> dict[str, Card]:
    """The follow-up lists (issue 14): HR's middle page, and a colleague's own ones only."""
    say = Speaker(config, language)
    page = follow_up_page()
    own_only = FollowUpPage(own=page.own)
    return {
        "follow-up-lists": follow_up_lists_card(say, page, sees_units=True, hr=True),
        "follow-up-lists-own": follow_up_lists_card(say, own_only, sees_units=False, hr=False),
    }


def shared_summary(**changes: Any) -> SharedSummary:
    """Sofie shares with her manager and the successor's hiring manager, with her answers."""
    values: dict[str, Any] = {
        "departure_id": "d-0001",
        "unit": UNIT,
        "with_manager": True,
        "with_hiring_manager": True,
        "hiring_manager_upn": "hanne@contoso.example",
        "summary": "Borgerne er søde – men **travlheden** er [reel](https://x).",
        "advice": "Spørg Jonna om journalsystemet i første uge.",
        "answers_included": True,
        "chosen_at": NOW,
        "revision": 2,
        "updated_at": NOW,
    }
    return SharedSummary.model_validate(values | changes)


def _sharing(config: LoadedConfig, language: str) -> dict[str, Card]:
    """Sharing, chosen by the leaver (issue 14): the leaver's card (new, shared, final), the
    reader's notice and own view, what anyone else sees, and HR's card."""
    say = Speaker(config, language, UNIT)
    held = departure(status=DepartureStatus.HELD)
    blank = LeaverView(
        departure=held, shared=SharedSummary(departure_id="d-0001", unit=UNIT), final=False
    )
    shared = LeaverView(departure=held, shared=shared_summary(), final=False)
    earlier = ("Tag fat i arbejdsmiljørepræsentanten tidligt.",)
    view = ReaderView(
        departure=held,
        shared=shared_summary(),
        reader=Reader.MANAGER,
        answers=tuple(answers()),
        earlier_advice=earlier,
    )
    for_hr = LeaverView(departure=held, shared=shared_summary(summary="", advice=""), final=False)
    saved = say("sharing.saved", at=say.moment(NOW, held.zone))
    return {
        "sharing-new": leaver_card(say, blank),
        "sharing-shared": leaver_card(say, shared, note=saved),
        "sharing-final": leaver_card(say, shared.model_copy(update={"final": True})),
        "sharing-reader-notice": reader_notice_card(say, held, user_ids=[PARTNER_ID]),
        "sharing-reader": reader_card(
            say, view, config.survey_sections(UNIT), user_ids=[PARTNER_ID]
        ),
        "sharing-nothing": nothing_shared_card(say),
        "sharing-hr": hiring_manager_card(say, for_hr),
        # HR's card for a departure (dialogs.register.manage_departure) with the way to it.
        "sharing-registered": _with_button(
            registered_card(_registered_view(config, language)), hr_button(say, "d-0001")
        ),
    }


def _with_button(card: Card, button: Card) -> Card:
    return {**card, "actions": [*card.get("actions", []), button]}


def _leave_dates(config: LoadedConfig, language: str) -> dict[str, Card]:
    """HR's leave dates from Entra ID (issue 16; tests/cards/catalogue_leave_dates.py)."""
    say = Speaker(config, language)
    views = leave_date_views(config, language)
    banner = adaptive_card([leave_dates_banner(say, 3)], lang=say.lang)
    return {name: leave_dates_card(say, view) for name, view in views.items()} | {
        "leave-dates-banner": banner
    }


SOURCES: tuple[Build, ...] = (
    _offer_and_booking,
    _task,
    _status,
    _reminders,
    _survey,
    _after_conversation,
    _register,
    _welcome_and_help,
    _language,
    _insights,
    _meeting_modes,
    _plan_changes,
    patterns_cards,  # tests/cards/catalogue_patterns.py (issue 14)
    _follow_ups,
    _follow_up_lists,
    _sharing,
    _leave_dates,
)


def every_card(config: LoadedConfig, language: str) -> dict[str, Card]:
    """Every card and variant in `language`, by its golden file's name."""
    cards: dict[str, Card] = {}
    for build in SOURCES:
        built = build(config, language)
        clash = cards.keys() & built.keys()
        assert not clash, f"two cards named {sorted(clash)}"
        cards.update(built)
    return cards
