"""A person's language choice and alumni consent are personal data: exported on request; the
choice is erased with them and gone with their Teams references at retention."""

from __future__ import annotations

from sqlalchemy import select

from journey.farewell import AlumniContact
from storage.alumni import SqlAlumni
from storage.database import Database
from storage.language_choices import SqlLanguageChoices
from storage.retention import apply_retention, erase_person
from storage.subject_access import export_person, inventory
from storage.tables import conversation_refs, language_choices
from tests.storage.privacy_seed import IDA, KIM, MANAGER, NOW, OLE, keep, seed

PEOPLE = (IDA.upn, OLE.upn, KIM.upn, MANAGER)


async def _choose_for_everyone(db: Database) -> SqlLanguageChoices:
    choices = SqlLanguageChoices(db)
    for person, language in zip(PEOPLE, ("sv", "nb", "da", "en"), strict=True):
        await choices.choose(person, language)
    return choices


async def test_export_and_erasure_include_the_language_choice(db: Database) -> None:
    await seed(db)
    choices = await _choose_for_everyone(db)

    document = await export_person(db, IDA.upn, actor="cli:hr", now=NOW)
    assert [(row["upn"], row["locale"]) for row in document["language_choices"]] == [
        (IDA.upn.lower(), "sv")
    ]
    assert (await inventory(db, KIM.upn)).rows["language_choices"] == 1

    counts = await erase_person(db, KIM.upn, keep_answer=keep, actor="cli:hr", now=NOW)
    assert counts.removed["language_choices"] == 1
    assert await choices.chosen(KIM.upn) is None
    assert (await inventory(db, KIM.upn)).empty
    assert await choices.chosen(IDA.upn) == "sv"  # nobody else's choice goes


async def test_retention_takes_the_choice_with_the_teams_references(db: Database) -> None:
    await seed(db)
    await _choose_for_everyone(db)

    await apply_retention(db, months=12, now=NOW, keep_answer=keep)

    async with db.sessions() as session:
        refs = set((await session.scalars(select(conversation_refs.c.upn))).all())
        chosen = set((await session.scalars(select(language_choices.c.upn))).all())
    # The leavers past retention (Ida, Ole) are gone from both; Kim and the manager stay.
    assert {upn.lower() for upn in refs if upn} == chosen
    assert chosen == {KIM.upn, MANAGER}


async def test_the_alumni_consent_and_private_email_are_in_the_persons_export(
    db: Database,
) -> None:
    await seed(db)
    [ida_leaves, *_] = (await inventory(db, IDA.upn)).leaver_of
    contact = AlumniContact(
        departure_id=ida_leaves,
        name="Ida",
        unit="social-care",
        private_email="ida.private@example.org",
        consented_at=NOW,
    )
    await SqlAlumni(db).save(contact)

    document = await export_person(db, IDA.upn, actor="cli:hr", now=NOW)
    assert [row["private_email"] for row in document["alumni_contacts"]] == [
        "ida.private@example.org"
    ]
    assert (await inventory(db, IDA.upn)).rows["alumni_contacts"] == 1
    # Nobody else's export holds it.
    other = await export_person(db, KIM.upn, actor="cli:hr", now=NOW)
    assert other["alumni_contacts"] == []
