"""Typed keys for what create_app puts on the application."""

from __future__ import annotations

from aiohttp import web

from bot.adapter import ExitbotAdapter
from hr_api.auth import ApiAuthenticator
from bot.handler import ExitBot
from bot.settings import Settings
from config.holder import ConfigHolder
from journey.registration import RegistrationService
from people.services import PeopleServices
from storage.database import Database

SETTINGS = web.AppKey("settings", Settings)
CONFIG = web.AppKey("config", ConfigHolder)
DATABASE = web.AppKey("database", Database)
PEOPLE = web.AppKey("people", PeopleServices)
ADAPTER = web.AppKey("adapter", ExitbotAdapter)
BOT = web.AppKey("bot", ExitBot)
REGISTRATION = web.AppKey("registration", RegistrationService)
API_AUTH = web.AppKey("api_auth", ApiAuthenticator)
