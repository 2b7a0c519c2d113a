"""What the Playground tests share: the demo's people and configuration, and Hanne's own
journey as `make run` plays it (config/demo/playground.yml: HR registers her own departure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.settings import Settings
from config.loader import LoadedConfig
from tests.e2e.playground import Playground, PlaygroundUser, StreamEvent
from tests.helpers.journey import actions_of

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAYGROUND = REPO_ROOT / "config" / "demo" / "playground.yml"


# Sofie Andersen of config/demo/people.yaml at the keyboard.
SOFIE = PlaygroundUser(
    id="29:1playground-sofie",
    name="Sofie Andersen",
    aad_object_id="00000000-0000-0000-0000-0000000000020",
    given_name="Sofie",
    surname="Andersen",
    email="leaver@contoso.example",
)


class DemoPlayground(Playground):
    """The Playground with the demo's own configuration file, as `make run` starts it."""

    def __init__(self, bot_endpoint: str, **options: Any) -> None:
        demo = YAML(typ="safe").load(DEMO_PLAYGROUND.read_text(encoding="utf-8"))
        me = demo["currentUser"]
        user = PlaygroundUser(
            id=me["id"],
            name=me["name"],
            aad_object_id=me["aadObjectId"],
            given_name=me["givenName"],
            surname=me["surname"],
            email=me["email"],
        )
        super().__init__(
            bot_endpoint,
            user=user,
            tenant_id=demo["tenantId"],
            bot_id=demo["bot"]["id"],
            bot_name=demo["bot"]["name"],
            conversation_id=demo["personalChat"]["id"],
            **options,
        )
        self._demo = demo

    def _write_config(self, path: Path) -> None:
        path.write_text(json.dumps(self._demo), encoding="utf-8")


def demo_settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        EXITBOT_LOCAL_MODE=True,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
    )


def buttons(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [action for action in actions_of(card) if action["verb"] == verb]


def title_of(event: StreamEvent) -> str:
    return event.cards[0]["body"][0]["text"] if event.cards else ""


@dataclass(frozen=True)
class Booked:
    """Hanne's booked conversation: the offer's message, the confirmation card, the departure."""

    message_id: str
    card: dict[str, Any]
    departure_id: str
    offer: dict[str, Any]
    choice: dict[str, Any]
    slots: dict[str, Any]


async def book_own_conversation(
    playground: Playground, config: LoadedConfig, departures: Any
) -> Booked:
    """Hanne registers her own departure through the form, accepts the offer, chooses the HR
    partner and picks the first time; what each step answered."""
    await playground.send_text("register")
    form = await playground.wait_for(
        lambda event: title_of(event) == config.text("register.title", "en")
    )
    inputs = {
        "leaver": "hr@contoso.example",
        "manager": "manager@contoso.example",
        "unit": "social-care",
        "last_working_day": (date.today() + timedelta(days=21)).isoformat(),
        "locale": "en",  # Hanne registers her departure in English (Playground's en-US)
    }
    registered = await playground.execute("register.submit", inputs, reply_to=form.message_id)
    assert registered["type"] == "application/vnd.microsoft.card.adaptive"
    [departure] = await departures.list_for_person("hr@contoso.example")
    offer = await playground.wait_for(
        lambda event: title_of(event) == config.text("offer.title", "en")
    )
    message = offer.message_id
    accept = buttons(offer.cards[0], "offer.accept")[0]
    choice = await playground.execute("offer.accept", accept["data"], reply_to=message)
    assert choice["type"] == "application/vnd.microsoft.card.adaptive"
    partner = next(
        button
        for button in buttons(choice["value"], "interviewer.choose")
        if button["data"]["person"] == "hrpartner@contoso.example"
    )
    slots = await playground.execute("interviewer.choose", partner["data"], reply_to=message)
    times = buttons(slots["value"], "booking.pick")
    assert 3 <= len(times) <= 5
    confirmation = await playground.execute("booking.pick", times[0]["data"], reply_to=message)
    return Booked(
        message_id=message,
        card=confirmation["value"],
        departure_id=departure.id,
        offer=offer.cards[0],
        choice=choice["value"],
        slots=slots["value"],
    )
