"""A small organisation with follow-ups, written straight into the tables, and a turn double
that drives the bot's real router over a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import insert

from cards.locale import Speaker
from cli.past_departures import Leaver, seed
from config.loaded import LoadedConfig
from config.loader import default_config_dir, load_config
from dialogs.commands import Command
from dialogs.router import Router
from dialogs.routes import build_router
from dialogs.turn import DialogTurn
from journey.clock import FixedClock
from journey.locale import language_of
from storage.database import Database
from storage.follow_up_lists import SqlFollowUpLists
from storage.insights import SqlInsightsSource
from storage.tables import follow_ups
from testkit.fakes import FakeAuditLog

# Thursday 3 December 2026, 09:00 in Copenhagen: a follow-up due on the 2nd is overdue.
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)

HR = "hr@contoso.example"  # an HR member in config/default/organisation.yaml
MANAGER = "boss.social@contoso.example"  # manages departures in social-care
OTHER_MANAGER = "boss.tech@contoso.example"  # manages departures in technical-services
TECH = OTHER_MANAGER
REPRESENTATIVE = "union.rep@contoso.example"  # social-care's (and so home-care's)
OTHER_REPRESENTATIVE = "tr.tech@contoso.example"  # technical-services'
LEAVER = "sofie@contoso.example"  # left social-care
STRANGER = "someone@contoso.example"
OWNER = "colleague@contoso.example"  # a named colleague who owns one follow-up, sees no unit
LEAVER_NAME = "Sofie Andersen"

# What each follow-up says; one names the leaver.
ROTA = "Review the weekend rota with the team"
NAMED = "Tell Sofie's old team how the onboarding changes"
LIFTS = "Order new lifting aids for the home visits"
KEYS = "Write down how van keys are handed over"
DONE = "Fix the broken coffee machine"


def config_with_representatives() -> LoadedConfig:
    """The default configuration with a representative for technical-services as well."""
    config = load_config(default_config_dir())
    units = dict(config.units)
    units["technical-services"] = units["technical-services"].model_copy(
        update={"representatives": [OTHER_REPRESENTATIVE]}
    )
    return dataclasses.replace(config, units=units)


async def seed_organisation(db: Database) -> dict[str, str]:
    """Departures in three units (one leaver named), and their follow-ups; ids by text."""
    social = Leaver("social-care", date(2026, 10, 30), manager=MANAGER, name=LEAVER_NAME)
    home = Leaver("home-care", date(2026, 10, 30), manager=MANAGER)
    tech = Leaver("technical-services", date(2026, 9, 30), manager=OTHER_MANAGER)
    await seed(db, [social, home, tech])
    await _leaver_upn(db, social.id)
    rows = [
        follow_up(social.id, "social-care", "work_environment", ROTA, date(2026, 12, 2)),
        follow_up(social.id, "social-care", "relations", NAMED, date(2026, 12, 20), owner=HR),
        follow_up(home.id, "home-care", "job_content", LIFTS, date(2027, 1, 10), owner=OWNER),
        follow_up(
            tech.id, "technical-services", "job_content", KEYS, date(2026, 12, 10), owner=TECH
        ),
        follow_up(tech.id, "technical-services", "job_content", DONE, date(2026, 11, 1), done=True),
    ]
    await insert_follow_ups(db, rows)
    ids = {row["what"]: row["id"] for row in rows}
    return ids | {f"departure:{leaver.unit}": leaver.id for leaver in (social, home, tech)}


async def _leaver_upn(db: Database, departure_id: str) -> None:
    from storage.tables import departures

    async with db.sessions.begin() as session:
        await session.execute(
            departures.update().where(departures.c.id == departure_id).values(leaver_upn=LEAVER)
        )


def follow_up(
    departure_id: str,
    unit: str,
    area: str,
    what: str,
    due_on: date,
    *,
    owner: str = MANAGER,
    owner_kind: str | None = None,
    done: bool = False,
) -> dict[str, Any]:
    """One row of `follow_ups` as storage.follow_ups would write it."""
    kinds = {OWNER: "person", HR: "hr"}
    kind = owner_kind or kinds.get(owner, "manager")
    return {
        "id": uuid.uuid4().hex,
        "departure_id": departure_id,
        "unit": unit,
        "area": area,
        "what": what,
        "owner_upn": owner,
        "owner_kind": kind,
        "due_on": due_on,
        "state": "done" if done else "open",
        "outcome": "Done" if done else None,
        "created_by": HR,
        "done_by": owner if done else None,
        "done_at": NOW if done else None,
        "revision": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }


async def insert_follow_ups(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.sessions.begin() as session:
        await session.execute(insert(follow_ups), rows)


class Turn:
    """What the flows use of a DialogTurn, over the real database; records what is sent."""

    def __init__(self, db: Database, config: LoadedConfig, upn: str, locale: str = "en-US"):
        self.config = config
        self.locale = locale
        self.language = language_of(locale)
        self.first_contact = False
        self.available_commands = frozenset(Command)
        self.actor = SimpleNamespace(user_id=f"u-{upn}", upn=upn, name=None, aad_object_id=None)
        self.audit = FakeAuditLog()
        self.services = SimpleNamespace(
            audit=self.audit,
            clock=FixedClock(NOW),
            insights=SqlInsightsSource(db),
            follow_up_lists=SqlFollowUpLists(db),
        )
        self.sent: list[tuple[str, Any]] = []

    def is_hr(self) -> bool:
        return self.config.is_hr_member(self.actor.upn)

    def text(self, key: str, *, unit: str | None = None, **params: Any) -> str:
        return self.config.text(key, self.locale, unit=unit, **params)

    def speaker(self, unit: str | None = None) -> Speaker:
        return Speaker(self.config, self.locale, unit)

    async def send_text(self, text: str) -> None:
        self.sent.append(("text", text))

    async def send_card(self, card: dict[str, Any]) -> None:
        self.sent.append(("card", card))

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [card for kind, card in self.sent if kind == "card"]

    @property
    def texts(self) -> list[str]:
        return [text for kind, text in self.sent if kind == "text"]


ROUTER: Router = build_router()


async def say(turn: Turn, text: str) -> None:
    await ROUTER.on_message(cast(DialogTurn, turn), text)


async def press(turn: Turn, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    return (await ROUTER.on_invoke(cast(DialogTurn, turn), value)).body()
