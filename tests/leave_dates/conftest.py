"""The leave-date check on a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest

from config.loader import LoadedConfig
from storage.database import Database
from tests.leave_dates.helpers import Rig, build_rig


@pytest.fixture
def rig(db: Database, default_config: LoadedConfig) -> Rig:
    return build_rig(db, default_config)
