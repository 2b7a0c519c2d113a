"""HR registers a departure in Teams: the form, its submit, and moving or cancelling afterwards.

Only HR (listed in `hr.members`, or in the Entra ID group `hr.entra_group_id`: journey.hr) gets
the form or may act on its cards; every verb checks again, because a card can be replayed by
anyone who has it.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cards.locale import DATE_STYLES, Speaker
from cards.register import (
    REGRET_VALUES,
    Choice,
    FormValues,
    RegisteredView,
    RegisterFormView,
    register_form_card,
    registered_card,
)
from cards.regret import regret_value
from config.loaded import LoadedConfig
from dialogs.router import InvokeResult
from dialogs.sharing import with_hr_button
from dialogs.status import FromList, HrListState, hr_list_card, query_of
from dialogs.turn import DialogTurn
from journey.departure import Departure, DepartureType, Door
from journey.locale import SUPPORTED_LANGUAGES, language_of
from journey.meeting_modes import may_record_outside
from journey.people import DirectoryUnavailable
from journey.refusals import NotAllowed, Reason
from journey.registration_rules import AUDIT_REFUSED, Outcome, RegistrationRequest, is_active

log = logging.getLogger(__name__)

DOOR = Door.TEAMS
# Each language named in itself, so HR recognises it whatever language the form is in.
LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk (bokmål)", "en": "English"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TYPES = frozenset(kind.value for kind in DepartureType)
_FIELD = 400  # generous for an address; keeps a replayed card from carrying a novel


class RegisterSubmit(BaseModel):
    """The form's inputs as Action.Execute sends them (a client may leave empty ones out)."""

    model_config = ConfigDict(extra="forbid")

    leaver: str = Field("", max_length=_FIELD)
    manager: str = Field("", max_length=_FIELD)
    unit: str = Field("", max_length=_FIELD)
    last_working_day: str = Field("", max_length=_FIELD)
    locale: str = Field("", max_length=_FIELD)
    departure_type: str = Field("", max_length=_FIELD)


class ChangeDetails(FromList):
    """HR changes the type of departure and the regret from the departure's card."""

    departure_type: str = Field("", max_length=_FIELD)
    regrettable: str = Field("", max_length=_FIELD)


class ChangeDay(FromList):
    """Move the last working day: which departure, and the day from the card's date input."""

    last_working_day: str = Field("", max_length=_FIELD)


def _actor(turn: DialogTurn) -> str:
    return turn.actor.upn or f"teams:{turn.actor.user_id}"


def _today(turn: DialogTurn) -> date:
    zone = turn.config.defaults.calendar.zone
    return turn.services.clock.now().astimezone(zone).date()


def _day(day: date, language: str) -> str:
    return DATE_STYLES[language].written_date(day, language)


def form_view(
    config: LoadedConfig,
    locale: str | None,
    today: date,
    *,
    error: str | None = None,
    values: FormValues | None = None,
) -> RegisterFormView:
    """The registration form in the HR member's language."""
    text = Speaker(config, locale)
    latest = today + timedelta(days=config.max_days_ahead)
    return RegisterFormView(
        lang=language_of(locale),
        title=text("register.title"),
        leaver_label=text("register.leaver"),
        manager_label=text("register.manager"),
        manager_hint=text("register.manager_hint"),
        unit_label=text("register.unit"),
        units=[
            Choice(title=config.unit_name(unit_id, locale) or unit_id, value=unit_id)
            for unit_id in config.unit_ids
        ],
        type_label=text("register.type"),
        types=type_choices(text),
        last_day_label=text("register.last_day"),
        earliest_day=today,
        latest_day=latest,
        locale_label=text("register.locale"),
        locale_hint=text("register.locale_hint"),
        languages=[
            Choice(title=LANGUAGE_NAMES[language], value=language)
            for language in SUPPORTED_LANGUAGES
        ],
        required_message=text("register.required"),
        day_message=text("register.day_required", latest=text.day(latest)),
        submit_label=text("register.submit"),
        error=error,
        values=values or FormValues(),
    )


def type_choices(text: Speaker) -> list[Choice]:
    """The types of departure in the reader's language, in the order HR thinks of them."""
    return [
        Choice(title=text(f"departure_type.{kind.value}"), value=kind.value)
        for kind in DepartureType
    ]


def regret_choices(text: Speaker) -> list[Choice]:
    return [Choice(title=text(f"register.regret_{value}"), value=value) for value in REGRET_VALUES]


def registered_view(
    config: LoadedConfig,
    locale: str | None,
    today: date,
    departure: Departure,
    message: str,
    *,
    error: str | None = None,
    back: HrListState | None = None,
    own: bool = False,
) -> RegisteredView:
    """The confirmation card's content: what is stored, and what HR may still do.

    `own`: the HR member reading it is the one leaving, who never sees the regret.
    """
    language, text = language_of(locale), Speaker(config, locale)
    latest = today + timedelta(days=config.max_days_ahead)
    unit = config.unit_name(departure.unit, locale) or departure.unit or config.organisation.name
    return RegisteredView(
        lang=language,
        title=_name(departure),
        message=message,
        facts=_facts(text, departure, unit, own=own),
        departure_id=departure.id,
        mark=departure.mark,
        error=error,
        can_change=is_active(departure),
        outside_label=text("meeting.outside") if may_record_outside(departure) else "",
        change_label=text("register.change_day"),
        new_day_label=text("register.last_day"),
        current_day=departure.last_working_day,
        earliest_day=today,
        latest_day=latest,
        save_label=text("register.save_day"),
        required_message=text("register.required"),
        day_message=text("register.day_required", latest=text.day(latest)),
        cancel_label=text("register.cancel"),
        cancel_question=text("register.cancel_confirm", name=_name(departure)),
        cancel_yes_label=text("register.cancel_yes"),
        details_label=text("register.change_details"),
        type_label=text("register.type"),
        types=type_choices(text),
        current_type=departure.departure_type.value,
        regret_label=text("register.regret"),
        regrets=[] if own else regret_choices(text),
        current_regret=regret_value(departure),
        back=None if back is None else back.model_dump(),
        back_label=text("status.hr_back"),
    )


def _facts(text: Speaker, departure: Departure, unit: str, *, own: bool) -> list[tuple[str, str]]:
    """What is stored, as the confirmation card lists it; the regret not for the leaver."""
    regret = (
        []
        if own
        else [(text("register.regret"), text(f"register.regret_{regret_value(departure)}"))]
    )
    return [
        (text("task.leaver"), departure.leaver_upn),
        (text("register.fact_manager"), departure.manager_upn),
        (text("register.unit"), unit),
        (text("task.last_day"), _day(departure.last_working_day, text.lang)),
        (text("register.locale"), LANGUAGE_NAMES.get(departure.locale, departure.locale)),
        (text("register.type"), text(f"departure_type.{departure.departure_type.value}")),
        *regret,
        (text("task.state"), text(f"state.{departure.status.value}")),
        (text("register.registered_via"), text(f"door.{departure.registered_via.value}")),
    ]


def _name(departure: Departure) -> str:
    return departure.leaver_name or departure.leaver_upn


def _confirm(
    turn: DialogTurn,
    departure: Departure,
    message: str,
    error: str | None = None,
    back: HrListState | None = None,
) -> InvokeResult:
    own = (turn.actor.upn or "").strip().lower() == departure.leaver_upn
    view = registered_view(
        turn.config, turn.locale, _today(turn), departure, message, error=error, back=back, own=own
    )
    return InvokeResult(card=registered_card(view))


def _form_again(turn: DialogTurn, entered: FormValues, error: str) -> InvokeResult:
    """The form once more, with what HR entered and why it was not registered."""
    view = form_view(turn.config, turn.locale, _today(turn), error=error, values=entered)
    return InvokeResult(card=register_form_card(view))


def _problems_text(turn: DialogTurn, outcome: Outcome) -> str:
    codes = dict.fromkeys(problem.code for problem in outcome.problems)
    return " ".join(turn.text(code) for code in codes)


async def show_register_form(turn: DialogTurn) -> None:
    """Answer `register` (or its localized word): the form for HR, a refusal for others."""
    if not turn.is_hr():
        await _refuse(turn, "register_form")
    await turn.send_card(register_form_card(form_view(turn.config, turn.locale, _today(turn))))


async def _refuse(
    turn: DialogTurn,
    attempted: str,
    departure_id: str | None = None,
    reason: Reason = Reason.NOT_HR,
) -> InvokeResult:
    """NotAllowed: dialogs.router audits it (departure.refused, this door) and says why."""
    log.warning("refused %s (%s)", attempted, reason.value)
    detail = {"door": DOOR.value, "attempted": attempted}
    raise NotAllowed(reason, departure_id=departure_id, action=AUDIT_REFUSED, detail=detail)


async def submit_registration(turn: DialogTurn, payload: RegisterSubmit) -> InvokeResult:
    """The form was sent: register, then confirm, or show the form again with the reason."""
    if not turn.is_hr():
        return await _refuse(turn, "register")
    entered = FormValues(
        leaver=payload.leaver.strip(),
        manager=payload.manager.strip(),
        unit=payload.unit if turn.config.has_unit(payload.unit) else "",
        # Only a well-formed day goes back into the date input; anything else would not render.
        last_working_day=payload.last_working_day
        if _ISO_DAY.match(payload.last_working_day)
        else "",
        locale=payload.locale if payload.locale in SUPPORTED_LANGUAGES else "",
        departure_type=payload.departure_type if payload.departure_type in _TYPES else "",
    )
    if payload.departure_type and payload.departure_type not in _TYPES:
        return _form_again(turn, entered, turn.text("register.unknown_type"))
    try:
        request = RegistrationRequest(
            leaver=payload.leaver,
            manager=payload.manager or None,
            unit=payload.unit or None,
            last_working_day=payload.last_working_day,
            locale=payload.locale or None,
            departure_type=payload.departure_type or None,
        )
    except ValidationError:
        return _form_again(turn, entered, turn.text("error.bad_input"))
    try:
        outcome = await turn.services.registration.register(request, _actor(turn), door=DOOR)
    except DirectoryUnavailable:
        return _form_again(turn, entered, turn.text("error.generic"))
    if outcome.rejected or outcome.departure is None:
        return _form_again(turn, entered, _problems_text(turn, outcome))
    return _confirmed(turn, outcome.departure, "register.created")


async def change_last_day(turn: DialogTurn, payload: ChangeDay) -> InvokeResult:
    """HR moved the last working day from the confirmation card."""
    if not turn.is_hr():
        return await _refuse(turn, "change_day", payload.departure)
    registration = turn.services.registration
    current = await registration.get(payload.departure)  # NotFound: the router says "stale"
    back = payload.list
    if not _ISO_DAY.match(payload.last_working_day):
        return _confirmation(turn, current, error=turn.text("error.bad_input"), back=back)
    try:
        day = date.fromisoformat(payload.last_working_day)
    except ValueError:
        return _confirmation(turn, current, error=turn.text("error.bad_input"), back=back)
    outcome = await registration.change_last_day(current.id, day, _actor(turn), door=DOOR)
    return await _after_change(turn, current.id, outcome, "register.day_changed", back)


async def change_details(turn: DialogTurn, payload: ChangeDetails) -> InvokeResult:
    """HR changed the type of departure or the regret from the departure's card."""
    if not turn.is_hr():
        return await _refuse(turn, "change_details", payload.departure)
    registration = turn.services.registration
    current = await registration.get(payload.departure)  # NotFound: the router says "stale"
    back = payload.list
    if payload.departure_type not in _TYPES:
        return _confirmation(turn, current, error=turn.text("register.unknown_type"), back=back)
    if payload.regrettable and payload.regrettable not in REGRET_VALUES:
        return _confirmation(turn, current, error=turn.text("error.bad_input"), back=back)
    values: dict[str, object] = {"departure_type": DepartureType(payload.departure_type)}
    if payload.regrettable:  # not on the card of an HR member who is the one leaving
        if (turn.actor.upn or "").strip().lower() == current.leaver_upn:
            return await _refuse(turn, "change_details", current.id, Reason.OWN_DEPARTURE)
        values["regrettable"] = (
            None if payload.regrettable == "unset" else payload.regrettable == "yes"
        )
    outcome = await registration.change_details(current.id, values, _actor(turn), door=DOOR)
    return await _after_change(turn, current.id, outcome, "register.details_changed", back)


async def cancel_departure(turn: DialogTurn, payload: FromList) -> InvokeResult:
    """HR cancelled the departure from the confirmation card: the leaver stays."""
    if not turn.is_hr():
        return await _refuse(turn, "cancel", payload.departure)
    outcome = await turn.services.registration.cancel(payload.departure, _actor(turn), door=DOOR)
    return await _after_change(turn, payload.departure, outcome, "register.cancelled", payload.list)


async def manage_departure(turn: DialogTurn, payload: FromList) -> InvokeResult:
    """From HR's status list: the departure's card, to move the last day or cancel it.

    Whatever door registered it (Teams, the HTTP API, the CSV import).
    """
    if not turn.is_hr():
        return await _refuse(turn, "manage", payload.departure)
    departure = await turn.services.registration.get(payload.departure)
    shown = _confirm(turn, departure, "", back=payload.list)
    # Issue 14: the way to name the successor's hiring manager (dialogs.sharing).
    return InvokeResult(card=with_hr_button(turn, departure.id, shown.card or {}))


def _confirmation(
    turn: DialogTurn, departure: Departure, *, error: str, back: HrListState | None = None
) -> InvokeResult:
    """The departure as it stands, with why the last action changed nothing."""
    return _confirm(turn, departure, "", error, back)


def _confirmed(turn: DialogTurn, departure: Departure, key: str) -> InvokeResult:
    """The departure's card headed by the text `key` on the leaver (and the last day)."""
    # register.cancelled names only {name}; filling a text ignores a placeholder it lacks.
    message = turn.text(
        key, name=_name(departure), last_day=_day(departure.last_working_day, turn.language)
    )
    return _confirm(turn, departure, message)


async def _after_change(
    turn: DialogTurn,
    departure_id: str,
    outcome: Outcome,
    key: str,
    back: HrListState | None = None,
) -> InvokeResult:
    """The departure as a change from its card left it; as it stands, with why, if refused.
    Opened from HR's list, a change that was saved leads back to the list, headed by it."""
    if outcome.rejected or outcome.departure is None:
        latest = await turn.services.registration.get(departure_id)
        return _confirmation(turn, latest, error=_problems_text(turn, outcome), back=back)
    query = query_of(turn, back) if back is not None else None
    if query is not None:
        departure = outcome.departure
        notice = turn.text(
            key, name=_name(departure), last_day=_day(departure.last_working_day, turn.language)
        )
        card = await hr_list_card(turn, query, notice)
        if card is not None:
            return InvokeResult(card=card)
    return _confirmed(turn, outcome.departure, key)
