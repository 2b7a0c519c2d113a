"""`status`: the leaver sees their departure, an interviewer the conversations they hold, HR
the departures under way (with filters, a name search and pages). Each only what they may see:
journey.hr_status decides which; this module renders it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cards.status import ALL, HrListView, holding_card, hr_card, leaver_status_card
from dialogs.card_action import DepartureAction, asker_of, leaver_card
from dialogs.leave_dates import waiting_count
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.departure import Departure, DepartureStatus
from journey.hr_status import (
    OPEN_STATES,
    HrListing,
    HrQuery,
    clean_search,
    holding,
    hr_list,
    leaving,
    offer_again,
    open_departures_of,
)
from journey.refusals import NotAllowed, Reason

HR_LIST_SCOPE = "departures"  # a refusal of HR's list of every departure
_FIELD = 400  # a replayed card cannot carry a novel; the search is cut to SEARCH_MAX


def _toggle(value: Any) -> Any:
    """Input.Toggle sends "true"/"false"; older cards may send a bool."""
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


class HrListState(BaseModel):
    """HR's list as a card sends it back: the inputs `search`, `unit`, `state`, `attention`
    (merged by Teams) and the page the button asks for."""

    model_config = ConfigDict(extra="forbid")

    unit: str = Field(ALL, max_length=_FIELD)
    state: str = Field(ALL, max_length=_FIELD)
    attention: Annotated[bool, BeforeValidator(_toggle)] = False
    search: str = Field("", max_length=_FIELD)
    page: int = Field(0, ge=0, le=100_000)


class FromList(DepartureAction):
    """A card action on a departure opened from HR's list: the list to come back to."""

    list: HrListState | None = None


async def _leaver_view(turn: DialogTurn, departure: Departure) -> dict[str, Any]:
    """Where the leaver's departure stands, with the card they act on next."""
    journey = turn.services.flow
    if journey is not None:
        # The offer could not reach them before; now they are here it can, as its own
        # message (the status card then just says where things stand).
        offered = await offer_again(journey, turn.services.departures, departure)
        if offered is not None:
            return leaver_status_card(turn.speaker(offered.unit), offered, None)
    card = await leaver_card(turn, departure)
    return leaver_status_card(turn.speaker(departure.unit), departure, card)


def query_of(turn: DialogTurn, state: HrListState) -> HrQuery | None:
    """The list HR asked for; None when a filter is not one the card offers."""
    config = turn.config
    if state.unit != ALL and not config.has_unit(state.unit):
        return None
    status: DepartureStatus | None = None
    if state.state != ALL:
        status = next((s for s in OPEN_STATES if s.value == state.state), None)
        if status is None:
            return None
    return HrQuery(
        unit=None if state.unit == ALL else state.unit,
        state=status,
        attention=state.attention,
        search=clean_search(state.search),
        page=state.page,
    )


def _today(turn: DialogTurn) -> date:
    """Today in the organisation's time zone: which last working days have passed."""
    return turn.services.clock.now().astimezone(turn.config.defaults.calendar.zone).date()


async def hr_list_card(turn: DialogTurn, query: HrQuery, notice: str = "") -> dict[str, Any] | None:
    """HR's list as `query` asks, headed by `notice`; None for anyone who is not HR."""
    now = turn.services.clock.now()
    listing = cast(HrListing, turn.services.departures)  # storage.departures implements it
    page = await hr_list(listing, asker_of(turn), query, now, _today(turn))
    if page is None:
        return None
    config = turn.config
    units = [(unit, config.unit_name(unit, turn.locale) or unit) for unit in config.unit_ids]
    waiting = await waiting_count(turn)  # issue 16: leave dates from Entra ID for HR
    view = HrListView(page=page, units=units, notice=notice, leave_dates=waiting)
    return hr_card(turn.speaker(), view)


async def show_list(turn: DialogTurn, payload: HrListState) -> InvokeResult:
    """A button on HR's list: other filters, a search, or another page (HR only)."""
    if not turn.is_hr():  # dialogs.router audits the refusal
        raise NotAllowed(Reason.NOT_HR, scope=HR_LIST_SCOPE)
    query = query_of(turn, payload)
    if query is None:
        return InvokeResult(message=turn.text("error.bad_input"))
    card = await hr_list_card(turn, query)
    if card is None:
        raise NotAllowed(Reason.NOT_HR, scope=HR_LIST_SCOPE)
    return InvokeResult(card=card)


async def show_status(turn: DialogTurn) -> None:
    """Answer `status` with every view the person has a right to, or that there is none."""
    asker = asker_of(turn)
    departures = turn.services.departures
    open_ones = await open_departures_of(departures, asker)
    answered = False
    for departure in leaving(open_ones, asker):
        await turn.send_card(await _leaver_view(turn, departure))
        answered = True
    say = turn.speaker()
    held = holding(open_ones, asker)
    if held:
        await turn.send_card(holding_card(say, held))
        answered = True
    if turn.is_hr():
        listed = await hr_list_card(turn, HrQuery())
        if listed is not None:
            await turn.send_card(listed)
            answered = True
    if not answered:
        await turn.send_text(turn.text("status.none"))
