"""Nobody speaks for someone else (issue 12): Teams' user id (`from.id`) is stable per person
and bot, so an activity whose `from.id` and `aadObjectId` contradict a stored person is
refused (403): nothing stored, nobody's chat rewritten, no card, no survey answer shown."""

from __future__ import annotations

from typing import Any

import pytest

from bot.typedefs import DATABASE
from journey.ports import ConversationRef
from storage.conversations import SqlConversationRefStore, speaks_for_another
from tests.bot.identity_app import identity_app, post_signed, stored
from tests.helpers.journey import LEAVER, PARTNER, STRANGER, LiveApp, TeamsUser, texts_of
from tests.helpers.service import APP_ID
from tests.survey.helpers import STAY, at_the_send, card_of

__all__ = ["identity_app"]  # the fixture, for pytest

REFUSED = {"error": "the sender's Teams user id and Entra object id do not match"}


async def _survey_sent(app: LiveApp) -> str:
    """Sofie booked with Peter (the HR partner), answered and sent the survey: its id."""
    departure, card = await at_the_send(app)
    card_of(await app.press_button(LEAVER, card, "survey.send"))
    return departure.id


def _forged(
    app: LiveApp, kind: str, *, user_id: str, aad: str, conversation: str, **extra: Any
) -> dict[str, Any]:
    activity = app.activity(STRANGER, kind, locale="en-US", **extra)
    activity["from"].update(id=user_id, aadObjectId=aad)
    activity["conversation"]["id"] = conversation
    return activity


async def _post(app: LiveApp, activity: dict[str, Any]) -> tuple[int, Any]:
    token = app.issuer.token(audience=APP_ID, service_url=activity["serviceUrl"])
    return await post_signed(app, activity, token)


def _refresh(departure_id: str) -> dict[str, Any]:
    action = {"type": "Action.Execute", "verb": "task.refresh", "data": {"departure": departure_id}}
    return {"name": "adaptiveCard/action", "value": {"action": action}}


async def test_someone_with_the_interviewers_object_id_sees_no_answers_and_moves_no_chat(
    identity_app: LiveApp,
) -> None:
    app = identity_app
    departure_id = await _survey_sent(app)
    # The positive control: Peter himself sees what Sofie shared.
    own = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure_id}))
    assert STAY in texts_of(own)
    await app.say(STRANGER, "help")  # the stranger's own, real address
    await app.settled()  # the survey's notifications have gone out: none arrives below
    before = await stored(app)
    sent = len(app.connector.requests)
    assert before.refs[PARTNER.aad]["user_id"] == PARTNER.user_id

    attempts = [
        # The stranger's own Teams id with Peter's object id, in the stranger's chat.
        dict(user_id=STRANGER.user_id, aad=PARTNER.aad, conversation=STRANGER.conversation),
        # A Teams id never seen before with Peter's object id, in a new chat.
        dict(user_id="29:never-seen", aad=PARTNER.aad, conversation="a:personal-never-seen"),
        # Peter's Teams id with the stranger's object id.
        dict(user_id=PARTNER.user_id, aad=STRANGER.aad, conversation=STRANGER.conversation),
    ]
    for who in attempts:
        for kind, extra in (
            ("invoke", _refresh(departure_id)),
            ("message", {"text": "survey"}),
            ("installationUpdate", {"action": "add"}),
        ):
            status, body = await _post(app, _forged(app, kind, **who, **extra))
            assert (status, body) == (403, REFUSED), (who, kind)

    assert await stored(app) == before  # no chat rewritten, nothing claimed, nothing audited
    assert len(app.connector.requests) == sent  # no card, no welcome, no member lookup
    assert STAY not in "".join(str(r.body) for r in app.connector.requests[sent:])


async def test_a_person_keeps_their_teams_id_across_a_reinstall(identity_app: LiveApp) -> None:
    app = identity_app
    await app.say(LEAVER, "help")
    again = TeamsUser(LEAVER.user_id, LEAVER.aad, LEAVER.upn, LEAVER.name)
    activity = app.activity(again, "message", locale="en-US", text="help")
    activity["conversation"]["id"] = "a:personal-leaver-reinstalled"

    status, _ = await _post(app, activity)

    assert status == 200
    ref = (await stored(app)).refs[LEAVER.aad]
    assert (ref["user_id"], ref["conversation_id"]) == (
        LEAVER.user_id,
        "a:personal-leaver-reinstalled",
    )


async def test_someone_the_bot_reached_first_answers_with_their_teams_id(
    identity_app: LiveApp,
) -> None:
    """Through Graph the bot opens a chat with the Entra object id as the member (no Teams id
    is known yet): the person's first activity brings their Teams id and is not refused."""
    app = identity_app
    refs = SqlConversationRefStore(app.app[DATABASE])
    await refs.save(
        ConversationRef(
            user_key=PARTNER.aad,
            user_id=PARTNER.aad.upper(),
            upn=PARTNER.upn,
            conversation_id="a:opened-by-the-bot",
            service_url=app.connector.url,
            tenant_id=None,
        )
    )

    await app.say(PARTNER, "help")

    ref = (await stored(app)).refs[PARTNER.aad]
    assert (ref["user_id"], ref["conversation_id"]) == (PARTNER.user_id, PARTNER.conversation)
    await app.card_for(PARTNER, app.text("help.title"))


def _ref(user_key: str, user_id: str) -> ConversationRef:
    return ConversationRef(
        user_key=user_key, user_id=user_id, conversation_id="a:1", service_url="https://s/"
    )


@pytest.mark.parametrize(
    ("known", "user_key", "user_id", "refused"),
    [
        ([], "aad-a", "29:a", False),  # someone new
        ([_ref("aad-a", "29:a")], "aad-a", "29:a", False),  # the same person
        ([_ref("aad-a", "29:b")], "aad-a", "29:a", True),  # A known with another Teams id
        ([_ref("aad-b", "29:a")], "aad-a", "29:a", True),  # A's Teams id is B's
        ([_ref("aad-a", "AAD-A")], "aad-a", "29:a", False),  # opened by the bot, first answer
        ([_ref("29:a", "29:a")], "aad-a", "29:a", False),  # written before without object id
        ([_ref("aad-a", "29:a")], "29:a", "29:a", True),  # no object id, the id is A's
    ],
)
def test_the_rule(known: list[ConversationRef], user_key: str, user_id: str, refused: bool) -> None:
    assert speaks_for_another(known, user_key, user_id) is refused
