"""A good farewell for everyone (issue 11, seed 000): the unit's thank-you offers reach every
leaver, and a leaver who consents to alumni or re-hire contact leaves a private e-mail.

- The offers (a reference, the alumni network, contact later) go to every leaver on the
  farewell reminder's day (`farewell.gestures_for_everyone`), not only to those whose
  conversation was held; a held conversation's thank-you carries them instead, never both.
- Consent to be contacted (alumni, contact later) needs a private e-mail: the work address
  closes when the person leaves. A missing, malformed or work address is refused with a clear
  message and nothing is kept.
- Only consented entries outlive retention (storage.retention keeps `alumni_contacts`), and
  the person can withdraw at any time: the entry is deleted; the audit log never holds the
  address.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from journey.departure import Departure, DepartureStatus
from journey.refusals import JourneyRefusal


class Gesture(StrEnum):
    """What a unit can offer the leaver afterwards (HR's YAML: thank_you_offers)."""

    REFERENCE_LETTER = "reference_letter"
    ALUMNI = "alumni"
    CONTACT_LATER = "contact_later"


# What needs a way to reach the person after they left.
CONSENT: tuple[Gesture, ...] = (Gesture.ALUMNI, Gesture.CONTACT_LATER)
EMAIL_MAX = 254

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+[A-Za-z]{{2,63}})")


class EmailNeeded(JourneyRefusal):
    """Consent to be contacted without a private e-mail; nothing was kept."""


class EmailNotValid(JourneyRefusal):
    """Not an e-mail address (or control characters, or too long); nothing was kept."""


class EmailNotPrivate(JourneyRefusal):
    """The work address, which closes when the person leaves; nothing was kept."""


class AlumniContact(BaseModel):
    """A leaver's consent to be contacted later, with the private e-mail to do it with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_id: str
    name: str = Field(max_length=400)
    unit: str = Field(max_length=200)
    private_email: str = Field(max_length=EMAIL_MAX)
    consented_at: datetime


class AlumniStore(Protocol):
    """Where consents are kept (storage.alumni)."""

    async def contact(self, departure_id: str) -> AlumniContact | None: ...

    async def save(self, contact: AlumniContact) -> None: ...

    async def delete(self, departure_id: str) -> bool: ...


def wants_contact(chosen: tuple[Gesture, ...] | list[Gesture]) -> bool:
    """Whether the leaver's wishes consent to being contacted after they left."""
    return any(gesture in CONSENT for gesture in chosen)


def private_email(text: str | None, work_upn: str) -> str:
    """The leaver's private e-mail, checked; a refusal says what is wrong with it."""
    value = (text or "").strip()
    if not value:
        raise EmailNeeded("no e-mail")
    if len(value) > EMAIL_MAX or not value.isprintable():
        raise EmailNotValid("not an e-mail")
    found = _EMAIL.fullmatch(value)
    if found is None:
        raise EmailNotValid("not an e-mail")
    domain = found.group(2).lower()
    work = work_upn.rpartition("@")[2].lower()
    if work and (domain == work or domain.endswith(f".{work}")):
        raise EmailNotPrivate("the work address")
    return f"{found.group(1)}@{domain}".lower()


def may_choose_gestures(departure: Departure, *, for_everyone: bool) -> bool:
    """Whether the leaver may answer the offers now: after a held conversation, or, where the
    unit offers them to everyone, any time the departure is not cancelled."""
    if departure.status in (DepartureStatus.HELD, DepartureStatus.CLOSED):
        return True
    return for_everyone and departure.status is not DepartureStatus.CANCELLED


def thanks_carries_offers(farewell_at: datetime | None, now: datetime) -> bool:
    """Whether the thank-you after the conversation carries the offers: not when the
    farewell card for everyone already brought them (no double offer)."""
    return farewell_at is None or now < farewell_at
