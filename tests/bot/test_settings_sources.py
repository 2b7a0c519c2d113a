"""Where a setting comes from: a keyword, the environment, the `.env` file, or its default.

The order and the reading of names and files are pydantic-settings' (which the service used
before bot/environment.py), so an operator's environment and `.env` mean what they meant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.environment import EnvironmentSettings
from bot.settings import DatabaseSettings, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("EXITBOT_LOCAL_MODE", "EXITBOT_HOST", "EXITBOT_PORT", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXITBOT_LOCAL_MODE", "true")
    monkeypatch.chdir(tmp_path)  # the `.env` file of each test, none of the checkout's


def _env_file(text: str) -> Path:
    path = Path(".env")
    path.write_text(text, encoding="utf-8")
    return path


def test_a_keyword_beats_the_environment_which_beats_the_file_which_beats_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().host == "127.0.0.1"
    _env_file("EXITBOT_HOST=from-file\n")
    assert load_settings().host == "from-file"
    monkeypatch.setenv("EXITBOT_HOST", "from-environment")
    assert load_settings().host == "from-environment"
    assert load_settings(EXITBOT_HOST="from-keyword").host == "from-keyword"
    assert load_settings(host="by-field-name").host == "by-field-name"


def test_variable_names_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("exitbot_port", "4000")
    _env_file("Exitbot_Host=0.0.0.0\n")
    settings = load_settings()
    assert (settings.host, settings.port) == ("0.0.0.0", 4000)


def test_a_variable_named_like_the_field_is_read_but_the_documented_name_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # populate_by_name: pydantic-settings read PORT as well as EXITBOT_PORT; so does this.
    monkeypatch.setenv("PORT", "8080")
    assert load_settings().port == 8080
    monkeypatch.setenv("EXITBOT_PORT", "9090")
    assert load_settings().port == 9090


def test_unknown_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXITBOT_NO_SUCH_SETTING", "1")
    _env_file("ANOTHER_TOOLS_SETTING=yes\nEXITBOT_PORT=5000\n")
    assert load_settings().port == 5000


def test_a_wrong_value_in_the_file_names_its_variable() -> None:
    _env_file("EXITBOT_PORT=99999\n")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "EXITBOT_PORT: Input should be less than or equal to 65535"


def test_a_missing_setting_from_an_empty_environment_names_the_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EXITBOT_LOCAL_MODE")
    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    _env_file("MICROSOFT_APP_ID=app\nMICROSOFT_APP_TENANT_ID=tenant\n")
    with pytest.raises(SettingsError, match=r"^MICROSOFT_APP_PASSWORD must be set"):
        load_settings()


def test_the_file_may_quote_values_comment_lines_and_export() -> None:
    _env_file(
        "# the local run\n"
        "\n"
        "export EXITBOT_PORT=4100\n"
        'EXITBOT_HOST="0.0.0.0"  # every interface\n'
        "EXITBOT_API_ROLE='Departures.Read # not a comment'\n"
        'EXITBOT_API_AUDIENCES="api://one, api://two"\n'
    )
    settings = load_settings()
    assert (settings.port, settings.host) == (4100, "0.0.0.0")
    assert settings.api_role == "Departures.Read # not a comment"
    assert settings.api_audience_list == ("api://one", "api://two")


def test_no_file_is_read_when_asked_for_none_and_another_when_named(tmp_path: Path) -> None:
    _env_file("EXITBOT_PORT=4200\n")
    assert Settings(_env_file=None).port == 3978
    other = tmp_path / "other.env"
    other.write_text("DATABASE_URL=sqlite+aiosqlite:///other.sqlite3\n", encoding="utf-8")
    assert DatabaseSettings(_env_file=other).database_url.endswith("/other.sqlite3")
    assert Settings(_env_file=tmp_path / "missing.env").port == 3978


def test_a_list_setting_is_refused_where_it_is_declared() -> None:
    # pydantic-settings would read it as JSON; nothing here does, so it cannot be half-read.
    with pytest.raises(TypeError, match=r"Hosts\.names"):

        class Hosts(EnvironmentSettings):
            names: list[str]
