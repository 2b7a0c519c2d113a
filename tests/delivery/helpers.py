"""Delivery engine helpers: due reminders, stored recipients, worker factories and processes."""

from __future__ import annotations

import asyncio
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from journey.clock import Clock, FixedClock
from journey.due import ScheduledAction
from outbox.connector import NoToken, delivery_connector
from outbox.hooks import Probe
from outbox.policy import DeliveryPolicy
from outbox.worker import DeliveryWorker
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.send_budget import Limit, Pacing, SendBudget
from storage.tables import conversation_refs
from testkit.waiting import PATIENCE

REPOSITORY = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 4, 28, 6, 0, tzinfo=UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
# Pacing that never holds a test back (the pacing tests set their own); with no real limit to
# keep, a late send need not take a new slot.
UNPACED = Pacing(tenant=(Limit(100_000.0, 1_000),), conversation=(), late_tolerance=math.inf)


def reminder(number: int, **changes: Any) -> ScheduledAction:
    """A due reminder for recipient `user-{number}` (or as changed), due at T0."""
    values: dict[str, Any] = {
        "key": f"dep-{number}:reminder-1d:user-{number}:2026-04-28",
        "kind": "reminder-1d",
        "recipient_key": f"user-{number}",
        "due_at": T0,
        "payload": {"type": "message", "text": f"Reminder {number}"},
        "departure_id": f"dep-{number}",
    }
    values.update(changes)
    return ScheduledAction(**values)


async def add_recipients(db: Database, service_url: str, user_keys: Sequence[str]) -> None:
    """Store a personal-chat conversation for each user key (in one statement)."""
    rows = [
        {
            "user_key": key,
            "user_id": f"29:{key}",
            "upn": f"{key}@contoso.dk",
            "name": None,
            "conversation_id": f"a:chat-{key}",
            "service_url": service_url,
            "tenant_id": TENANT,
            "channel_id": "msteams",
            "bot_id": "28:bot",
            "locale": "da-DK",
            "updated_at": T0,
        }
        for key in user_keys
    ]
    async with db.sessions.begin() as session:
        await session.execute(insert(conversation_refs), rows)


@dataclass
class WorkerFactory:
    http: aiohttp.ClientSession
    clock: FixedClock

    def __call__(
        self,
        db: Database,
        *,
        pacing: Pacing = UNPACED,
        policy: DeliveryPolicy | None = None,
        probe: Probe | None = None,
        timeout: float = PATIENCE,
        owner: str | None = None,
        clock: Clock | None = None,
        **options: Any,
    ) -> DeliveryWorker:
        clock = clock or self.clock
        return DeliveryWorker(
            DueActionQueue(db, clock),
            delivery_connector(self.http, NoToken(), timeout_seconds=timeout),
            SqlConversationRefStore(db, clock),
            owner,
            budget=SendBudget(db, pacing),
            clock=clock,
            policy=policy,
            probe=probe,
            **options,
        )


async def start_worker_process(
    database_url: str, *options: str, log: int | None = None
) -> asyncio.subprocess.Process:
    """testkit.worker_process in its own process (the repository root as cwd); its log (stderr)
    goes to `log` (asyncio.subprocess.PIPE to read it), by default to the test's."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "testkit.worker_process",
        "--database-url",
        database_url,
        *options,
        cwd=REPOSITORY,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )


def just_due() -> datetime:
    """A due time in the past by the system clock, which worker processes run on."""
    return datetime.now(UTC) - timedelta(minutes=1)
