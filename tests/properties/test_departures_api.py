"""HR's departures API takes any body and any path id: POST, PATCH, GET and cancel answer 2xx or
a 4xx with its reasons, never 5xx; a refused call stores nothing, a change is audited, and no
text a database or a log cannot hold is ever stored."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from yarl import URL

from tests.helpers.hr_api import Answer
from tests.helpers.journey import T0
from tests.properties.strategies import Shown, examples, json_values, raw_bodies, short_text
from tests.properties.watch import (
    POSTGRES_TOO,
    SQLITE_ONLY,
    Service,
    assert_clean,
    assert_quiet,
    changed,
)

LEAVERS = (
    "leaver@contoso.example",
    "leaver.se@contoso.example",
    "leaver.no@contoso.example",
    "union.rep@contoso.example",
)
TYPES = ("resignation", "retirement", "fixed_term_end", "traineeship_end", "dismissal", "other")

days = st.one_of(
    st.integers(min_value=-5, max_value=500).map(lambda n: (T0.date() + timedelta(n)).isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "31-12-2026"]),
    short_text,
)
# Field -> strategy for a plausible or arbitrary value of it.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "externalId": st.one_of(st.none(), short_text, st.sampled_from(["HR-1", "HR-2", "HR-\x00"])),
    "leaver": st.one_of(st.sampled_from(LEAVERS), short_text),
    "manager": st.one_of(st.none(), st.just("manager@contoso.example"), short_text),
    "unit": st.one_of(st.sampled_from(["social-care", "", "no-such-unit"]), short_text),
    "lastWorkingDay": days,
    "locale": st.one_of(st.none(), st.sampled_from(["da", "sv", "nb", "en", "fi"]), short_text),
    "interviewerPool": st.one_of(
        st.lists(st.one_of(st.just("hrpartner@contoso.example"), short_text), max_size=3),
        json_values(4),
    ),
    "departureType": st.one_of(st.sampled_from(TYPES), short_text),
    "regrettable": st.one_of(st.booleans(), st.none(), json_values(2)),
}
CHANGE_FIELDS = ("lastWorkingDay", "departureType", "regrettable")


@st.composite
def bodies(draw: st.DrawFn, fields: tuple[str, ...]) -> Any:
    """A body with some of `fields`, each plausible or arbitrary; now and then any JSON."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values())
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, min_size=1))
    body = {name: draw(FIELDS[name]) for name in chosen}
    if draw(st.booleans()):
        body.update(draw(st.dictionaries(short_text, json_values(3), max_size=2)))
    return body


def plausible(**changes: Any) -> dict[str, Any]:
    body = {
        "externalId": "HR-0",
        "leaver": LEAVERS[0],
        "unit": "social-care",
        "lastWorkingDay": (T0.date() + timedelta(30)).isoformat(),
    }
    return {**body, **changes}


path_ids = st.one_of(short_text, st.sampled_from(["%00", "..", "x/../y", " ", "\x00"]))


def path_of(departure_id: str, tail: str = "") -> str:
    """The departure's path, its id percent-encoded as UTF-8 (a lone surrogate as its bytes)."""
    encoded = quote(departure_id.encode("utf-8", "surrogatepass"), safe="")
    return f"/api/departures/{encoded}{tail}"


async def call(service: Service, method: str, path: str, body: Any = None) -> Answer:
    """Call the API as HR's system, the path sent exactly as written, a JSON body (or bytes)."""
    api = service.api
    headers = {"Authorization": f"Bearer {api.token()}", "Content-Type": "application/json"}
    data = body if isinstance(body, bytes) else None
    async with api.http.request(
        method,
        URL(api.url + path, encoded=True),
        json=None if data is not None or body is None else body,
        data=data,
        headers=headers,
    ) as response:
        raw = await response.read()
        return Answer(response.status, raw.decode("utf-8", "replace"), dict(response.headers))


async def checked_call(
    service: Service, caplog: pytest.LogCaptureFixture, method: str, path: str, body: Any
) -> Answer:
    """The call, with what every property asks of it: no 5xx, no failure logged, a refusal
    stores nothing, a change is audited, nothing unreadable stored."""
    caplog.clear()
    before, audited = await service.snapshot(), await service.audit_rows()
    answer = await call(service, method, path, body)
    after = await service.snapshot()
    assert answer.status < 500, answer.body
    if answer.status >= 400:
        assert not changed(before, after), f"{answer.status} but stored: {changed(before, after)}"
    elif changed(before, after):
        assert await service.audit_rows() > audited, "changed without an audit entry"
    assert_clean(before, after)
    assert_quiet(caplog)
    if answer.status < 300 and method != "GET":
        assert_within_window(service, json.loads(answer.body)["lastWorkingDay"])
    return answer


def assert_within_window(service: Service, day: str) -> None:
    """A registered or moved last working day is one HR's configuration allows: not past, not
    further ahead than its limit (organisation.yaml departures.max_days_ahead)."""
    ahead = getattr(service.api.config, "max_days_ahead", 3650)
    assert T0.date() <= date.fromisoformat(day) <= T0.date() + timedelta(ahead), day


@pytest.fixture
async def registered(service: Service) -> str:
    """A departure HR registered, for the calls that change one."""
    answer = await call(service, "POST", "/api/departures", plausible(externalId="HR-base"))
    assert answer.status == 201, answer.body
    return answer.headers["Location"].rsplit("/", 1)[1]


@POSTGRES_TOO
@examples(100)
@given(body=bodies(tuple(FIELDS)))
@example(body=plausible(externalId="HR-\x00"))
@example(body=plausible(externalId="HR-\ud800"))
@example(body=plausible(leaver="leaver@contoso.example\x00"))
@example(body=plausible(lastWorkingDay="9999-12-31"))
async def test_any_registration_is_answered_and_a_refused_one_stores_nothing(
    service: Service, caplog: pytest.LogCaptureFixture, body: Any
) -> None:
    answer = await checked_call(service, caplog, "POST", "/api/departures", body)
    assert answer.status in (200, 201, 400, 409, 422), answer.body


@SQLITE_ONLY  # refused before any database is asked
@examples(40)
@given(body=raw_bodies)
async def test_a_body_that_is_not_json_is_refused(
    service: Service, caplog: pytest.LogCaptureFixture, body: Shown
) -> None:
    answer = await checked_call(service, caplog, "POST", "/api/departures", body.value)
    assert 400 <= answer.status < 500, answer.body


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, str | None, str, Any]:
    """A call on one departure: HR's registered one (None) or any path id."""
    method, tail = draw(
        st.sampled_from([("PATCH", ""), ("GET", ""), ("GET", "/timeline"), ("POST", "/cancel")])
    )
    departure = draw(st.one_of(st.none(), path_ids)) if method == "PATCH" else draw(path_ids)
    body = draw(bodies(CHANGE_FIELDS)) if method == "PATCH" else None
    return method, departure, tail, body


@POSTGRES_TOO
@examples(150)
@given(request=calls())
@example(request=("PATCH", "\x00", "", {"lastWorkingDay": "2026-12-24"}))
@example(request=("PATCH", None, "", {"lastWorkingDay": "9999-12-31"}))
@example(request=("PATCH", None, "", {"departureType": "other\x00"}))
@example(request=("GET", "\x00", "", None))
@example(request=("GET", "\ud800", "/timeline", None))
@example(request=("POST", "%00", "/cancel", None))
async def test_any_call_on_a_departure_is_answered_and_a_refused_one_stores_nothing(
    service: Service,
    caplog: pytest.LogCaptureFixture,
    registered: str,
    request: tuple[str, str | None, str, Any],
) -> None:
    method, departure, tail, body = request
    path = path_of(registered if departure is None else departure, tail)
    answer = await checked_call(service, caplog, method, path, body)
    if departure is None:  # HR's departure: changed, or the change refused
        assert answer.status in (200, 400, 409, 422), answer.body
    else:  # no departure has this id (a PATCH's body may be refused first)
        assert answer.status in (400, 404, 405, 422), answer.body
