"""A door to PostgreSQL that an edge test can shut (an outage, as the service sees one) and open
again; the service itself is tests.helpers.live_service."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.engine import make_url


class DatabaseDoor:
    """A TCP relay on loopback in front of PostgreSQL. Shut: every open connection is cut and
    new ones are refused (the port is closed), as when the server goes down. Open: relays
    again on the same port."""

    def __init__(self, url: str) -> None:
        self._target = make_url(url)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The database URL through the door."""
        return self._target.set(port=self.port).render_as_string(hide_password=False)

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def shut(self) -> None:
        """Refuse new connections and cut the open ones, at once (callable from any code)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(self._target.host, self._target.port)
        except OSError:
            client_w.transport.abort()
            return
        pair = {client_w, server_w}
        self._writers |= pair
        try:
            await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))
        finally:
            for writer in pair:
                writer.transport.abort()
            self._writers -= pair


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ConnectionError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    writer.transport.abort()
