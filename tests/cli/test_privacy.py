"""`exitbot privacy erase|export` and `exitbot audit` as an operator runs them: the installed
console script in a real process, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from storage.audit import AUDIT_READ
from storage.database import Database
from storage.retention import AUDIT_ERASE
from storage.subject_access import AUDIT_EXPORT
from storage.tables import audit_log
from tests.cli.helpers import REPO, command_env, run_exitbot
from tests.storage.privacy_seed import IDA, KIM, OLE, mentions, seed, snapshot


async def _actions(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list(
            await session.scalars(
                select(audit_log.c.action)
                .where(audit_log.c.action.like("privacy.%") | (audit_log.c.action == AUDIT_READ))
                .order_by(audit_log.c.id)
            )
        )


async def test_erase_with_a_dry_run_then_for_real(db: Database, database_url: str) -> None:
    leavers = await seed(db)
    kim = leavers[KIM.upn]
    env = command_env(DATABASE_URL=database_url)
    before = await snapshot(db)

    code, out, err = await run_exitbot(
        "privacy", "erase", "--person", "Kim.Recent@contoso.dk", "--dry-run", env=env, cwd=REPO
    )
    assert (code, err) == (0, "")
    assert "would erase the data of kim.recent@contoso.dk" in out
    assert "  departures: 1\n" in out
    assert "  survey_answers: 2\n" in out
    assert "  conversation_refs: 1\n" in out
    assert "dry run: nothing was changed" in out
    assert await snapshot(db) == before

    code, out, err = await run_exitbot("privacy", "erase", "--person", kim.upn, env=env, cwd=REPO)
    assert (code, err) == (0, "")
    assert "erased: departures=1" in out
    assert mentions(await snapshot(db), kim.upn, kim.name, "Kim's words") == {}
    assert await _actions(db) == [AUDIT_ERASE, AUDIT_ERASE]  # the departure, the person

    # Erased, the person is unknown: exit code 1, a clear message, nothing written.
    code, out, err = await run_exitbot("privacy", "erase", "--person", kim.upn, env=env, cwd=REPO)
    assert code == 1
    assert err == f"exitbot: nothing is stored about {kim.upn}\n"


async def test_export_writes_the_persons_data_as_json(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    leavers = await seed(db)
    ida = leavers[IDA.upn]
    env = command_env(DATABASE_URL=database_url)
    target = tmp_path / "ida.json"

    code, out, err = await run_exitbot(
        "privacy", "export", "--person", ida.upn, str(target), env=env, cwd=tmp_path
    )
    assert (code, err) == (0, "")
    assert f"wrote the data of {ida.upn} to {target}" in out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["person"] == ida.upn
    assert document["departures"][0]["leaver_name"] == ida.name
    assert len(document["survey_answers"]) == 6
    text = json.dumps(document, ensure_ascii=False)
    for other in (OLE, KIM):
        assert other.upn not in text and other.name not in text
    assert await _actions(db) == [AUDIT_EXPORT]

    # An existing file is not overwritten, and nothing is recorded.
    code, _, err = await run_exitbot(
        "privacy", "export", "--person", ida.upn, str(target), env=env, cwd=tmp_path
    )
    assert code == 2
    assert "the file exists" in err
    assert await _actions(db) == [AUDIT_EXPORT]

    code, _, err = await run_exitbot(
        "privacy",
        "export",
        "--person",
        "nobody@contoso.dk",
        str(tmp_path / "n.json"),
        env=env,
        cwd=tmp_path,
    )
    assert code == 1
    assert "nothing is stored about nobody@contoso.dk" in err
    assert not (tmp_path / "n.json").exists()


async def test_audit_lists_who_did_what_and_when(db: Database, database_url: str) -> None:
    leavers = await seed(db)
    ida = leavers[IDA.upn]
    env = command_env(DATABASE_URL=database_url)

    code, out, err = await run_exitbot("audit", "--departure", ida.departure_id, env=env, cwd=REPO)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 5
    assert lines[1].startswith(f"2026-04-20T09:30:00Z  {ida.upn}  offer.accepted")
    assert all("said the workload" not in line for line in lines)  # no message text
    assert await _actions(db) == [AUDIT_READ]

    code, out, err = await run_exitbot("audit", "--departure", "no-such-id", env=env, cwd=REPO)
    assert (code, out) == (1, "")
    assert err == "exitbot: no departure with id no-such-id\n"


async def test_the_commands_need_their_arguments(tmp_path: Path) -> None:
    code, _, err = await run_exitbot("privacy", "erase", env=command_env(), cwd=tmp_path)
    assert code == 2
    assert "--person" in err
    code, _, err = await run_exitbot("audit", env=command_env(), cwd=tmp_path)
    assert code == 2
    assert "--departure" in err
