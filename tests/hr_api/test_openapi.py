"""GET /api/openapi.json describes every API route, and real answers match its schemas."""

from __future__ import annotations

import jsonschema
import pytest

from hr_api.models import DepartureChange, DepartureIn, DepartureOut, Problems
from tests.helpers.hr_api import Api, future
from tests.hr_api.openapi_schema import openapi_document, response_schema, validator


def _template(path: str) -> str:
    """The documented path for a concrete one (/api/departures/abc/cancel → …/{id}/cancel)."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[:3] == ["", "api", "departures"]:
        parts[3] = "{id}"
    return "/".join(parts)


async def test_every_api_route_of_the_app_is_in_the_document(api: Api) -> None:
    document = await openapi_document(api)
    assert document["openapi"].startswith("3.1")
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in api.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.resource.canonical != "/api/messages"  # the Bot Connector's, not HR's
        and route.method != "HEAD"
    }
    documented = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    assert served == documented
    assert ("post", "/api/departures") in served


async def test_the_schemas_are_the_models(api: Api) -> None:
    schemas = (await openapi_document(api))["components"]["schemas"]
    for model in (DepartureIn, DepartureChange):
        generated = model.model_json_schema(by_alias=True, mode="validation")
        assert set(schemas[model.__name__]["properties"]) == set(generated["properties"])
        assert schemas[model.__name__].get("required") == generated.get("required")
    for model in (DepartureOut, Problems):
        generated = model.model_json_schema(by_alias=True, mode="serialization")
        assert set(schemas[model.__name__]["properties"]) == set(generated["properties"])
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


async def test_real_requests_and_answers_match_the_document(api: Api) -> None:
    document = await openapi_document(api)
    body = {"externalId": "HR-7", "leaver": "leaver.no@contoso.example", "lastWorkingDay": future()}
    request_schema = document["paths"]["/api/departures"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    validator(document, request_schema).validate(body)
    with pytest.raises(jsonschema.ValidationError):
        validator(document, request_schema).validate({**body, "lastWorkingDay": "soon"})
    with pytest.raises(jsonschema.ValidationError):
        validator(document, request_schema).validate({**body, "colour": "blue"})

    created = await api.call("POST", "/api/departures", json=body)
    departure_path = f"/api/departures/{created.body['id']}"
    await api.call("POST", "/api/departures", json=body)
    await api.call("POST", "/api/departures", json={**body, "leaver": "x"})
    await api.call("POST", "/api/departures", json=body, token=None)
    await api.call("POST", "/api/departures", json=body, token=api.token(roles=()))
    await api.call("GET", departure_path)
    await api.call("GET", "/api/departures/missing")
    await api.call("PATCH", departure_path, json={"lastWorkingDay": future(50)})
    await api.call("POST", f"{departure_path}/cancel")
    await api.call("PATCH", departure_path, json={"lastWorkingDay": future(51)})

    statuses = set()
    for method, path, answer in api.calls:
        if path == "/api/openapi.json":
            continue
        schema = response_schema(document, method, _template(path), answer.status)
        validator(document, schema).validate(answer.body)
        statuses.add(answer.status)
    assert statuses == {200, 201, 401, 403, 404, 409, 422}
