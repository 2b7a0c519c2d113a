"""HR's cards for a departure: the registration form and the card that confirms it.

The last working day is an Input.Date. Its value is always yyyy-mm-dd whatever the client's
language, so nothing has to guess a date format; a day has no time zone to shift; and the
few HR members who use the form see the stored day written out in their language on the
confirmation card (where they can change it) straight after submitting. The leaver-facing
cards keep to pre-computed choices, as ARCHITECTURE.md advises for times.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from cards import verbs
from cards.base import (
    Element,
    adaptive_card,
    choice_set,
    execute,
    facts,
    heading,
    paragraph,
    typed,
)
from cards.regret import VALUES
from journey.departure import DepartureType

SUBMIT_VERB = verbs.REGISTER_SUBMIT
CHANGE_DAY_VERB = verbs.REGISTER_CHANGE_DAY
CANCEL_VERB = verbs.REGISTER_CANCEL
DETAILS_VERB = verbs.REGISTER_CHANGE_DETAILS
# The regret choice's values; "unset" clears HR's or the manager's assessment.
REGRET_VALUES = VALUES


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    value: str


class FormValues(BaseModel):
    """What the form shows in its fields: empty for a new form, HR's input after an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    leaver: str = ""
    manager: str = ""
    unit: str = ""
    last_working_day: str = ""
    locale: str = ""
    # Most leavers resign: the form starts there, and HR changes it for the others.
    departure_type: str = DepartureType.RESIGNATION.value


class RegisterFormView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str
    title: str
    leaver_label: str
    manager_label: str
    manager_hint: str
    unit_label: str
    units: list[Choice]
    # The type of departure (issue 11): asked when there are types to choose from.
    type_label: str = ""
    types: list[Choice] = []
    last_day_label: str
    earliest_day: date
    latest_day: date | None = None  # today + HR's departures.max_days_ahead
    locale_label: str
    locale_hint: str
    languages: list[Choice]
    required_message: str
    # The last working day's own message: Teams shows it for an empty day and a past one.
    day_message: str = ""
    submit_label: str
    error: str | None = None
    values: FormValues = FormValues()


def _error(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention"}


def _filled(element: Element, value: str) -> Element:
    """The input with HR's earlier value; no `value` at all when there was none."""
    return {**element, "value": value} if value else element


def _choices(choices: list[Choice]) -> list[tuple[str, str]]:
    return [(choice.title, choice.value) for choice in choices]


def register_form_card(view: RegisterFormView) -> dict[str, Any]:
    """The form HR fills in; with `error`, shown again above the values HR entered."""
    values = view.values
    body: list[Element] = [heading(view.title)]
    if view.error:
        body.append(_error(view.error))
    body += _people_inputs(view)
    if view.units:
        body.append(_filled(_unit_input(view), values.unit))
    if view.types:
        type_input = _type_input(view.type_label, view.types, view.required_message)
        body.append(_filled(type_input, values.departure_type))
    body.append(
        _day_input(
            view.last_day_label,
            (view.earliest_day, view.latest_day),
            view.day_message or view.required_message,
            values.last_working_day,
        )
    )
    body.append(_filled(_locale_input(view), values.locale))
    return adaptive_card(body, [execute(view.submit_label, SUBMIT_VERB)], lang=view.lang)


def _people_inputs(view: RegisterFormView) -> list[Element]:
    """The leaver's address (required) and the manager's (found in the directory if empty)."""
    leaver: Element = {
        "type": "Input.Text",
        "id": "leaver",
        "label": view.leaver_label,
        "style": "Email",
        "isRequired": True,
        "errorMessage": view.required_message,
        "maxLength": 320,
    }
    manager: Element = {
        "type": "Input.Text",
        "id": "manager",
        "label": view.manager_label,
        "placeholder": view.manager_hint,
        "style": "Email",
        "maxLength": 320,
    }
    return [_filled(leaver, view.values.leaver), _filled(manager, view.values.manager)]


def _unit_input(view: RegisterFormView) -> Element:
    return choice_set(
        "unit",
        view.unit_label,
        _choices(view.units),
        isRequired=True,
        errorMessage=view.required_message,
    )


def _type_input(label: str, types: list[Choice], required_message: str) -> Element:
    """The type of departure: HR's YAML decides per type what the leaver is offered."""
    return choice_set(
        "departure_type",
        label,
        _choices(types),
        isRequired=True,
        errorMessage=required_message,
    )


def _locale_input(view: RegisterFormView) -> Element:
    return choice_set(
        "locale", view.locale_label, _choices(view.languages), placeholder=view.locale_hint
    )


def _day_input(label: str, days: tuple[date, date | None], message: str, value: str) -> Element:
    """The last working day as yyyy-mm-dd, on the form and on the card that moves it; Teams
    refuses an empty day or one outside `days` (today to HR's furthest day) with `message`.
    The service checks the same bounds: a client may ignore min and max."""
    earliest, latest = days
    day: Element = {
        "type": "Input.Date",
        "id": "last_working_day",
        "label": label,
        "placeholder": "yyyy-mm-dd",
        "min": earliest.isoformat(),
        "isRequired": True,
        "errorMessage": message,
    }
    if latest is not None:
        day["max"] = latest.isoformat()
    return _filled(day, value)


class RegisteredView(BaseModel):
    """The departure as HR's confirmation card shows it, with what HR may still do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str
    title: str
    message: str  # empty when `error` says why nothing changed
    facts: list[tuple[str, str]]
    departure_id: str
    mark: str | None = None  # the plan the card is drawn for (cards.base.about)
    error: str | None = None
    # The actions below are shown only while the departure can still change.
    can_change: bool
    change_label: str
    new_day_label: str
    current_day: date
    earliest_day: date
    latest_day: date | None = None
    save_label: str
    required_message: str
    day_message: str = ""  # as on the form: "today or later"
    cancel_label: str
    cancel_question: str
    cancel_yes_label: str
    # The type and the regret (HR's view only; the leaver never sees a registration card).
    details_label: str = ""
    type_label: str = ""
    types: list[Choice] = []
    current_type: str = ""
    regret_label: str = ""
    regrets: list[Choice] = []
    current_regret: str = "unset"
    # HR came from its list (cards.status): the list's state, and the button back to it.
    back: dict[str, Any] | None = None
    back_label: str = ""
    # Record a conversation agreed outside the bot (issue 11); empty when none can be.
    outside_label: str = ""


def _show_card(title: str, body: list[Element], action: Element) -> Element:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": [action]},
    }


def registered_card(view: RegisteredView) -> dict[str, Any]:
    """Confirms what was stored; HR can move the last working day or cancel from here."""
    # The leaver's name, their address, the unit...: shown as written (cards.base.typed).
    body: list[Element] = [heading(typed(view.title))]
    if view.error:
        body.append(_error(view.error))
    if view.message:
        body.append(paragraph(view.message))
    body.append(facts([(title, typed(value)) for title, value in view.facts]))
    actions: list[Element] = []
    if view.can_change:
        ref = {"departure_id": view.departure_id}
        if view.mark:
            ref["mark"] = view.mark
        actions = [
            _show_card(
                view.change_label,
                [
                    _day_input(
                        view.new_day_label,
                        (view.earliest_day, view.latest_day),
                        view.day_message or view.required_message,
                        view.current_day.isoformat(),
                    )
                ],
                execute(view.save_label, CHANGE_DAY_VERB, _with_list(ref, view.back)),
            ),
            *_details_action(view, ref),
            *_outside_action(view, ref),
            _show_card(
                view.cancel_label,
                [paragraph(view.cancel_question)],
                execute(
                    view.cancel_yes_label,
                    CANCEL_VERB,
                    _with_list(ref, view.back),
                    style="destructive",
                ),
            ),
        ]
    if view.back is not None:
        back = execute(view.back_label, verbs.STATUS_LIST, view.back, associatedInputs="none")
        actions.append(back)
    return adaptive_card(body, actions, lang=view.lang)


def _with_list(ref: dict[str, str], back: dict[str, Any] | None) -> dict[str, Any]:
    """A change's data; from HR's list, with the list to come back to after it."""
    return ref if back is None else {**ref, "list": back}


def _outside_action(view: RegisteredView, ref: dict[str, str]) -> list[Element]:
    """HR opens the form for a conversation agreed outside the bot (cards.meeting_modes)."""
    if not view.outside_label:
        return []
    data = {"departure": ref["departure_id"], **({"mark": ref["mark"]} if "mark" in ref else {})}
    return [execute(view.outside_label, verbs.MEETING_FORM, data, associatedInputs="none")]


def _details_action(view: RegisteredView, ref: dict[str, str]) -> list[Element]:
    """HR changes the type of departure or the regret; none when the view offers no types."""
    if not view.types:
        return []
    inputs = [
        _filled(_type_input(view.type_label, view.types, view.required_message), view.current_type)
    ]
    if view.regrets:  # none for an HR member who is the one leaving
        regret = choice_set("regrettable", view.regret_label, _choices(view.regrets))
        inputs.append(_filled(regret, view.current_regret))
    save = execute(view.save_label, DETAILS_VERB, _with_list(ref, view.back))
    return [_show_card(view.details_label, inputs, save)]
