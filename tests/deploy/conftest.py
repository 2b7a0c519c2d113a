"""Shared by the deployment tests: the official Teams manifest schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.paths import TEAMS_SCHEMAS


@pytest.fixture
def schemas() -> Path:
    """The official Teams manifest schemas from npm; skips when `npm ci` has not run."""
    if not TEAMS_SCHEMAS.is_dir():
        pytest.skip(f"{TEAMS_SCHEMAS} is missing: run `make install` (npm @microsoft/app-manifest)")
    return TEAMS_SCHEMAS
