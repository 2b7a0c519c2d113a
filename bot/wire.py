"""Activities to JSON and back without msrest, whose Serializer costs more than the rest of a
turn and whose Deserializer a tenth of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from botbuilder import schema
from msrest.serialization import Deserializer, Model

ModelT = TypeVar("ModelT", bound=Model)


# Values JSON takes as they are: most of a card's leaves.
_PLAIN = frozenset({str, int, float, bool, type(None)})
# Per schema class: (attribute, JSON key) for each attribute, in msrest's order.
_KEYS: dict[type[Model], tuple[tuple[str, str], ...]] = {}


def to_wire(value: Any) -> Any:
    """The JSON form of a botbuilder schema object, as msrest's `serialize()` writes it."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, Model):
        return _model_to_wire(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _model_to_wire(value: Model) -> dict[str, Any]:
    kind = type(value)
    keys = _KEYS.get(kind)
    if keys is None:
        keys = _KEYS[kind] = tuple(
            (name, spec["key"]) for name, spec in kind._attribute_map.items()
        )
    out: dict[str, Any] = {}
    for name, key in keys:
        item = getattr(value, name, None)
        if item is not None:
            out[key] = to_wire(item)
    extra = getattr(value, "additional_properties", None)
    if extra:
        out.update({key: to_wire(item) for key, item in extra.items()})
    return out


class _Unusual(Exception):
    """A value of a shape the fast reading does not take: msrest reads the body instead."""


_MODELS: dict[str, type[Model]] = {
    name: value
    for name, value in vars(schema).items()
    if isinstance(value, type) and issubclass(value, Model)
}
# Per schema class: (attribute, JSON key, read) for each attribute, and the keys it knows.
_PLANS: dict[type[Model], tuple[list[tuple[str, str, Callable[[Any], Any]]], frozenset[str]]] = {}


def from_wire(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """The botbuilder schema object msrest's `Model.deserialize` builds from a JSON object,
    without msrest's Deserializer, which costs a tenth of a `help` turn; any value of a shape
    other than the schema's (a number where text belongs, say) is left to msrest."""
    try:
        return _model(model, data)
    except _Unusual:
        return model.deserialize(data)


def _model(model: type[ModelT], data: Any) -> ModelT:
    if not isinstance(data, dict):
        raise _Unusual
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = _plan(model)
    reads, known = plan
    values = {}
    for attribute, key, read in reads:
        item = data.get(key)
        values[attribute] = None if item is None else read(item)
    built = model(**values)
    extra = {key: item for key, item in data.items() if key not in known}
    if extra:
        built.additional_properties = extra
    return built


def _plan(model: type[Model]) -> tuple[list[tuple[str, str, Callable[[Any], Any]]], frozenset[str]]:
    reads = [
        (attribute, spec["key"], _reader(spec["type"]))
        for attribute, spec in model._attribute_map.items()
    ]
    return reads, frozenset(key for _attribute, key, _read in reads)


def _reader(kind: str) -> Callable[[Any], Any]:
    """How to read a value of one msrest type name."""
    if kind.startswith("[") and kind.endswith("]"):
        each = _reader(kind[1:-1])
        return lambda value: _listed(value, each)
    if kind.startswith("{") and kind.endswith("}"):
        each = _reader(kind[1:-1])
        return lambda value: _mapped(value, each)
    if kind in _MODELS:
        model = _MODELS[kind]
        return lambda value: _model(model, value)
    if kind == "object":
        return lambda value: value
    if kind == "iso-8601":
        return lambda value: Deserializer.deserialize_iso(_exactly(value, str))
    exact = {"str": str, "bool": bool, "int": int}.get(kind)
    if exact is None:
        raise _Unusual
    return lambda value: _exactly(value, exact)


def _exactly(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise _Unusual
    return value


def _listed(value: Any, each: Callable[[Any], Any]) -> list[Any]:
    if not isinstance(value, list):
        raise _Unusual
    return [None if item is None else each(item) for item in value]


def _mapped(value: Any, each: Callable[[Any], Any]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Unusual
    return {key: None if item is None else each(item) for key, item in value.items()}
