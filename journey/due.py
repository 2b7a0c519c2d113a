"""Due actions: messages the domain wants delivered at a time, exactly once, and their record.

The domain decides *what* is due *when* (a reminder per departure, kind and recipient); the
delivery engine (storage.due_actions + outbox.worker) decides how it reaches Teams once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DueState(StrEnum):
    """Where a due action is on its way to Teams."""

    PENDING = "pending"  # waiting for its time (or for a retry)
    CLAIMED = "claimed"  # a worker holds it; nothing has gone out yet
    SENDING = "sending"  # a worker is posting it; if it stays here, the outcome is unknown
    SENT = "sent"
    FAILED = "failed"  # final: blocked, conversation gone, refused, gave up, or unknown outcome
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # final: claimed after its moment had passed (expires_at), not sent


class Outcome(StrEnum):
    """What one delivery attempt (or a decision about one) came to, as HR sees it."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked or uninstalled the bot
    NOT_FOUND = "not_found"  # 404: the conversation is gone
    THROTTLED = "throttled"  # 429: tried again after Retry-After
    ERROR = "error"  # any other failure; `code` says which, `retry_at` whether it is retried
    RECONCILED = "reconciled"  # an attempt whose outcome was unknown was settled later
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # not sent: its moment had passed (after downtime or a clock jump)


class ErrorCode(StrEnum):
    """Codes kept in `last_error` and the delivery log (never message text)."""

    NO_CONVERSATION = "no_conversation"
    UNKNOWN_OUTCOME = "unknown_outcome"
    RENDER_FAILED = "render_failed"
    CONNECT_FAILED = "connect_failed"
    TIMEOUT = "timeout"
    FOUND_DELIVERED = "found_delivered"
    FOUND_MISSING = "found_missing"
    EXPIRED = "expired"  # the conversation began, or the last day ended, before it could go
    TOKEN_UNAVAILABLE = "token_unavailable"  # no bearer token for Teams: nothing sent, retried


def due_action_key(departure_id: str, kind: str, recipient_key: str, due_on: date) -> str:
    """The usual idempotency key: one action per departure, kind, recipient and due date."""
    return f"{departure_id}:{kind}:{recipient_key.strip().lower()}:{due_on.isoformat()}"


def delivery_marker(idempotency_key: str) -> str:
    """The id put into every sent activity, so a copy found later can be matched to its action.

    A hash rather than the key itself: the key may hold a UPN, the marker travels to Teams.
    """
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


class ScheduledAction(BaseModel):
    """What the domain asks for: deliver `payload` to `recipient_key` at `due_at`, once."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=400)
    kind: str = Field(min_length=1, max_length=64)
    recipient_key: str = Field(min_length=1, max_length=320)  # ConversationRef.user_key or UPN
    due_at: datetime
    payload: dict[str, Any]  # the activity to post, or what a renderer needs to build it
    departure_id: str | None = None
    # If a send may or may not have reached Teams: False = never resend (a copy may be lost,
    # HR sees it); True = resend (a copy may be doubled). See outbox/worker.py.
    resend_if_unknown: bool = False
    # From this moment on the message is pointless (a reminder of a conversation that began):
    # the worker records it as skipped instead of sending it late. None: never.
    expires_at: datetime | None = None

    @field_validator("due_at", "expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("due_at and expires_at must be timezone-aware")
        return value


class CardToRender(BaseModel):
    """A payload that names a card instead of carrying it: the sender renders the card when
    the message goes, from the departure as it is then, for the action's kind and recipient.

    Planning stores this (a few bytes that change only when the plan does) rather than a card
    rendered per planned row, so re-planning compares cheaply and writes only what changed.
    Older rows carry the activity itself; the sender tells them apart (`of`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = 0  # an escalation: how many working days the matter has been open

    def payload(self) -> dict[str, Any]:
        """The due action's payload."""
        return {_RENDER: self.model_dump()}

    @classmethod
    def of(cls, payload: dict[str, Any]) -> CardToRender | None:
        """What a payload asks to render; None if it is the activity itself."""
        named = payload.get(_RENDER)
        return cls.model_validate(named) if isinstance(named, dict) else None


_RENDER = "render"


class DueAction(BaseModel):
    """A stored due action with its delivery state."""

    model_config = ConfigDict(extra="forbid")

    id: int
    key: str
    kind: str
    recipient_key: str
    due_at: datetime
    payload: dict[str, Any]
    departure_id: str | None
    resend_if_unknown: bool
    state: DueState
    attempts: int
    lease_owner: str | None
    lease_until: datetime | None
    not_before: datetime | None
    sent_activity_id: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None

    @property
    def marker(self) -> str:
        """The delivery marker of this action (see delivery_marker)."""
        return delivery_marker(self.key)

    def expired(self, now: datetime) -> bool:
        """Whether sending it now would be too late to be of any use."""
        return self.expires_at is not None and now >= self.expires_at


class DeliveryEvent(BaseModel):
    """One line of a departure's delivery timeline."""

    model_config = ConfigDict(extra="forbid")

    at: datetime
    due_action_id: int
    departure_id: str | None
    kind: str
    recipient_key: str
    outcome: Outcome
    code: str | None = None
    status: int | None = None  # the HTTP status Teams answered, if any
    activity_id: str | None = None
    attempt: int = 0
    retry_at: datetime | None = None


class ScheduleChange(BaseModel):
    """What a reschedule did: actions now pending with the given values, and cancelled."""

    model_config = ConfigDict(extra="forbid")

    scheduled: int
    cancelled: int


class DueActions(Protocol):
    """The port the domain's notifiers plan deliveries through (storage.due_actions)."""

    async def schedule(self, action: ScheduledAction) -> bool:
        """Plan `action` under its key; True if it is now pending with these values."""
        ...

    async def schedule_many(self, actions: Sequence[ScheduledAction]) -> int:
        """schedule() for each action, written together; how many are now pending."""
        ...

    async def cancel(self, departure_id: str, kinds: Iterable[str] | None = None) -> int:
        """Cancel the departure's actions not yet sent (of `kinds`, default all); how many."""
        ...

    async def reschedule(
        self,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: Iterable[str] | None = None,
    ) -> ScheduleChange:
        """Make `actions` the departure's plan; other unsent ones of `kinds` are cancelled."""
        ...
