"""The type of departure and the regret through HR's API: POST, PATCH, and the OpenAPI enum."""

from __future__ import annotations

from typing import Any

import pytest

from journey.departure import DepartureType
from tests.helpers.hr_api import Api, future
from tests.hr_api.openapi_schema import openapi_document


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "leaver": "leaver@contoso.example",
        "unit": "social-care",
        "lastWorkingDay": future(),
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("kind", list(DepartureType))
async def test_each_type_is_registered_and_shown(api: Api, kind: DepartureType) -> None:
    created = await api.call("POST", "/api/departures", json=_body(departureType=kind.value))
    assert created.status == 201
    assert created.body["departureType"] == kind.value
    assert created.body["regrettable"] is None
    stored = await api.call("GET", created.headers["Location"])
    assert stored.body["departureType"] == kind.value


async def test_without_a_type_it_is_a_resignation(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    assert created.body["departureType"] == "resignation"


async def test_an_unknown_type_is_a_clear_422_and_nothing_is_stored(api: Api) -> None:
    answer = await api.call(
        "POST", "/api/departures", json=_body(departureType="fired"), headers={}
    )
    assert answer.status == 422
    [problem] = answer.body["problems"]
    assert problem["field"] == "departureType"
    assert problem["code"] == "request.enum"
    assert "'resignation'" in problem["message"] and "'dismissal'" in problem["message"]
    assert await api.count() == 0
    assert await api.audit_count() == 0


async def test_patch_changes_the_type_and_the_regret(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    path = f"/api/departures/{created.body['id']}"
    changed = await api.call(
        "PATCH", path, json={"departureType": "dismissal", "regrettable": True}
    )
    assert changed.status == 200
    assert (changed.body["departureType"], changed.body["regrettable"]) == ("dismissal", True)
    cleared = await api.call("PATCH", path, json={"regrettable": None})
    assert (cleared.body["departureType"], cleared.body["regrettable"]) == ("dismissal", None)
    both = await api.call(
        "PATCH", path, json={"lastWorkingDay": future(60), "departureType": "other"}
    )
    assert (both.body["lastWorkingDay"], both.body["departureType"]) == (future(60), "other")
    assert (await api.call("GET", path)).body == both.body


@pytest.mark.parametrize(
    "body",
    [{"departureType": "fired"}, {}, {"departureType": None}, {"regrettable": "maybe"}],
    ids=["unknown-type", "nothing", "null-type", "not-a-boolean"],
)
async def test_a_bad_patch_changes_nothing(api: Api, body: dict[str, Any]) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    path = f"/api/departures/{created.body['id']}"
    before = await api.call("GET", path)
    answer = await api.call("PATCH", path, json=body)
    assert answer.status == 422
    assert answer.body["problems"]
    assert (await api.call("GET", path)).body == before.body


async def test_a_patch_on_a_cancelled_departure_is_a_conflict(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    path = f"/api/departures/{created.body['id']}"
    await api.call("POST", f"{path}/cancel")
    answer = await api.call("PATCH", path, json={"departureType": "retirement"})
    assert answer.status == 409
    assert answer.body["problems"][0]["code"] == "register.not_active"
    assert (await api.call("GET", path)).body["departureType"] == "resignation"


async def test_a_boomerang_is_registered_once_the_first_departure_is_over(api: Api) -> None:
    first = await api.call("POST", "/api/departures", json=_body())
    while_open = await api.call("POST", "/api/departures", json=_body(departureType="other"))
    assert while_open.status == 409
    await api.call("POST", f"/api/departures/{first.body['id']}/cancel")
    again = await api.call("POST", "/api/departures", json=_body(departureType="fixed_term_end"))
    assert again.status == 201
    assert again.body["id"] != first.body["id"]


async def test_the_openapi_document_lists_the_types(api: Api) -> None:
    schemas = (await openapi_document(api))["components"]["schemas"]
    kinds = [kind.value for kind in DepartureType]
    assert schemas["DepartureType"]["enum"] == kinds
    assert "departureType" in schemas["DepartureIn"]["properties"]
    assert {"departureType", "regrettable"} <= set(schemas["DepartureOut"]["properties"])
    assert set(schemas["DepartureChange"]["properties"]) == {
        "lastWorkingDay",
        "departureType",
        "regrettable",
    }
