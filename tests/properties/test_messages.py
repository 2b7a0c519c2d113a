"""/api/messages takes any activity Teams (or anyone) could post: messages and card invokes with
arbitrary ids, names, locales, text and values, and bodies that are not activities at all. None
answers 5xx, none fails a turn (a failed turn logs its traceback), and a refused one stores
nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import aiohttp
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import and_, exists, func, select

from storage.tables import audit_log, conversation_refs, seen_activities
from testkit.waiting import wait_until
from tests.helpers.journey import EVERYONE, TeamsUser
from tests.helpers.service import APP_ID, TENANT
from tests.properties.strategies import (
    Shown,
    deep,
    examples,
    json_values,
    nasty_text,
    nested,
    raw_bodies,
    short_text,
)
from tests.properties.watch import (
    JOURNEY,
    POSTGRES_TOO,
    SQLITE_ONLY,
    Service,
    assert_quiet,
    changed,
)

REACH = (conversation_refs, seen_activities, *JOURNEY)

people = st.sampled_from(EVERYONE)
# Field -> a strategy for its arbitrary value; each example replaces a few of them.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": short_text,
    "locale": st.one_of(short_text, st.sampled_from(["da-DK", "sv-SE", "nb-NO", "en-US", ""])),
    "text": nasty_text,
    "from.name": short_text,
    "from.id": short_text,
    "from.aadObjectId": st.one_of(st.none(), short_text),
    "conversation.id": short_text,
    "recipient": json_values(6),
    "channelData": json_values(6),
    "entities": json_values(6),
    "attachments": json_values(6),
    "value": json_values(),
    "name": st.one_of(st.just("adaptiveCard/action"), short_text),
    "textFormat": short_text,
    "timestamp": short_text,
}


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any]:
    """A Teams-shaped activity from one of the demo's people, with some fields arbitrary."""
    user: TeamsUser = draw(people)
    kind = draw(st.sampled_from(["message", "message", "invoke", "installationUpdate"]))
    activity = teams_activity(user, kind)
    if kind == "invoke":
        activity["name"] = "adaptiveCard/action"
        verb = draw(st.one_of(st.sampled_from(["help.show", "status.list"]), short_text))
        activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": {}}}
    for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=4)):
        place(activity, name, draw(FIELDS[name]))
    return activity


def teams_activity(user: TeamsUser, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "id": "activity-1",
        "channelId": "msteams",
        "serviceUrl": "{connector}",
        "locale": "en-US",
        "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad},
        "recipient": {"id": f"28:{APP_ID}", "name": "exitbot"},
        "conversation": {
            "id": user.conversation,
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "text": "help",
    }


def place(activity: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    node = activity
    for parent in parents:
        node = node[parent]
    node[last] = value


async def post(service: Service, body: bytes, *, signed: bool = True) -> aiohttp.ClientResponse:
    """Post raw bytes as the Bot Connector would, signed for the connector stand-in."""
    live = service.live
    headers = {"Content-Type": "application/json"}
    if signed:
        token = live.issuer.token(audience=APP_ID, service_url=live.connector.url)
        headers["Authorization"] = f"Bearer {token}"
    async with live.http.post(f"{live.url}/api/messages", data=body, headers=headers) as r:
        await r.read()
        return r


def encode(activity: dict[str, Any], connector_url: str) -> bytes:
    """The activity as JSON (lone surrogates escaped, as JSON allows). Its id gets a unique
    tail: Teams' re-sends are dropped by id, and Hypothesis replays a failing example."""
    if activity.get("serviceUrl") == "{connector}":
        activity = {**activity, "serviceUrl": connector_url}
    if isinstance(activity.get("id"), str):
        activity = {**activity, "id": f"{activity['id']}|{uuid.uuid4().hex}"}
    return json.dumps(activity).encode()


@POSTGRES_TOO
@examples(100)
@given(activity=activities())
@example(activity={**teams_activity(EVERYONE[0], "message"), "text": "hj\x00lp"})
@example(activity={**teams_activity(EVERYONE[0], "message"), "id": "a\ud800"})
@example(activity={**teams_activity(EVERYONE[0], "message"), "locale": "da\udfff"})
@example(activity={**teams_activity(EVERYONE[0], "message"), "from": {"id": "x", "name": "\ud800"}})
@example(activity={**teams_activity(EVERYONE[4], "message"), "recipient": {}})
async def test_no_activity_fails_a_turn(
    service: Service, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]
) -> None:
    caplog.clear()
    await earlier_turns_marked(service)
    before = await service.snapshot(*REACH)
    response = await post(service, encode(activity, service.live.connector.url))
    assert response.status < 500 or unsupported_invoke(activity, response.status)
    if 400 <= response.status < 500:
        assert not changed(before, await service.snapshot(*REACH))
    assert_quiet(caplog)


@SQLITE_ONLY
@pytest.mark.parametrize("kind", ["message", "invoke"])
async def test_a_reply_to_a_conversation_teams_does_not_know_ends_the_turn_quietly(
    service: Service, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    activity = teams_activity(EVERYONE[0], kind)
    if kind == "invoke":  # a press of the help card's button
        activity["name"] = "adaptiveCard/action"
        activity["value"] = {"action": {"type": "Action.Execute", "verb": "help.show"}}
    # Found by test_no_activity_fails_a_turn (explore profile): the connector answers 404.
    activity["conversation"] = {**activity["conversation"], "id": "\r\n"}
    caplog.clear()
    response = await post(service, encode(activity, service.live.connector.url))
    assert response.status == 200
    if kind == "invoke":  # the press is answered with the reason, not left to fail in Teams
        answer = await response.json()
        assert answer["type"] == "application/vnd.microsoft.activity.message"
        assert answer["value"] == service.live.text("error.generic")
    assert_quiet(caplog)


async def earlier_turns_marked(service: Service) -> None:
    """An earlier example's turn that wrote nothing is marked handled a moment after it was
    answered (storage/turns.py marks such turns together): not a change of this request. A
    turn that wrote an audit row is marked by it (audit_log.activity_id)."""

    async def none_pending() -> bool:
        audited = exists().where(audit_log.c.activity_id == seen_activities.c.activity_id)
        pending = and_(seen_activities.c.pending_until.is_not(None), ~audited)
        async with service.db.sessions() as session:
            count = await session.scalar(select(func.count()).where(pending))
        return not count

    await wait_until(none_pending, what="earlier turns marked handled")


def unsupported_invoke(activity: dict[str, Any], status: int) -> bool:
    """An invoke the bot does not serve (not a card's Action.Execute) is answered 501, as
    botbuilder does: an answer, not a failure."""
    served = activity.get("name") == "adaptiveCard/action"
    return status == 501 and activity.get("type") == "invoke" and not served


def deep_activity(depth: int) -> Shown:
    """A whole activity whose value nests `depth` deep (the issue's 200 KB)."""
    activity = teams_activity(EVERYONE[0], "invoke")
    activity["serviceUrl"] = "http://127.0.0.1:9"
    text = json.dumps(activity)
    body = text[:-1] + ', "name": "adaptiveCard/action", "value": ' + nested(depth) + "}"
    return Shown(body.encode(), f"deep_activity({depth})")


@SQLITE_ONLY  # refused before any database is asked
@examples(40)
@given(body=raw_bodies, signed=st.booleans())
@example(body=deep_activity(50_000), signed=True)
@example(body=deep(100_000, "a"), signed=False)
async def test_a_body_that_is_no_activity_is_refused_with_4xx(
    service: Service, caplog: pytest.LogCaptureFixture, body: Shown, signed: bool
) -> None:
    caplog.clear()
    before = await service.snapshot(*REACH)
    response = await post(service, body.value, signed=signed)
    assert 400 <= response.status < 500
    assert not changed(before, await service.snapshot(*REACH))
    assert_quiet(caplog)
