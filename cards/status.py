"""The status command's cards: the leaver's own departure, the conversations someone holds,
and HR's list of departures under way with the ones the bot could not reach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cards import verbs
from cards.base import (
    Element,
    about,
    adaptive_card,
    button_row,
    choice_set,
    execute,
    facts,
    heading,
    paragraph,
    separated,
    typed,
)
from cards.booking import meeting_time
from cards.leave_dates import leave_dates_banner
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.departure import Departure
from journey.hr_status import OPEN_STATES, SEARCH_MAX, Attention, HrPage, HrQuery


def state_line(say: Speaker, departure: Departure) -> str:
    """ "Your last working day is … Exit conversation: …"."""
    return say(
        "status.departure",
        last_day=say.day(departure.last_working_day),
        state=say(f"state.{departure.status.value}"),
    )


def leaver_status_card(
    say: Speaker, departure: Departure, current: dict[str, Any] | None
) -> dict[str, Any]:
    """The leaver's departure; the card they can act on now follows under it."""
    body = [heading(say("status.title")), paragraph(state_line(say, departure))]
    if current is None:
        return adaptive_card(body, lang=say.lang)
    return adaptive_card(
        body + list(current.get("body", [])), list(current.get("actions", [])), lang=say.lang
    )


def registered_via(say: Speaker, departure: Departure) -> str:
    """ "Registered via CSV import": the door the departure came through (issue 16)."""
    return say("status.registered_via", door=say(f"door.{departure.registered_via.value}"))


def holding_card(say: Speaker, departures: Sequence[Departure]) -> dict[str, Any]:
    """The conversations this person holds: who, last day, where it stands, when."""
    rows = []
    for departure in departures:
        parts = [say.day(departure.last_working_day), say(f"state.{departure.status.value}")]
        if (when := meeting_time(say, departure)) is not None:
            parts.append(when)
        rows.append((typed(leaver_name(departure)), " · ".join(parts)))
    return adaptive_card([heading(say("status.holding_title")), facts(rows)], lang=say.lang)


MANAGE = verbs.REGISTER_MANAGE
LIST = verbs.STATUS_LIST
ALL = "all"  # the choice "every unit" / "every open state"


def list_state(query: HrQuery, page: int | None = None) -> dict[str, Any]:
    """HR's list as a card action's data: its filters, search and page (dialogs.status reads
    it back), so a button can draw the same list again, or the next page of it."""
    return {
        "unit": query.unit or ALL,
        "state": query.state.value if query.state else ALL,
        "attention": "true" if query.attention else "false",
        "search": query.search,
        "page": query.page if page is None else page,
    }


def back_to_list(say: Speaker, state: dict[str, Any]) -> Element:
    """The button that draws HR's list again as it was (from a departure's card)."""
    return execute(say("status.hr_back"), LIST, state, associatedInputs="none")


@dataclass(frozen=True)
class HrListView:
    """HR's list as the card shows it: one page, and the units it can be narrowed to."""

    page: HrPage
    units: Sequence[tuple[str, str]]  # (unit id, name in the reader's language)
    notice: str = ""  # what the last change did, when HR comes back to the list after it
    leave_dates: int = 0  # leave dates from Entra ID waiting for HR (issue 16): the banner


def _hr_row(say: Speaker, view: HrListView, departure: Departure) -> Element:
    """One departure: name, last day, where it stands, its unit, the door it came through,
    why it needs attention."""
    parts = [say.day(departure.last_working_day), say(f"state.{departure.status.value}")]
    names = dict(view.units)
    if departure.unit in names and view.page.query.unit is None:
        parts.append(names[departure.unit])
    parts.append(registered_via(say, departure))
    for reason in view.page.attention.get(departure.id, ()):
        if reason is Attention.UNREACHABLE and departure.reach is not None:
            parts.append(f"⚠ {say(f'reach.{departure.reach.value}')}")
        elif reason is not Attention.UNREACHABLE:
            parts.append(f"⚠ {say(f'attention.{reason.value}')}")
    data = about(departure, list=list_state(view.page.query))
    button = execute(say("register.manage"), MANAGE, data, associatedInputs="none")
    row = (typed(leaver_name(departure)), " · ".join(parts))
    return separated([facts([row]), button_row(button)])


def _hr_filters(say: Speaker, view: HrListView) -> Element:
    """Search, unit, state and "needs attention", as the list was drawn."""
    query = view.page.query
    search: Element = {
        "type": "Input.Text",
        "id": "search",
        "label": say("status.hr_search"),
        "maxLength": SEARCH_MAX,
    }
    if query.search:
        search["value"] = query.search
    units = [(say("status.hr_all_units"), ALL), *((name, unit) for unit, name in view.units)]
    states = [(say("status.hr_all_states"), ALL)] + [
        (say(f"state.{state.value}"), state.value) for state in OPEN_STATES
    ]
    attention: Element = {
        "type": "Input.Toggle",
        "id": "attention",
        "title": say("status.hr_attention"),
        "value": "true" if query.attention else "false",
        "valueOn": "true",
        "valueOff": "false",
    }
    state = list_state(query)
    return separated(
        [
            search,
            choice_set("unit", say("register.unit"), units, value=state["unit"]),
            choice_set("state", say("status.hr_state"), states, value=state["state"]),
            attention,
        ]
    )


def hr_card(say: Speaker, view: HrListView) -> dict[str, Any]:
    """HR's list: one page of departures, each with "change or cancel"; filters, a name
    search and the previous and next pages."""
    page = view.page
    query = page.query
    title = say("status.hr_found", search=query.search) if query.search else say("status.hr_title")
    body: list[Element] = [heading(title)]
    if view.notice:
        body.append(paragraph(view.notice))
    if view.leave_dates:
        body.append(leave_dates_banner(say, view.leave_dates))
    if page.departures:
        shown = say("status.hr_range", first=page.first, last=page.last, total=page.total)
        body.append(paragraph(shown, subtle=True))
    else:
        body.append(paragraph(say("status.hr_none")))
    body += [_hr_row(say, view, departure) for departure in page.departures]
    body.append(_hr_filters(say, view))
    actions = [execute(say("status.hr_show"), LIST, {"page": 0})]
    if page.has_previous:
        state = list_state(query, query.page - 1)
        actions.append(execute(say("status.hr_previous"), LIST, state, associatedInputs="none"))
    if page.has_next:
        state = list_state(query, query.page + 1)
        actions.append(execute(say("status.hr_next"), LIST, state, associatedInputs="none"))
    return adaptive_card(body, actions, lang=say.lang)
