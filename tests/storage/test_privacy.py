"""Retention, erasure and export on real SQLite files and a real PostgreSQL, checked in the
database itself."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from storage.anonymise import ERASED
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.retention import (
    AUDIT_ERASE,
    AUDIT_RETENTION,
    add_months,
    apply_retention,
    erase_person,
    retention_cutoff,
)
from storage.subject_access import AUDIT_EXPORT, export_person, inventory
from storage.tables import audit_log, departures, follow_ups, survey_answers, survey_progress
from tests.storage.privacy_seed import (
    IDA,
    INTERVIEWER,
    KIM,
    MANAGER,
    NOW,
    OLE,
    keep,
    mentions,
    released_counts,
    seed,
    snapshot,
)


def test_months_are_counted_on_the_calendar() -> None:
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2027, 1, 15), -13) == date(2025, 12, 15)
    assert retention_cutoff(date(2027, 6, 15), 12) == date(2026, 6, 15)


def _rows_of(tables: dict[str, list[str]], *needles: str) -> dict[str, list[str]]:
    return {
        name: [row for row in rows if any(n.lower() in row.lower() for n in needles)]
        for name, rows in tables.items()
    }


async def test_retention_removes_the_person_and_keeps_the_counts(db: Database) -> None:
    leavers = await seed(db)
    ida, ole, kim = (leavers[p.upn] for p in (IDA, OLE, KIM))
    counts_before = await released_counts(db)
    before = await snapshot(db)

    report = await apply_retention(db, months=12, now=NOW, keep_answer=keep)

    assert report.departures == 2
    # What the Entra check read of Ida and Ole goes with them (the snapshot below checks every
    # table); Kim's, within the limit, stays.
    assert report.counts.removed["leave_date_findings"] == 2
    assert len((await snapshot(db))["leave_date_findings"]) == 1
    after = await snapshot(db)
    # Nothing names Ida or Ole anywhere, in any table.
    for needle in (ida.upn, ida.name, "Ida", ole.upn, ole.name, "HR-0", "HR-1"):
        assert mentions(after, needle) == {}, needle
    # Their old ids survive only in the audit log, whose actors and addresses are erased.
    for old in (ida.departure_id, ole.departure_id):
        assert set(mentions(after, old)) == {"audit_log"}
    async with db.sessions() as session:
        trail = (
            await session.execute(
                select(audit_log).where(audit_log.c.departure_id == ida.departure_id)
            )
        ).all()
    assert {row.actor for row in trail} == {"system", ERASED, "system:retention"}
    assert all("@" not in str(row.detail) for row in trail)
    assert AUDIT_RETENTION in {row.action for row in trail}
    # Teams references: the leavers' are gone, the manager's (still employed) and Kim's stay.
    assert len(after["conversation_refs"]) == 2
    # Free text, drafts, interviewer-only and non-reportable answers are gone; the counted
    # ones stay, anonymous and dated to the month.
    async with db.sessions() as session:
        anonymous = (
            await session.execute(select(departures).where(departures.c.leaver_upn == ""))
        ).all()
        answers = (
            await session.execute(
                select(survey_answers).where(survey_answers.c.departure_id.like("anon-%"))
            )
        ).all()
        progress = (
            await session.execute(
                select(survey_progress).where(survey_progress.c.departure_id.like("anon-%"))
            )
        ).all()
    assert sorted((row.unit, row.last_working_day, row.status) for row in anonymous) == [
        ("Borgerservice", date(2026, 4, 1), "held"),
        ("Borgerservice", date(2026, 6, 1), "declined"),
    ]
    assert all(
        row.manager_upn == "" and row.external_id is None and row.interviewer_upn is None
        for row in anonymous
    )
    assert all(row.decline_reason is None and row.handover_successor is None for row in anonymous)
    assert sorted(row.question_id for row in answers) == ["expectations", "meaningful", "reasons"]
    assert {row.attribution for row in answers} == {"anonymous_stats"}
    assert {(row.updated_at.day, row.updated_at.hour) for row in answers} == {(1, 0)}
    assert len(progress) == 1 and progress[0].sent_at.day == 1
    # The statistics insights count are the same as before.
    assert await released_counts(db) == counts_before
    # Kim (within the limit) is untouched, row for row.
    assert _rows_of(after, kim.departure_id, kim.upn) == _rows_of(before, kim.departure_id, kim.upn)
    # The manager and the interviewer stay only where Kim's departure (and the manager's own
    # chat) names them.
    # (and Kim's follow-up, which the manager owns: issue 14).
    allowed = {"departures", "conversation_refs", "audit_log", "follow_ups"}
    assert set(mentions(after, MANAGER)) <= allowed
    for table in ("departures", "follow_ups"):
        for row in _rows_of(after, MANAGER, INTERVIEWER)[table]:
            assert kim.departure_id in row
    # The follow-ups of Ida and Ole stay for the per-area figures, blanked and to the month.
    async with db.sessions() as session:
        kept = (
            await session.execute(
                select(follow_ups).where(follow_ups.c.departure_id.like("anon-%"))
            )
        ).all()
    assert (
        sorted((r.unit, r.area, r.owner_kind, r.state) for r in kept)
        == [("Borgerservice", "work_environment", "manager", "done")] * 2
    )
    assert {(r.what, r.outcome, r.owner_upn, r.created_by, r.done_by) for r in kept} == {
        ("", None, "", "", None)
    }
    assert {(r.due_on.day, r.done_at.day, r.created_at.day) for r in kept} == {(1, 1, 1)}

    # The journey's lists never see the anonymous rows (Ole's "declined" is not finished).
    open_ids = {d.id for d in await SqlDepartureRepository(db).list_open()}
    assert open_ids == {kim.departure_id}
    assert await SqlDepartureRepository(db).list_for_person(MANAGER) != []

    # A second run changes nothing.
    again = await apply_retention(db, months=12, now=NOW, keep_answer=keep)
    assert again.departures == 0
    assert await snapshot(db) == after


async def test_retention_with_two_instances_handles_each_departure_once(
    db: Database, database_url: str
) -> None:
    await seed(db)
    counts_before = await released_counts(db)
    other = await Database.open(database_url)
    try:
        first, second = await asyncio.gather(
            apply_retention(db, months=12, now=NOW, keep_answer=keep),
            apply_retention(other, months=12, now=NOW, keep_answer=keep),
        )
    finally:
        await other.close()
    assert first.departures + second.departures == 2
    async with db.sessions() as session:
        anonymous = (
            await session.scalars(select(departures.c.id).where(departures.c.leaver_upn == ""))
        ).all()
        retention_entries = (
            await session.scalars(
                select(audit_log.c.id).where(audit_log.c.action == AUDIT_RETENTION)
            )
        ).all()
    assert len(anonymous) == 2
    assert len(retention_entries) == 2
    assert await released_counts(db) == counts_before


async def test_a_longer_retention_keeps_everything(db: Database) -> None:
    await seed(db)
    before = await snapshot(db)
    report = await apply_retention(db, months=24, now=NOW, keep_answer=keep)
    assert report.departures == 0
    assert await snapshot(db) == before


async def test_erasure_dry_run_lists_and_changes_nothing_then_erases(db: Database) -> None:
    leavers = await seed(db)
    kim, ida = leavers[KIM.upn], leavers[IDA.upn]
    before = await snapshot(db)

    found = await inventory(db, "  KIM.Recent@Contoso.dk ")
    assert found.leaver_of == [kim.departure_id]
    assert found.rows["departures"] == 1
    assert found.rows["survey_answers"] == 2
    assert found.rows["conversation_refs"] == 1
    assert found.rows["conversation_notes"] == 1
    assert found.rows["audit_log"] == 5
    assert found.rows["leave_date_findings"] == 1  # what the Entra check read of Kim
    assert await snapshot(db) == before  # looking changes nothing

    counts = await erase_person(db, kim.upn, keep_answer=keep, actor="cli:hr", now=NOW)
    assert counts.removed["departures"] == 1
    assert counts.removed["leave_date_findings"] == 1
    after = await snapshot(db)
    for needle in (kim.upn, kim.name, "Kim's words", "29:user-2"):
        assert mentions(after, needle) == {}, needle
    # Others are untouched; the counted answer stays anonymously.
    assert _rows_of(after, ida.departure_id, ida.upn) == _rows_of(before, ida.departure_id, ida.upn)
    async with db.sessions() as session:
        erase = (
            await session.execute(
                select(audit_log).where(
                    audit_log.c.action == AUDIT_ERASE, audit_log.c.departure_id.is_(None)
                )
            )
        ).one()
        kept = (
            await session.scalars(
                select(survey_answers.c.question_id).where(
                    survey_answers.c.departure_id.like("anon-%")
                )
            )
        ).all()
    assert erase.actor == "cli:hr"
    assert kim.departure_id in erase.detail["departures"]
    assert kept == ["expectations"]
    # Nothing is left to find, and erasing again finds nothing.
    assert (await inventory(db, kim.upn)).empty


async def test_export_holds_the_person_and_nobody_else(db: Database) -> None:
    leavers = await seed(db)
    ida = leavers[IDA.upn]
    document = await export_person(db, "Ida.Leaver@contoso.dk", actor="cli:hr", now=NOW)

    assert document["person"] == ida.upn
    assert [d["id"] for d in document["departures"]] == [ida.departure_id]
    assert document["departures"][0]["leaver_name"] == ida.name
    assert len(document["survey_answers"]) == 6
    assert f"{ida.name} wrote this freely" in str(document["survey_answers"])
    assert [p["status"] for p in document["survey_progress"]] == ["sent"]
    assert [r["user_id"] for r in document["conversation_refs"]] == ["29:user-0"]
    assert {e["action"] for e in document["audit_entries"]} == {"offer.accepted", "survey.started"}
    assert len(document["conversation_notes"]) == 1
    # What was promised after her conversation, with the owner's role, not colleagues' UPNs.
    [promised] = document["follow_ups"]
    assert promised["what"] == f"Take {ida.name}'s rota question to the unit meeting"
    assert promised["owner_kind"] == "manager" and MANAGER not in str(promised)
    assert INTERVIEWER not in str(promised)
    # What the Entra check read of her: the leave date, the department and what became of it.
    [finding] = document["leave_date_findings"]
    assert (finding["leave_date"], finding["unit_value"]) == ("2026-04-30", "Borgerservice")
    assert finding["state"] == "registered" and finding["departure_id"] == ida.departure_id
    text = str(document)
    for other in (OLE, KIM):
        assert other.upn not in text and other.name not in text
    for other in (leavers[OLE.upn], leavers[KIM.upn]):
        assert other.departure_id not in text
    assert "Kim's words" not in text
    assert "tillid@contoso.dk" not in text  # the interviewer pool is other people

    async with db.sessions() as session:
        entry = (
            await session.execute(select(audit_log).where(audit_log.c.action == AUDIT_EXPORT))
        ).one()
    assert entry.actor == "cli:hr"
    assert entry.detail["person"] == ida.upn
    assert entry.detail["survey_answers"] == "6"
    assert "wrote this freely" not in str(entry.detail)

    # Erasing Ida later also takes her address out of the export's audit entry.
    await erase_person(db, ida.upn, keep_answer=keep, actor="cli:hr", now=NOW)
    assert mentions(await snapshot(db), ida.upn, ida.name) == {}
