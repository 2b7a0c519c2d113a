"""Within a turn, the people a departure names are looked up once, together
(storage.people_in_view): each is found with their newest chat and the language they chose, and a
chat or a language saved in the turn is what the rest of the turn finds."""

from __future__ import annotations

from journey.clock import FixedClock
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.language_choices import SqlLanguageChoices
from testkit.sql_statements import statements_run
from tests.storage.samples import T0, conversation_ref, departure

LEAVER, MANAGER, INTERVIEWER = (
    "ida.leaver@contoso.dk",
    "mads.manager@contoso.dk",
    "hanne.hr@contoso.dk",
)


async def _stored(db: Database) -> str:
    clock = FixedClock(T0)
    refs = SqlConversationRefStore(db, clock)
    await refs.save(conversation_ref(user_key="old-teams-id", upn=LEAVER, locale="sv-SE"))
    clock.advance(minutes=5)
    await refs.save(conversation_ref(upn="Ida.Leaver@Contoso.DK", locale="da-DK"))
    await refs.save(conversation_ref(user_key="mads", user_id="29:mads", upn=MANAGER))
    await SqlLanguageChoices(db, clock).choose(MANAGER, "nb")
    stored = departure(leaver_upn=LEAVER, manager_upn=MANAGER, interviewer_upn=INTERVIEWER)
    await SqlDepartureRepository(db, clock).add(stored)
    return stored.id


async def test_the_people_of_a_turns_departure_are_read_in_one_statement(db: Database) -> None:
    departure_id = await _stored(db)
    refs, languages = SqlConversationRefStore(db), SqlLanguageChoices(db)
    async with db.unit_of_work():
        await SqlDepartureRepository(db).get(departure_id)
        with statements_run(db) as statements:
            leaver = await refs.find_by_upn("IDA.leaver@contoso.dk")
            manager = await refs.find_by_upn(MANAGER)
            interviewer = await refs.find_by_upn(INTERVIEWER)
            chosen = [await languages.chosen(upn) for upn in (LEAVER, MANAGER, INTERVIEWER)]

    assert len(statements) == 1
    # The leaver's newest chat, in any case of their UPN; the manager's choice of Norwegian.
    assert leaver is not None and leaver.user_key == conversation_ref().user_key
    assert leaver.locale == "da-DK"
    assert manager is not None and manager.user_key == "mads"
    assert interviewer is None
    assert chosen == [None, "nb", None]


async def test_what_the_turn_saves_is_what_it_finds_next(db: Database) -> None:
    departure_id = await _stored(db)
    refs, languages = SqlConversationRefStore(db), SqlLanguageChoices(db)
    opened = conversation_ref(user_key="hanne", user_id="hanne", upn=INTERVIEWER, locale=None)
    async with db.unit_of_work():
        await SqlDepartureRepository(db).get(departure_id)
        assert await refs.find_by_upn(INTERVIEWER) is None
        await refs.save(opened)  # the turn opened a chat with the interviewer
        await languages.choose(LEAVER, "sv")
        with statements_run(db) as statements:
            found = await refs.find_by_upn(INTERVIEWER)
            chosen = await languages.chosen(LEAVER)
        leaver = await refs.find_by_upn(LEAVER)  # forgotten with the save: read again

    assert statements == []
    assert found is not None and found.conversation_id == opened.conversation_id
    assert chosen == "sv"
    assert leaver is not None and leaver.user_key == conversation_ref().user_key
    # Outside a turn each lookup reads the database.
    assert await languages.chosen(LEAVER) == "sv"
    outside = await refs.find_by_upn(INTERVIEWER)
    assert outside is not None and outside.user_key == "hanne"
