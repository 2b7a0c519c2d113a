"""What a turn's start read of its sender, remembered for a short while (issue 13).

Every turn begins by reading the sender's stored conversation references with their language
choices (storage/turns.py), in one transaction with the claim of the activity id. A person
clicks through a journey (the offer, the booking, the survey's sections) within a minute or
two, and that read then finds what it found a moment ago. So what it found of a sender who
was not refused is kept here, per sender (user key, Teams user id), for SENDER_TTL_SECONDS:
the stored reference (how to reach the person: ids, conversation, service URL, UPN, name,
Teams locale, when welcomed), the two languages (chosen, registered) and whether the person
manages any departure (storage/insights.py asks no more for one who manages none: `help`);
and the service URL of the latest sender (storage/conversations.py latest_service_url).
Within that time a turn of the same sender only claims its activity id. Never kept: a refused
sender (their next turn reads again and is refused again), a sender with no reference yet,
message text, tokens, answers. At most SENDERS_REMEMBERED senders; the least recently seen go first.

Whatever this process writes that an entry holds comes here, so the next turn sees it at once:
storage/conversations.py (a saved reference, a welcome mark), storage/language_choices.py (a
chosen language), storage/departures.py (a departure's locale, HR's registered language, and
its manager) and storage/retention.py (retention and erasure). Another instance (a second
replica, the CLI's `privacy erase` or CSV import) writes without telling this one: this
instance is then behind by at most SENDER_TTL_SECONDS (a manager named there sees the local
commands in `help` here within that time). Nothing it can be behind on lets anyone act as
someone else: a sender whose ids contradict a stored person is refused by the read, and an
entry answers only the exact pair of ids it was read for.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from journey.ports import ConversationRef, PersonLanguages
from storage.database import Database
from storage.people_in_view import person_key

# How long an entry answers for its sender: how far behind another instance's writes (a chat
# moved, a language chosen there) this instance can be.
SENDER_TTL_SECONDS = 60.0
# How many senders are kept at most (about 1 KB each).
SENDERS_REMEMBERED = 4096

_Key = tuple[str, str]  # (user key, Teams user id)
_Tag = tuple[str, str]  # ("key" | "id" | "person", value)


class Remembered(NamedTuple):
    """What the start of a turn read of one sender."""

    known: ConversationRef  # the reference stored under the sender's user key
    languages: PersonLanguages  # of the reference's UPN
    at: float  # when it was read (the memory's time function)
    manages: bool = True  # the UPN is the manager of a departure (False: of none)


class SenderMemory:
    """Senders by (user key, Teams user id); `now` tells the time in seconds (monotonic)."""

    def __init__(
        self,
        *,
        size: int = SENDERS_REMEMBERED,
        ttl: float = SENDER_TTL_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = size
        self._ttl = ttl
        self._now = now
        self._entries: OrderedDict[_Key, Remembered] = OrderedDict()
        # ("key" | "id" | "person", value) -> the entries under it, to forget them by any
        self._under: dict[_Tag, set[_Key]] = {}
        # Counts the changes told; each tag changed last at which count (the latest `size`
        # of them; `_floor`: the count of the latest one let go). A read that began before a
        # change of its sender is not remembered (`remember`).
        self.generation = 0
        self._touched: OrderedDict[_Tag, int] = OrderedDict()
        self._floor = 0
        # The service URL and tenant of the latest sender read or saved, and when.
        self._reach: tuple[str, str | None, float] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def recall(self, user_key: str, user_id: str) -> Remembered | None:
        """What was read of this sender within the time to live, else None."""
        key = (user_key, user_id)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._now() - entry.at >= self._ttl:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def remember(
        self,
        user_key: str,
        user_id: str,
        known: ConversationRef,
        languages: PersonLanguages,
        *,
        read_in: int,
        manages: bool = True,
    ) -> None:
        """Keep what a turn read of a sender who was not refused; `read_in`: the generation
        when the read began (a change told since then may be missing from it: not kept)."""
        key = (user_key, user_id)
        entry = Remembered(known, languages, self._now(), manages)
        touched = self._touched
        if read_in < self._floor or any(touched.get(tag, 0) > read_in for tag in _tags(key, entry)):
            return
        self._drop(key)
        self._keep(key, entry)
        self._reach = (known.service_url, known.tenant_id, entry.at)
        while len(self._entries) > self._size:
            self._drop(next(iter(self._entries)))

    def saved(self, ref: ConversationRef) -> None:
        """A reference was stored (as `ref`, read back): the sender it belongs to keeps it
        (their languages too, unless its UPN changed); anyone whose read it may change is
        forgotten."""
        key = (ref.user_key, ref.user_id)
        entry = self._entries.get(key)
        tags = (("key", ref.user_key), ("id", ref.user_id), ("id", ref.user_key))
        self._touch(tags)
        self._reach = (ref.service_url, ref.tenant_id, self._now())
        self._forget(self._keys_under(*tags))
        if entry is not None and _person(entry.known) == _person(ref):
            self._keep(key, entry._replace(known=ref))

    def welcomed(self, user_key: str, at: datetime | None) -> None:
        """The person under `user_key` was welcomed `at` (None: it was not this call that
        welcomed them, or they have no reference: read again)."""
        self._touch([("key", user_key)])
        for key in self._keys_under(("key", user_key)):
            entry = self._entries[key]
            if at is None:
                self._drop(key)
            elif entry.known.welcomed_at is None:
                welcomed = entry.known.model_copy(update={"welcomed_at": at})
                self._entries[key] = entry._replace(known=welcomed)

    def chose(self, upn: str, language: str) -> None:
        """The person `upn` chose `language`."""
        self._touch([("person", person_key(upn))])
        for key in self._keys_under(("person", person_key(upn))):
            entry = self._entries[key]
            chosen = entry.languages.model_copy(update={"chosen": language})
            self._entries[key] = entry._replace(languages=chosen)

    def registered(self, upn: str, locale: str) -> None:
        """A departure of the leaver `upn` was stored with `locale`: their registered language
        is the locale of their latest departure, so an entry that holds another is forgotten."""
        tag = ("person", person_key(upn))
        self._touch([tag])
        for key in self._keys_under(tag):
            if self._entries[key].languages.registered != (locale or None):
                self._drop(key)

    def latest_service_url(self) -> tuple[str, str | None] | None:
        """The service URL and tenant of the latest sender read or saved within the time to
        live (Teams gives the same for the whole tenant), else None."""
        if self._reach is None or self._now() - self._reach[2] >= self._ttl:
            return None
        return self._reach[0], self._reach[1]

    def manager_named(self, upn: str) -> None:
        """A departure was stored with `upn` as its manager."""
        tag = ("person", person_key(upn))
        self._touch([tag])
        for key in self._keys_under(tag):
            self._entries[key] = self._entries[key]._replace(manages=True)

    def manages_none(self, upn: str) -> bool:
        """Whether a turn read within the time to live that `upn` manages no departure."""
        now, keys = self._now(), self._keys_under(("person", person_key(upn)))
        entries = (self._entries[key] for key in keys)
        return any(not entry.manages and now - entry.at < self._ttl for entry in entries)

    def forget_people(self, upns: Iterable[str]) -> None:
        """Something of these people changed that an entry may hold."""
        tags = [("person", person_key(upn)) for upn in upns if upn]
        self._touch(tags)
        self._forget(self._keys_under(*tags))

    def forget_all(self) -> None:
        """Many people may have changed (retention anonymised departures)."""
        self.generation += 1
        self._floor = self.generation
        self._touched.clear()
        self._entries.clear()
        self._under.clear()
        self._reach = None

    def _touch(self, tags: Iterable[_Tag]) -> None:
        self.generation += 1
        for tag in tags:
            self._touched[tag] = self.generation
            self._touched.move_to_end(tag)
        while len(self._touched) > self._size:
            self._floor = self._touched.popitem(last=False)[1]

    def _keys_under(self, *tags: _Tag) -> set[_Key]:
        found: set[_Key] = set()
        for tag in tags:
            found |= self._under.get(tag, set())
        return found

    def _forget(self, keys: Iterable[_Key]) -> None:
        for key in keys:
            self._drop(key)

    def _keep(self, key: _Key, entry: Remembered) -> None:
        self._entries[key] = entry
        for tag in _tags(key, entry):
            self._under.setdefault(tag, set()).add(key)

    def _drop(self, key: _Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in _tags(key, entry):
            keys = self._under.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._under[tag]


def _person(ref: ConversationRef) -> str:
    return person_key(ref.upn or "")


def _tags(key: _Key, entry: Remembered) -> list[_Tag]:
    return [("key", key[0]), ("id", key[1]), ("person", _person(entry.known))]


_MEMORIES: weakref.WeakKeyDictionary[Database, SenderMemory] = weakref.WeakKeyDictionary()


def senders_of(db: Database) -> SenderMemory:
    """The memory of senders of this database in this process (one per Database)."""
    memory = _MEMORIES.get(db)
    if memory is None:
        memory = _MEMORIES[db] = SenderMemory()
    return memory


def use_senders(db: Database, memory: SenderMemory) -> SenderMemory:
    """Use `memory` for `db` from now on (a test's own time function or size)."""
    _MEMORIES[db] = memory
    return memory
