"""The departures API's handlers: each parses its body, calls RegistrationService, answers JSON."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from bot.auth import AuthUnavailable, Unauthorized
from bot.typedefs import API_AUTH, CONFIG, DATABASE, REGISTRATION
from hr_api.auth import ApiCaller, Forbidden
from hr_api.models import (
    DeliveryOut,
    DepartureChange,
    DepartureIn,
    DepartureOut,
    ProblemOut,
    Problems,
    RegisteredOut,
    TimelineOut,
)
from journey.clock import SystemClock
from journey.departure import Door
from journey.locale import language_of
from journey.people import DirectoryUnavailable
from journey.ports import NotFound
from journey.registration_rules import (
    ALREADY_REGISTERED,
    CHANGED_MEANWHILE,
    EXTERNAL_ID_TAKEN,
    NOT_ACTIVE,
    UNREADABLE,
    Outcome,
    OutcomeKind,
    Problem,
)
from journey.text_input import clean_text
from storage.due_actions import DueActionQueue

log = logging.getLogger(__name__)

DOOR = Door.API
# Refusals about the state of stored departures, not about the request's content.
CONFLICTS = frozenset({ALREADY_REGISTERED, EXTERNAL_ID_TAKEN, NOT_ACTIVE, CHANGED_MEANWHILE})

# Characters no id, address or name holds (NUL, controls, lone surrogates): 400, not 422.
UNREADABLE_CODE = "request.control_character"
# A JSON escape of a lone UTF-16 surrogate, which the JSON parser refuses as invalid JSON.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.Response]]
CallerHandler = Callable[[web.Request, ApiCaller], Awaitable[web.Response]]


def _json(model: BaseModel, status: int = 200, **headers: str) -> web.Response:
    return web.Response(
        text=model.model_dump_json(by_alias=True),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def problems(status: int, items: Iterable[ProblemOut], **headers: str) -> web.Response:
    """A 4xx/5xx answer with the Problems body every error shares (departureId only where a
    problem names another departure)."""
    body = Problems(problems=list(items)).model_dump_json(by_alias=True, exclude_none=True)
    return web.Response(text=body, status=status, content_type="application/json", headers=headers)


def _one(status: int, code: str, message: str, field: str = "", **headers: str) -> web.Response:
    return problems(status, [ProblemOut(field=field, code=code, message=message)], **headers)


def authenticated(handler: CallerHandler) -> Handler:
    """Run `handler` for a caller the API accepts (else 401, 403, 503); map its refusals."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.Response:
        try:
            caller = await request.app[API_AUTH].authenticate(request.headers.get("Authorization"))
        except Unauthorized as exc:
            log.info("refused an API call: %s", exc)
            return _one(
                401,
                "auth.unauthorized",
                "a valid bearer token is required",
                **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        except Forbidden as exc:
            log.info("refused an API call: %s", exc)
            return _one(403, "auth.forbidden", str(exc))
        except AuthUnavailable as exc:
            log.error("cannot check API tokens: %s", exc)
            return _one(503, "auth.unavailable", "cannot check tokens right now; try again later")
        departure_id = request.match_info.get("id")
        if departure_id is not None and not _readable_id(departure_id):
            return _one(400, UNREADABLE_CODE, f"the departure id {UNREADABLE}", "id")
        # The refusals every handler may meet, answered the same way for all of them.
        try:
            return await handler(request, caller)
        except NotFound:
            return _one(404, "departure.not_found", "no departure with this id", "id")
        except DirectoryUnavailable:
            return _one(
                503, "directory.unavailable", "the directory cannot be reached; try again later"
            )

    return checked


def _readable_id(value: str) -> bool:
    """Whether `value` could be an id: no control characters, no lone surrogates."""
    return clean_text(value) == value and not any(c in value for c in "\t\n\r")


def _language(request: web.Request) -> str:
    """The first language the caller's Accept-Language names (English when none)."""
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return language_of(first or None)


def _domain_problems(
    request: web.Request, items: Iterable[Problem], active_id: str | None = None
) -> list[ProblemOut]:
    config = request.app[CONFIG].current
    language = _language(request)
    return [
        ProblemOut(
            field=to_camel(item.field) if item.field else "",
            code=item.code,
            message=config.text(item.code, language),
            departure_id=active_id if item.code == ALREADY_REGISTERED else None,
        )
        for item in items
    ]


def _request_problems(error: ValidationError) -> list[ProblemOut]:
    """pydantic's findings as problems; its messages never repeat the input."""
    return [
        ProblemOut(
            field=".".join(str(part) for part in item["loc"]),
            code=UNREADABLE_CODE if UNREADABLE in item["msg"] else f"request.{item['type']}",
            message=item["msg"].removeprefix("Value error, "),
        )
        for item in error.errors(include_input=False, include_url=False)
    ]


async def _body(request: web.Request, model: type[M]) -> M | web.Response:
    """The body parsed with `model`, or the answer that says why it could not be."""
    if request.content_type != "application/json":
        return _one(415, "request.content_type", "send the body as application/json")
    raw = await request.read()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        found = _request_problems(exc)
    if any(item.code == "request.json_invalid" for item in found) and _LONE_SURROGATE.search(raw):
        message = f"a text in the body {UNREADABLE}: \\ud800-\\udfff must come in pairs"
        return _one(400, UNREADABLE_CODE, message)
    return problems(400 if any(p.code == UNREADABLE_CODE for p in found) else 422, found)


def _refused(request: web.Request, outcome: Outcome) -> web.Response:
    status = 409 if any(item.code in CONFLICTS for item in outcome.problems) else 422
    return problems(status, _domain_problems(request, outcome.problems, outcome.active_id))


def _answer(request: web.Request, outcome: Outcome) -> web.Response:
    if outcome.rejected or outcome.departure is None:
        return _refused(request, outcome)
    body = DepartureOut.of(outcome.departure)
    if outcome.kind is OutcomeKind.CREATED:
        return _json(body, 201, Location=f"/api/departures/{body.id}")
    return _json(body)


@authenticated
async def create_departure(request: web.Request, caller: ApiCaller) -> web.Response:
    """POST /api/departures: register; the same externalId again changes nothing or updates."""
    parsed = await _body(request, DepartureIn)
    if isinstance(parsed, web.Response):
        return parsed
    outcome = await request.app[REGISTRATION].register(parsed, caller.actor, door=DOOR)
    return _answer(request, outcome)


@authenticated
async def get_departure(request: web.Request, caller: ApiCaller) -> web.Response:
    """GET /api/departures/{id}: the departure and where it stands."""
    departure = await request.app[REGISTRATION].get(request.match_info["id"])
    return _json(DepartureOut.of(departure))


@authenticated
async def change_departure(request: web.Request, caller: ApiCaller) -> web.Response:
    """PATCH /api/departures/{id}: move the last working day, change the type or the regret."""
    parsed = await _body(request, DepartureChange)
    if isinstance(parsed, web.Response):
        return parsed
    registration = request.app[REGISTRATION]
    departure_id = request.match_info["id"]
    outcome: Outcome | None = None
    if parsed.last_working_day is not None:
        outcome = await registration.change_last_day(
            departure_id, parsed.last_working_day, caller.actor, door=DOOR
        )
        if outcome.rejected:
            return _answer(request, outcome)
    if details := parsed.details():
        outcome = await registration.change_details(departure_id, details, caller.actor, door=DOOR)
    assert outcome is not None  # the model demands at least one field
    # The last outcome carries the departure as it now stands (read after the day moved).
    return _answer(request, outcome)


@authenticated
async def cancel_departure(request: web.Request, caller: ApiCaller) -> web.Response:
    """POST /api/departures/{id}/cancel: the leaver stays."""
    outcome = await request.app[REGISTRATION].cancel(
        request.match_info["id"], caller.actor, door=DOOR
    )
    return _answer(request, outcome)


@authenticated
async def get_timeline(request: web.Request, caller: ApiCaller) -> web.Response:
    """GET /api/departures/{id}/timeline: what was sent, when, to whom; what failed and why."""
    departure_id = request.match_info["id"]
    departure = await request.app[REGISTRATION].get(departure_id)  # NotFound answers 404
    # Reading the log needs no clock; the queue wants one for its writes.
    events = await DueActionQueue(request.app[DATABASE], SystemClock()).timeline(departure_id)
    registered = RegisteredOut.of(departure)  # issue 16: where it came from, first
    lines = [*([registered] if registered else []), *(DeliveryOut.of(e) for e in events)]
    return _json(TimelineOut(departure_id=departure_id, events=lines))
