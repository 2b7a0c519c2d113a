"""Shared by the deployment tests: where the repository's deployment files are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGE = REPO_ROOT / "appPackage"
SCHEMAS = REPO_ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas"
TEAMS_SCHEMAS = SCHEMAS / "teams"

# Every setting the app package or the service reads; cleared so the developer's shell or a
# .env file cannot change what a test sees.
PACKAGE_VARIABLES = (
    "MICROSOFT_APP_ID",
    "EXITBOT_PUBLIC_HOSTNAME",
    "EXITBOT_APP_VERSION",
    "EXITBOT_ORGANISATION_NAME",
    "EXITBOT_WEBSITE_URL",
    "EXITBOT_PRIVACY_URL",
    "EXITBOT_TERMS_URL",
)


@pytest.fixture
def schemas() -> Path:
    """The official Teams manifest schemas from npm; skips when `npm ci` has not run."""
    if not TEAMS_SCHEMAS.is_dir():
        pytest.skip(f"{TEAMS_SCHEMAS} is missing: run `make install` (npm @microsoft/app-manifest)")
    return TEAMS_SCHEMAS
