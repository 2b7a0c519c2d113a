"""The departures API's request and response bodies; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from journey.departure import Departure, DepartureStatus, DepartureType, Door, Reach
from journey.due import DeliveryEvent, Outcome
from journey.registration_rules import IsoDay, RegistrationRequest

_CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=False)


class DepartureIn(RegistrationRequest):
    """POST /api/departures: a departure as HR's system describes it (camelCase fields)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, alias_generator=to_camel, title="DepartureIn"
    )


class DepartureChange(BaseModel):
    """PATCH /api/departures/{id}: move the last working day, change the type or the regret.

    Only the fields sent change; at least one is needed.
    """

    model_config = ConfigDict(extra="forbid", **_CAMEL)

    last_working_day: IsoDay | None = Field(
        None, description="The new last working day, as yyyy-mm-dd."
    )
    departure_type: DepartureType | None = Field(
        None, description="The type of departure (see DepartureIn)."
    )
    regrettable: bool | None = Field(
        None,
        description="HR's or the manager's assessment that the organisation regrets this "
        "departure; null clears it. Never shown to the leaver.",
    )

    @model_validator(mode="after")
    def _something(self) -> DepartureChange:
        if not self.model_fields_set:
            raise ValueError("send lastWorkingDay, departureType or regrettable")
        for name in ("last_working_day", "departure_type"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def details(self) -> dict[str, object]:
        """The type and regret to change, by the departure's field names."""
        names = ("departure_type", "regrettable")
        return {name: getattr(self, name) for name in names if name in self.model_fields_set}


DOORS = (
    "Where the departure came from: teams (HR's form in Teams), api (HR's system through this "
    "API), csv (the CSV import) or entra (the leave date in Entra ID). Registering it again "
    "through another door keeps the first."
)


class DepartureOut(BaseModel):
    """A departure as the API shows it."""

    # Built in Python by field name, written out in camelCase.
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    id: str
    external_id: str | None
    leaver: str = Field(description="The leaver's UPN.")
    leaver_name: str
    manager: str = Field(description="The manager's UPN.")
    unit: str = Field(description="The unit id; empty for the organisation's defaults.")
    last_working_day: date
    locale: str = Field(description="The leaver's language: da, sv, nb or en.")
    time_zone: str
    status: DepartureStatus
    reach: Reach | None = Field(
        description="Whether the offer reached the leaver in Teams; null until it was tried."
    )
    interviewer: str | None = Field(description="Who holds the conversation, once chosen.")
    interviewer_pool: list[str]
    departure_type: DepartureType
    regrettable: bool | None = Field(
        description="HR's or the manager's assessment; null when nobody said. Never shown to "
        "the leaver."
    )
    registered_via: Door = Field(description=DOORS)
    version: int = Field(description="Goes up by one with every change.")
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, departure: Departure) -> DepartureOut:
        """The API view of a stored departure."""
        return cls(
            id=departure.id,
            external_id=departure.external_id,
            leaver=departure.leaver_upn,
            leaver_name=departure.leaver_name,
            manager=departure.manager_upn,
            unit=departure.unit,
            last_working_day=departure.last_working_day,
            locale=departure.locale,
            time_zone=departure.time_zone,
            status=departure.status,
            reach=departure.reach,
            interviewer=departure.interviewer_upn,
            interviewer_pool=list(departure.interviewer_pool),
            departure_type=departure.departure_type,
            regrettable=departure.regrettable,
            registered_via=departure.registered_via,
            version=departure.version,
            created_at=departure.created_at,
            updated_at=departure.updated_at,
        )


class ProblemOut(BaseModel):
    """One reason a call was refused."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="The body field it is about (camelCase); empty for the whole.")
    code: str = Field(
        description="Stable machine-readable code, e.g. register.unknown_person or request.missing."
    )
    message: str = Field(description="The reason for people, in the Accept-Language language.")
    departure_id: str | None = Field(
        None,
        serialization_alias="departureId",
        description="The departure the problem is about, when it is another one: the leaver's "
        "active departure for register.already_registered. Left out otherwise.",
    )


class Problems(BaseModel):
    """The body of every 4xx/5xx answer."""

    model_config = ConfigDict(extra="forbid")

    problems: list[ProblemOut]


class DeliveryOut(BaseModel):
    """One line of a departure's delivery timeline: a message sent, failed, retried, withdrawn."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    at: datetime
    kind: str = Field(description="What was sent, e.g. offer, handover, thank_you.")
    recipient: str = Field(description="To whom: a UPN, or a Teams user key.")
    outcome: Outcome = Field(
        description="sent, blocked (403), not_found (404), throttled (429, retried), error, "
        "reconciled, cancelled (withdrawn before it went out), or skipped (its moment had "
        "passed, e.g. a reminder of a conversation that had begun: not sent late)."
    )
    code: str | None = Field(description="Why it failed, e.g. http_403 or no_conversation.")
    status: int | None = Field(description="The HTTP status Teams answered, if any.")
    attempt: int
    retry_at: datetime | None = Field(description="When it is tried again, if it is.")

    @classmethod
    def of(cls, event: DeliveryEvent) -> DeliveryOut:
        """The API view of a delivery event."""
        return cls(
            at=event.at,
            kind=event.kind,
            recipient=event.recipient_key,
            outcome=event.outcome,
            code=event.code,
            status=event.status,
            attempt=event.attempt,
            retry_at=event.retry_at,
        )


class RegisteredOut(BaseModel):
    """The first line of a departure's timeline: when it was registered, and through which door."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    at: datetime
    kind: Literal["registered"] = "registered"
    door: Door = Field(description=DOORS)

    @classmethod
    def of(cls, departure: Departure) -> RegisteredOut | None:
        """The registration of a stored departure (every stored one has its time)."""
        if departure.created_at is None:
            return None
        return cls(at=departure.created_at, door=departure.registered_via)


class TimelineOut(BaseModel):
    """How a departure came in, then what the bot sent about it, when and to whom, and what
    failed and why."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    departure_id: str
    events: list[RegisteredOut | DeliveryOut] = Field(
        description="Oldest first: the registration (kind registered, with its door), then every "
        "delivery attempt and decision."
    )
