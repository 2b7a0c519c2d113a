"""The departures API's route table: aiohttp's routes and the OpenAPI document both come from it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hr_api.departures import (
    cancel_departure,
    change_departure,
    create_departure,
    get_departure,
    get_timeline,
)
from hr_api.models import DepartureChange, DepartureIn, DepartureOut, Problems, TimelineOut
from hr_api.openapi import Operation, openapi_document

OPENAPI_PATH = "/api/openapi.json"
_ID = {"id": "The departure's id, as returned when it was registered."}


_NOT_FOUND = ("No departure with this id.", Problems)
_NOT_JSON = ("The body is not application/json.", Problems)

# The API as data: aiohttp's routes and the OpenAPI document are both read from this table.
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="POST",
        path="/api/departures",
        handler=create_departure,
        operation_id="registerDeparture",
        summary="Register a departure (idempotent on externalId)",
        request_body=DepartureIn,
        responses={
            201: ("Registered.", DepartureOut),
            200: (
                "A departure with this externalId was already stored: unchanged, or updated "
                "to the data sent.",
                DepartureOut,
            ),
            409: (
                "Refused by the state of stored departures (already registered, externalId "
                "of another person, cancelled or closed). Nothing was stored.",
                Problems,
            ),
            415: _NOT_JSON,
            422: ("The body is invalid. Nothing was stored.", Problems),
        },
    ),
    Operation(
        method="GET",
        path="/api/departures/{id}",
        handler=get_departure,
        operation_id="getDeparture",
        summary="A departure and where it stands",
        path_parameters=_ID,
        responses={200: ("The departure.", DepartureOut), 404: _NOT_FOUND},
    ),
    Operation(
        method="GET",
        path="/api/departures/{id}/timeline",
        handler=get_timeline,
        operation_id="getDeliveryTimeline",
        summary="How a departure came in, what the bot sent about it, to whom, what failed",
        path_parameters=_ID,
        responses={
            200: (
                "How the departure came in (kind registered: when, and through which door), "
                "then every delivery attempt and decision, oldest first. Sent messages stay here "
                "after the departure moved or was cancelled; withdrawn ones show as "
                "cancelled.",
                TimelineOut,
            ),
            404: _NOT_FOUND,
        },
    ),
    Operation(
        method="PATCH",
        path="/api/departures/{id}",
        handler=change_departure,
        operation_id="changeDeparture",
        summary="Move the last working day, change the type of departure or the regret",
        path_parameters=_ID,
        request_body=DepartureChange,
        responses={
            200: ("Changed (or already that day).", DepartureOut),
            404: _NOT_FOUND,
            409: ("The departure is cancelled or closed.", Problems),
            415: _NOT_JSON,
            422: ("The body is invalid, or the day is in the past.", Problems),
        },
    ),
    Operation(
        method="POST",
        path="/api/departures/{id}/cancel",
        handler=cancel_departure,
        operation_id="cancelDeparture",
        summary="Cancel a departure: the leaver stays",
        path_parameters=_ID,
        responses={
            200: ("Cancelled (or already cancelled).", DepartureOut),
            404: _NOT_FOUND,
            409: ("Too late: the conversation was held or the departure closed.", Problems),
        },
    ),
)


def add_api_routes(app: web.Application, *, role: str) -> None:
    """Register every API route from the table, GET /api/openapi.json among them."""
    document: dict[str, Any] = {}

    async def serve_document(request: web.Request) -> web.Response:
        return web.json_response(document)

    operations = (
        *OPERATIONS,
        # Public on purpose: it describes the API and holds no data.
        Operation(
            method="GET",
            path=OPENAPI_PATH,
            handler=serve_document,
            operation_id="openapi",
            summary="This OpenAPI 3.1 description",
            secured=False,
            responses={200: ("The OpenAPI document.", None)},
        ),
    )
    document.update(openapi_document(operations, role=role))
    for operation in operations:
        app.router.add_route(operation.method, operation.path, operation.handler)
