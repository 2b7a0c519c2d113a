"""A Bot Connector stand-in that holds each activity post until the test lets it answer: a send
that is under way for as long as a test needs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class HeldConnector:
    """A Bot Connector that holds each activity post until the test lets it answer."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    posts: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        return app

    async def _post(self, request: web.Request) -> web.Response:
        self.posts.append(await request.json())
        self.arrived.set()
        await self.release.wait()
        return web.json_response({"id": "activity-held"}, status=201)
