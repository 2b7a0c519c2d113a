"""The building blocks of HR's YAML models: checked scalar types, Strict and Localized.

Every topic's models (config/schema.py and config/schema_*.py) build on these.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from config.placeholders import placeholders
from journey.locale import language_of

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Norwegian is written `nb`; Teams and people also say `no` or `nn` for it.
LANGUAGE_ALIASES: Mapping[str, str] = MappingProxyType({"no": "nb", "nn": "nb"})

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TEXT_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits, '-' and '_', "
            "e.g. social-care"
        )
    return value


def _non_empty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _upn(value: str) -> str:
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not (local and at and domain) or "@" in domain or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not a user principal name such as anna@contoso.com")
    return value


def _hhmm(value: str) -> str:
    if not _HHMM.fullmatch(value):
        raise ValueError(f"{value!r} is not a time of day as HH:MM, e.g. 08:00 or 16:30")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as Europe/Copenhagen"
        ) from None
    return value


def _text_key(value: str) -> str:
    if not _TEXT_KEY.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a text key: lowercase words joined by dots, e.g. offer.body"
        )
    return value


def _text(value: str) -> str:
    value = _non_empty(value)
    placeholders(value)
    return value


def _entra_id(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an Entra ID object id (a GUID)") from None
    return value.lower()


def _unique(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!s} is listed twice")
        seen.add(value)
    return values


Id = Annotated[str, AfterValidator(_id)]
NonEmpty = Annotated[str, AfterValidator(_non_empty)]
Upn = Annotated[str, AfterValidator(_upn)]
HourMinute = Annotated[str, AfterValidator(_hhmm)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
TextKey = Annotated[str, AfterValidator(_text_key)]
Text = Annotated[str, AfterValidator(_text)]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Strict(BaseModel):
    """Base of everything read from HR's files: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text in every supported language."""

    da: NonEmpty
    sv: NonEmpty
    nb: NonEmpty
    en: NonEmpty

    @model_validator(mode="before")
    @classmethod
    def _norwegian_aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "nb" not in data:
            aliases = [key for key in LANGUAGE_ALIASES if key in data]
            if len(aliases) == 1:
                data = {("nb" if key == aliases[0] else key): value for key, value in data.items()}
        return data

    def get(self, locale: str | None) -> str:
        """The text for a Teams locale (da-DK → da, nn-NO/no → nb, unknown → en)."""
        return str(getattr(self, language_of(locale)))
