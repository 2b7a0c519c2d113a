"""Typed keys for what create_app puts on the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    pass

SETTINGS = web.AppKey("settings", "Settings")
CONFIG = web.AppKey("config", "ConfigHolder")
DATABASE = web.AppKey("database", "Database")
ADAPTER = web.AppKey("adapter", "ExitbotAdapter")
BOT = web.AppKey("bot", "ExitBot")
