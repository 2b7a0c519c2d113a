"""RegistrationService on a real database, the demo directory and the default configuration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from config.loader import LoadedConfig
from journey.clock import FixedClock
from journey.registration import RegistrationService
from people.local_directory import LocalDirectory
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from tests.registration.helpers import DEMO_PEOPLE, NOW, RecordingEvents, Setup


@pytest.fixture
def make_setup(db: Database, default_config: LoadedConfig) -> Callable[..., Setup]:
    def build(
        *, directory: LocalDirectory | None = None, repository: Any = None, now: datetime = NOW
    ) -> Setup:
        clock = FixedClock(now)
        stored = SqlDepartureRepository(db, clock)
        audit = SqlAuditLog(db)
        events = RecordingEvents()
        service = RegistrationService(
            repository or stored,
            directory or LocalDirectory.from_file(DEMO_PEOPLE, now=now),
            lambda: default_config,
            clock,
            audit,
            events,
        )
        return Setup(service, db, stored, audit, events, clock, default_config)

    return build


@pytest.fixture
def setup(make_setup: Callable[..., Setup]) -> Setup:
    return make_setup()
