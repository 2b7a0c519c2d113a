"""The daily retention job in the service: HR's `data_retention_months`, applied.

What goes and what stays is written down in storage/anonymise.py and config/README.md.
"""

from __future__ import annotations

from collections.abc import Callable

from config.loaded import LoadedConfig
from jobs.periodic import CleanupContext, every
from journey.clock import Clock, SystemClock
from storage.anonymise import KeepAnswer
from storage.database import Database
from storage.retention import RetentionReport, apply_retention

DAY_SECONDS = 24 * 60 * 60


def answer_keeper(config: LoadedConfig) -> KeepAnswer:
    """Answers that may stay as anonymous counts: questions HR marked reportable (never free
    text, the schema refuses that) in a question set HR still has. An answer whose question is
    gone from the YAML cannot be shown to be reportable, so it goes."""
    reportable = {
        (set_id, question.id)
        for set_id, question_set in config.question_sets.items()
        for section in question_set.sections
        for question in section.questions
        if question.reportable and question.type != "free_text"
    }
    return lambda question_set, question_id: (question_set, question_id) in reportable


async def run_retention(db: Database, config: LoadedConfig, clock: Clock) -> RetentionReport:
    """One round: every departure past the limit, anonymised in short batches that leave the
    write lock to the turns in between (storage.retention.apply_retention)."""
    return await apply_retention(
        db,
        months=config.retention_months,
        now=clock.now(),
        keep_answer=answer_keeper(config),
    )


def retention_job(
    database: Callable[[], Database],
    config: Callable[[], LoadedConfig],
    clock: Clock | None = None,
    every_seconds: float = DAY_SECONDS,
) -> CleanupContext:
    """Apply retention at start-up and then once a day (safe with several instances)."""

    async def work() -> str | None:
        report = await run_retention(database(), config(), clock or SystemClock())
        return report.summary()

    return every(every_seconds, "data-retention", work)
