"""Reading HR's API OpenAPI document in tests: fetch it, find an answer's schema, validate."""

from __future__ import annotations

from typing import Any

import jsonschema

from tests.helpers.hr_api import Api


async def openapi_document(api: Api) -> dict[str, Any]:
    """GET /api/openapi.json, which answers without a token."""
    answer = await api.call("GET", "/api/openapi.json", token=None)  # public: holds no data
    assert answer.status == 200
    return answer.body


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Validator:
    """A validator for `schema`, a part of `document`."""
    # The component $refs resolve against the document, so validate inside it.
    root = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())


def response_schema(document: dict[str, Any], method: str, path: str, status: int) -> dict:
    """The JSON schema the document gives for one answer of one operation."""
    operation = document["paths"][path][method.lower()]
    assert str(status) in operation["responses"], f"{method} {path} does not document {status}"
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]
