"""Sample domain objects with every field filled, for round-trip tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.departure import Departure, DepartureStatus
from journey.ports import ConversationRef

# A fixed instant given in a non-UTC zone, to prove it comes back as the same instant in UTC.
COPENHAGEN_NOON = datetime(2026, 3, 29, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def departure(**changes: Any) -> Departure:
    """A departure with every field set to something other than its default."""
    values: dict[str, Any] = {
        "external_id": "HR-2026-0042",
        "leaver_upn": "Ida.Leaver@Contoso.dk",
        "leaver_name": "Ida Ærø-Ødegård",
        "manager_upn": "mads.manager@contoso.dk",
        "unit": "Borgerservice",
        "last_working_day": date(2026, 4, 30),
        "locale": "nb",
        "time_zone": "America/St_Johns",  # a half-hour offset catches sloppy zone handling
        "status": DepartureStatus.OFFERED,
        "interviewer_upn": "hanne.hr@contoso.dk",
        "interviewer_pool": ["hanne.hr@contoso.dk", "tillid@contoso.dk"],
        "created_at": COPENHAGEN_NOON,
    }
    values.update(changes)
    return Departure(**values)


def conversation_ref(**changes: Any) -> ConversationRef:
    """A conversation reference as Teams would give it for a personal chat."""
    values: dict[str, Any] = {
        "user_key": "00000000-0000-0000-0000-00000000a11e",
        "user_id": "29:1AbCdEfGhIjKlMnOpQrStUvWxYz",
        "upn": "ida.leaver@contoso.dk",
        "name": "Ida Ærø-Ødegård",
        "conversation_id": "a:1" + "x" * 180,
        "service_url": "https://smba.trafficmanager.net/emea/",
        "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "channel_id": "msteams",
        "bot_id": "28:bot-app-id",
        "locale": "da-DK",
    }
    values.update(changes)
    return ConversationRef(**values)
