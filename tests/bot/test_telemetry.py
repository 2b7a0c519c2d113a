"""Telemetry on the real app (bot/telemetry.py), read back through OpenTelemetry's in-memory
exporter and reader: a span and a count per turn and per send, 429s and failed deliveries
counted, the queue's gauges, and no personal data in any attribute."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from bot.settings import Settings
from bot.telemetry import Recording
from bot.typedefs import TELEMETRY
from cards.verbs import OFFER_LATER
from journey.due import ScheduledAction
from storage.migrate import upgrade
from testkit.waiting import wait_until
from tests.helpers.journey import EVERYONE, HR, LEAVER, MANAGER, T0, LiveApp, cards_of
from tests.helpers.live_service import live_service
from tests.helpers.service import OUTBOUND_TOKEN

REPO = Path(__file__).resolve().parents[2]
TYPED = "mine hemmelige ord om chefen"  # a message that is no command


@dataclass
class Recorded:
    """The app's telemetry, and where its spans and metrics can be read."""

    telemetry: Recording
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self) -> dict[str, list[tuple[dict[str, Any], float]]]:
        """Every data point by metric name: its attributes and value (counters: totals)."""
        found: dict[str, list[tuple[dict[str, Any], float]]] = defaultdict(list)
        data = self.metrics.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        found[metric.name].append((dict(point.attributes or {}), point.value))
        return found

    def count(self, name: str, **attributes: Any) -> float:
        """The total of counter `name` over the points that have `attributes`."""
        return sum(
            value
            for found, value in self.points()[name]
            if all(found.get(key) == wanted for key, wanted in attributes.items())
        )


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    spans, metrics = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider([metrics])
    telemetry = Recording(tracer_provider, meter_provider, sample_seconds=0.05)
    yield Recorded(telemetry, spans, metrics)
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture
async def watched(tmp_path: Path, recorded: Recorded) -> AsyncIterator[LiveApp]:
    """The whole service with telemetry on, exported in memory."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)

    def with_telemetry(app: web.Application) -> web.Application:
        app[TELEMETRY] = recorded.telemetry
        return app

    async with live_service(url, shape=with_telemetry) as live:
        yield live


def _posted_to(user_conversation: str, status: int, headers: dict[str, str]) -> Any:
    """A connector rule: every post to the conversation is answered `status`."""

    def rule(method: str, path: str, _body: object) -> tuple[int, dict[str, str]] | None:
        wanted = f"/v3/conversations/{user_conversation}/activities"
        return (status, headers) if method == "POST" and path.startswith(wanted) else None

    return rule


def _notice(user_upn: str, number: int) -> ScheduledAction:
    return ScheduledAction(
        key=f"telemetry-test:{number}",
        kind="test_notice",
        recipient_key=user_upn,
        due_at=T0 - timedelta(minutes=number),
        payload={"type": "message", "text": f"notice {number}"},
    )


async def test_turns_and_sends_have_spans_and_counts(watched: LiveApp, recorded: Recorded) -> None:
    app = watched
    await app.say(LEAVER, "hjælp", locale="da-DK")
    await app.say(MANAGER, "hello")
    await app.say(HR, "hello")
    await app.say(LEAVER, TYPED, locale="da-DK")
    await app.register()
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    await app.press_button(LEAVER, offer, OFFER_LATER)
    # Teams refuses the manager's chat (blocked), then throttles HR's (one after the other: a
    # 429 pauses the tenant's sends, and the test's clock stands still).
    app.connector.rules.append(_posted_to(MANAGER.conversation, 403, {}))
    app.connector.rules.append(_posted_to(HR.conversation, 429, {"Retry-After": "1"}))
    notices = {"exitbot.send.kind": "test_notice"}
    await app.outbox.queue.schedule(_notice(MANAGER.upn, 1))
    await wait_until(
        lambda: recorded.count("exitbot.deliveries.failed", **notices) == 1,
        what="the blocked notice is counted as failed",
    )
    await app.outbox.queue.schedule(_notice(HR.upn, 2))
    await wait_until(
        lambda: recorded.count("exitbot.sends.throttled", **notices) == 1,
        what="the throttled notice is counted",
    )

    turns = {span.name: span for span in recorded.finished() if span.name.startswith("turn ")}
    assert {"turn help", "turn unrecognised", f"turn {OFFER_LATER}"} <= set(turns)
    pressed = turns[f"turn {OFFER_LATER}"].attributes or {}
    assert pressed["exitbot.turn.type"] == "invoke"
    assert pressed["exitbot.turn.outcome"] == "ok"
    assert pressed["http.response.status_code"] == 200
    assert recorded.count("exitbot.turns", **{"exitbot.turn.name": "help"}) >= 1

    sends = [span.attributes or {} for span in recorded.finished() if span.name == "send offer"]
    assert sends and sends[0]["exitbot.send.outcome"] == "sent"
    assert sends[0]["http.response.status_code"] == 201
    outcomes = {
        (span.attributes or {}).get("exitbot.send.outcome")
        for span in recorded.finished()
        if span.name == "send test_notice"
    }
    assert outcomes == {"blocked", "throttled"}
    assert recorded.count("exitbot.sends", **{"exitbot.send.outcome": "sent"}) >= 1
    blocked = {"exitbot.send.kind": "test_notice", "exitbot.delivery.code": "http_403"}
    assert recorded.count("exitbot.deliveries.failed", **blocked) == 1
    _no_personal_data(recorded, app)


async def test_a_re_sent_activity_and_a_forged_verb_are_named_by_the_code_only(
    watched: LiveApp, recorded: Recorded
) -> None:
    app = watched
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")
    assert (await app.post(activity)).status == 200
    assert (await app.post(activity)).status == 200  # Teams' re-send: dropped
    forged = {"action": {"type": "Action.Execute", "verb": LEAVER.upn, "data": {}}}
    await app.post(app.activity(LEAVER, "invoke", locale="en-US", name="adaptiveCard/action",
                                value=forged))  # fmt: skip
    assert recorded.count("exitbot.turns", **{"exitbot.turn.outcome": "duplicate"}) == 1
    assert recorded.count("exitbot.turns", **{"exitbot.turn.name": "unknown"}) == 1
    _no_personal_data(recorded, app)


async def test_the_queue_gauges_show_what_is_due_and_since_when(
    watched: LiveApp, recorded: Recorded
) -> None:
    app = watched
    await app.say(MANAGER, "hello")
    await app.outbox.stop()  # nothing goes out: what is due stays due
    for number in (10, 5):
        await app.outbox.queue.schedule(_notice(MANAGER.upn, number))

    def gauges() -> tuple[float, float] | None:
        points = recorded.points()
        depth, age = (
            points["exitbot.delivery.queue_depth"],
            points["exitbot.delivery.oldest_due_age"],
        )
        return (depth[0][1], age[0][1]) if depth and age else None

    await wait_until(lambda: gauges() == (2, 600.0), what="two due, the oldest for 10 minutes")


def _no_personal_data(recorded: Recorded, app: LiveApp) -> None:
    """No attribute of any span, data point or resource holds a name, UPN, id, typed text or
    token of anyone."""
    personal = {TYPED, OUTBOUND_TOKEN, "Bearer"}
    for user in EVERYONE:
        personal |= {user.upn, user.name, user.aad, user.user_id, user.conversation}
    values: list[str] = []
    for span in recorded.finished():
        values += [str(v) for v in (span.attributes or {}).values()]
        values += [str(v) for v in span.resource.attributes.values()]
        values += [span.name]
        for event in span.events:
            values += [str(v) for v in (event.attributes or {}).values()]
    for points in recorded.points().values():
        values += [str(v) for attributes, _ in points for v in attributes.values()]
    assert values
    leaked = {secret for secret in personal for value in values if secret.lower() in value.lower()}
    assert not leaked, leaked
    assert any(cards_of(a) for a in app.sent_to(LEAVER))  # there was something to leak


def test_telemetry_off_imports_nothing_of_opentelemetry(tmp_path: Path) -> None:
    """Without a connection string the service builds without OpenTelemetry or the distro."""
    code = (
        "import sys\n"
        "from bot.app import create_app\n"
        "from bot.settings import Settings\n"
        f"s = Settings(_env_file=None, EXITBOT_LOCAL_MODE='true', "
        f"DATABASE_URL='sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}')\n"
        "app = create_app(s)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'azure.monitor'))))"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_telemetry_goes_to_application_insights_only_with_a_connection_string() -> None:
    def exporter(**values: str) -> str:
        settings = Settings(_env_file=None, EXITBOT_LOCAL_MODE="true", **values)  # type: ignore[call-arg]
        return settings.telemetry_exporter

    connection = "InstrumentationKey=00000000-0000-0000-0000-000000000000"
    assert exporter() == "off"
    assert exporter(APPLICATIONINSIGHTS_CONNECTION_STRING=connection) == "azure"
    assert exporter(APPLICATIONINSIGHTS_CONNECTION_STRING=" ") == "off"
    assert exporter(APPLICATIONINSIGHTS_CONNECTION_STRING=connection, EXITBOT_TELEMETRY="off") == (
        "off"
    )
    assert exporter(EXITBOT_TELEMETRY="console") == "console"
