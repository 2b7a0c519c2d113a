"""HR's system sees where a departure came from (issue 16): GET /api/departures/{id} says
`registeredVia`, and the timeline starts with the registration (when, through which door); on
SQLite and PostgreSQL, as documented in the OpenAPI description."""

from __future__ import annotations

from journey.departure import Door
from tests.helpers.hr_api import future
from tests.helpers.journey import LEAVER
from tests.hr_api.conftest import Both
from tests.hr_api.openapi_schema import openapi_document, response_schema, validator


async def test_the_api_says_which_door_and_the_timeline_starts_with_it(both_doors: Both) -> None:
    api = both_doors.api
    document = await openapi_document(api)
    created = await api.call(
        "POST",
        "/api/departures",
        json={"leaver": "leaver.se@contoso.example", "lastWorkingDay": future()},
    )
    assert created.status == 201, created.body
    assert created.body["registeredVia"] == "api"
    from_teams = await both_doors.teams.register(LEAVER)
    assert from_teams.registered_via is Door.TEAMS

    for departure_id, door in ((created.body["id"], "api"), (from_teams.id, "teams")):
        shown = await api.call("GET", f"/api/departures/{departure_id}")
        assert shown.status == 200
        assert shown.body["registeredVia"] == door
        schema = response_schema(document, "GET", "/api/departures/{id}", 200)
        validator(document, schema).validate(shown.body)

        timeline = await api.call("GET", f"/api/departures/{departure_id}/timeline")
        assert timeline.status == 200
        first, *rest = timeline.body["events"]
        assert first == {"at": shown.body["createdAt"], "kind": "registered", "door": door}
        assert all(event["kind"] != "registered" for event in rest)
        schema = response_schema(document, "GET", "/api/departures/{id}/timeline", 200)
        validator(document, schema).validate(timeline.body)

    documented = document["components"]["schemas"]["DepartureOut"]["properties"]["registeredVia"]
    doors = documented.get("enum") or document["components"]["schemas"]["Door"]["enum"]
    assert doors == ["teams", "api", "csv", "entra"]
