"""The departure case and its lifecycle."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Longest decline reason kept: a sentence or two, not a survey answer.
DECLINE_REASON_MAX = 500
# Longest successor name kept: a name or two.
HANDOVER_SUCCESSOR_MAX = 200
# Longest place of an in-person conversation: a room and a building.
MEETING_PLACE_MAX = 200


class DepartureStatus(StrEnum):
    """Where a departure stands in the exit journey."""

    REGISTERED = "registered"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    BOOKED = "booked"
    HELD = "held"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_S = DepartureStatus
# Which status may follow which. Cancelling is possible until the conversation is held; every
# case that is not cancelled ends closed (journey.closing decides when). A conversation agreed
# outside the bot may be recorded as booked or held from the offer on; the leaver may say no
# after saying yes, also once a time is booked.
TRANSITIONS: dict[DepartureStatus, frozenset[DepartureStatus]] = {
    _S.REGISTERED: frozenset({_S.OFFERED, _S.CANCELLED, _S.CLOSED}),
    _S.OFFERED: frozenset({_S.ACCEPTED, _S.DECLINED, _S.BOOKED, _S.HELD, _S.CANCELLED, _S.CLOSED}),
    _S.ACCEPTED: frozenset({_S.BOOKED, _S.DECLINED, _S.HELD, _S.CANCELLED, _S.CLOSED}),
    _S.DECLINED: frozenset({_S.ACCEPTED, _S.BOOKED, _S.HELD, _S.CANCELLED, _S.CLOSED}),
    _S.BOOKED: frozenset({_S.HELD, _S.ACCEPTED, _S.DECLINED, _S.CANCELLED, _S.CLOSED}),
    _S.HELD: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.CANCELLED: frozenset(),
}
# A departure in one of these is over: it no longer blocks registering the person again.
ENDED: frozenset[DepartureStatus] = frozenset({_S.CLOSED, _S.CANCELLED})


class DepartureType(StrEnum):
    """Why the person leaves; HR's YAML decides per unit and type what is offered."""

    RESIGNATION = "resignation"
    RETIREMENT = "retirement"
    FIXED_TERM_END = "fixed_term_end"
    TRAINEESHIP_END = "traineeship_end"  # traineeship or apprenticeship
    DISMISSAL = "dismissal"
    OTHER = "other"


class Door(StrEnum):
    """Where a departure came from: HR's Teams form, HR's system through the API, the CSV
    import, or Entra ID's leave date (issue 16). HR's status and timeline show it."""

    TEAMS = "teams"
    API = "api"
    CSV = "csv"
    ENTRA = "entra"


class MeetingMode(StrEnum):
    """How the conversation is held: a Teams meeting the bot booked, in person, or agreed
    outside the bot (recorded, not booked by it)."""

    TEAMS = "teams"
    IN_PERSON = "in_person"
    OUTSIDE = "outside"


class Reach(StrEnum):
    """Whether the bot could bring the offer to the leaver; HR sees anything but `ok`."""

    OK = "ok"
    BLOCKED = "blocked"  # 403: the person blocked or uninstalled the app, or policy forbids it
    NOT_FOUND = "not_found"  # 404: no such person in Teams, or the chat is gone
    NO_CONVERSATION = "no_conversation"  # no chat with the bot could be opened
    FAILED = "failed"  # Teams refused the message for another reason; not retried blindly


class InterviewerKind(StrEnum):
    """Who holds the conversation; also the choices HR's YAML offers (config.schema reuses it)."""

    MANAGER = "manager"
    HR_PARTNER = "hr_partner"
    POOL = "pool"


class PostedCard(BaseModel):
    """A card the bot posted, so it can be updated in place later."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    activity_id: str
    conversation_id: str
    service_url: str


class InvalidTransition(ValueError):
    """A status change that the journey does not allow."""

    def __init__(self, current: DepartureStatus, wanted: DepartureStatus) -> None:
        super().__init__(f"a departure that is {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class Departure(BaseModel):
    """One person leaving: the case the whole journey hangs on."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    external_id: str | None = None
    leaver_upn: str
    leaver_name: str = ""
    manager_upn: str
    unit: str
    last_working_day: date
    # The language HR (or the directory) registered; "" lets the Teams locale decide.
    locale: str = ""
    time_zone: str = "Europe/Copenhagen"
    status: DepartureStatus = DepartureStatus.REGISTERED
    interviewer_upn: str | None = None
    interviewer_pool: list[str] = Field(default_factory=list)
    # The exit journey (issue 3): how the offer reached the leaver and what they answered.
    reach: Reach | None = None  # None until the offer was tried
    decline_reason: str | None = Field(default=None, max_length=DECLINE_REASON_MAX)
    remind_offer_at: datetime | None = None
    interviewer_kind: InterviewerKind | None = None
    interviewer_name: str = ""
    # Slot keys (journey.slots.Slot.key) the leaver may pick from right now.
    proposed_slots: list[str] = Field(default_factory=list)
    times_requested_at: datetime | None = None  # the leaver said none of the times fit
    meeting_start: datetime | None = None
    meeting_end: datetime | None = None
    meeting_event_id: str | None = None
    meeting_join_url: str | None = None
    accepted_at: datetime | None = None  # when the leaver said yes (booking escalates from it)
    # The handover checklist (issue 4): ids of the items ticked, and who takes over.
    handover_done: list[str] = Field(default_factory=list)
    handover_successor: str | None = Field(default=None, max_length=HANDOVER_SUCCESSOR_MAX)
    # Cards to update in place: "leaver" (the leaver's current journey card), "task",
    # "handover" and "handover_manager" (the checklists).
    cards: dict[str, PostedCard] = Field(default_factory=dict)
    # Issue 11: the type of departure, HR's or the manager's regret (never shown to the
    # leaver), how and where the conversation is held, and when the case closed.
    departure_type: DepartureType = DepartureType.RESIGNATION
    regrettable: bool | None = None
    meeting_mode: MeetingMode | None = None
    meeting_place: str | None = Field(default=None, max_length=MEETING_PLACE_MAX)
    closed_at: datetime | None = None
    # Issue 16: the door it came through; every door sets it (journey.registration).
    registered_via: Door = Door.TEAMS
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("leaver_upn", "manager_upn", "interviewer_upn")
    @classmethod
    def _lower_upn(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else value

    @field_validator("time_zone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        return _check_time_zone(value)

    @field_validator(
        "remind_offer_at",
        "times_requested_at",
        "meeting_start",
        "meeting_end",
        "accepted_at",
        "closed_at",
    )
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("journey times must be timezone-aware")
        return value

    @model_validator(mode="after")
    def _manager_is_not_leaver(self) -> Departure:
        if self.manager_upn == self.leaver_upn:
            raise ValueError("the manager cannot be the leaver")
        return self

    @model_validator(mode="after")
    def _meeting_is_whole(self) -> Departure:
        # A Teams meeting is in the calendars: its times and event come together. In person,
        # the event may come later (the place is set before booking); outside the bot, none.
        mode = self.meeting_mode or MeetingMode.TEAMS
        parts: tuple[object, ...] = (self.meeting_start, self.meeting_end, self.meeting_event_id)
        if mode is not MeetingMode.TEAMS:
            parts = parts[:2]
        if any(part is None for part in parts) and any(part is not None for part in parts):
            raise ValueError("a meeting needs its start, end and event id together")
        if self.meeting_event_id and self.meeting_start is None:
            raise ValueError("a calendar event needs its start and end")
        if mode is MeetingMode.IN_PERSON and not self.meeting_place:
            raise ValueError("a conversation in person needs its place")
        if mode is MeetingMode.OUTSIDE and self.meeting_event_id:
            raise ValueError("a conversation agreed outside the bot has no event of the bot's")
        if self.meeting_start and self.meeting_end and self.meeting_end <= self.meeting_start:
            raise ValueError("a meeting must end after it starts")
        return self

    @property
    def is_over(self) -> bool:
        """Closed or cancelled: nothing more happens, and the person may be registered again."""
        return self.status in ENDED

    @property
    def mark(self) -> str:
        """A short mark of the plan a card is drawn for: 8 hex characters, the same in every
        process; it changes when the plan does, not when a card is merely delivered."""
        plan = "|".join(
            str(part)
            for part in (
                self.status.value,
                self.interviewer_upn,
                self.meeting_start.isoformat() if self.meeting_start else None,
                self.meeting_event_id,
                self.meeting_mode.value if self.meeting_mode else None,
                self.meeting_place,
                self.last_working_day.isoformat(),
                ",".join(self.proposed_slots),
            )
        )
        return hashlib.blake2b(plan.encode(), digest_size=4).hexdigest()

    @property
    def is_booked(self) -> bool:
        """Whether a meeting is in the calendars."""
        return self.meeting_event_id is not None

    def changed(self, **values: object) -> Departure:
        """A validated copy with `values` set (status changes go through `moved_to`)."""
        return Departure.model_validate({**self.model_dump(), **values})

    def moved_to(self, wanted: DepartureStatus, **values: object) -> Departure:
        """A copy in status `wanted` with `values` set; InvalidTransition if not allowed."""
        if not self.can_become(wanted):
            raise InvalidTransition(self.status, wanted)
        return self.changed(status=wanted, **values)

    def can_become(self, wanted: DepartureStatus) -> bool:
        """Whether the journey allows moving to `wanted` from here."""
        return wanted in TRANSITIONS[self.status]

    def move_to(self, wanted: DepartureStatus) -> None:
        """Change status, refusing a move the journey does not allow."""
        if not self.can_become(wanted):
            raise InvalidTransition(self.status, wanted)
        self.status = wanted

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
