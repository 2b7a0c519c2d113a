"""The `exitbot` command as an operator runs it: a real process, real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import REPO, command_env, free_port, run_exitbot, serving


async def test_check_config_passes_the_shipped_configuration(tmp_path: Path) -> None:
    code, out, _ = await run_exitbot("check-config", env=command_env(), cwd=REPO)
    assert code == 0
    assert out.startswith("config OK: ")


async def test_check_config_prints_every_mistake_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "config"
    broken.mkdir()
    for source in (REPO / "config" / "default").rglob("*.yaml"):
        target = broken / source.relative_to(REPO / "config" / "default")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    organisation = broken / "organisation.yaml"
    lines = organisation.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "minutes:" in line)
    lines[number] = lines[number].split("minutes:")[0] + "minutes: -5"
    organisation.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = await run_exitbot("check-config", str(broken), env=command_env(), cwd=tmp_path)
    assert code == 1
    assert f"organisation.yaml:{number + 1}:" in err
    assert "minutes" in err


async def test_serve_refuses_an_unreachable_database_without_showing_the_password(
    tmp_path: Path,
) -> None:
    url = f"postgresql+asyncpg://exitbot:hunter2@127.0.0.1:{free_port()}/exitbot"
    env = command_env(EXITBOT_LOCAL_MODE="true", DATABASE_URL=url, EXITBOT_PORT=str(free_port()))
    code, _, err = await run_exitbot("serve", env=env, cwd=REPO)
    assert code == 1
    assert "127.0.0.1" in err
    assert "hunter2" not in err


async def test_serve_refuses_a_deployment_without_identity_and_names_the_variable() -> None:
    code, _, err = await run_exitbot("serve", env=command_env(), cwd=REPO)
    assert code == 2
    assert "MICROSOFT_APP_ID" in err


async def test_serve_refuses_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = command_env(EXITBOT_LOCAL_MODE="true", DATABASE_URL=url, EXITBOT_PORT=str(free_port()))
    code, _, err = await run_exitbot("serve", env=env, cwd=REPO)
    assert code == 1
    assert "exitbot db upgrade" in err


@pytest.mark.postgres
async def test_upgrade_then_serve_on_postgresql(postgres_server) -> None:
    url = await postgres_server.create_database()
    port = free_port()
    env = command_env(EXITBOT_LOCAL_MODE="true", DATABASE_URL=url, EXITBOT_PORT=str(port))
    code, out, err = await run_exitbot("db", "upgrade", env=env, cwd=REPO)
    assert code == 0, err
    assert "revision" in out
    async with serving(env) as health:
        assert health["database"] == "reachable"


async def test_serve_refuses_graph_without_the_app_catalog_id_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    env = command_env(DATABASE_URL=url)
    code, _, err = await run_exitbot("db", "upgrade", env=env, cwd=REPO)
    assert code == 0, err
    env = command_env(
        DATABASE_URL=url,
        EXITBOT_PORT=str(free_port()),
        MICROSOFT_APP_ID="00000000-0000-4000-8000-000000000011",
        MICROSOFT_APP_TENANT_ID="00000000-0000-4000-8000-000000000001",
        MICROSOFT_APP_PASSWORD="not-used",
        EXITBOT_DIRECTORY="graph",
    )
    env.pop("TEAMS_APP_CATALOG_ID", None)
    code, _, err = await run_exitbot("serve", env=env, cwd=REPO)
    assert code == 1
    assert "TEAMS_APP_CATALOG_ID must be set" in err
    assert "Traceback" not in err
