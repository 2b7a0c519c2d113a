"""The service's settings, read from the environment (and an optional `.env` file)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator

from bot.environment import EnvironmentConfigDict, EnvironmentSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/exitbot.sqlite3"
BOT_FRAMEWORK_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ENTRA_AUTHORITY = "https://login.microsoftonline.com"


class AppType(StrEnum):
    """How the bot proves who it is to the Bot Connector (multi-tenant is deprecated)."""

    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


GraphCredentialKind = Literal["managed_identity", "client_secret", "certificate"]
S = TypeVar("S", bound=EnvironmentSettings)


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the environment variable."""


class DatabaseSettings(EnvironmentSettings):
    """What the database commands need, and nothing that would make them ask for more."""

    model_config = EnvironmentConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    # PostgreSQL: the role migrations run as (SET ROLE), which owns every table; the service's
    # login is granted it (`exitbot db grant`). Empty: the login that migrates owns them.
    database_owner_role: str = Field(
        "", alias="DATABASE_OWNER_ROLE", pattern=r"^([A-Za-z_][A-Za-z0-9_-]{0,62})?$"
    )


class AppPackageSettings(EnvironmentSettings):
    """What `exitbot package` writes into the Teams app package; no secret is needed."""

    model_config = EnvironmentConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    app_id: str = Field(alias="MICROSOFT_APP_ID", min_length=1)
    # The host Teams reaches the bot on (validDomains), e.g. exitbot-prod.azurewebsites.net.
    public_hostname: str = Field(
        alias="EXITBOT_PUBLIC_HOSTNAME", min_length=1, pattern=r"^[A-Za-z0-9.-]+$"
    )
    app_version: str = Field("1.0.0", alias="EXITBOT_APP_VERSION", pattern=r"^\d+\.\d+\.\d+$")
    organisation_name: str = Field("exitbot", alias="EXITBOT_ORGANISATION_NAME", max_length=32)
    website_url: str = Field("", alias="EXITBOT_WEBSITE_URL")
    privacy_url: str = Field("", alias="EXITBOT_PRIVACY_URL")
    terms_url: str = Field("", alias="EXITBOT_TERMS_URL")

    def placeholders(self) -> dict[str, str]:
        """The `${{NAME}}` values of appPackage/manifest.json; the URLs default to the site."""
        website = self.website_url or f"https://{self.public_hostname}/"
        return {
            "MICROSOFT_APP_ID": self.app_id,
            "EXITBOT_PUBLIC_HOSTNAME": self.public_hostname,
            "EXITBOT_APP_VERSION": self.app_version,
            "EXITBOT_ORGANISATION_NAME": self.organisation_name,
            "EXITBOT_WEBSITE_URL": website,
            "EXITBOT_PRIVACY_URL": self.privacy_url or website,
            "EXITBOT_TERMS_URL": self.terms_url or website,
        }


class PeopleSettings(DatabaseSettings):
    """The database, HR's configuration and the directory: what `departures import` needs.

    Nothing here is required, so a command that only reads the local people file does not ask
    for the bot's identity; Graph still needs the app's credentials (MICROSOFT_APP_*).
    """

    local_mode: bool = Field(False, alias="EXITBOT_LOCAL_MODE")
    config_dir: Path | None = Field(None, alias="EXITBOT_CONFIG_DIR")

    app_id: str = Field("", alias="MICROSOFT_APP_ID")
    app_password: SecretStr | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    app_tenant_id: str = Field("", alias="MICROSOFT_APP_TENANT_ID")

    directory: Literal["local", "graph"] | None = Field(None, alias="EXITBOT_DIRECTORY")
    people_file: Path = Field(Path("config/demo/people.yaml"), alias="EXITBOT_PEOPLE_FILE")
    graph_credential: GraphCredentialKind | None = Field(None, alias="GRAPH_CREDENTIAL")
    graph_certificate_path: str | None = Field(None, alias="GRAPH_CERTIFICATE_PATH")
    graph_base_url: str = Field("https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    teams_app_catalog_id: str = Field("", alias="TEAMS_APP_CATALOG_ID")

    @property
    def resolved_directory(self) -> Literal["local", "graph"]:
        """Where people and calendars come from: the local YAML file only when asked or local."""
        return self.directory or ("local" if self.local_mode else "graph")

    @property
    def resolved_graph_credential(self) -> GraphCredentialKind:
        """The Graph credential: as set, else the app's secret if it has one, else its identity."""
        if self.graph_credential:
            return self.graph_credential
        return "client_secret" if self.app_password else "managed_identity"

    @property
    def resolved_config_dir(self) -> Path:
        """HR's configuration directory: as set, else the shipped default."""
        from config.loader import default_config_dir

        return self.config_dir or default_config_dir()


class Settings(PeopleSettings):
    """Everything the service reads from its environment."""

    host: str = Field("127.0.0.1", alias="EXITBOT_HOST")
    port: int = Field(3978, alias="EXITBOT_PORT", ge=1, le=65535)
    max_body_bytes: int = Field(256 * 1024, alias="EXITBOT_MAX_BODY_BYTES", ge=1024)
    log_level: str = Field("INFO", alias="EXITBOT_LOG_LEVEL")
    # `json`: one JSON object per line (time, level, logger, message and any extra fields) for a
    # log store that parses them; `text`: plain lines. Neither holds message text or tokens.
    log_format: Literal["text", "json"] = Field("text", alias="EXITBOT_LOG_FORMAT")
    # Traces and metrics (bot/telemetry.py). `auto`: to Application Insights when its connection
    # string is set (the Bicep sets it), else nowhere; `console`: printed on stdout, for a local
    # look; `off`: never.
    telemetry: Literal["auto", "console", "off"] = Field("auto", alias="EXITBOT_TELEMETRY")
    applicationinsights_connection_string: SecretStr | None = Field(
        None, alias="APPLICATIONINSIGHTS_CONNECTION_STRING"
    )

    app_type: AppType = Field(AppType.SINGLE_TENANT, alias="MICROSOFT_APP_TYPE")

    openid_metadata_url: str = Field(
        BOT_FRAMEWORK_OPENID_METADATA, alias="TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"
    )
    token_issuer: str = Field(BOT_FRAMEWORK_ISSUER, alias="TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")
    dedup_window_minutes: int = Field(60, alias="EXITBOT_DEDUP_WINDOW_MINUTES", ge=1)
    # The Bot Framework channels whose activities the bot accepts, comma-separated: Teams only
    # unless set (Agents Playground in `make run` sends msteams too). Any other channel's
    # activity (webchat, directline, emulator, ...) is refused with 403, even when signed.
    channels: str = Field(
        "msteams", alias="EXITBOT_CHANNELS", pattern=r"^\s*[a-z0-9_.-]+(\s*,\s*[a-z0-9_.-]+)*\s*$"
    )
    # Where the bot opens chats with people who never wrote to it, before anyone in the tenant
    # has (then Teams' own address is used): the Bot Connector of the tenant's region.
    teams_service_url: str = Field("", alias="TEAMS_SERVICE_URL")
    # `entra`: log in to Azure Database for PostgreSQL with the bot's identity (an access token
    # per connection, no password in DATABASE_URL); `password`: whatever DATABASE_URL says.
    database_auth: Literal["password", "entra"] = Field("password", alias="DATABASE_AUTH")
    # Bring the schema up to date before serving (under a lock, as DATABASE_OWNER_ROLE), so a
    # deployment needs no migration step with the database's password from outside.
    migrate_on_start: bool = Field(False, alias="EXITBOT_MIGRATE_ON_START")
    # Local mode only: a clock that POST /_test/clock moves forward, to see reminders that are
    # days away (end-to-end tests, demos).
    test_clock: bool = Field(False, alias="EXITBOT_TEST_CLOCK")
    # Local mode only: the language every incoming activity is taken to be in. Agents
    # Playground always sends en-US, so this is how to play the demo in Danish (da-DK),
    # Swedish (sv-SE) or Norwegian (nb-NO).
    demo_locale: str | None = Field(
        None, alias="EXITBOT_DEMO_LOCALE", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
    )

    # The departures API (hr_api/): Entra ID access tokens with an app role, or in local mode
    # only, a static token. Empty means "derive from MICROSOFT_APP_TENANT_ID/MICROSOFT_APP_ID".
    api_token: SecretStr | None = Field(None, alias="EXITBOT_API_TOKEN")
    api_openid_metadata_url: str = Field("", alias="EXITBOT_API_OPENID_METADATA_URL")
    api_token_issuers: str = Field("", alias="EXITBOT_API_TOKEN_ISSUERS")
    api_audiences: str = Field("", alias="EXITBOT_API_AUDIENCES")
    api_role: str = Field("Departures.ReadWrite", alias="EXITBOT_API_ROLE", min_length=1)

    @model_validator(mode="after")
    def _entra_login_is_postgres(self) -> Settings:
        if self.database_auth == "entra" and not self.database_url.startswith("postgresql"):
            raise ValueError("DATABASE_AUTH=entra needs a postgresql+asyncpg:// DATABASE_URL")
        return self

    @model_validator(mode="after")
    def _test_clock_is_local(self) -> Settings:
        if self.test_clock and not self.local_mode:
            raise ValueError("EXITBOT_TEST_CLOCK=true needs EXITBOT_LOCAL_MODE=true")
        return self

    @model_validator(mode="after")
    def _demo_locale_is_local(self) -> Settings:
        if self.demo_locale and not self.local_mode:
            raise ValueError("EXITBOT_DEMO_LOCALE needs EXITBOT_LOCAL_MODE=true")
        return self

    @model_validator(mode="after")
    def _deployment_needs_identity(self) -> Settings:
        if self.local_mode:
            return self
        missing = []
        if not self.app_id:
            missing.append("MICROSOFT_APP_ID")
        if not self.app_tenant_id:
            missing.append("MICROSOFT_APP_TENANT_ID")
        if self.app_type is AppType.SINGLE_TENANT and not self.app_password:
            missing.append("MICROSOFT_APP_PASSWORD")
        if missing:
            raise ValueError(
                f"{', '.join(missing)} must be set (or set EXITBOT_LOCAL_MODE=true for a local "
                "run without authentication)"
            )
        return self

    @property
    def telemetry_exporter(self) -> Literal["azure", "console", "off"]:
        """Where traces and metrics go: Application Insights only with a connection string."""
        if self.telemetry == "auto":
            connection = self.applicationinsights_connection_string
            return "azure" if connection and connection.get_secret_value().strip() else "off"
        return self.telemetry

    @property
    def auth_enabled(self) -> bool:
        """Authentication is off only in the explicit local mode."""
        return not self.local_mode

    @property
    def channel_ids(self) -> frozenset[str]:
        """The channels whose activities are accepted (EXITBOT_CHANNELS)."""
        return frozenset(_listed(self.channels))

    @property
    def api_metadata_url(self) -> str:
        """Where the API's token signing keys are published: the tenant's Entra ID metadata."""
        if self.api_openid_metadata_url:
            return self.api_openid_metadata_url
        if not self.app_tenant_id:
            return ""
        return f"{ENTRA_AUTHORITY}/{self.app_tenant_id}/v2.0/.well-known/openid-configuration"

    @property
    def api_issuers(self) -> tuple[str, ...]:
        """Accepted `iss` values: the tenant's v2.0 and v1.0 issuers unless set."""
        # Which one a caller gets depends on the API app registration's
        # accessTokenAcceptedVersion (v1.0 unless changed), so both are accepted by default.
        if self.api_token_issuers:
            return _listed(self.api_token_issuers)
        if not self.app_tenant_id:
            return ()
        return (
            f"{ENTRA_AUTHORITY}/{self.app_tenant_id}/v2.0",
            f"https://sts.windows.net/{self.app_tenant_id}/",
        )

    @property
    def api_audience_list(self) -> tuple[str, ...]:
        """Accepted `aud` values: the app id URI `api://<app id>` and the app id unless set."""
        if self.api_audiences:
            return _listed(self.api_audiences)
        return (f"api://{self.app_id}", self.app_id) if self.app_id else ()


def _listed(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def load_settings(kind: type[S] = Settings, **overrides: object) -> S:  # type: ignore[assignment]
    """Read the settings, turning pydantic's report into one message that names the variables."""
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(message if name == "settings" else f"{name}: {message}")
        raise SettingsError("; ".join(problems)) from None
