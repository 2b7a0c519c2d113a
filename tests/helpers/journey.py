"""The exit journey on the real app: the demo's people as Teams users, card walkers, and the
running service's handle with ways to act as each person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from bot.typedefs import DATABASE, FLOW, OUTBOX, PEOPLE, REGISTRATION
from config.loader import LoadedConfig
from journey.clock import FixedClock
from journey.departure import Departure
from journey.due import DueState
from journey.flow import DepartureFlow
from journey.ports import AuditEntry
from journey.registration import RegistrationService
from journey.registration_rules import RegistrationRequest
from outbox.service import Outbox
from people.local_directory import LocalDirectory
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.tables import due_actions
from testkit.standins.connector import ConnectorStandIn, Recorded
from testkit.standins.tokens import TokenIssuer
from testkit.waiting import PATIENCE, wait_until
from tests.helpers.service import APP_ID, make_activity

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PEOPLE = REPO_ROOT / "config" / "demo" / "people.yaml"
# Monday 23 November 2026, 09:00 in Copenhagen.
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_DAY = date(2026, 12, 18)
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True)
class TeamsUser:
    """Someone in Teams as the bot meets them, and as the demo directory knows them."""

    user_id: str
    aad: str
    upn: str
    name: str

    @property
    def conversation(self) -> str:
        return f"a:personal-{self.user_id.removeprefix('29:')}"

    def member(self) -> dict[str, str]:
        return {
            "id": self.user_id,
            "name": self.name,
            "aadObjectId": self.aad,
            "userPrincipalName": self.upn,
        }


# Ids as the demo directory (config/demo/people.yaml) has them: `teams_user_id` and `id`.
LEAVER = TeamsUser(
    "user-id-0", "00000000-0000-0000-0000-0000000000020", "leaver@contoso.example", "Sofie"
)
HR = TeamsUser("user-id-2", "00000000-0000-0000-0000-0000000000022", "hr@contoso.example", "Hanne")
PARTNER = TeamsUser(
    "user-id-3", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f01", "hrpartner@contoso.example", "Peter"
)
MANAGER = TeamsUser(
    "user-id-1", "00000000-0000-0000-0000-0000000000021", "manager@contoso.example", "Mads"
)
STRANGER = TeamsUser("29:stranger", "aad-stranger", "someone@contoso.example", "Someone")
EVERYONE = (LEAVER, HR, PARTNER, MANAGER, STRANGER)


def cards_of(activity: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The Adaptive Cards an activity carries."""
    return [
        a["content"] for a in (activity or {}).get("attachments") or [] if a["contentType"] == CARD
    ]


def texts_of(card: dict[str, Any]) -> str:
    """Every text and button title of a card, one string, to look for words in."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for key, value in node.items():
                if key != "data":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute in a card (in ActionSets, actions and ShowCards), in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for key, value in node.items():
                if key not in ("data", "refresh"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def verbs_of(card: dict[str, Any]) -> list[str]:
    return [action["verb"] for action in actions_of(card)]


@dataclass
class LiveApp:
    """The running service and handles to what a test needs to look at."""

    url: str
    app: web.Application
    connector: ConnectorStandIn
    issuer: TokenIssuer
    http: aiohttp.ClientSession
    config: LoadedConfig
    clock: FixedClock

    @property
    def outbox(self) -> Outbox:
        return self.app[OUTBOX]

    @property
    def flow(self) -> DepartureFlow:
        return self.app[FLOW]

    @property
    def calendar(self) -> LocalDirectory:
        local = self.app[PEOPLE].calendar
        assert isinstance(local, LocalDirectory)
        return local

    @property
    def registration(self) -> RegistrationService:
        return self.app[REGISTRATION]

    async def hr_cancels(self, departure_id: str) -> None:
        """HR says the leaver stays (the registration service calls the journey)."""
        outcome = await self.registration.cancel(departure_id, HR.upn, door="test")
        assert not outcome.rejected, outcome.problems

    @property
    def departures(self) -> SqlDepartureRepository:
        return SqlDepartureRepository(self.app[DATABASE])

    async def audit(self, departure_id: str) -> list[AuditEntry]:
        return await SqlAuditLog(self.app[DATABASE]).for_departure(departure_id)

    async def post(self, activity: dict[str, Any]) -> aiohttp.ClientResponse:
        token = self.issuer.token(audience=APP_ID, service_url=activity["serviceUrl"])
        return await self.http.post(
            f"{self.url}/api/messages",
            json=activity,
            headers={"Authorization": f"Bearer {token}"},
        )

    def activity(self, user: TeamsUser, kind: str, *, locale: str, **extra: Any) -> dict[str, Any]:
        activity = make_activity(
            self.connector.url,
            kind,
            locale=locale,
            user_id=user.user_id,
            aad_object_id=user.aad,
            conversation_id=user.conversation,
            **extra,
        )
        activity["from"]["name"] = user.name
        return activity

    async def say(self, user: TeamsUser, text: str, *, locale: str = "en-US") -> None:
        """The person writes to the bot (which also tells the bot how to reach them)."""
        response = await self.post(self.activity(user, "message", locale=locale, text=text))
        assert response.status == 200

    async def press(
        self,
        user: TeamsUser,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The person presses an Action.Execute button; the invoke response body."""
        response = await self.post(self.press_activity(user, verb, data, locale=locale))
        assert response.status == 200
        return await response.json()

    def press_activity(
        self,
        user: TeamsUser,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The invoke activity Teams sends when the person presses a button (not sent)."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}}
        return self.activity(user, "invoke", locale=locale, name="adaptiveCard/action", value=value)

    async def card_offering(self, where: TeamsUser | str, verb: str) -> dict[str, Any]:
        """Wait for a card with a `verb` button posted to a conversation; the newest."""

        def offering() -> list[dict[str, Any]]:
            return [c for a in self.sent_to(where) for c in cards_of(a) if verb in verbs_of(c)]

        async def found() -> bool:
            return bool(offering())

        await self.until(found, what=f"a card offering {verb}")
        return offering()[-1]

    async def press_button(
        self, user: TeamsUser, card: dict[str, Any], verb: str, index: int = 0, **inputs: Any
    ) -> dict[str, Any]:
        """Press the `index`-th button with `verb` on `card`, with Teams merging `inputs`."""
        action = [a for a in actions_of(card) if a["verb"] == verb][index]
        return await self.press(user, verb, {**action.get("data", {}), **inputs})

    async def register(self, leaver: TeamsUser = LEAVER, **changes: Any) -> Departure:
        """HR registers the departure (the registration service calls the journey).

        HR registers the leaver's language as English unless a test says otherwise: HR's
        registered language comes before the Teams locale (issue 11); `locale=None` leaves it
        to the directory, as HR's form does when left empty.
        """
        values: dict[str, Any] = {
            "leaver": leaver.upn,
            "manager": MANAGER.upn,
            "unit": "social-care",
            "last_working_day": LAST_DAY,
            "locale": "en",
        }
        values.update(changes)
        outcome = await self.app[REGISTRATION].register(
            RegistrationRequest(**values), HR.upn, door="teams"
        )
        assert outcome.departure is not None, outcome.problems
        return outcome.departure

    async def departure(self, departure_id: str) -> Departure:
        return await self.departures.get(departure_id)

    async def until(
        self,
        check: Callable[[], Awaitable[bool]],
        *,
        within: float = PATIENCE,
        what: str = "",
    ) -> None:
        """Wait until `check` holds (the delivery worker sends in the background)."""
        await wait_until(check, timeout=within, what=what)

    async def settled(self) -> None:
        """Wait until every message due by the test's clock has gone out or failed for good."""
        unfinished = (DueState.PENDING, DueState.CLAIMED, DueState.SENDING)

        async def nothing_due() -> bool:
            async with self.app[DATABASE].sessions() as session:
                count = await session.scalar(
                    select(func.count())
                    .select_from(due_actions)
                    .where(
                        due_actions.c.due_at <= self.clock.now(),
                        due_actions.c.state.in_([state.value for state in unfinished]),
                    )
                )
            return not count

        await wait_until(nothing_due, what="every message due by now has gone out")

    def sent_to(self, user_or_conversation: TeamsUser | str) -> list[dict[str, Any]]:
        """The activities posted to a conversation, in order."""
        conversation = (
            user_or_conversation.conversation
            if isinstance(user_or_conversation, TeamsUser)
            else user_or_conversation
        )
        return [
            r.body
            for r in self.connector.requests
            if r.method == "POST"
            and r.body is not None
            and r.path.startswith(f"/v3/conversations/{conversation}/activities")
        ]

    def requests(self, method: str, fragment: str = "") -> list[Recorded]:
        return [r for r in self.connector.requests if r.method == method and fragment in r.path]

    async def card_for(
        self, where: TeamsUser | str, title: str, *, within: float = PATIENCE
    ) -> dict[str, Any]:
        """Wait for a card whose texts contain `title` posted to a conversation."""

        async def found() -> bool:
            return any(title in texts_of(c) for a in self.sent_to(where) for c in cards_of(a))

        await self.until(found, within=within)
        return next(
            c for a in reversed(self.sent_to(where)) for c in cards_of(a) if title in texts_of(c)
        )

    def text(self, key: str, locale: str = "en", **params: Any) -> str:
        return self.config.text(key, locale, unit="social-care", **params)
