"""The small interfaces through which the domain talks to the world."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from journey.departure import Departure


class ConcurrentUpdate(RuntimeError):
    """Someone else changed the record since it was read; re-read and try again."""


class NotFound(LookupError):
    """No record with that key."""


class AlreadyExists(ValueError):
    """A record with that key (id or external id) is already stored."""


class ConversationRef(BaseModel):
    """What the bot needs to write to a person later (a proactive message)."""

    model_config = ConfigDict(extra="forbid")

    user_key: str  # AAD object id when known, else the Teams user id
    user_id: str  # the channel account id (29:...)
    upn: str | None = None
    name: str | None = None
    conversation_id: str
    service_url: str
    tenant_id: str | None = None
    channel_id: str = "msteams"
    bot_id: str = ""
    locale: str | None = None
    updated_at: datetime | None = None
    welcomed_at: datetime | None = None


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    actor: str
    action: str
    departure_id: str | None = None
    detail: dict[str, str] = {}


class DepartureRepository(Protocol):
    async def add(self, departure: Departure) -> Departure: ...

    async def get(self, departure_id: str) -> Departure: ...

    async def get_by_external_id(self, external_id: str) -> Departure | None: ...

    async def update(self, departure: Departure) -> Departure:
        """Save if the stored version equals `departure.version`; raise ConcurrentUpdate if not."""
        ...

    async def list_for_person(self, upn: str) -> Sequence[Departure]: ...

    async def list_open(self, limit: int = 50) -> Sequence[Departure]:
        """Departures not yet closed or cancelled, soonest last working day first."""
        ...


class ConversationRefStore(Protocol):
    async def save(self, ref: ConversationRef) -> None: ...

    async def get(self, user_key: str) -> ConversationRef | None: ...

    async def find_by_upn(self, upn: str) -> ConversationRef | None: ...

    async def mark_welcomed(self, user_key: str) -> bool:
        """Record that the person was greeted; True only for the one call that did it first."""
        ...

    async def latest_service_url(self) -> tuple[str, str | None] | None:
        """The service URL and tenant of the most recent conversation, if there is any."""
        ...


class PersonLanguages(BaseModel):
    """What decides a person's language besides Teams: their own choice, and HR's registration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chosen: str | None = None  # with the `language` command
    registered: str | None = None  # the locale of their latest departure as the leaver


class LanguageChoices(Protocol):
    """The languages people chose, keyed by UPN (journey.locale.preferred_locale ranks them)."""

    async def chosen(self, upn: str) -> str | None: ...

    async def languages_of(self, upn: str) -> PersonLanguages:
        """The person's choice and HR's registered language for them, in one look."""
        ...

    async def choose(self, upn: str, language: str) -> None:
        """Keep `language` (one of journey.locale.SUPPORTED_LANGUAGES) for `upn`."""
        ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def for_departure(self, departure_id: str) -> Sequence[AuditEntry]: ...


class DepartureEvents(Protocol):
    """What happens next when HR registers, changes or cancels a departure (any door)."""

    async def registered(self, departure: Departure) -> None:
        """A new departure: offer the leaver the conversation."""
        ...

    async def changed(self, before: Departure, after: Departure) -> None:
        """The last working day or the people changed: move bookings, reminders, cards."""
        ...

    async def cancelled(self, departure: Departure) -> None:
        """The leaver stays: cancel the meeting, reminders and open cards."""
        ...
