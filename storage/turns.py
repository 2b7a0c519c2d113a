"""The database work at the start of every turn, in one transaction, and at its end.

An activity id is claimed when its turn begins (`seen_activities`, pending until TURN_LEASE
from then) and marked handled when it ends, in the turn's last transaction: a turn that
appended audit rows writes them with its activity key (`audit_log.activity_id`), and such a
committed row is the mark, no statement of its own; any other turn sets the claim's
`pending_until` to NULL (a turn that appended nothing does so together with others, a moment
later). A turn that fails, or whose last transaction fails, gives its claim back, so Teams'
retry runs it; a claim that could not be given back (the database was down) is taken over by a
retry once TURN_LEASE has passed. Neither a give-back nor a take-over touches a claim whose
audit row is there: that turn was handled.

The key is kept in the audit row no longer than its claim: the prune of old claims clears it
(storage/activities.py), so it says nothing `seen_activities` does not say for as long.

The sender's stored references and languages are read with the claim, and what was read of a
sender who was not refused is remembered for a short while (storage/senders.py): the next turns
of that sender within SENDER_TTL_SECONDS only claim their activity id, one statement. Another
instance's change of a reference or a language shows here within that time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Executable,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from journey.clock import Clock, SystemClock
from journey.ports import ConversationRef, PersonLanguages
from storage.conversations import speaks_for_another
from storage.database import Database
from storage.dialect import insert_for
from storage.language_choices import person_languages
from storage.people_in_view import LANGUAGE, person_key
from storage.senders import SenderMemory, senders_of
from storage.tables import audit_log, conversation_refs, departures, seen_activities
from storage.unit_of_work import UnitOfWork, current_unit

log = logging.getLogger(__name__)

# Longer than any turn runs (Teams gives up waiting for a turn after 15 s).
TURN_LEASE = timedelta(seconds=30)
# How long a re-send waits for the try that holds it (Teams waits 15 s for an answer).
IN_PROGRESS_WAIT = 10.0
_POLL_SECONDS = 0.1
_SETTLE_TIMEOUT = 5.0
# How long handled ids of turns that wrote nothing else gather before one UPDATE marks them:
# a write transaction of its own per `help` cost about as much as the rest of its database work.
BATCH_SECONDS = 0.02
_MARKED_AT_ONCE = 500
# A statement with its parameters, written with the turn's end.
Closing = tuple[Executable, dict[str, Any]]


class TurnInProgress(Exception):
    """Teams re-sent an activity whose turn is still running, or failed moments ago."""


class TurnBegun(NamedTuple):
    """What the start of a turn found."""

    first: bool  # the activity was not seen before (False: a re-send, or refused)
    known: ConversationRef | None  # the stored reference of the sender
    refused: bool = False  # the sender's ids contradict the stored people: nothing was stored
    # The language choices of the known sender's UPN (storage/language_choices.py), read with it
    languages: PersonLanguages | None = None


def _senders() -> Select[Any]:
    """The stored references under the sender's key or Teams user id, each with the language
    its person chose and the one HR registered (storage.language_choices.person_languages) and
    whether they manage a departure; built once, with the ids as parameters."""
    person = func.lower(conversation_refs.c.upn)
    chosen, registered = person_languages(person)
    languages = (chosen.label("chosen_language"), registered.label("registered_language"))
    # Whether the person manages a departure (storage.insights.managed_units: `help`).
    manages = exists().where(departures.c.manager_upn == person).label("manages")
    return select(conversation_refs, *languages, manages).where(
        or_(
            conversation_refs.c.user_key == bindparam("user_key"),
            conversation_refs.c.user_id == bindparam("user_id"),
        )
    )


_SENDERS = _senders()
_MINE = seen_activities.c.activity_id == bindparam("activity_key")
# An audit row written by the activity's turn when it was handled: the turn's handled mark.
_AUDITED = exists().where(audit_log.c.activity_id == bindparam("activity_key"))
# The turn's settlement: handled, or the claim given back (only while it is pending).
_HANDLED = update(seen_activities).where(_MINE).values(pending_until=None)
_HANDLED_MANY = (
    update(seen_activities)
    .where(seen_activities.c.activity_id.in_(bindparam("activity_keys", expanding=True)))
    .values(pending_until=None)
)
_GIVEN_BACK = delete(seen_activities).where(
    _MINE, seen_activities.c.pending_until.is_not(None), ~_AUDITED
)
# A re-send's take-over of a claim whose lease ran out, and else what became of the claim.
_TAKEN_OVER = (
    update(seen_activities)
    .where(_MINE, seen_activities.c.pending_until < bindparam("now"), ~_AUDITED)
    .values(seen_at=bindparam("now"), pending_until=bindparam("until"))
)
_CLAIM_STATE = select(seen_activities.c.pending_until, _AUDITED.label("audited")).where(_MINE)


def _claim(db: Database) -> Executable:
    """The claim of an activity id, built once (SQLAlchemy then reuses its compiled form)."""
    return (
        insert_for(db, seen_activities)
        .values(
            activity_id=bindparam("activity_key"),
            seen_at=bindparam("now"),
            pending_until=bindparam("until"),
        )
        .on_conflict_do_nothing(index_elements=[seen_activities.c.activity_id])
    )


def _languages(row: Row[Any]) -> PersonLanguages:
    return PersonLanguages(
        chosen=row.chosen_language or None, registered=row.registered_language or None
    )


class TurnStart:
    """Checks the sender against the stored people, claims the activity id against Teams'
    re-sends, and loads the sender's reference."""

    def __init__(
        self, db: Database, clock: Clock | None = None, *, batch_seconds: float = BATCH_SECONDS
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._claim = _claim(db)
        # Shared with the stores that write what it holds (one per database in the process).
        self._senders: SenderMemory = senders_of(db)
        self._batch_seconds = batch_seconds
        # Handled ids of turns that appended nothing, waiting to be marked together.
        self._handled: list[str] = []
        self._marking: asyncio.Task[None] | None = None

    async def begin(self, activity_key: str | None, user_key: str, user_id: str) -> TurnBegun:
        """As _begin_once; a re-send that arrives while an earlier try runs waits (a while)
        for its outcome: dropped once handled, run if that try failed and gave it back."""
        deadline = asyncio.get_running_loop().time() + IN_PROGRESS_WAIT
        while True:
            try:
                return await self._begin_once(activity_key, user_key, user_id)
            except TurnInProgress:
                if asyncio.get_running_loop().time() >= deadline:
                    raise
            await asyncio.sleep(_POLL_SECONDS)

    async def _begin_once(self, activity_key: str | None, user_key: str, user_id: str) -> TurnBegun:
        """Refused (nothing claimed) when the sender's `user_key` (Entra object id, else the
        Teams user id) is stored with another Teams user id, or `user_id` (`from.id`) is
        stored for another person; else claim the activity id once and load the reference
        (remembered a short while: storage/senders.py)."""
        recalled = self._senders.recall(user_key, user_id)
        generation = self._senders.generation
        # One transaction, committed at once (a re-send must see the claim while the turn runs);
        # within a turn's unit of work on the turn's connection.
        async with self._db.transaction() as connection:
            if recalled is None:
                read = await _read_sender(connection, user_key, user_id)
                if read is None:
                    return TurnBegun(first=False, known=None, refused=True)
                known, languages, manages = read
            else:
                known, languages = recalled.known, recalled.languages
            if activity_key is not None:
                now = self._clock.now()
                claim = {"activity_key": activity_key, "now": now, "until": now + TURN_LEASE}
                claimed = await connection.execute(self._claim, claim)
                if claimed.rowcount != 1 and not await _take_over(connection, claim):
                    return TurnBegun(first=False, known=None)
        if recalled is None and known is not None and languages is not None:
            self._senders.remember(
                user_key, user_id, known, languages, read_in=generation, manages=manages
            )
        _seed_language(self._db, known, languages)
        return TurnBegun(first=True, known=known, languages=languages)

    async def settle(self, activity_key: str, *, handled: bool) -> None:
        """Mark the activity handled, or give its claim back so Teams' retry runs the turn;
        within a turn's unit of work together with the rows it appended, in one transaction:
        its audit rows carry the activity key when handled, and then mark it (no statement of
        its own). A handled turn that appended nothing (`help`, say) is marked with others,
        within `batch_seconds` (a re-send meanwhile waits for it as for a running turn); one
        whose last transaction fails gives the claim back and raises its error: nothing of the
        turn was written (a click's departure save waits for this transaction), so the turn is
        answered "try again" (bot/routes.py, 503), never as done.

        The give-back is best effort: while the database is down the claim's lease runs out
        instead."""
        parameters = {"activity_key": activity_key}
        unit = current_unit(self._db)
        if handled and unit is not None and not unit.appended:
            self._handled.append(activity_key)
            if self._marking is None:
                self._marking = asyncio.create_task(self._mark_handled())
            return
        closing = [(_HANDLED if handled else _GIVEN_BACK, parameters)]
        if handled and unit is not None and unit.stamp(audit_log, {"activity_id": activity_key}):
            closing = []  # committed, the audit rows are the mark
        try:
            async with asyncio.timeout(_SETTLE_TIMEOUT):
                try:
                    await self._write(unit, closing)
                except Exception:
                    if handled:  # nothing of the turn's end was written: its retry runs it
                        await self._write(None, [(_GIVEN_BACK, parameters)])
                    raise
        except Exception as exc:
            verb = "mark handled" if handled else "give back"
            log.warning("could not %s an activity id: %s", verb, type(exc).__name__)
            if handled and unit is not None:
                # Nothing of the turn was written (its departure's save was held for this
                # transaction, storage/unit_of_work.py): it must not answer as if it had been.
                raise

    async def _write(self, unit: UnitOfWork | None, closing: list[Closing]) -> None:
        """The unit's end with `closing`, or (no unit) the `closing` statements alone."""
        if unit is not None:
            await unit.finish(closing)
            return
        async with self._db.transaction() as connection:
            for statement, parameters in closing:
                await connection.execute(statement, parameters)

    async def _mark_handled(self) -> None:
        """Mark the handled ids gathered meanwhile, in one statement per round."""
        try:
            await asyncio.sleep(self._batch_seconds)
            await self._mark_gathered()
        finally:
            self._marking = None

    async def _mark_gathered(self) -> None:
        while self._handled:
            keys, self._handled = self._handled[:_MARKED_AT_ONCE], self._handled[_MARKED_AT_ONCE:]
            try:
                async with asyncio.timeout(_SETTLE_TIMEOUT):
                    async with self._db.transaction() as connection:
                        await connection.execute(_HANDLED_MANY, {"activity_keys": keys})
            except Exception as exc:  # the turns' own outcomes stand
                log.warning(
                    "could not mark %d activity ids handled: %s", len(keys), type(exc).__name__
                )

    async def close(self) -> None:
        """Mark what is gathered now (the service stops)."""
        if self._marking is not None:
            await self._marking
        await self._mark_gathered()


def _seed_language(
    db: Database, known: ConversationRef | None, languages: PersonLanguages | None
) -> None:
    """The language the sender chose, for the turn's look-ups of people (storage.people_in_view
    keys a person by UPN, trimmed and lowercased; the sender read joins the choice on the
    stored UPN lowercased by the database): only where both key alike, an ASCII UPN without
    spaces around it. Their reference is not: the turn's look-ups find a person's newest
    reference by UPN, which need not be the one under the sender's key."""
    unit = current_unit(db)
    upn = known.upn if known is not None else None
    if unit is None or languages is None or not upn or not upn.isascii() or upn != upn.strip():
        return
    unit.remembered.setdefault((LANGUAGE, person_key(upn)), languages.chosen)


async def _read_sender(
    connection: AsyncConnection, user_key: str, user_id: str
) -> tuple[ConversationRef | None, PersonLanguages | None, bool] | None:
    """The reference stored under `user_key`, its person's languages and whether they manage
    a departure (None, None, True: none stored); None when the sender's ids contradict the
    stored people (refused)."""
    ids = {"user_key": user_key, "user_id": user_id}
    rows = (await connection.execute(_SENDERS, ids)).all()
    refs = [(_reference(row), row) for row in rows]
    if speaks_for_another([ref for ref, _row in refs], user_key, user_id):
        return None
    for ref, row in refs:
        if ref.user_key == user_key:
            return ref, _languages(row), bool(row.manages)
    return None, None, True


def _reference(row: Row[Any]) -> ConversationRef:
    values = dict(row._mapping)
    del values["chosen_language"], values["registered_language"], values["manages"]
    return ConversationRef.model_validate(values)


async def _take_over(connection: AsyncConnection, claim: dict[str, Any]) -> bool:
    """Claim an activity whose earlier try never finished once its lease ran out; False if it
    was handled (its claim marked, or an audit row carries its key); TurnInProgress while a
    try holds it, or when the claim was given back meanwhile (the next try claims it)."""
    if (await connection.execute(_TAKEN_OVER, claim)).rowcount == 1:
        return True
    state = (await connection.execute(_CLAIM_STATE, claim)).first()
    if state is None or (state.pending_until is not None and not state.audited):
        raise TurnInProgress(claim["activity_key"])
    return False
