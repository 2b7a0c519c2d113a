"""Which directory and calendar the bot uses: Microsoft Graph, or the local demo file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.credentials import graph_credential_for
from bot.settings import PeopleSettings, SettingsError
from journey.clock import Clock
from people.graph_client import GraphClient
from people.ports import PeoplePorts, graph_ports, local_ports


@asynccontextmanager
async def open_people(settings: PeopleSettings, clock: Clock) -> AsyncIterator[PeoplePorts]:
    """Open the people ports the settings ask for; close what they hold afterwards."""
    if settings.resolved_directory == "local":
        if not settings.people_file.is_file():
            raise SettingsError(f"EXITBOT_PEOPLE_FILE: {settings.people_file} does not exist")
        yield local_ports(settings.people_file, now=clock.now())
        return
    if not settings.teams_app_catalog_id:
        raise SettingsError("TEAMS_APP_CATALOG_ID must be set to reach people through Graph")
    try:
        credential = graph_credential_for(settings)  # SettingsError names what is missing
    except SettingsError:
        raise
    except ValueError as exc:
        raise SettingsError(f"GRAPH_CREDENTIAL: {exc}") from exc
    try:
        async with GraphClient(credential, base_url=settings.graph_base_url) as client:
            yield graph_ports(client, teams_app_id=settings.teams_app_catalog_id)
    finally:
        await credential.close()
