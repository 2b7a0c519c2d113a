"""The departure case and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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


# Which status may follow which. Cancelling is possible until the conversation is held.
TRANSITIONS: dict[DepartureStatus, frozenset[DepartureStatus]] = {
    DepartureStatus.REGISTERED: frozenset({DepartureStatus.OFFERED, DepartureStatus.CANCELLED}),
    DepartureStatus.OFFERED: frozenset(
        {DepartureStatus.ACCEPTED, DepartureStatus.DECLINED, DepartureStatus.CANCELLED}
    ),
    DepartureStatus.ACCEPTED: frozenset(
        {DepartureStatus.BOOKED, DepartureStatus.DECLINED, DepartureStatus.CANCELLED}
    ),
    DepartureStatus.DECLINED: frozenset(
        {DepartureStatus.ACCEPTED, DepartureStatus.CLOSED, DepartureStatus.CANCELLED}
    ),
    DepartureStatus.BOOKED: frozenset(
        {DepartureStatus.HELD, DepartureStatus.ACCEPTED, DepartureStatus.CANCELLED}
    ),
    DepartureStatus.HELD: frozenset({DepartureStatus.CLOSED}),
    DepartureStatus.CLOSED: frozenset(),
    DepartureStatus.CANCELLED: frozenset(),
}


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
    locale: str = "en"
    time_zone: str = "Europe/Copenhagen"
    status: DepartureStatus = DepartureStatus.REGISTERED
    interviewer_upn: str | None = None
    interviewer_pool: list[str] = Field(default_factory=list)
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

    @model_validator(mode="after")
    def _manager_is_not_leaver(self) -> Departure:
        if self.manager_upn == self.leaver_upn:
            raise ValueError("the manager cannot be the leaver")
        return self

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
