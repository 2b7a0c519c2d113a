"""Drive Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground) from Python tests.

The Playground is Microsoft's offline Teams emulator. It posts Teams-shaped activities to the
bot's /api/messages, serves a Bot Connector at /_connector for the bot's replies, and has its own
HTTP API and WebSocket stream, which this module drives instead of a browser:

    async with Playground(bot_endpoint) as pg:
        await pg.install()                     # installationUpdate + conversationUpdate
        await pg.send_text("hello")
        event = await pg.next_bot_activity()   # what the bot posted to the connector
        answer = await pg.execute("offer.accept", {"d": "1"}, reply_to=event.message_id)

Between the Playground and the bot sits a small relay on loopback. It records every exchange
(activity in, status and body out) for assertions, and sets the user's locale, which the
Playground itself hard-codes to en-US. See .notes/playground.md for the wire formats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp
import pytest
from aiohttp import web

from testkit.waiting import PATIENCE, NeverHappened, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_BIN = REPO_ROOT / "node_modules" / ".bin" / "agentsplayground"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
STREAM_PATH = "/_ws_conversation/v1/conversations/stream"
OUTPUT_TAIL_LINES = 40


class PlaygroundError(RuntimeError):
    """The Playground did not start, or answered one of its API calls with an error."""


class PlaygroundTimeout(PlaygroundError, TimeoutError):
    """Nothing matching arrived in time."""


def playground_missing_reason() -> str | None:
    """Why the Playground cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs)"
    if not PLAYGROUND_BIN.exists():
        return f"{PLAYGROUND_BIN.relative_to(REPO_ROOT)} is missing: run `npm ci` in {REPO_ROOT}"
    return None


def require_playground() -> None:
    """Skip the calling test when the Playground is absent; in CI (CI=true) fail instead."""
    reason = playground_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Agents Playground unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"Agents Playground unavailable: {reason}")


@dataclass(frozen=True)
class PlaygroundUser:
    """The person at the keyboard: what the bot sees in `from` and in the connector's members."""

    id: str = "29:1playground-user-0"
    name: str = "Alex Wilber"
    aad_object_id: str = "7a3c1f2e-0000-4000-8000-000000000020"
    given_name: str = "Alex"
    surname: str = "Wilber"
    email: str = "alexw@example.com"

    def as_config(self) -> dict[str, str]:
        """The shape of a user in .m365agentsplayground.yml."""
        return {
            "id": self.id,
            "name": self.name,
            # Sic: the Playground's config schema spells it this way.
            "userPrincipleName": self.email,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name,
            "surname": self.surname,
            "email": self.email,
        }


# The config schema demands exactly five more users; they populate the group chat and the team.
_OTHER_USERS = tuple(
    PlaygroundUser(
        id=f"29:1playground-user-{n}",
        name=f"Colleague {n}",
        aad_object_id=f"7a3c1f2e-0000-4000-8000-00000000002{n}",
        given_name="Colleague",
        surname=str(n),
        email=f"colleague{n}@example.com",
    )
    for n in range(1, 6)
)


@dataclass(frozen=True)
class StreamEvent:
    """One message from the Playground's conversation stream (what its chat window would show)."""

    action: str  # "createMessage" | "updateMessage" | "typing"
    conversation_id: str
    message: dict[str, Any] | None
    raw: dict[str, Any]

    @property
    def message_id(self) -> str:
        """The Playground's id for the message: use it as `reply_to` for invoke and submit."""
        if self.message is None:
            raise AttributeError(f"a {self.action} event carries no message")
        return str(self.message["messageId"])

    @property
    def text(self) -> str | None:
        """The message text, if any."""
        return None if self.message is None else self.message.get("text")

    @property
    def from_id(self) -> str | None:
        """Who sent it (the bot's id for bot messages)."""
        return None if self.message is None else self.message.get("from", {}).get("id")

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the message."""
        if self.message is None:
            return []
        return [
            a["content"]
            for a in self.message.get("attachments", [])
            if a.get("contentType") == CARD_CONTENT_TYPE
        ]

    def summary(self) -> str:
        """Kind, conversation, id and shape; never the text (tests may carry real-looking data)."""
        if self.message is None:
            return f"{self.action}({self.conversation_id})"
        parts = [f"id={self.message.get('messageId')}"]
        if self.text:
            parts.append(f"text[{len(self.text)} chars]")
        if self.cards:
            parts.append(f"{len(self.cards)} card(s)")
        return f"{self.action}({self.conversation_id}, {', '.join(parts)})"


@dataclass(frozen=True)
class BotExchange:
    """One request the Playground made to the bot, as the relay saw it."""

    activity: dict[str, Any]
    status: int
    response: Any  # the bot's JSON body, its text, or None when empty

    def summary(self) -> str:
        """Type, name and status; never the text."""
        name = self.activity.get("name")
        kind = self.activity.get("type", "?") + (f"/{name}" if name else "")
        return f"{kind} -> {self.status}"


@dataclass
class _Output:
    """The tail of the Playground's stdout and stderr, for error messages."""

    lines: list[str] = field(default_factory=list)
    listening_port: asyncio.Future[int] | None = None

    def add(self, stream: str, line: str) -> None:
        self.lines.append(f"[{stream}] {line}")
        del self.lines[:-OUTPUT_TAIL_LINES]
        if (
            self.listening_port is not None
            and not self.listening_port.done()
            and line.startswith("Listening on ")
        ):
            self.listening_port.set_result(int(line.removeprefix("Listening on ").strip()))

    def tail(self) -> str:
        return "\n".join(self.lines) or "(no output)"


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Playground:
    """A running Agents Playground wired to one bot endpoint, driven over its HTTP API."""

    def __init__(
        self,
        bot_endpoint: str,
        *,
        user: PlaygroundUser | None = None,
        tenant_id: str = "7a3c1f2e-0000-4000-8000-000000000001",
        bot_id: str = "28:7a3c1f2e-0000-4000-8000-000000000011",
        bot_name: str = "Exit Bot",
        conversation_id: str | None = None,
        locale: str = "en-US",
        timezone: str = "UTC",
        startup_timeout: float = 2 * PATIENCE,
    ) -> None:
        self.bot_endpoint = bot_endpoint
        self.user = user or PlaygroundUser()
        self.tenant_id = tenant_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.conversation_id = conversation_id or f"a:playground-{uuid.uuid4().hex}"
        self.locale = locale
        self.timezone = timezone
        self.startup_timeout = startup_timeout
        self.startup_seconds: float | None = None
        self.port: int | None = None
        self.exchanges: list[BotExchange] = []
        self.events: list[StreamEvent] = []
        self._cursor = 0
        self._new_event = asyncio.Condition()
        self._new_exchange = asyncio.Condition()
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._output = _Output()
        self._pumps: list[asyncio.Task[None]] = []
        self._http: aiohttp.ClientSession | None = None
        self._relay: web.AppRunner | None = None
        self._relay_url = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """The Playground's base URL (its web UI is served here too)."""
        if self.port is None:
            raise PlaygroundError("the Playground is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        """The Bot Connector the Playground serves; activities carry it as `serviceUrl`."""
        return f"{self.url}/_connector"

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start relay and Playground, wait until both answer, and open the stream."""
        require_playground()
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._workdir = tempfile.TemporaryDirectory(prefix="playground-")
        try:
            await self._start_relay()
            self._write_config(Path(self._workdir.name) / ".m365agentsplayground.yml")
            began = time.perf_counter()
            await self._spawn_until_listening()
            await self._wait_until_ready()
            self._ws = await self._http.ws_connect(self.url + STREAM_PATH, heartbeat=None)
            self._reader = asyncio.create_task(self._read_stream())
            self.startup_seconds = time.perf_counter() - began
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Close the stream, end the Playground's process group, stop the relay."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._kill_process()
        if self._relay is not None:
            await self._relay.cleanup()
            self._relay = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def _write_config(self, path: Path) -> None:
        # JSON is valid YAML, and it sidesteps YAML's quoting rules for ids like "29:...".
        config = {
            "version": "0.1.1",
            "tenantId": self.tenant_id,
            "bot": {"id": self.bot_id, "name": self.bot_name},
            "currentUser": self.user.as_config(),
            "users": [u.as_config() for u in _OTHER_USERS],
            "personalChat": {"id": self.conversation_id},
            "groupChat": {"id": f"19:groupchat-{uuid.uuid4().hex}@thread.v2", "name": "Group"},
            "team": {
                "id": f"19:team-{uuid.uuid4().hex}@thread.tacv2",
                "name": "Team",
                "aadGroupId": "7a3c1f2e-0000-4000-8000-000000000031",
                "channels": [{"id": f"19:channel-{uuid.uuid4().hex}@thread.tacv2", "name": "C"}],
            },
        }
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")

    def _environment(self) -> dict[str, str]:
        assert self._workdir is not None
        workdir = Path(self._workdir.name)
        env = {
            k: v
            for k, v in os.environ.items()
            # Client credentials would make the Playground fetch Entra tokens (online only).
            if not k.startswith(("AUTH_CLIENT", "AUTH_TENANT", "M365_AGENTS_PLAYGROUND_"))
        }
        env.update(
            TEAMSAPPTESTER_BROWSER="none",
            M365_AGENTS_PLAYGROUND_CONFIG_PATH=str(workdir / ".m365agentsplayground.yml"),
            # Its log holds every activity body, message text included: keep it in the temp dir.
            M365_AGENTS_PLAYGROUND_LOGFILE=str(workdir / "playground.log"),
            APPLICATION_INSIGHTS_NO_STATSBEAT="true",
            # The Playground reports the user's time zone from the process's own.
            TZ=self.timezone,
        )
        return env

    async def _spawn_until_listening(self) -> None:
        # The Playground silently takes a random port when the asked one is busy, and the
        # service URL we pass must name the real one: retry on a mismatch.
        for _attempt in range(3):
            port = free_port()
            await self._spawn(port)
            assert self._output.listening_port is not None and self._proc is not None
            exited = asyncio.create_task(self._proc.wait())
            done, _ = await asyncio.wait(
                {self._output.listening_port, exited},
                timeout=self.startup_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            exited.cancel()
            if self._output.listening_port not in done:
                await self._kill_process()
                what = "exited" if exited in done else f"said nothing in {self.startup_timeout}s"
                raise PlaygroundError(self._failure(f"{what} before listening"))
            actual = self._output.listening_port.result()
            if actual == port:
                self.port = port
                return
            await self._kill_process()
        raise PlaygroundError(self._failure("kept landing on a different port"))

    async def _spawn(self, port: int) -> None:
        assert self._workdir is not None
        self._output = _Output(listening_port=asyncio.get_running_loop().create_future())
        self._proc = await asyncio.create_subprocess_exec(
            str(PLAYGROUND_BIN),
            "--port",
            str(port),
            "--app-endpoint",
            self._relay_url,
            "--channel-id",
            "msteams",
            "--service-url",
            f"http://127.0.0.1:{port}/_connector",
            "--disable-telemetry",
            cwd=self._workdir.name,
            env=self._environment(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._pumps = [
            asyncio.create_task(self._pump("stdout", self._proc.stdout)),
            asyncio.create_task(self._pump("stderr", self._proc.stderr)),
        ]

    async def _pump(self, name: str, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self._output.add(name, line.decode("utf-8", "replace").rstrip())

    async def _wait_until_ready(self) -> None:
        assert self._http is not None and self._proc is not None
        http, proc = self._http, self._proc

        async def ready() -> bool:
            if proc.returncode is not None:
                raise PlaygroundError(self._failure(f"exited with {proc.returncode}"))
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(self.url + "/_debug/ping") as response:
                    return response.status == 200
            return False

        try:
            await wait_until(ready, timeout=self.startup_timeout)
        except NeverHappened:
            raise PlaygroundError(
                self._failure(f"not ready within {self.startup_timeout}s")
            ) from None

    def _failure(self, what: str) -> str:
        # With stdout not a terminal, the Playground writes its console only to its log file.
        log = "(no log)"
        if self._workdir is not None:
            path = Path(self._workdir.name) / "playground.log"
            if path.is_file():
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                log = "\n".join(lines[-OUTPUT_TAIL_LINES:])
        return f"Agents Playground {what}; its output:\n{self._output.tail()}\nits log:\n{log}"

    async def _kill_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            # The CLI runs node under a shell shim on some installs: end the whole group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        elif proc is not None:
            await proc.wait()
        for pump in self._pumps:
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        self._pumps = []

    # ----------------------------------------------------------------- relay to the bot

    async def _start_relay(self) -> None:
        app = web.Application()
        app.router.add_post("/api/messages", self._relay_activity)
        self._relay = web.AppRunner(app, access_log=None)
        await self._relay.setup()
        site = web.TCPSite(self._relay, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._relay_url = f"http://127.0.0.1:{port}/api/messages"

    async def _relay_activity(self, request: web.Request) -> web.Response:
        assert self._http is not None
        activity = await request.json()
        self._apply_locale(activity)
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "x-ms-agents-playground")
        }
        try:
            async with self._http.post(self.bot_endpoint, json=activity, headers=headers) as r:
                body = await r.read()
                status = r.status
                content_type = r.headers.get("Content-Type")
        except aiohttp.ClientError as exc:
            await self._record(BotExchange(activity, 502, f"relay: {type(exc).__name__}"))
            return web.Response(status=502)
        await self._record(BotExchange(activity, status, _decode(body)))
        response_headers = {"Content-Type": content_type} if content_type and body else {}
        return web.Response(status=status, body=body, headers=response_headers)

    def _apply_locale(self, activity: dict[str, Any]) -> None:
        if "locale" in activity:
            activity["locale"] = self.locale
        for entity in activity.get("entities") or []:
            if entity.get("type") == "clientInfo" and "locale" in entity:
                entity["locale"] = self.locale
                region = self.locale.partition("-")[2]
                if "country" in entity and region:
                    entity["country"] = region

    async def _record(self, exchange: BotExchange) -> None:
        async with self._new_exchange:
            self.exchanges.append(exchange)
            self._new_exchange.notify_all()

    # ----------------------------------------------------------------- the stream

    async def _read_stream(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            raw = json.loads(message.data)
            event = StreamEvent(
                action=raw.get("action", "?"),
                conversation_id=raw.get("actionConversationId", ""),
                message=raw.get("message"),
                raw=raw,
            )
            async with self._new_event:
                self.events.append(event)
                self._new_event.notify_all()

    # A timeout parameter (not asyncio.timeout at the caller) so that the error can say what
    # did arrive meanwhile.
    async def wait_for(
        self,
        predicate: Callable[[StreamEvent], bool],
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> StreamEvent:
        """The next stream event (after the last one returned) that matches `predicate`."""

        def find() -> StreamEvent | None:
            for index in range(self._cursor, len(self.events)):
                if predicate(self.events[index]):
                    self._cursor = index + 1
                    return self.events[index]
            return None

        async with self._new_event:
            try:
                async with asyncio.timeout(timeout):
                    while (found := find()) is None:
                        await self._new_event.wait()
            except TimeoutError:
                raise PlaygroundTimeout(self._nothing_matched(timeout)) from None
        return found

    async def next_bot_activity(
        self,
        timeout: float = PATIENCE,  # noqa: ASYNC109
        *,
        conversation_id: str | None = None,
    ) -> StreamEvent:
        """The next message the bot created or updated (typing indicators are skipped)."""
        wanted = conversation_id or self.conversation_id
        return await self.wait_for(
            lambda e: e.message is not None and e.conversation_id == wanted, timeout
        )

    async def wait_for_exchange(
        self,
        predicate: Callable[[BotExchange], bool],
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> BotExchange:
        """The first request to the bot (since start) that matches `predicate`, once answered."""
        async with self._new_exchange:
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        for exchange in self.exchanges:
                            if predicate(exchange):
                                return exchange
                        await self._new_exchange.wait()
            except TimeoutError:
                raise PlaygroundTimeout(self._nothing_matched(timeout)) from None

    def _nothing_matched(self, timeout: float) -> str:
        seen = ", ".join(e.summary() for e in self.events[self._cursor :]) or "nothing"
        sent = ", ".join(x.summary() for x in self.exchanges) or "nothing"
        return (
            f"nothing matched within {timeout}s. Stream since last match: {seen}. "
            f"Requests to the bot: {sent}."
        )

    # ----------------------------------------------------------------- the user's actions

    async def install(self) -> None:
        """Install the app in the personal chat, as Teams does on first contact.

        The bot receives installationUpdate (action "add") and then conversationUpdate with
        membersAdded = [user, bot]; this returns as soon as the Playground has accepted.
        """
        await self._call("POST", f"/_debug/conversation/{self.conversation_id}/installation", {})

    async def send_text(self, text: str, *, conversation_id: str | None = None) -> str:
        """Type `text` into the personal chat; returns the Playground's id for the message."""
        body = {"from": {"id": self.user.id}, "text": text, "textFormat": "plain"}
        cid = conversation_id or self.conversation_id
        answer = await self._call("POST", f"/_conversation/v1/conversations/{cid}/messages", body)
        return str(answer["messageId"])

    async def invoke(
        self,
        value: dict[str, Any],
        *,
        reply_to: str,
        name: str = "adaptiveCard/action",
        conversation_id: str | None = None,
    ) -> dict[str, Any]:
        """Send an invoke as from a card; returns the bot's answer as `{"type", "value"}`.

        `reply_to` is the stream's `message_id` of the card's message. For adaptiveCard/action
        the Playground also replaces that message's card with the returned `value`.
        """
        body = {
            "name": name,
            "value": value,
            "from": {"id": self.user.id},
            "conversation": {"id": conversation_id or self.conversation_id},
            "replyToId": reply_to,
        }
        answer = await self._call("POST", "/_conversation/v1/invoke", body)
        assert isinstance(answer, dict)
        return answer

    async def execute(
        self, verb: str, data: dict[str, Any] | None = None, *, reply_to: str
    ) -> dict[str, Any]:
        """Press an Action.Execute button: an adaptiveCard/action invoke carrying verb and data."""
        action: dict[str, Any] = {"type": "Action.Execute", "verb": verb, "data": data or {}}
        return await self.invoke({"action": action, "trigger": "manual"}, reply_to=reply_to)

    async def submit(
        self, value: dict[str, Any], *, reply_to: str, conversation_id: str | None = None
    ) -> None:
        """Press an Action.Submit button: the bot gets a message activity carrying `value`."""
        body = {
            "value": value,
            "from": {"id": self.user.id},
            "conversation": {"id": conversation_id or self.conversation_id},
            "replyToId": reply_to,
        }
        await self._call("POST", "/_conversation/v1/submit", body)

    async def send_activity(self, overrides: dict[str, Any]) -> None:
        """Send any activity: the Playground's template for this chat, merged with `overrides`.

        Fire and forget: an invoke sent this way gets no answer back (use `invoke`).
        """
        template = await self._call(
            "GET",
            f"/_internal/v1/customActivities/template?conversationId={self.conversation_id}",
        )
        await self._call("POST", "/_internal/v1/customActivities", {**template, **overrides})

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._http is None or self.port is None:
            raise PlaygroundError("the Playground is not running")
        async with self._http.request(method, self.url + path, json=body) as response:
            payload = _decode(await response.read())
            if response.status >= 400:
                raise PlaygroundError(f"{method} {path} -> {response.status}: {payload}")
            return payload


def _decode(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
