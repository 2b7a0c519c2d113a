"""POST/GET/PATCH /api/departures and cancel, as HR's system calls them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from testkit.standins.tokens import new_key
from tests.helpers.hr_api import APP_ID, CLIENT_ID, ENTRA_ISSUER, TENANT, Api, future

# What HR registered, as opposed to the journey's progress (status, reach, version).
JOURNEY_FIELDS = frozenset({"status", "reach", "version", "updatedAt"})


def _registered_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in JOURNEY_FIELDS}


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": "HR-2026-0042",
        "leaver": "leaver@contoso.example",
        "unit": "social-care",
        "lastWorkingDay": future(),
    }
    body.update(changes)
    return body


async def test_register_then_the_same_body_again_gives_the_same_departure(api: Api) -> None:
    first = await api.call("POST", "/api/departures", json=_body())
    assert first.status == 201
    assert first.headers["Location"] == f"/api/departures/{first.body['id']}"
    assert first.body["leaver"] == "leaver@contoso.example"
    assert first.body["manager"] == "manager@contoso.example"
    assert first.body["status"] == "registered"
    assert first.body["locale"] == "da"

    # Registering tried the offer at once; what HR's system sees now is the stored state.
    stored = await api.call("GET", first.headers["Location"])
    assert _registered_fields(stored.body) == _registered_fields(first.body)

    again = await api.call("POST", "/api/departures", json=_body())
    assert again.status == 200
    assert again.body == stored.body  # the repeat changed nothing, not even the version
    assert await api.count() == 1


async def test_the_caller_is_in_the_audit_trail(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    from storage.repositories import SqlAuditLog

    entries = await SqlAuditLog(api.db).for_departure(created.body["id"])
    assert (entries[0].actor, entries[0].action, entries[0].detail) == (
        f"api:{CLIENT_ID}",
        "departure.registered",
        {"door": "api"},
    )


async def test_a_new_last_day_for_the_same_external_id_updates(api: Api) -> None:
    first = await api.call("POST", "/api/departures", json=_body())
    stored = await api.call("GET", first.headers["Location"])
    moved = future(60)
    again = await api.call("POST", "/api/departures", json=_body(lastWorkingDay=moved))
    assert again.status == 200
    assert again.body["id"] == first.body["id"]
    assert again.body["lastWorkingDay"] == moved
    assert again.body["version"] == stored.body["version"] + 1


async def test_a_call_without_a_token_gets_401_and_stores_nothing(api: Api) -> None:
    answer = await api.call("POST", "/api/departures", json=_body(), token=None)
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.body["problems"][0]["code"] == "auth.unauthorized"
    assert await api.count() == 0
    assert (await api.call("GET", "/api/departures/x", token=None)).status == 401


async def test_a_token_without_the_app_role_gets_403(api: Api) -> None:
    token = api.token(roles=("Something.Else",))
    answer = await api.call("POST", "/api/departures", json=_body(), token=token)
    assert answer.status == 403
    assert answer.body["problems"][0]["code"] == "auth.forbidden"
    no_roles = api.issuer.token(
        audience=f"api://{APP_ID}", service_url="", issuer=ENTRA_ISSUER, tid=TENANT
    )
    assert (await api.call("GET", "/api/departures/x", token=no_roles)).status == 403
    assert await api.count() == 0


@pytest.mark.parametrize(
    "problem",
    ["wrong_audience", "wrong_issuer", "other_tenant", "expired", "wrong_key", "garbage"],
)
async def test_a_token_that_does_not_validate_gets_401(api: Api, problem: str) -> None:
    tokens: dict[str, Callable[[], str]] = {
        "wrong_audience": lambda: api.token(audience="api://someone-else"),
        "wrong_issuer": lambda: api.token(issuer="https://login.microsoftonline.com/evil/v2.0"),
        "other_tenant": lambda: api.token(tid="99999999-0000-0000-0000-000000000000"),
        "expired": lambda: api.token(expires_in=-3600),
        "wrong_key": lambda: api.token(key=new_key()),
        "garbage": lambda: "not.a.jwt",
    }
    answer = await api.call("POST", "/api/departures", json=_body(), token=tokens[problem]())
    assert answer.status == 401
    assert await api.count() == 0


async def test_the_client_id_as_audience_and_a_v1_token_are_accepted(api: Api) -> None:
    # Entra ID issues v1.0 tokens unless the app registration asks for v2.0.
    v1 = api.token(audience=APP_ID, issuer=f"https://sts.windows.net/{TENANT}/", appid=CLIENT_ID)
    answer = await api.call("POST", "/api/departures", json=_body(), token=v1)
    assert answer.status == 201


async def test_the_static_token_works_in_local_mode(
    make_api: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    local = {"EXITBOT_LOCAL_MODE": True, "MICROSOFT_APP_ID": "", "EXITBOT_API_TOKEN": "s3cret"}
    async with make_api(**local) as api:
        answer = await api.call("POST", "/api/departures", json=_body(), token="s3cret")
        assert answer.status == 201
        wrong = await api.call("POST", "/api/departures", json=_body(), token="s3cret-not")
        assert wrong.status == 401
    assert any("local runs only" in record.message for record in caplog.records)


async def test_the_static_token_is_refused_outside_local_mode(
    make_api: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with make_api(EXITBOT_API_TOKEN="s3cret") as api:
        answer = await api.call("POST", "/api/departures", json=_body(), token="s3cret")
        assert answer.status == 401
        assert await api.count() == 0
    assert any("EXITBOT_API_TOKEN is ignored" in record.message for record in caplog.records)


async def test_with_nothing_configured_the_api_answers_401_to_everything(
    make_api: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    nothing = {
        "EXITBOT_LOCAL_MODE": True,
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_TENANT_ID": "",
        "EXITBOT_API_OPENID_METADATA_URL": "",
    }
    async with make_api(**nothing) as api:
        for token in (None, "anything", api.token()):
            answer = await api.call("POST", "/api/departures", json=_body(), token=token)
            assert answer.status == 401
    assert any("401 to every call" in record.message for record in caplog.records)


async def test_an_invalid_body_gets_422_with_every_problem_and_stores_nothing(api: Api) -> None:
    body = _body(lastWorkingDay="30-04-2026", leaver="not an address", colour="blue")
    del body["unit"]
    answer = await api.call("POST", "/api/departures", json=body)
    assert answer.status == 422
    problems = {(p["field"], p["code"]) for p in answer.body["problems"]}
    assert problems == {
        ("leaver", "request.value_error"),
        ("lastWorkingDay", "request.value_error"),
        ("colour", "request.extra_forbidden"),
    }
    assert all(p["message"] for p in answer.body["problems"])
    # The caller's input is never echoed back.
    assert "not an address" not in str(answer.body)
    assert await api.count() == 0
    assert await api.audit_count() == 0


async def test_domain_problems_come_in_the_callers_language(api: Api) -> None:
    body = _body(leaver="nobody@contoso.example", unit="marketing")
    answer = await api.call(
        "POST", "/api/departures", json=body, headers={"Accept-Language": "da-DK, en;q=0.5"}
    )
    assert answer.status == 422
    assert answer.body["problems"] == [
        {
            "field": "leaver",
            "code": "register.unknown_person",
            "message": api.config.text("register.unknown_person", "da"),
        },
        {
            "field": "unit",
            "code": "register.unknown_unit",
            "message": api.config.text("register.unknown_unit", "da"),
        },
    ]
    assert await api.count() == 0


async def test_a_second_departure_for_the_same_leaver_is_a_conflict(api: Api) -> None:
    await api.call("POST", "/api/departures", json=_body())
    answer = await api.call("POST", "/api/departures", json=_body(externalId="HR-other"))
    assert answer.status == 409
    assert answer.body["problems"][0]["code"] == "register.already_registered"
    assert await api.count() == 1


async def test_a_body_that_is_not_json_is_refused(api: Api) -> None:
    answer = await api.call(
        "POST", "/api/departures", headers={"Content-Type": "text/csv"}, json=None
    )
    assert answer.status == 415
    async with api.http.post(
        api.url + "/api/departures",
        data=b'{"leaver": ',
        headers={"Authorization": f"Bearer {api.token()}", "Content-Type": "application/json"},
    ) as response:
        assert response.status == 422
        body = await response.json()
    assert body["problems"][0]["code"] == "request.json_invalid"


async def test_get_shows_the_departure_and_where_it_stands(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    answer = await api.call("GET", f"/api/departures/{created.body['id']}")
    assert answer.status == 200
    assert _registered_fields(answer.body) == _registered_fields(created.body)
    # The leaver never opened the bot and the app cannot be installed here: HR sees that
    # the offer did not reach them, and the departure waits.
    assert created.body["reach"] is None
    assert answer.body["status"] == "registered"
    assert answer.body["reach"] == "no_conversation"
    missing = await api.call("GET", "/api/departures/does-not-exist")
    assert missing.status == 404
    assert missing.body["problems"][0]["code"] == "departure.not_found"


async def test_patch_moves_the_last_day(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    path = f"/api/departures/{created.body['id']}"
    moved = future(70)
    answer = await api.call("PATCH", path, json={"lastWorkingDay": moved})
    assert answer.status == 200
    assert answer.body["lastWorkingDay"] == moved
    assert (await api.call("GET", path)).body["lastWorkingDay"] == moved

    past = await api.call("PATCH", path, json={"lastWorkingDay": "2020-01-01"})
    assert past.status == 422
    assert past.body["problems"][0] == {
        "field": "lastWorkingDay",
        "code": "register.last_day_in_past",
        "message": api.config.text("register.last_day_in_past", "en"),
    }
    unknown = await api.call("PATCH", path, json={"lastWorkingDay": moved, "status": "held"})
    assert unknown.status == 422
    assert (
        await api.call("PATCH", "/api/departures/nope", json={"lastWorkingDay": moved})
    ).status == 404


async def test_cancel_the_leaver_stays(api: Api) -> None:
    created = await api.call("POST", "/api/departures", json=_body())
    path = f"/api/departures/{created.body['id']}"
    answer = await api.call("POST", f"{path}/cancel")
    assert answer.status == 200
    assert answer.body["status"] == "cancelled"
    again = await api.call("POST", f"{path}/cancel")
    assert (again.status, again.body["status"]) == (200, "cancelled")
    late = await api.call("PATCH", path, json={"lastWorkingDay": future(80)})
    assert late.status == 409
    assert late.body["problems"][0]["code"] == "register.not_active"
    assert (await api.call("POST", "/api/departures/nope/cancel")).status == 404
