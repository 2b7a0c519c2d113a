"""Typed keys for what create_app and its cleanup contexts put on the application."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.adapter import ExitbotAdapter
from bot.handler import ExitBot
from bot.services import EntraLeaveDates
from bot.settings import Settings
from bot.telemetry import Telemetry
from config.holder import ConfigHolder
from hr_api.auth import ApiAuthenticator
from journey.clock import Clock, ShiftedClock
from journey.flow import DepartureFlow
from journey.registration import RegistrationService
from outbox.connector import TokenProvider
from outbox.service import Outbox
from people.ports import PeoplePorts
from storage.database import Database

SETTINGS = web.AppKey("settings", Settings)
CONFIG = web.AppKey("config", ConfigHolder)
CLOCK = web.AppKey("clock", Clock)
DATABASE = web.AppKey("database", Database)
PEOPLE = web.AppKey("people", PeoplePorts)
# The bot's HTTP session to Teams (connector, signing keys) and its token for the connector.
BOT_HTTP = web.AppKey("bot_http", aiohttp.ClientSession)
BOT_TOKENS = web.AppKey("bot_tokens", TokenProvider)
ADAPTER = web.AppKey("adapter", ExitbotAdapter)
BOT = web.AppKey("bot", ExitBot)
REGISTRATION = web.AppKey("registration", RegistrationService)
API_AUTH = web.AppKey("api_auth", ApiAuthenticator)
OUTBOX = web.AppKey("outbox", Outbox)
FLOW = web.AppKey("flow", DepartureFlow)
# Departures from Entra ID (issue 16): the check of leave dates, and who tells HR.
LEAVE_DATES = web.AppKey("leave_dates", EntraLeaveDates)
# Spans and metrics (bot/telemetry.py); records nothing when telemetry is off.
TELEMETRY = web.AppKey("telemetry", Telemetry)
# Only with EXITBOT_TEST_CLOCK in local mode (bot.clock_route).
TEST_CLOCK = web.AppKey("test_clock", ShiftedClock)
