"""Activities to JSON and back without msrest, whose Serializer costs more than the rest of a
turn and whose Deserializer a tenth of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import Enum
from typing import Any, TypeVar

import isodate
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
    # A card's leaves are taken as they are here, without a call each.
    if isinstance(value, dict):
        return {key: item if type(item) in _PLAIN else to_wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [item if type(item) in _PLAIN else to_wire(item) for item in value]
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
# Per schema class: by JSON key, the attribute it fills and how its value is read.
_PLANS: dict[type[Model], dict[str, tuple[str, Callable[[Any], Any]]]] = {}


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
    # Only the keys the body has: every attribute of a schema class defaults to None.
    values = {}
    extra = {}
    for key, item in data.items():
        known = plan.get(key)
        if known is None:
            extra[key] = item
        elif item is not None:
            attribute, read = known
            values[attribute] = read(item)
    built = model(**values)
    if extra:
        built.additional_properties = extra
    return built


def _plan(model: type[Model]) -> dict[str, tuple[str, Callable[[Any], Any]]]:
    plan = {
        spec["key"]: (attribute, _reader(spec["type"]))
        for attribute, spec in model._attribute_map.items()
    }
    if len(plan) < len(model._attribute_map):  # two attributes read from one key
        raise _Unusual
    return plan


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
        return lambda value: _moment(_exactly(value, str))
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


# A moment as Teams writes it: "2026-11-22T15:04:05.1234567Z", "2026-11-22T16:04:05.123+01:00".
_MOMENT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(Z|([+-])([0-9]{2}):([0-9]{2}))"
)


def _moment(value: str) -> datetime:
    """The datetime msrest's `deserialize_iso` reads from `value`, with the same (isodate)
    time zone, without isodate's parser (a tenth of a card press's reading); other shapes,
    and years at the edges of what a datetime holds, are read by msrest."""
    match = _MOMENT.fullmatch(value)
    if match is None:
        return Deserializer.deserialize_iso(value)
    year, month, day, hour, minute, second, fraction, zone, sign, hours, minutes = match.groups()
    if not 1 < int(year) < 9999:
        return Deserializer.deserialize_iso(value)
    if zone == "Z":
        tz: tzinfo = isodate.UTC
    else:
        way = -1 if sign == "-" else 1
        tz = isodate.FixedOffset(way * int(hours), way * int(minutes), zone)
    # msrest keeps six digits of the fraction; isodate rounds down to the microsecond.
    micro = int((fraction or "")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
        moment.utctimetuple()  # as msrest checks it: an offset of a day or more is refused
    except (ValueError, OverflowError):  # msrest says what is wrong in its own words
        return Deserializer.deserialize_iso(value)
    return moment
