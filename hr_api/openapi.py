"""The OpenAPI 3.1 description, generated from the route table and the pydantic models.

Routes are registered from the same `Operation` table the document is built from, and every
schema comes from the models that parse and answer the calls, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from hr_api.models import Problems

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "entraBearer"
REF_TEMPLATE = "#/components/schemas/{model}"

Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]


@dataclass(frozen=True)
class Operation:
    """One route: how aiohttp dispatches it and how the document describes it."""

    method: Method
    path: str
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    operation_id: str
    summary: str
    # Status → (description, body model or None for no JSON body).
    responses: Mapping[int, tuple[str, type[BaseModel] | None]]
    request_body: type[BaseModel] | None = None
    secured: bool = True
    path_parameters: Mapping[str, str] = field(default_factory=dict)


# What any authenticated call may also answer.
_SECURED_RESPONSES: Mapping[int, tuple[str, type[BaseModel] | None]] = {
    400: (
        "A text in the path or the body holds a control character (U+0000 among them) or a "
        "lone surrogate, which no id, address or name has. Nothing was stored.",
        Problems,
    ),
    401: ("No bearer token, or one that does not validate.", Problems),
    403: ("The token lacks the app role the API demands.", Problems),
    503: ("Signing keys or the directory cannot be reached right now.", Problems),
}

_DESCRIPTION = """\
HR's systems register departures here: the same rules as HR's form in Teams and the CSV import.

Authenticate with an Entra ID access token for the bot's API (client credentials) that carries
the app role the service is configured to demand (default `Departures.ReadWrite`), sent as
`Authorization: Bearer <token>`. Errors answer with `{"problems": [{field, code, message}]}`;
`message` follows `Accept-Language` (da, sv, nb, en); a refusal because the leaver already has an
active departure (409, `register.already_registered`) names it in `departureId`. Registering with
an `externalId` that is already stored answers 200 with the stored departure (updated when the
data differ) instead of creating a second one. A leaver has one active departure at a time.
"""


def _schemas(
    operations: Sequence[Operation],
) -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for operation in operations:
        if operation.request_body is not None:
            wanted.append((operation.request_body, "validation"))
        responses = {**operation.responses, **(_SECURED_RESPONSES if operation.secured else {})}
        wanted += [(model, "serialization") for _, model in responses.values() if model]
    unique = list(dict.fromkeys(wanted))
    refs, top = models_json_schema(unique, by_alias=True, ref_template=REF_TEMPLATE)
    return dict(refs), top.get("$defs", {})


def _content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(
    operation: Operation, refs: Mapping[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
    }
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string"},
        }
        for name, description in operation.path_parameters.items()
    ]
    if operation.secured:
        parameters.append(
            {
                "name": "Accept-Language",
                "in": "header",
                "required": False,
                "description": "Language of the problem messages: da, sv, nb or en.",
                "schema": {"type": "string"},
            }
        )
    if parameters:
        described["parameters"] = parameters
    if operation.request_body is not None:
        described["requestBody"] = {
            "required": True,
            "content": _content(refs[(operation.request_body, "validation")]),
        }
    responses = {**operation.responses, **(_SECURED_RESPONSES if operation.secured else {})}
    described["responses"] = {
        str(status): (
            {"description": text, "content": _content(refs[(model, "serialization")])}
            if model is not None
            else {"description": text}
        )
        for status, (text, model) in sorted(responses.items())
    }
    described["security"] = [{SECURITY_SCHEME: []}] if operation.secured else []
    return described


def openapi_document(operations: Sequence[Operation], *, role: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for these operations."""
    refs, schemas = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, refs)
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "exitbot departures API",
            "version": "1",
            "description": _DESCRIPTION,
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": (
                        f"An Entra ID access token for the bot's API with the app role {role}."
                    ),
                }
            },
        },
    }
