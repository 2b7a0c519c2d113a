"""Settings from the environment: what is required, and what the messages say."""

from __future__ import annotations

import pytest

from bot.settings import DatabaseSettings, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in (
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
        "MICROSOFT_APP_TYPE",
        "EXITBOT_LOCAL_MODE",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_a_deployment_without_an_app_id_names_the_missing_variables() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "MICROSOFT_APP_ID" in message
    assert "MICROSOFT_APP_TENANT_ID" in message
    assert "EXITBOT_LOCAL_MODE" in message


def test_a_single_tenant_bot_needs_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "app")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    with pytest.raises(SettingsError, match="MICROSOFT_APP_PASSWORD"):
        load_settings()


def test_a_managed_identity_needs_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "app")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "UserAssignedMSI")
    settings = load_settings()
    assert settings.auth_enabled


def test_authentication_is_off_only_in_explicit_local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXITBOT_LOCAL_MODE", "true")
    assert not load_settings().auth_enabled
    monkeypatch.setenv("EXITBOT_LOCAL_MODE", "false")
    monkeypatch.setenv("MICROSOFT_APP_ID", "app")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    settings = load_settings()
    assert settings.auth_enabled
    assert "secret" not in repr(settings)


def test_a_wrong_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXITBOT_LOCAL_MODE", "true")
    monkeypatch.setenv("EXITBOT_PORT", "not-a-port")
    with pytest.raises(SettingsError, match="EXITBOT_PORT"):
        load_settings()


def test_database_commands_need_only_the_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@127.0.0.1/exitbot")
    settings = load_settings(DatabaseSettings)
    assert settings.database_url.endswith("/exitbot")
    assert not isinstance(settings, Settings)
