"""HR's leave dates from Entra ID (issue 16): the command and card that list the findings
waiting for HR, and what HR does on it: register one (with a unit HR picked, for a department
that names none), register every ready one in one click, dismiss one, cancel or keep a
departure whose leave date Entra ID no longer has.

Only HR sees the card or acts on it; every verb checks again (a card can be replayed by anyone
who has it), and dialogs.router audits each refusal. Each act carries the revision of the
finding the card showed: a finding changed since (another HR member, or the check) is refused
as StaleFinding and the card is drawn again as it stands, with a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cards.leave_dates import UNIT_INPUT, LeaveDatesView, leave_dates_card
from dialogs.card_action import collect_inputs
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.leave_dates import Finding, FindingState, LeaveDateInbox, StaleFinding
from journey.people import DirectoryUnavailable
from journey.refusals import NotAllowed, Reason

log = logging.getLogger(__name__)

SCOPE = "leave_dates"  # a refusal's scope in the audit log: HR's leave dates from Entra ID
AUDIT_REFUSED = "leave_dates.refused"
_MAX_ROWS = 50  # "register all" names at most a page of rows; a replayed card no more

UserId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@-]+$")]
Pick = Annotated[str, Field(pattern=rf"^{UNIT_INPUT}\d{{1,3}}$")]


class _WithPicks(BaseModel):
    """A card's data with the units HR picked (`unit_<row>` inputs, merged in by Teams)."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(0, ge=0, le=100_000)  # the page the card showed
    picks: dict[Pick, Annotated[str, Field(max_length=200)]] = {}

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any) -> Any:
        gathered = collect_inputs(data, UNIT_INPUT, "picks")
        if isinstance(gathered, dict):
            gathered["picks"] = {f"{UNIT_INPUT}{k}": v for k, v in gathered["picks"].items()}
        return gathered


class ShowLeaveDates(_WithPicks):
    """The card again, at a page."""


class FindingAct(_WithPicks):
    """A row's button: whose leave date, at the revision the card showed; for a row without a
    unit, which of the card's unit lists is its own (`pick`)."""

    user: UserId
    revision: int = Field(ge=0)
    pick: Pick | None = None


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: UserId
    revision: int = Field(ge=0)
    pick: Pick | None = None


class ConfirmAll(_WithPicks):
    """Register all: each ready row on the page, at the revision the card showed."""

    items: list[Item] = Field(max_length=_MAX_ROWS)


def _actor(turn: DialogTurn) -> str:
    return turn.actor.upn or f"teams:{turn.actor.user_id}"


def _inbox(turn: DialogTurn) -> LeaveDateInbox:
    return wired(turn.services.leave_dates, "leave_dates")


def _hr_only(turn: DialogTurn, attempted: str) -> None:
    """NotAllowed for anyone not HR: dialogs.router audits it and says why."""
    if not turn.is_hr():
        log.warning("refused %s (%s)", attempted, Reason.NOT_HR.value)
        detail = {"attempted": attempted}
        raise NotAllowed(Reason.NOT_HR, scope=SCOPE, action=AUDIT_REFUSED, detail=detail)


async def card_for(
    turn: DialogTurn, *, start: int = 0, notice: str = "", warning: bool = False
) -> dict[str, Any]:
    """HR's card as the findings stand now, at page `start`, headed by `notice`."""
    inbox = _inbox(turn)
    config = turn.config
    settings = config.leave_dates
    view = LeaveDatesView(
        findings=await inbox.waiting(),
        status=await inbox.status(),
        units=[(unit, config.unit_name(unit, turn.locale) or unit) for unit in config.unit_ids],
        zone=config.defaults.calendar.zone,
        attribute=settings.unit_attribute if settings is not None else "department",
        start=start,
        notice=notice,
        warning=warning,
    )
    return leave_dates_card(turn.speaker(), view)


async def show_leave_dates(turn: DialogTurn) -> None:
    """Answer `leave dates` (or its localized word): HR's card, a refusal for others."""
    _hr_only(turn, "leave_dates")
    if turn.config.leave_dates is None and not await _inbox(turn).waiting():
        await turn.send_text(turn.text("leave_dates.off"))
        return
    await turn.send_card(await card_for(turn))


async def show(turn: DialogTurn, payload: ShowLeaveDates) -> InvokeResult:
    """A button on the card or HR's list: the card, at a page."""
    _hr_only(turn, "show")
    return InvokeResult(card=await card_for(turn, start=payload.start))


async def _acted(call: Awaitable[Finding]) -> Finding:
    """The finding an act left; a user the findings no longer hold is a stale card too."""
    try:
        return await call
    except KeyError as unknown:
        raise StaleFinding("unknown user") from unknown


async def stale(turn: DialogTurn, _refusal: StaleFinding) -> InvokeResult:
    """A row changed since the card was drawn: nothing was done; the card as it stands."""
    text = turn.text("leave_dates.stale")
    return InvokeResult(card=await card_for(turn, notice=text, warning=True))


def _picked(turn: DialogTurn, payload: _WithPicks, pick: str | None) -> str | None:
    """The unit HR picked in a row's list; None when there is no list or nothing was picked."""
    if pick is None:
        return None
    unit = payload.picks.get(pick, "").strip()
    return unit if turn.config.has_unit(unit) else None


async def _registered_notice(turn: DialogTurn, finding: Finding) -> str:
    """What registering one did: registered (with its last working day), or why not."""
    name = finding.name or finding.upn
    if finding.state is FindingState.REGISTERED:
        day = finding.leave_date
        if finding.departure_id is not None:
            departure = await turn.services.registration.get(finding.departure_id)
            day = departure.last_working_day
        last_day = turn.speaker().day(day) if day else ""
        return turn.speaker()("leave_dates.registered", name=name, last_day=last_day)
    problem = turn.text(finding.problem) if finding.problem else ""
    return turn.speaker()("leave_dates.refused_one", name=name, problem=problem)


async def confirm(turn: DialogTurn, payload: FindingAct) -> InvokeResult:
    """Register one leave date (in the unit HR picked, for a row that names none)."""
    _hr_only(turn, "confirm")
    unit = _picked(turn, payload, payload.pick)
    if payload.pick is not None and unit is None:
        shown = {f.user_id: f for f in await _inbox(turn).waiting()}
        finding = shown.get(payload.user)
        if finding is None or finding.revision != payload.revision:
            raise StaleFinding(payload.user)
        text = turn.speaker()("leave_dates.pick_first", name=finding.name or finding.upn)
        return InvokeResult(card=await card_for(turn, start=payload.start, notice=text))
    inbox = _inbox(turn)
    finding = await _acted(inbox.confirm(_actor(turn), payload.user, payload.revision, unit))
    notice = await _registered_notice(turn, finding)
    failed = finding.state is not FindingState.REGISTERED
    return InvokeResult(
        card=await card_for(turn, start=payload.start, notice=notice, warning=failed)
    )


async def confirm_all(turn: DialogTurn, payload: ConfirmAll) -> InvokeResult:
    """Register all: every ready row on the page, and each row whose unit HR picked."""
    _hr_only(turn, "confirm_all")
    inbox, actor = _inbox(turn), _actor(turn)
    counts = {"registered": 0, "changed": 0, "refused": 0, "no_unit": 0}
    trouble = ""
    for item in payload.items:
        unit = _picked(turn, payload, item.pick)
        if item.pick is not None and unit is None:
            counts["no_unit"] += 1
            continue
        try:
            finding = await _acted(inbox.confirm(actor, item.user, item.revision, unit))
        except StaleFinding:
            counts["changed"] += 1
            continue
        except DirectoryUnavailable:  # the rest waits for another click
            trouble = turn.text("error.generic")
            break
        done = finding.state is FindingState.REGISTERED
        counts["registered" if done else "refused"] += 1
    notice = " ".join(filter(None, [*_count_lines(turn, counts), trouble]))
    warning = any(counts[k] for k in ("changed", "refused", "no_unit")) or bool(trouble)
    return InvokeResult(card=await card_for(turn, notice=notice, warning=warning))


def _count_lines(turn: DialogTurn, counts: dict[str, int]) -> list[str]:
    keys = {
        "registered": "leave_dates.registered_count",
        "changed": "leave_dates.changed_count",
        "refused": "leave_dates.refused_count",
        "no_unit": "leave_dates.still_no_unit",
    }
    return [
        turn.text(key, count=counts[name])
        for name, key in keys.items()
        if counts[name] or name == "registered"
    ]


async def dismiss(turn: DialogTurn, payload: FindingAct) -> InvokeResult:
    """HR says no: nothing is registered; a new leave date for the person asks again."""
    return await _hr_act(turn, payload, "dismiss", "leave_dates.dismissed")


async def cancel_departure(turn: DialogTurn, payload: FindingAct) -> InvokeResult:
    """The leave date was removed in Entra ID, and HR cancels the departure."""
    return await _hr_act(turn, payload, "cancel", "leave_dates.cancelled")


async def keep_departure(turn: DialogTurn, payload: FindingAct) -> InvokeResult:
    """The leave date was removed in Entra ID, and HR keeps the departure as it is."""
    return await _hr_act(turn, payload, "keep", "leave_dates.kept")


async def _hr_act(turn: DialogTurn, payload: FindingAct, act: str, said: str) -> InvokeResult:
    """HR's act `act` on one finding (only HR's: refused and audited otherwise); the card
    again, with `said` naming the person."""
    _hr_only(turn, act)
    inbox = _inbox(turn)
    acts = {
        "dismiss": inbox.dismiss,
        "cancel": inbox.cancel_departure,
        "keep": inbox.keep_departure,
    }
    finding = await _acted(acts[act](_actor(turn), payload.user, payload.revision))
    notice = turn.speaker()(said, name=finding.name or finding.upn)
    return InvokeResult(card=await card_for(turn, start=payload.start, notice=notice))


async def waiting_count(turn: DialogTurn) -> int:
    """How many leave dates wait for HR (the banner on HR's list); 0 without the inbox."""
    inbox = turn.services.leave_dates
    return 0 if inbox is None else len(await inbox.waiting())
