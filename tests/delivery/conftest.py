"""Fixtures for the delivery engine: a queue on a fixed clock, a Teams stand-in, workers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from journey.clock import FixedClock
from storage.database import Database
from storage.due_actions import DueActionQueue
from testkit.standins.serve import serve
from testkit.standins.throttling import ThrottlingConnector
from tests.delivery.helpers import T0, WorkerFactory


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def queue(db: Database, clock: FixedClock) -> DueActionQueue:
    return DueActionQueue(db, clock)


@pytest.fixture
async def teams() -> AsyncIterator[tuple[ThrottlingConnector, str]]:
    """A connector stand-in without limits on a loopback port: (stand-in, base URL)."""
    standin = ThrottlingConnector(conversation_limits=None, tenant_limits=None)
    async with serve(standin.app()) as url:
        yield standin, url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def make_worker(http: aiohttp.ClientSession, clock: FixedClock) -> WorkerFactory:
    """Builds a DeliveryWorker on a database, unpaced unless told otherwise."""
    return WorkerFactory(http, clock)
