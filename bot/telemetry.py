"""Traces and metrics an operator expects, through OpenTelemetry (the Azure Monitor distro).

- A span per turn (`turn <verb or command>`) and per proactive send (`send <kind>`).
- Counters: exitbot.turns, exitbot.sends, exitbot.sends.throttled (429s),
  exitbot.deliveries.failed (actions that failed for good).
- Observable gauges: exitbot.delivery.queue_depth and exitbot.delivery.oldest_due_age (s),
  sampled from the database every SAMPLE_SECONDS by a task of their own.

Off unless APPLICATIONINSIGHTS_CONNECTION_STRING is set (or EXITBOT_TELEMETRY=console for a
local look): then nothing of OpenTelemetry is imported, and a turn costs one method call.
Every attribute is a word of the code's own or a number: activity types, card verbs and
command names as the code spells them (anything else is `unknown`), outcomes, status codes,
message kinds and error codes. Never message text, answers, names, UPNs, ids or tokens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from typing import TYPE_CHECKING, Any

from aiohttp import web

from journey.due import DueAction, DueState
from outbox.watch import DeliveryWatch, SendNote
from storage.queue_depth import QueueDepth, queue_depth

if TYPE_CHECKING:
    from botbuilder.schema import Activity
    from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation
    from opentelemetry.trace import TracerProvider

    from bot.settings import Settings

log = logging.getLogger(__name__)

SCOPE = "exitbot"
SAMPLE_SECONDS = 15.0  # how often the queue gauges are read from the database
FLUSH_MILLIS = 5_000  # what is still buffered at stop gets this long to go out
ACTIVITY_TYPES = frozenset(
    {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction", "event"}
)
CARD_ACTION = "adaptiveCard/action"
UNKNOWN = "unknown"


class TurnNote:
    """What became of a turn, as bot/routes.py answered it."""

    __slots__ = ("card_status", "outcome", "status")

    def __init__(self) -> None:
        self.outcome = "unfinished"
        self.status = 0
        self.card_status: int | None = None  # a card action's own statusCode (400: bad input)

    def ended(self, outcome: str, status: int, card_status: int | None = None) -> None:
        """Record the outcome word, the HTTP status and, for a card action, its statusCode."""
        self.outcome, self.status, self.card_status = outcome, status, card_status


class Telemetry:
    """Telemetry turned off: records nothing and imports nothing."""

    enabled = False

    def turn(self, activity: Activity) -> AbstractContextManager[TurnNote]:
        """Around one turn; bot/routes.py fills in the note."""
        return nullcontext(TurnNote())

    @property
    def delivery(self) -> DeliveryWatch | None:
        """What the delivery worker tells of its sends; None: nobody watches."""
        return None

    def observe_queue(self, depth: QueueDepth | None, age_seconds: float) -> None:
        """The queue's latest sample for the gauges (None: unknown right now)."""

    def close(self) -> None:
        """Send what is buffered and stop exporting."""


class Recording(Telemetry, DeliveryWatch):
    """Telemetry on: spans and metrics from the given providers (the distro's, or a test's)."""

    enabled = True

    def __init__(
        self,
        tracer_provider: TracerProvider,
        meter_provider: MeterProvider,
        *,
        sample_seconds: float = SAMPLE_SECONDS,
    ) -> None:
        from opentelemetry.metrics import Observation
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self._observation = Observation
        self._providers = (tracer_provider, meter_provider)
        self._server, self._client = SpanKind.SERVER, SpanKind.CLIENT
        self._error = Status(StatusCode.ERROR)
        self.sample_seconds = sample_seconds
        self._tracer = tracer_provider.get_tracer(SCOPE)
        meter = meter_provider.get_meter(SCOPE)
        self._turns = meter.create_counter("exitbot.turns", "{turn}", "Turns handled")
        self._sends = meter.create_counter("exitbot.sends", "{request}", "Requests to Teams")
        self._throttled = meter.create_counter(
            "exitbot.sends.throttled", "{request}", "Requests Teams answered 429"
        )
        self._failed = meter.create_counter(
            "exitbot.deliveries.failed", "{action}", "Proactive messages that failed for good"
        )
        self._depth: int | None = None
        self._age: float | None = None
        meter.create_observable_gauge(
            "exitbot.delivery.queue_depth",
            [self._observe_depth],
            "{action}",
            "Proactive messages due by now and not yet delivered",
        )
        meter.create_observable_gauge(
            "exitbot.delivery.oldest_due_age",
            [self._observe_age],
            "s",
            "How long the oldest undelivered due message has been due",
        )

    # --- turns ---------------------------------------------------------------------------

    @contextmanager
    def turn(self, activity: Activity) -> Iterator[TurnNote]:
        """A span and a count per turn, named by its verb or command, with its outcome."""
        kind, name = turn_name(activity)
        note = TurnNote()
        with self._span(f"turn {name}", self._server) as span:
            try:
                yield note
            except BaseException as error:
                note.ended("error", 500)
                self._failure(span, error)
                raise
            finally:
                attributes: dict[str, Any] = {
                    "exitbot.turn.type": kind,
                    "exitbot.turn.name": name,
                    "exitbot.turn.outcome": note.outcome,
                }
                self._turns.add(1, attributes)
                attributes["http.response.status_code"] = note.status
                if note.card_status is not None:
                    attributes["exitbot.turn.card_status"] = note.card_status
                span.set_attributes(attributes)

    # --- sends (outbox.watch.DeliveryWatch) ----------------------------------------------

    @property
    def delivery(self) -> DeliveryWatch:
        return self

    @contextmanager
    def sending(self, kind: str) -> Iterator[SendNote]:
        """A span and a count per request to Teams, with its outcome and status code."""
        note = SendNote()
        with self._span(f"send {kind}", self._client) as span:
            try:
                yield note
            except BaseException as error:
                note.ended("error")
                self._failure(span, error)
                raise
            finally:
                attributes: dict[str, Any] = {
                    "exitbot.send.kind": kind,
                    "exitbot.send.outcome": note.outcome,
                }
                if note.status is not None:
                    attributes["http.response.status_code"] = note.status
                self._sends.add(1, attributes)
                span.set_attributes(attributes)
                if note.status == 429:
                    self._throttled.add(1, {"exitbot.send.kind": kind})

    def settled(self, action: DueAction) -> None:
        """Count an action that failed for good, by kind and error code."""
        if action.state == DueState.FAILED:
            attributes = {"exitbot.send.kind": action.kind, "exitbot.delivery.code": _code(action)}
            self._failed.add(1, attributes)

    # --- the queue gauges ----------------------------------------------------------------

    def observe_queue(self, depth: QueueDepth | None, age_seconds: float) -> None:
        self._depth = None if depth is None else depth.due
        self._age = None if depth is None else age_seconds

    def _observe_depth(self, _options: CallbackOptions) -> Iterator[Observation]:
        if self._depth is not None:
            yield self._observation(self._depth)

    def _observe_age(self, _options: CallbackOptions) -> Iterator[Observation]:
        if self._age is not None:
            yield self._observation(self._age)

    # --- plumbing ------------------------------------------------------------------------

    def _span(self, name: str, kind: Any) -> AbstractContextManager[Any]:
        # Exceptions are recorded by type only: their messages may quote what they failed on.
        return self._tracer.start_as_current_span(
            name, kind=kind, record_exception=False, set_status_on_exception=False
        )

    def _failure(self, span: Any, error: BaseException) -> None:
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(self._error)

    def close(self) -> None:
        tracer_provider, meter_provider = self._providers
        for provider in (tracer_provider, meter_provider):
            flush = getattr(provider, "force_flush", None)
            if flush is not None:
                flush(FLUSH_MILLIS)


def _code(action: DueAction) -> str:
    code = action.last_error or UNKNOWN
    # Codes are the worker's own words (journey.due.ErrorCode, http_<status>); bounded anyway.
    return code if code.replace("_", "").isalnum() and len(code) <= 32 else UNKNOWN


def turn_name(activity: Activity) -> tuple[str, str]:
    """The activity's type and the turn's name: a routed card verb, a command, or the type."""
    from dialogs.commands import parse_command

    kind = activity.type if activity.type in ACTIVITY_TYPES else "other"
    if kind == "message":
        command = parse_command(activity.text)
        return kind, command.value if command is not None else "unrecognised"
    if kind == "invoke":
        if activity.name != CARD_ACTION:
            return kind, "other"
        verb = _verb_of(activity.value)
        return kind, verb if verb in card_verbs() else UNKNOWN
    return kind, kind


def _verb_of(value: object) -> str | None:
    action = value.get("action") if isinstance(value, dict) else None
    verb = action.get("verb") if isinstance(action, dict) else None
    return verb if isinstance(verb, str) else None


@cache
def card_verbs() -> frozenset[str]:
    """Every verb a card can emit (cards/verbs.py's constants): the only verbs named."""
    from cards import verbs

    return frozenset(
        value for name, value in vars(verbs).items() if name.isupper() and isinstance(value, str)
    )


def open_telemetry(settings: Settings) -> Telemetry:
    """Telemetry as the settings ask: Application Insights, the console, or none."""
    exporter = settings.telemetry_exporter
    if exporter == "off":
        return Telemetry()
    if exporter == "console":
        return Recording(*_console_providers())
    connection = settings.applicationinsights_connection_string
    assert connection is not None  # telemetry_exporter says azure only with one
    return Recording(*_azure_providers(connection.get_secret_value()))


def _azure_providers(connection_string: str) -> tuple[TracerProvider, MeterProvider]:
    """The distro's providers: traces and metrics to Application Insights (the process's)."""
    from azure.monitor.opentelemetry import configure_azure_monitor
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.resources import Resource

    configure_azure_monitor(
        connection_string=connection_string,
        resource=Resource.create({"service.name": SCOPE}),
        # Logs go to stdout (App Service's console log, JSON with EXITBOT_LOG_FORMAT=json).
        disable_logging=True,
        enable_live_metrics=False,
    )
    # The exporter's every request would be logged at INFO (azure-core's HTTP logging).
    for name in ("azure.core.pipeline.policies.http_logging_policy", "azure.monitor.opentelemetry"):
        logging.getLogger(name).setLevel(logging.WARNING)
    log.info("telemetry: traces and metrics go to Application Insights")
    return trace.get_tracer_provider(), metrics.get_meter_provider()  # type: ignore[return-value]


def _console_providers() -> tuple[TracerProvider, MeterProvider]:
    """Spans and metrics printed on stdout, for a local look (EXITBOT_TELEMETRY=console)."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    resource = Resource.create({"service.name": SCOPE})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    reader = PeriodicExportingMetricReader(ConsoleMetricExporter())
    log.info("telemetry: traces and metrics are printed on stdout (EXITBOT_TELEMETRY=console)")
    return tracer_provider, MeterProvider([reader], resource=resource)


async def telemetry_context(app: web.Application) -> AsyncIterator[None]:
    """Samples the delivery queue for the gauges while telemetry is on; flushes at the end."""
    from bot.typedefs import TELEMETRY

    telemetry = app[TELEMETRY]
    if not isinstance(telemetry, Recording):
        yield
        return
    sampler = asyncio.create_task(_sample_queue(app, telemetry), name="queue gauges")
    try:
        yield
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        await asyncio.to_thread(telemetry.close)  # exporting may wait on the network


async def _sample_queue(app: web.Application, telemetry: Recording) -> None:
    from bot.typedefs import CLOCK, DATABASE

    db, clock = app[DATABASE], app[CLOCK]
    while True:
        try:
            now = clock.now()
            depth = await queue_depth(db, now)
            telemetry.observe_queue(depth, depth.oldest_age_seconds(now))
        except Exception as exc:  # a database outage: no figure rather than a stale one
            log.debug("queue gauges not sampled: %s", type(exc).__name__)
            telemetry.observe_queue(None, 0.0)
        await asyncio.sleep(telemetry.sample_seconds)
