"""A turn's start gives the turn's look-ups of people (storage.people_in_view) the language its
sender chose, read or remembered with the claim: asking for the sender's choice in the turn
runs no statement and finds what is stored; anyone else is still read, and the sender's chat
is still read by UPN (the newest reference, which need not be the sender's). Real SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from journey.clock import FixedClock
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.language_choices import SqlLanguageChoices
from storage.senders import SenderMemory, use_senders
from storage.turns import TurnStart
from testkit.sql_statements import statements_run
from tests.storage.samples import T0, conversation_ref

SOFIE = conversation_ref()
OTHER = "mads.manager@contoso.dk"


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with await Database.open(sqlite_url) as database:
        clock = FixedClock(T0)
        await SqlConversationRefStore(database, clock).save(SOFIE)
        await SqlLanguageChoices(database, clock).choose(SOFIE.upn or "", "sv")
        await SqlLanguageChoices(database, clock).choose(OTHER, "nb")
        use_senders(database, SenderMemory())
        yield database


@pytest.mark.parametrize("turns", [1, 2], ids=["read", "remembered"])
async def test_the_senders_chosen_language_costs_the_turn_no_statement(
    db: Database, turns: int
) -> None:
    start, choices = TurnStart(db, FixedClock(T0)), SqlLanguageChoices(db)
    for n in range(turns):  # the second turn starts from the sender memory
        async with db.unit_of_work():
            begun = await start.begin(f"a:chat|{n}", SOFIE.user_key, SOFIE.user_id)
            with statements_run(db) as statements:
                chosen = await choices.chosen("Ida.Leaver@contoso.dk")
    assert begun.first and chosen == "sv"
    assert statements == []


async def test_others_and_the_senders_chat_are_still_read(db: Database) -> None:
    start, choices = TurnStart(db, FixedClock(T0)), SqlLanguageChoices(db)
    refs = SqlConversationRefStore(db)
    async with db.unit_of_work():
        await start.begin("a:chat|1", SOFIE.user_key, SOFIE.user_id)
        with statements_run(db) as statements:
            other = await choices.chosen(OTHER)
            found = await refs.find_by_upn(SOFIE.upn or "")
    assert other == "nb"
    assert found is not None and found.conversation_id == SOFIE.conversation_id
    assert len(statements) == 2


async def test_a_language_chosen_in_the_turn_is_what_the_turn_finds(db: Database) -> None:
    start, choices = TurnStart(db, FixedClock(T0)), SqlLanguageChoices(db)
    async with db.unit_of_work():
        await start.begin("a:chat|1", SOFIE.user_key, SOFIE.user_id)
        await choices.choose(SOFIE.upn or "", "da")
        assert await choices.chosen(SOFIE.upn or "") == "da"


async def test_no_seed_outside_a_unit_of_work(db: Database) -> None:
    await TurnStart(db, FixedClock(T0)).begin("a:chat|1", SOFIE.user_key, SOFIE.user_id)
    with statements_run(db) as statements:
        assert await SqlLanguageChoices(db).chosen(SOFIE.upn or "") == "sv"
    assert len(statements) == 1
