"""What a proactive message costs the database: statements per message sent (issue 13)."""

from __future__ import annotations

from journey.due import DueAction, DueState
from journey.ports import ConversationRef
from storage.database import Database
from storage.due_actions import DueActionQueue
from testkit.sql_statements import statements_run
from testkit.standins.throttling import ThrottlingConnector
from tests.delivery.helpers import WorkerFactory, add_recipients, reminder

MESSAGES = 10


async def test_a_batch_of_messages_costs_a_few_statements_each(
    db: Database,
    queue: DueActionQueue,
    teams: tuple[ThrottlingConnector, str],
    make_worker: WorkerFactory,
) -> None:
    # A batch is claimed, its chats read, its send times reserved in one transaction; each
    # message is marked sending, then sent (with its log line), and the settled action and
    # its chat are told to on_settled without reading either again.
    standin, url = teams
    users = [f"user-{n}" for n in range(MESSAGES)]
    await add_recipients(db, url, users)
    await queue.schedule_many([reminder(n) for n in range(MESSAGES)])
    told: list[tuple[DueAction, ConversationRef | None]] = []

    async def on_settled(action: DueAction, ref: ConversationRef | None) -> None:
        told.append((action, ref))

    worker = make_worker(db, on_settled=on_settled, batch_size=MESSAGES)

    with statements_run(db) as statements:
        assert await worker.run_once() == MESSAGES

    assert sorted(a.conversation_id for a in standin.arrivals) == sorted(
        f"a:chat-{user}" for user in users
    )
    assert {action.recipient_key for action, _ in told} == set(users)
    for action, ref in told:
        assert action.state is DueState.SENT and action.sent_activity_id
        assert ref is not None and ref.conversation_id == f"a:chat-{action.recipient_key}"
    # 4.9 a message on SQLite, 4.5 on PostgreSQL when written (5.9 and 5.6 before the batch's
    # send times were reserved in one transaction and the settled action returned by its
    # update); a slow machine reads the pauses a little more often.
    assert len(statements) <= 5.5 * MESSAGES, statements
