"""A turn's start remembers its sender a short while (storage/senders.py, storage/turns.py): a
second turn of the same sender only claims its activity id, and what this process writes of
them (a chat, a language, a departure, an erasure) shows at once; another instance's writes
show once the time to live has passed. Real SQLite files; statements counted at the cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from journey.clock import FixedClock
from journey.ports import PersonLanguages
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.insights import SqlInsightsSource
from storage.language_choices import SqlLanguageChoices
from storage.retention import apply_retention, erase_person
from storage.senders import SENDER_TTL_SECONDS, SenderMemory, use_senders
from storage.turns import TurnBegun, TurnStart
from testkit.sql_statements import statements_run
from tests.storage.samples import T0, conversation_ref, departure

SOFIE = conversation_ref()  # user key (Entra object id), Teams user id, UPN, chat
KEY, ID = SOFIE.user_key, SOFIE.user_id


class Time:
    """The memory's time function, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with await Database.open(sqlite_url) as database:
        await SqlConversationRefStore(database, FixedClock(T0)).save(SOFIE)
        yield database


@pytest.fixture
def time() -> Time:
    return Time()


@pytest.fixture
def turns(db: Database, time: Time) -> TurnStart:
    use_senders(db, SenderMemory(now=time))
    return TurnStart(db, FixedClock(T0))


class Turns:
    """Turns of one sender, each with a new activity id."""

    def __init__(self, start: TurnStart) -> None:
        self._start = start
        self._n = 0

    async def begin(self, user_key: str = KEY, user_id: str = ID) -> TurnBegun:
        self._n += 1
        return await self._start.begin(f"a:chat|{self._n}", user_key, user_id)


async def test_a_second_turn_of_the_same_sender_runs_one_statement_fewer(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    with statements_run(db) as first:
        one = await sofie.begin()
    with statements_run(db) as second:
        two = await sofie.begin()

    assert len(second) == len(first) - 1 == 1
    assert "seen_activities" in second[0]
    # What the turn is told is the same: her chat, her languages, a first sight of the activity.
    assert two == one
    assert two.first and not two.refused
    assert two.known is not None and two.known.conversation_id == SOFIE.conversation_id


async def test_a_resent_activity_is_still_dropped_when_its_sender_is_remembered(
    turns: TurnStart,
) -> None:
    assert (await turns.begin("a:chat|1", KEY, ID)).first
    await turns.settle("a:chat|1", handled=True)
    await turns.close()

    again = await turns.begin("a:chat|1", KEY, ID)

    assert not again.first and not again.refused


async def test_a_language_chosen_here_shows_on_the_next_turn(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    assert (await sofie.begin()).languages is not None
    await SqlLanguageChoices(db, FixedClock(T0)).choose(SOFIE.upn or "", "sv")

    with statements_run(db) as seen:
        begun = await sofie.begin()

    assert begun.languages is not None and begun.languages.chosen == "sv"
    assert len(seen) == 1


async def test_a_departure_registered_here_gives_the_language_hr_registered(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    before = await sofie.begin()
    assert before.languages is not None and before.languages.registered is None

    await SqlDepartureRepository(db, FixedClock(T0)).add(
        departure(leaver_upn=SOFIE.upn, locale="da", external_id=None)
    )

    begun = await sofie.begin()
    assert begun.languages is not None and begun.languages.registered == "da"


async def test_a_chat_saved_here_is_the_one_the_next_turn_knows(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    await sofie.begin()
    moved = SOFIE.model_copy(update={"conversation_id": "a:1moved", "locale": "da-DK"})
    await SqlConversationRefStore(db, FixedClock(T0)).save(moved)

    with statements_run(db) as seen:
        begun = await sofie.begin()

    assert begun.known is not None
    assert (begun.known.conversation_id, begun.known.locale) == ("a:1moved", "da-DK")
    assert len(seen) == 1


async def test_a_welcome_marked_here_is_known_to_the_next_turn(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    assert (await sofie.begin()).known.welcomed_at is None  # type: ignore[union-attr]
    assert await SqlConversationRefStore(db, FixedClock(T0)).mark_welcomed(KEY)

    begun = await sofie.begin()

    assert begun.known is not None and begun.known.welcomed_at is not None


async def test_an_erasure_here_leaves_nothing_of_the_person_remembered(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    await sofie.begin()
    await erase_person(
        db, SOFIE.upn or "", keep_answer=lambda _unit, _question: False, actor="hr", now=T0
    )

    with statements_run(db) as seen:
        begun = await sofie.begin()

    assert begun.first and begun.known is None and begun.languages is None
    assert len(seen) == 2  # read again: nothing stored


async def test_retention_here_leaves_nothing_of_the_leavers_remembered(
    db: Database, turns: TurnStart
) -> None:
    sofie = Turns(turns)
    await SqlDepartureRepository(db, FixedClock(T0)).add(
        departure(leaver_upn=SOFIE.upn, external_id=None, last_working_day=date(2024, 1, 31))
    )
    before = await sofie.begin()
    assert before.languages is not None and before.languages.registered == "nb"

    report = await apply_retention(
        db, months=12, now=T0, keep_answer=lambda _unit, _question: False, pause=0
    )
    assert report.departures == 1

    with statements_run(db) as seen:
        begun = await sofie.begin()
    assert begun.known is None and begun.languages is None  # her chat went with her departure
    assert len(seen) == 2


async def test_who_manages_no_departure_is_asked_no_more_until_one_names_them(
    sqlite_url: str, db: Database, turns: TurnStart, time: Time
) -> None:
    sofie, insights = Turns(turns), SqlInsightsSource(db)
    await sofie.begin()
    with statements_run(db) as seen:
        assert await insights.managed_units(SOFIE.upn) == frozenset()
    assert seen == []

    async with await Database.open(sqlite_url) as other:  # HR registers on another replica
        await SqlDepartureRepository(other).add(
            departure(manager_upn=SOFIE.upn, unit="a", leaver_upn="a@contoso.dk")
        )
    assert await insights.managed_units(SOFIE.upn) == frozenset()  # at most a minute behind
    await SqlDepartureRepository(db).add(
        departure(manager_upn=SOFIE.upn, unit="b", leaver_upn="b@contoso.dk", external_id=None)
    )
    assert await insights.managed_units(SOFIE.upn) == {"a", "b"}  # named here: at once

    time.seconds += SENDER_TTL_SECONDS
    await sofie.begin()
    assert await insights.managed_units(SOFIE.upn) == {"a", "b"}


async def test_a_chat_is_opened_at_the_service_url_of_the_latest_sender(
    db: Database, turns: TurnStart, time: Time
) -> None:
    clock = FixedClock(T0)
    refs = SqlConversationRefStore(db, clock)
    await refs.save(SOFIE.model_copy(update={"user_key": "older", "user_id": "29:older"}))
    moved = "https://smba.trafficmanager.net/dk/"
    await Turns(turns).begin()  # Sofie writes; then her chat moves to another region
    clock.advance(minutes=1)
    await refs.save(SOFIE.model_copy(update={"service_url": moved}))

    with statements_run(db) as seen:
        assert await refs.latest_service_url() == (moved, SOFIE.tenant_id)
    assert seen == []

    time.seconds += SENDER_TTL_SECONDS
    with statements_run(db) as seen:
        assert await refs.latest_service_url() == (moved, SOFIE.tenant_id)  # stored last
    assert len(seen) == 1


async def test_another_instance_is_seen_once_the_time_to_live_has_passed(
    sqlite_url: str, db: Database, turns: TurnStart, time: Time
) -> None:
    sofie = Turns(turns)
    await sofie.begin()
    async with await Database.open(sqlite_url) as other:  # a second replica of the service
        moved = SOFIE.model_copy(update={"conversation_id": "a:1elsewhere"})
        await SqlConversationRefStore(other, FixedClock(T0)).save(moved)
        await SqlLanguageChoices(other, FixedClock(T0)).choose(SOFIE.upn or "", "nb")

    time.seconds += SENDER_TTL_SECONDS - 1
    within = await sofie.begin()  # the bound the module states: at most the time to live behind
    assert within.known is not None and within.known.conversation_id == SOFIE.conversation_id

    time.seconds += 1
    with statements_run(db) as seen:
        after = await sofie.begin()

    assert after.known is not None and after.known.conversation_id == "a:1elsewhere"
    assert after.languages is not None and after.languages.chosen == "nb"
    assert len(seen) == 2


async def test_a_refused_sender_stays_refused(db: Database, turns: TurnStart) -> None:
    sofie = Turns(turns)
    await sofie.begin()  # Sofie herself: remembered
    for user_key, user_id in [(KEY, "29:someone-else"), ("aad-someone-else", ID)] * 2:
        with statements_run(db) as seen:
            begun = await sofie.begin(user_key, user_id)
        assert begun.refused and not begun.first and begun.known is None
        assert len(seen) == 1  # read, refused, nothing claimed

    assert (await sofie.begin()).known is not None  # Sofie is still herself


def test_the_memory_keeps_the_latest_senders_within_its_size() -> None:
    memory = SenderMemory(size=2, now=Time())
    refs = [SOFIE.model_copy(update={"user_key": f"k{n}", "user_id": f"i{n}"}) for n in range(3)]
    for ref in refs:
        memory.remember(ref.user_key, ref.user_id, ref, _languages(), read_in=memory.generation)
        memory.recall(refs[0].user_key, refs[0].user_id)  # the first one stays in use

    assert len(memory) == 2
    assert memory.recall("k0", "i0") is not None and memory.recall("k2", "i2") is not None
    assert memory.recall("k1", "i1") is None


def test_a_read_that_began_before_a_change_of_its_sender_is_not_remembered() -> None:
    memory = SenderMemory(now=Time())
    began = memory.generation
    memory.chose(SOFIE.upn or "", "da")  # while the read ran

    memory.remember(KEY, ID, SOFIE, _languages(), read_in=began)

    assert memory.recall(KEY, ID) is None


def _languages() -> PersonLanguages:
    return PersonLanguages()
