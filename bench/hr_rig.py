"""What bench.hr_actions runs one door on: the real service from `create_app` on loopback (local
mode, a SQLite file, a local directory of generated people, HR's YAML), a Bot Connector
stand-in that knows HR and the leavers, a clock the bench moves on, and HR at the keyboard,
every message and card submit of whom is counted."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from ruamel.yaml import YAML
from sqlalchemy import text

from bench.flow_cards import Card, judged, verbs_of
from bench.flow_people import HR_UPN, Leaver, write_people
from bench.hr_setup import merged, migrated, until
from bench.protocol import TeamsUser, invoke_activity, message_activity
from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import CONFIG
from config.loader import default_config_dir
from config.rules import closing_rules
from journey.clock import ShiftedClock
from journey.departure import Departure, DepartureStatus
from journey.due import DueState
from journey.leave_dates import FindingState
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.leave_dates import SqlLeaveDates
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve

ZONE = ZoneInfo("Europe/Copenhagen")
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# After the check has finished, how long the bench waits for the bot to send HR the card.
NOTICE_DEADLINE = 5.0
_NOTICES = text("SELECT state FROM due_actions WHERE kind = 'leave_dates.found'")
_FINAL = frozenset({DueState.SENT, DueState.FAILED, DueState.CANCELLED, DueState.SKIPPED})
# HR as config/demo/people.yaml has her (the directory knows this Teams user id for her).
HR = TeamsUser(
    user_id="user-id-2",
    aad_object_id="00000000-0000-0000-0000-0000000000022",
    name="Hanne Rasmussen",
    upn=HR_UPN,
    conversation_id="a:personal-bench-hr",
)


@dataclass
class Tally:
    """HR's actions, by what they were."""

    actions: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, count: int = 1) -> None:
        self.actions[what] += count

    @property
    def total(self) -> int:
        return sum(self.actions.values())


@dataclass
class HrRig:
    """One door's service and HR; `start()` before use, `stop()` after."""

    work: Path
    leavers: list[Leaver]
    departures: Mapping[str, Any] | None = None  # organisation.yaml's `departures`, if given
    leave_dates: Mapping[str, date] = field(default_factory=dict)  # UPN -> Entra's leave date
    attributes: Mapping[str, str] = field(default_factory=dict)  # every leaver's Entra attributes
    tally: Tally = field(default_factory=Tally)
    clock: ShiftedClock = field(default_factory=ShiftedClock)
    connector: ConnectorStandIn = field(default_factory=ConnectorStandIn)
    url: str = ""
    _stack: contextlib.AsyncExitStack | None = None
    _http: aiohttp.ClientSession | None = None
    _reader: Database | None = None  # the bench's own connection, to see the departures
    _app: web.Application | None = None  # the service running now
    _app_stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    hr_chats_first: bool = False  # HR wrote to the bot before the leave dates came
    # A database migrated once per run, copied for each door (None: migrate here).
    template: Path | None = None
    _ids: int = 0

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.work / 'exitbot.sqlite3'}"

    @property
    def config_dir(self) -> Path:
        return self.work / "config" if self.departures is not None else default_config_dir()

    @property
    def people_file(self) -> Path:
        return self.work / "people.yaml"

    def today(self) -> date:
        return self.clock.now().astimezone(ZONE).date()

    def settings(self) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None,
            EXITBOT_LOCAL_MODE=True,
            DATABASE_URL=self.database_url,
            EXITBOT_DIRECTORY="local",
            EXITBOT_PEOPLE_FILE=str(self.people_file),
            EXITBOT_CONFIG_DIR=str(self.config_dir),
        )

    def environment(self) -> dict[str, str]:
        """The settings as a command run by HR (`exitbot departures import`) reads them."""
        return {
            "EXITBOT_LOCAL_MODE": "true",
            "DATABASE_URL": self.database_url,
            "EXITBOT_DIRECTORY": "local",
            "EXITBOT_PEOPLE_FILE": str(self.people_file),
            "EXITBOT_CONFIG_DIR": str(self.config_dir),
        }

    async def start(self) -> None:
        """Write the people and HR's YAML, migrate, start the stand-in and the service."""
        self.work.mkdir(parents=True, exist_ok=True)
        self._write_people()
        if self.departures is not None:
            self._write_config()
        await migrated(self.work / "exitbot.sqlite3", self.template)
        self._stack = contextlib.AsyncExitStack()
        self._http = await self._stack.enter_async_context(aiohttp.ClientSession())
        for leaver in self.leavers:
            self.connector.members[leaver.user.user_id] = leaver.user.member()
        self.connector.members[HR.user_id] = HR.member()
        self.connector.url = await self._stack.enter_async_context(serve(self.connector.app()))
        if self.hr_chats_first:
            await self._hr_has_chatted()
        await self._serve()

    async def _hr_has_chatted(self) -> None:
        """Before the leavers' leave dates are in Entra, HR has written to the bot once (not
        counted: it is no leaver's), so the bot has HR's chat, as in the demo."""
        leave_dates, self.leave_dates = self.leave_dates, {}
        self._write_people()
        await self._serve()
        activity = message_activity(self._activity_id(), self.connector.url, "help", HR)
        status, _ = await self._post(activity)
        if status != 200:
            raise RuntimeError(f"HR's first message was answered {status}")
        await until(self.cards_to_hr, "the bot's answer to HR's first message")
        # Stopped only after the check at start is done: a service stopped while it takes the
        # check's lease could leave it held for LEASE (10 minutes), and the next start skips.
        reader = await self._reading()
        await until(lambda: _checked(reader), "the first check of leave dates finished")
        await self._app_stack.aclose()
        self.leave_dates = leave_dates
        self._write_people()

    async def _serve(self) -> None:
        assert self._stack is not None
        app = create_app(self.settings(), clock=self.clock)
        self._app = app
        self._app_stack = contextlib.AsyncExitStack()
        self.url = await self._app_stack.enter_async_context(serve(app))

    async def restart(self) -> None:
        """Stop the service and start it again on the same database (its jobs run at start)."""
        await self._app_stack.aclose()
        await self._serve()

    async def stop(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        await self._app_stack.aclose()
        if self._stack is not None:
            await self._stack.aclose()

    def _write_people(self) -> None:
        write_people(self.leavers, self.work)  # people.yaml (JSON is YAML), members.json
        document = json.loads(self.people_file.read_text())
        for person in document["people"]:
            if person["upn"] == HR.upn:
                person["chat_id"] = HR.conversation_id
            # Only the bench's leavers have a leave date (not the demo's own people).
            person.pop("leave_date", None)
            person.pop("leave_in_days", None)
            if person["upn"] in self.leave_dates:
                person["leave_date"] = self.leave_dates[person["upn"]].isoformat()
            if any(person["upn"] == leaver.user.upn for leaver in self.leavers):
                person.update(self.attributes)
        self.people_file.write_text(json.dumps(document, indent=1))

    def _write_config(self) -> None:
        """The shipped HR YAML with organisation.yaml's `departures` set as the door needs."""
        target = self.work / "config"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(default_config_dir(), target)
        yaml = YAML()  # round trip: HR's comments stay
        organisation = target / "organisation.yaml"
        document = yaml.load(organisation.read_text(encoding="utf-8"))
        document["departures"] = merged(document.get("departures") or {}, self.departures)
        with organisation.open("w", encoding="utf-8") as out:
            yaml.dump(document, out)

    # HR at the keyboard: every call below is one action, counted under `what`.

    def _activity_id(self) -> str:
        self._ids += 1
        return f"hr-actions-{self._ids}"

    async def _post(self, activity: dict[str, Any]) -> tuple[int, bytes]:
        assert self._http is not None
        async with self._http.post(self.url + "/api/messages", json=activity) as response:
            return response.status, await response.read()

    async def says(self, text: str, what: str) -> None:
        """HR types `text` to the bot."""
        self.tally.add(what)
        activity = message_activity(self._activity_id(), self.connector.url, text, HR)
        status, _ = await self._post(activity)
        if status != 200:
            raise RuntimeError(f"HR's message {text!r} was answered {status}")

    async def presses(self, verb: str, data: dict[str, Any], what: str) -> Card:
        """HR presses a card's `verb` button (data: what Teams sends); the card answered."""
        self.tally.add(what)
        activity = invoke_activity(self._activity_id(), self.connector.url, HR, verb, data)
        status, answer = await self._post(activity)
        card, reason = judged(status, answer)
        if card is None:
            raise RuntimeError(f"HR's {verb} failed: {reason}")
        return card

    def cards_to_hr(self) -> list[Card]:
        """Every card the bot posted to HR's chat, oldest first."""
        cards = []
        for request in self.connector.requests:
            parts = request.path.strip("/").split("/")
            if request.method != "POST" or len(parts) not in (4, 5) or parts[3] != "activities":
                continue
            if parts[2] != HR.conversation_id or not request.body:
                continue
            for attachment in request.body.get("attachments") or []:
                if attachment.get("contentType") == ADAPTIVE_CARD:
                    cards.append(attachment["content"])
        return cards

    async def card_to_hr(self, verb: str, after: int = 0) -> Card:
        """The newest card with `verb` posted to HR's chat among those after the first `after`."""

        def found() -> Card | None:
            cards = [c for c in self.cards_to_hr()[after:] if verb in verbs_of(c)]
            return cards[-1] if cards else None

        return await until(found, f"a card with {verb} in HR's chat")

    # What became of the departures.

    async def departures_now(self) -> dict[str, Departure]:
        """Each leaver's newest departure, by UPN (leavers without one left out)."""
        repository = SqlDepartureRepository(await self._reading())
        found = {}
        for leaver in self.leavers:
            mine = [
                d
                for d in await repository.list_for_person(leaver.user.upn)
                if d.leaver_upn == leaver.user.upn
            ]
            if mine:
                found[leaver.user.upn] = max(mine, key=_created)
        return found

    async def findings(self, state: FindingState, count: int) -> None:
        """Wait until the check has left `count` leave dates in `state`."""

        async def done() -> bool:
            return len(await SqlLeaveDates(await self._reading()).in_states([state])) >= count

        await until(done, f"{count} leave dates {state.value}")

    async def card_sent_to_hr(self, within: float = NOTICE_DEADLINE) -> bool:
        """Whether the bot sent HR's card of leave dates after the check, and it went out (False
        when the check told nobody within `within` seconds of finishing)."""
        reader = await self._reading()
        await until(lambda: _checked(reader), "the check of leave dates finished")

        async def settled() -> list[str] | None:
            async with reader.reading() as connection:
                states = (await connection.execute(_NOTICES)).scalars().all()
            return list(states) if states and all(s in _FINAL for s in states) else None

        try:
            states = await until(settled, "HR's card of leave dates sent", within)
        except RuntimeError:
            return False
        return DueState.SENT.value in states

    async def _reading(self) -> Database:
        if self._reader is None:
            self._reader = await Database.open(self.database_url)
        return self._reader

    async def all_departures(self, accept: Callable[[Departure], bool], what: str) -> None:
        """Wait until every leaver has a departure that `accept` says yes to."""

        async def done() -> bool | None:
            now = await self.departures_now()
            return (len(now) == len(self.leavers) and all(map(accept, now.values()))) or None

        await until(done, what)

    async def closes_all(self) -> None:
        """Move the clock past the day every departure closes on and start the service again
        (the closing job runs at start, then every hour); wait until every one is closed."""
        assert self._app is not None
        config = self._app[CONFIG].current  # HR's YAML as the running service read it
        latest = datetime.now(UTC)
        for departure in (await self.departures_now()).values():
            days = closing_rules(config, departure.unit).days_after_last_day
            day = departure.last_working_day + timedelta(days=days + 2)
            latest = max(latest, datetime.combine(day, datetime.min.time(), ZONE))
        self.clock.advance_to(latest)
        await self.restart()
        await self.all_departures(
            lambda d: d.status is DepartureStatus.CLOSED, "every departure closed"
        )


def _created(departure: Departure) -> datetime:
    return departure.created_at or datetime.min.replace(tzinfo=UTC)


async def _checked(reader: Database) -> bool:
    return (await SqlLeaveDates(reader).state()).checked_at is not None


@contextlib.asynccontextmanager
async def running(rig: HrRig) -> AsyncIterator[HrRig]:
    try:
        await rig.start()
        yield rig
    finally:
        await rig.stop()
