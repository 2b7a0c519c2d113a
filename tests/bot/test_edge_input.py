"""No input breaks a turn at /api/messages (issue 12): nesting too deep is refused with 400
before anything else, and NUL bytes or lone surrogates anywhere in an activity are cleaned at
the edge, so the turn works and what the person typed is kept."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest

from bot.activity_input import nesting_depth
from bot.typedefs import DATABASE
from journey.text_input import MAX_DEPTH
from storage.conversations import SqlConversationRefStore
from tests.helpers.journey import LEAVER, LiveApp, cards_of, texts_of
from tests.helpers.live_service import live_service
from tests.helpers.service import Running, make_activity
from tests.survey.helpers import card_of, started, stored

# About 200 KB each, within the body size the service accepts (256 KB).
DEEP_ARRAYS = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECTS = b'{"a":' * 40_000 + b"1" + b"}" * 40_000


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        yield live


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [record for record in caplog.records if record.exc_info]
    assert "Traceback" not in caplog.text
    assert "RecursionError" not in caplog.text


def _nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {"x": [value]}
    return value


async def test_deeply_nested_json_is_refused_with_400_and_no_traceback(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    # Seen: 200 KB of nested JSON raised RecursionError before authentication: 500 and a
    # traceback per request.
    caplog.set_level(logging.INFO)
    # A signed-looking Teams activity whose card payload nests 20,000 levels deep.
    activity = make_activity(running.connector.url, "invoke", name="adaptiveCard/action")
    activity["value"] = "VALUE"
    deep_value = '{"x": [' * 20_000 + "1" + "]}" * 20_000
    deep_activity = json.dumps(activity).replace('"VALUE"', deep_value).encode()
    bodies = [DEEP_ARRAYS, DEEP_OBJECTS, deep_activity]
    for body in bodies:
        assert len(body) < 256 * 1024
        response = await running.http.post(
            f"{running.url}/api/messages",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        )
        assert response.status == 400
        assert await response.json() == {"error": f"the body nests deeper than {MAX_DEPTH} levels"}
    _no_traceback(caplog)
    assert running.connector.requests == []


async def test_a_card_payload_nested_as_deep_as_a_real_one_still_gets_its_turn(
    running: Running,
) -> None:
    invoke = make_activity(
        running.connector.url,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "help.show", "data": _nested(25)}},
    )
    response = await running.post(invoke)
    assert response.status == 200
    assert (await response.json())["statusCode"] == 200


async def test_a_body_that_is_not_json_or_not_utf8_is_refused_with_400(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    for body, error in [
        (b'{"type": "message", ', "the body is not valid JSON"),
        (b'{"a": "\xff"}', "the body is not UTF-8"),
        (b'{"n": ' + b"9" * 5000 + b"}", "the body is not valid JSON"),
    ]:
        response = await running.http.post(
            f"{running.url}/api/messages",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        assert response.status == 400
        assert await response.json() == {"error": error}
    _no_traceback(caplog)


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[{{{{", "b": "\\"]]]"}', 1),  # brackets in strings, escaped quotes
        (b'["\\\\", ["x"]]', 2),  # an escaped backslash ends before the quote
        (b"42", 0),
    ],
)
def test_nesting_is_measured_without_parsing(raw: bytes, depth: int) -> None:
    assert nesting_depth(raw) == depth


async def test_nul_and_lone_surrogates_in_id_name_locale_and_text_do_not_break_the_turn(
    app: LiveApp, caplog: pytest.LogCaptureFixture
) -> None:
    # Seen: a lone surrogate in an activity id, a name or a locale failed the turn on both
    # databases; U+0000 fails PostgreSQL.
    activity = app.activity(LEAVER, "message", locale="da\x00-DK", text="help\x00")
    activity["id"] = "activity-\ud800-\x00-1"
    activity["from"]["name"] = "Sofie\x00 \udc00"
    response = await app.post(activity)  # aiohttp sends them as \u0000 and \ud800 escapes
    assert response.status == 200
    cards = [card for sent in app.sent_to(LEAVER) for card in cards_of(sent)]
    assert [card["lang"] for card in cards] == ["da", "da"]  # the welcome, then the help
    assert app.text("help.title", "da") in texts_of(cards[1])

    ref = await SqlConversationRefStore(app.app[DATABASE]).get(LEAVER.aad)
    assert ref is not None
    assert (ref.name, ref.locale) == ("Sofie \ufffd", "da-DK")

    # Teams' re-send of the same activity is recognised by its cleaned id: answered once.
    assert (await app.post(activity)).status == 200
    assert len(app.sent_to(LEAVER)) == 2

    # A locale that is nothing but a lone surrogate: still answered.
    odd = app.activity(LEAVER, "message", locale="\ud800", text="help")
    assert (await app.post(odd)).status == 200
    assert len(app.sent_to(LEAVER)) == 3
    _no_traceback(caplog)


async def test_a_survey_answer_with_nul_and_a_lone_surrogate_is_stored_cleaned(
    app: LiveApp, caplog: pytest.LogCaptureFixture
) -> None:
    # Seen: a survey answer with U+0000 failed the turn on PostgreSQL and the answer was lost.
    departure, first = await started(app)
    typed = "Mit team var godt\x00, men lønnen \ud800 var for lav\r\nTak\x07"
    answer = await app.press(LEAVER, "survey.next", {**_next_data(first), "q_reasons_more": typed})
    next_card = card_of(answer)
    assert "survey.next" in [a.get("verb") for a in next_card["actions"]]
    _, answers = await stored(app, departure.id)
    kept = {a.question_id: a.value for a in answers}
    assert kept["reasons_more"] == "Mit team var godt, men lønnen \ufffd var for lav\r\nTak"
    _no_traceback(caplog)


def _next_data(card: dict) -> dict:
    return next(a for a in card["actions"] if a.get("verb") == "survey.next")["data"]
