"""What `exitbot serve` loads before it answers: not the tools of other commands or later turns.

Python's own import log (PYTHONPROFILEIMPORTTIME, the environment form of `-X importtime`)
names every module the service imported from its start until it answered /healthz.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import REPO, command_env, free_port, run_exitbot, serving

# Loaded on demand only: migrations and their templates (`db upgrade`, an out-of-date schema),
# the public holidays of every country (the first time proposed), spreadsheets (exports),
# the azure-identity credentials (made only where Entra ID is used, never in local mode).
# Never loaded: pydantic-settings (bot/environment.py reads the settings from the environment).
NOT_AT_START = (
    "alembic",
    "mako",
    "holidays",
    "openpyxl",
    "azure.identity",
    "pydantic_settings",
)


async def _modules_imported_until_ready(tmp_path: Path) -> set[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    code, _, err = await run_exitbot("db", "upgrade", env=command_env(DATABASE_URL=url), cwd=REPO)
    assert code == 0, err
    port = free_port()
    env = command_env(
        EXITBOT_LOCAL_MODE="true",
        DATABASE_URL=url,
        EXITBOT_PORT=str(port),
        PYTHONPROFILEIMPORTTIME="1",
    )
    log = tmp_path / "serve.stderr"
    with log.open("wb") as stderr:
        async with serving(env, stderr=stderr):
            pass  # the import log so far is everything loaded until ready
    lines = log.read_text().splitlines()
    return {line.rpartition("|")[2].strip() for line in lines if line.startswith("import time:")}


async def test_serve_answers_healthz_without_loading_what_only_other_work_needs(
    tmp_path: Path,
) -> None:
    imported = await _modules_imported_until_ready(tmp_path)
    assert "bot.app" in imported  # the log is there and names the service's own modules
    loaded = sorted(
        name
        for name in imported
        for package in NOT_AT_START
        if f"{name}.".startswith(f"{package}.")
    )
    assert loaded == []
