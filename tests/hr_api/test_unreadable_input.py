"""Characters no id holds (issue 12): U+0000 and other control characters, and lone
surrogates, in the path or the body of HR's API are refused with 400 and a clear message, never
a 500, and nothing is stored. The real service, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.hr_api import Api, future
from tests.hr_api.conftest import Both


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": "HR-2026-0200",
        "leaver": "leaver@contoso.example",
        "unit": "social-care",
        "lastWorkingDay": future(),
    }
    body.update(changes)
    return body


def _refused_for(answer: Any, field: str) -> None:
    assert answer.status == 400, answer.body
    [problem] = answer.body["problems"]
    assert (problem["field"], problem["code"]) == (field, "request.control_character")
    assert "control character" in problem["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/departures/%00"),
        ("GET", "/api/departures/abc%00def/timeline"),
        ("PATCH", "/api/departures/%1b"),
        ("POST", "/api/departures/%00/cancel"),
    ],
)
async def test_a_control_character_in_the_path_is_a_400(
    both_doors: Both, method: str, path: str
) -> None:
    api = both_doors.api
    body = {"lastWorkingDay": future()} if method == "PATCH" else None
    answer = await api.call(method, path, json=body)
    _refused_for(answer, "id")
    assert await api.count() == 0


async def test_an_id_that_is_not_utf8_in_the_path_is_not_found_and_never_a_500(
    both_doors: Both,
) -> None:
    # %ED%A0%80 is U+D800 (a lone surrogate) written as UTF-8, which UTF-8 does not allow.
    answer = await both_doors.api.call("GET", "/api/departures/%ED%A0%80")
    assert answer.status == 404
    assert answer.body["problems"][0]["code"] == "departure.not_found"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("externalId", "HR-\u0000-1"),
        ("externalId", "HR-\ud800"),
        ("externalId", "HR-\udc00-\ud83d"),
        ("leaver", "leaver\u0000@contoso.example"),
        ("manager", "manager@contoso.example\u001f"),
        ("unit", "social\u0000care"),
        ("locale", "da\u0000"),
        ("timeZone", "Europe/Copenhagen\u0000"),
    ],
)
async def test_a_control_character_or_lone_surrogate_in_the_body_is_a_400(
    both_doors: Both, field: str, value: str
) -> None:
    api = both_doors.api
    answer = await api.call("POST", "/api/departures", json=_body(**{field: value}))
    assert answer.status == 400, answer.body
    [problem] = answer.body["problems"]
    assert problem["code"] == "request.control_character"
    assert problem["field"] in (field, "")  # "": the JSON parser refused a lone surrogate
    assert await api.count() == 0
    assert await api.audit_count() == 0


async def test_a_control_character_in_the_pool_is_a_400_and_a_real_emoji_is_fine(
    both_doors: Both,
) -> None:
    api = both_doors.api
    bad = _body(interviewerPool=["hrpartner@contoso.example", "x\u0000@contoso.example"])
    _refused_for(await api.call("POST", "/api/departures", json=bad), "interviewerPool")
    assert await api.count() == 0

    # A surrogate pair is a character like any other (HR's system may put one in its ids).
    created = await api.call("POST", "/api/departures", json=_body(externalId="HR-\U0001f600"))
    assert created.status == 201
    assert created.body["externalId"] == "HR-\U0001f600"
    await _found(api, created.body["id"])


async def _found(api: Api, departure_id: str) -> None:
    answer = await api.call("GET", f"/api/departures/{departure_id}")
    assert answer.status == 200
