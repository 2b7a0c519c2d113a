"""build_services wires, outside the app, every service a dialog may ask for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import aiohttp

from bot.services import Resources, build_services
from bot.settings import Settings
from config.loader import LoadedConfig
from journey.clock import FixedClock
from people.ports import local_ports
from storage.database import Database
from tests.helpers.journey import DEMO_PEOPLE, T0
from tests.helpers.service import StaticToken


async def test_every_service_is_wired_and_the_dialogs_share_the_journey(
    settings_for: Callable[..., Settings], sqlite_url: str, default_config: LoadedConfig
) -> None:
    clock = FixedClock(T0)
    db = await Database.open(sqlite_url)
    try:
        async with aiohttp.ClientSession() as session:
            resources = Resources(
                db=db,
                people=local_ports(DEMO_PEOPLE, now=T0),
                config=lambda: default_config,
                session=session,
                tokens=StaticToken(),
            )
            wiring = build_services(settings_for(), clock, resources)
    finally:
        await db.close()
    services = wiring.services
    # A service left out would fail a person's turn with "not wired into the services".
    assert [f.name for f in fields(services) if getattr(services, f.name) is None] == []
    assert services.flow is wiring.flow
    assert services.clock is clock
    assert services.config() is default_config
