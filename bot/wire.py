"""Activities to JSON without msrest's Serializer, which costs more than the rest of a turn."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from msrest.serialization import Model


def to_wire(value: Any) -> Any:
    """The JSON form of a botbuilder schema object, as msrest's `serialize()` writes it."""
    if isinstance(value, Model):
        out: dict[str, Any] = {}
        for name, spec in type(value)._attribute_map.items():
            item = getattr(value, name, None)
            if item is not None:
                out[spec["key"]] = to_wire(item)
        extra = getattr(value, "additional_properties", None)
        if extra:
            out.update({key: to_wire(item) for key, item in extra.items()})
        return out
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value
