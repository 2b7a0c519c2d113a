"""HR's system sees what was sent about a departure: GET /api/departures/{id}/timeline."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.due import ScheduledAction
from journey.notify import MessageKind
from storage.due_actions import DueActionQueue
from tests.helpers.hr_api import Api, future
from tests.hr_api.openapi_schema import openapi_document as _document
from tests.hr_api.openapi_schema import response_schema as _response_schema
from tests.hr_api.openapi_schema import validator as _validator


async def test_the_timeline_lists_each_delivery_and_matches_the_documented_schema(
    api: Api,
) -> None:
    created = await api.call(
        "POST",
        "/api/departures",
        json={
            "leaver": "leaver@contoso.example",
            "unit": "social-care",
            "lastWorkingDay": future(),
        },
    )
    departure_id = created.body["id"]
    # A reminder that was scheduled and then withdrawn: HR sees it as cancelled, to whom.
    queue = DueActionQueue(api.db)
    await queue.schedule(
        ScheduledAction(
            key=f"{departure_id}:farewell_reminder:manager@contoso.example",
            kind=MessageKind.FAREWELL_REMINDER.value,
            recipient_key="manager@contoso.example",
            due_at=datetime(2030, 1, 1, tzinfo=UTC),
            payload={"type": "message"},
            departure_id=departure_id,
        )
    )
    await queue.cancel(departure_id, [MessageKind.FAREWELL_REMINDER.value])

    answer = await api.call("GET", f"/api/departures/{departure_id}/timeline")
    assert answer.status == 200
    assert answer.body["departureId"] == departure_id
    withdrawn = [e for e in answer.body["events"] if e["kind"] == "farewell_reminder"]
    assert [(e["recipient"], e["outcome"]) for e in withdrawn] == [
        ("manager@contoso.example", "cancelled")
    ]
    document = await _document(api)
    schema = _response_schema(document, "GET", "/api/departures/{id}/timeline", 200)
    _validator(document, schema).validate(answer.body)

    missing = await api.call("GET", "/api/departures/nope/timeline")
    assert missing.status == 404
    assert missing.body["problems"][0]["code"] == "departure.not_found"
    unauthenticated = await api.call("GET", f"/api/departures/{departure_id}/timeline", token=None)
    assert unauthenticated.status == 401
