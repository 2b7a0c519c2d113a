"""Where the repository's deployment files are, and the settings the deployment tests clear."""

from __future__ import annotations

from pathlib import Path

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
