"""A month-by-month organisation's departures for HR's list: tests and bench/hr_status.py.

Every state, unit and reason to look (journey.hr_status.Attention) occurs; names carry Æ, Ø
and Å in both cases, so the name search is tried on the letters that matter here.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from journey.departure import Departure, DepartureStatus, Reach

UNITS = ("social-care", "home-care", "technical-services")
FIRST = ("Åse", "Søren", "Ærø", "Anna", "Jonas", "Mette", "Øystein", "Lise", "Bo", "Ida", "Kåre")
LAST = ("Østergaard", "Andersen", "Lund", "Berg", "Holm", "Ågren", "Dahl", "Nielsen", "Strøm")
_WEIGHTS = {
    DepartureStatus.REGISTERED: 3,
    DepartureStatus.OFFERED: 20,
    DepartureStatus.ACCEPTED: 10,
    DepartureStatus.DECLINED: 10,
    DepartureStatus.BOOKED: 12,
    DepartureStatus.HELD: 10,
    DepartureStatus.CLOSED: 30,
    DepartureStatus.CANCELLED: 5,
}


def _when(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def departure(rng: random.Random, n: int, today: date, now: datetime) -> Departure:
    """One departure, its fields as the journey leaves them in its state."""
    status = rng.choices(list(_WEIGHTS), list(_WEIGHTS.values()))[0]
    ended = status is DepartureStatus.CLOSED
    last_day = today + timedelta(days=rng.randint(-120, -15) if ended else rng.randint(-14, 150))
    created = min(now, _when(last_day - timedelta(days=rng.randint(20, 60)), 9))
    values: dict[str, object] = {
        "id": f"seed-{n:05d}",
        "leaver_upn": f"leaver{n}@contoso.example",
        "leaver_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
        "manager_upn": f"manager{n % 40}@contoso.example",
        "unit": rng.choice(UNITS),
        "last_working_day": last_day,
        "status": status,
        "created_at": created,
        "updated_at": created,
    }
    if status is DepartureStatus.REGISTERED and rng.random() < 0.5:
        values["reach"] = rng.choice([Reach.BLOCKED, Reach.NOT_FOUND, Reach.NO_CONVERSATION])
    if status is DepartureStatus.OFFERED and rng.random() < 0.3:
        values["remind_offer_at"] = now + timedelta(days=rng.randint(-5, 5))
    if status in (DepartureStatus.ACCEPTED, DepartureStatus.BOOKED, DepartureStatus.HELD):
        values["accepted_at"] = min(now, created + timedelta(days=rng.randint(0, 10)))
        if status is not DepartureStatus.ACCEPTED or rng.random() < 0.5:
            values["interviewer_upn"] = "hrpartner@contoso.example"
            if status is DepartureStatus.ACCEPTED and rng.random() < 0.5:
                values["times_requested_at"] = now - timedelta(days=rng.randint(0, 6))
    if status is DepartureStatus.BOOKED:
        start = _when(min(last_day, today + timedelta(days=rng.randint(-6, 20))), 9)
        values |= {
            "meeting_start": start,
            "meeting_end": start + timedelta(hours=1),
            "meeting_event_id": f"event-{n}",
        }
    if ended:
        values["closed_at"] = _when(last_day + timedelta(days=15), 0)
    return Departure.model_validate(values)


def departures(count: int, today: date, now: datetime, seed: int = 11) -> list[Departure]:
    """`count` departures around `today`; the same ones for the same seed."""
    rng = random.Random(seed)
    return [departure(rng, n, today, now) for n in range(count)]
