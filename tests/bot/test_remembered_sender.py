"""A person's next turn within a minute starts from what the last one read of them (issue 13,
storage/senders.py): one statement fewer, the same answer, and a chat or language that changed
in between is what the bot uses."""

from __future__ import annotations

from bot.typedefs import DATABASE
from storage.conversations import SqlConversationRefStore
from tests.helpers.journey import LEAVER, LiveApp, cards_of, texts_of
from tests.storage.test_click_statements import counted, statements

__all__ = ["counted"]  # the fixture, for pytest


def _last_card(app: LiveApp) -> dict[str, object]:
    [card] = cards_of(app.sent_to(LEAVER)[-1])
    return card


async def test_the_next_turn_reads_the_sender_no_more_and_answers_the_same(
    counted: LiveApp,
) -> None:
    app = counted
    await app.say(LEAVER, "hi")  # first contact: the chat is stored, she is welcomed
    with statements(app) as second:
        await app.say(LEAVER, "help")
    first_help = _last_card(app)
    with statements(app) as third:
        await app.say(LEAVER, "help")

    assert _last_card(app) == first_help
    assert texts_of(first_help)
    assert len(third.tables) == len(second.tables) - 1
    assert second.tables.count("conversation_refs") == 1
    assert "conversation_refs" not in third.tables
    # She manages no departure: the sender read said so, `help` asks no more.
    assert "departures" not in second.tables + third.tables


async def test_a_chat_that_moved_is_stored_although_the_sender_is_remembered(
    counted: LiveApp,
) -> None:
    app = counted
    await app.say(LEAVER, "hi")
    await app.say(LEAVER, "help")  # read and remembered
    moved = app.activity(LEAVER, "message", locale="da-DK", text="help")
    moved["conversation"]["id"] = "a:personal-moved"
    assert (await app.post(moved)).status == 200
    await app.say(LEAVER, "help")  # from her first chat again

    stored = await SqlConversationRefStore(app.app[DATABASE]).get(LEAVER.aad)
    assert [cards_of(a)[0]["lang"] for a in app.sent_to("a:personal-moved")] == ["da"]
    assert stored is not None
    assert (stored.conversation_id, stored.locale) == (LEAVER.conversation, "en-US")


async def test_a_language_chosen_is_spoken_on_the_next_turn(counted: LiveApp) -> None:
    app = counted
    await app.say(LEAVER, "hi")
    await app.say(LEAVER, "help")
    assert _last_card(app)["lang"] == "en"

    answer = await app.press(LEAVER, "language.choose", {"language": "nb"})
    assert answer["value"]["lang"] == "nb"
    await app.say(LEAVER, "help")

    assert _last_card(app)["lang"] == "nb"
