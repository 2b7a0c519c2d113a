"""The people a turn tells, read together: each one's chat with the bot and chosen language.

A click tells the people its departure names (the leaver, the manager, the interviewer), and
each card looks its recipient up twice: the chat to write to (storage/conversations.py) and the
language they chose (storage/language_choices.py). Within a turn's unit of work
(storage/unit_of_work.py) the first lookup of anyone reads everyone in view in one statement:
the person asked for and the people of the departures the turn has read (storage/departures.py
remembers them). What it finds is remembered for the rest of the turn, a person without a chat
or a choice too; the stores keep their kind true when they write (a chat saved, a language
chosen). Outside a unit each store reads what it is asked for, as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, bindparam, func, select, union_all

from journey.departure import Departure
from journey.ports import ConversationRef
from storage.database import Database
from storage.tables import conversation_refs, language_choices
from storage.unit_of_work import UnitOfWork

# What the unit remembers, by (kind, person key): the person's newest conversation reference
# (None: no chat yet), and the language they chose (None: none).
REF = "ref by upn"
LANGUAGE = "language by upn"


def person_key(upn: str) -> str:
    """How people are keyed: their UPN, trimmed and in lower case."""
    return upn.strip().lower()


def in_view(unit: UnitOfWork) -> set[str]:
    """The people named by the departures the turn has read or saved."""
    people: set[str] = set()
    for (kind, _), departure in unit.remembered.items():
        if kind == "departure" and isinstance(departure, Departure):
            named = (departure.leaver_upn, departure.manager_upn, departure.interviewer_upn)
            people.update(person_key(upn) for upn in named if upn)
    return people


async def look_up(db: Database, unit: UnitOfWork, person: str) -> None:
    """Remember the reference and chosen language of `person` and of everyone in view the
    turn has not looked up yet, read in one statement."""
    remembered = unit.remembered
    missing = sorted(
        upn
        for upn in {person, *in_view(unit)}
        if (REF, upn) not in remembered or (LANGUAGE, upn) not in remembered
    )
    if not missing:
        return
    parameters = {f"person_{i}": upn for i, upn in enumerate(missing)}
    async with db.reading() as connection:
        rows = (await connection.execute(_people(len(missing)), parameters)).all()
    refs: dict[str, ConversationRef | None] = dict.fromkeys(missing)
    chosen: dict[str, str | None] = dict.fromkeys(missing)
    for row in rows:  # by person, the newest reference first
        chosen[row.person] = row.chosen_language or None
        if row.user_key is not None and refs[row.person] is None:
            refs[row.person] = ConversationRef.model_validate(_reference(row._mapping))
    for upn in missing:
        remembered[REF, upn] = refs[upn]
        remembered[LANGUAGE, upn] = chosen[upn]


def _reference(mapping: Any) -> dict[str, Any]:
    return {column.name: mapping[column.name] for column in conversation_refs.c}


@lru_cache(maxsize=16)
def _people(count: int) -> Select[Any]:
    """For `count` people (parameters person_0 …): one row per person and reference of theirs
    (newest first), with the language they chose; one row with none for a person without a
    reference. Built once per count."""
    asked = [select(bindparam(f"person_{i}", type_=String).label("person")) for i in range(count)]
    people = (asked[0] if count == 1 else union_all(*asked)).subquery("people")
    joined = people.outerjoin(
        language_choices, language_choices.c.upn == people.c.person
    ).outerjoin(conversation_refs, func.lower(conversation_refs.c.upn) == people.c.person)
    return (
        select(
            people.c.person,
            language_choices.c.locale.label("chosen_language"),
            *conversation_refs.c,
        )
        .select_from(joined)
        .order_by(people.c.person, conversation_refs.c.updated_at.desc())
    )
