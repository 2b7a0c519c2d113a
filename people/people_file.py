"""The people file (config/demo/people.yaml): its shape, and reading it with file:line:col for
every mistake. people.local_directory serves what it says."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from journey.people import (
    Person,
)
from people.working_hours import LocalWorkingHours

# A Graph property name (extension_<app>_<name> included).
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,119}$")
Recurrence = Literal[
    "day", "weekday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
]
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class LocalDirectoryError(ValueError):
    """The people file is not valid; each problem reads `file:line:col: path: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class BusyEntry(BaseModel):
    """A busy stretch in the person's own zone: on a date, some days from now, or recurring."""

    model_config = ConfigDict(extra="forbid")

    every: Recurrence | None = None
    on: date | None = None
    in_days: int | None = Field(default=None, ge=0)  # days after the day the file is loaded
    from_: time | None = Field(default=None, alias="from")
    to: time | None = None
    what: str | None = None  # a note for whoever edits the file

    @model_validator(mode="after")
    def _consistent(self) -> BusyEntry:
        given = [name for name in ("every", "on", "in_days") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `every`, `on` or `in_days`")
        if (self.from_ is None) != (self.to is None):
            raise ValueError("give both `from` and `to`, or neither for the whole day")
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            raise ValueError("`to` must be after `from`")
        return self

    def applies_to(self, day: date, loaded_on: date) -> bool:
        """Whether this entry makes the person busy on `day`."""
        if self.on is not None:
            return day == self.on
        if self.in_days is not None:
            return day == loaded_on + timedelta(days=self.in_days)
        if self.every == "day":
            return True
        if self.every == "weekday":
            return day.weekday() < 5
        return _WEEKDAYS[day.weekday()] == self.every


class PersonEntry(BaseModel):
    """One person in the local directory."""

    model_config = ConfigDict(extra="forbid")

    upn: str
    name: str
    id: str  # stands in for the Entra ID object id
    mail: str | None = None
    title: str | None = None
    manager: str | None = None  # the manager's upn
    language: str | None = None  # e.g. da-DK
    time_zone: str = "Europe/Copenhagen"
    teams_user_id: str | None = None  # the Teams/emulator user id, e.g. the Playground's user-id-0
    chat_id: str | None = None
    # Entra ID group object ids the person is in (e.g. the HR group of organisation.yaml).
    groups: list[str] = Field(default_factory=list)
    busy: list[BusyEntry] = Field(default_factory=list)
    # Part-time staff: the days and hours they work; left out, the unit's working hours.
    working_hours: LocalWorkingHours | None = None
    # Entra ID's employeeLeaveDateTime: a date, or days after the day the bot started.
    leave_date: date | None = None
    leave_in_days: int | None = Field(default=None, ge=0, le=3650)
    department: str | None = None
    # Other Entra attributes by Graph's property name (companyName, employeeType, ...).
    attributes: dict[str, str] = Field(default_factory=dict)

    @field_validator("upn", "manager", "mail")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("department")
    @classmethod
    def _department(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("department must not be empty (leave it out)")
        return value

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _PROPERTY.match(name):
                raise ValueError(f"{name!r} is not a Graph property name (e.g. companyName)")
        return value

    @model_validator(mode="after")
    def _one_leave_date(self) -> PersonEntry:
        if self.leave_date is not None and self.leave_in_days is not None:
            raise ValueError("give `leave_date` or `leave_in_days`, not both")
        if self.department is not None and "department" in self.attributes:
            raise ValueError("give the department once: `department` or `attributes.department`")
        return self

    def leave_day(self, started: datetime) -> date | None:
        """The leave date; `leave_in_days` counts from `started`'s date in the person's zone."""
        if self.leave_in_days is None:
            return self.leave_date
        return started.astimezone(ZoneInfo(self.time_zone)).date() + timedelta(
            days=self.leave_in_days
        )

    def entra_attributes(self) -> dict[str, str]:
        """The attributes as Entra would give them: `department` among the rest."""
        found = dict(self.attributes)
        if self.department is not None:
            found["department"] = self.department
        return found

    def person(self) -> Person:
        """The domain view of this entry."""
        return Person(
            id=self.id,
            upn=self.upn,
            display_name=self.name,
            mail=self.mail or self.upn,
            preferred_language=self.language,
            time_zone=self.time_zone,
            teams_user_id=self.teams_user_id,
        )


class PeopleFile(BaseModel):
    """The whole people file."""

    model_config = ConfigDict(extra="forbid")

    people: list[PersonEntry]

    @model_validator(mode="after")
    def _references(self) -> PeopleFile:
        upns = [entry.upn for entry in self.people]
        for key in ("upn", "id", "teams_user_id"):
            values = [getattr(entry, key) for entry in self.people if getattr(entry, key)]
            duplicates = sorted({value for value in values if values.count(value) > 1})
            if duplicates:
                raise ValueError(f"{key} used more than once: {', '.join(duplicates)}")
        for entry in self.people:
            if entry.manager is not None and entry.manager not in upns:
                raise ValueError(f"{entry.upn}: manager {entry.manager} is not in the file")
            if entry.manager == entry.upn:
                raise ValueError(f"{entry.upn}: a person cannot be their own manager")
        return self


class _DatesAsText(RoundTripConstructor):
    """Dates stay text for pydantic to read: ruamel's own reading fails on 2027-02-30
    without saying where."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _DatesAsText.construct_yaml_str)


def load_people_file(path: Path) -> PeopleFile:
    """Read and validate a people file; raises LocalDirectoryError naming file and line."""
    try:
        yaml = YAML(typ="rt")
        yaml.Constructor = _DatesAsText
        raw = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise LocalDirectoryError([f"{where}: {exc.problem}"]) from exc
    try:
        return PeopleFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            line, column = _position(raw, error["loc"])
            dotted = ".".join(str(part) for part in error["loc"]) or "(top)"
            problems.append(f"{path}:{line}:{column}: {dotted}: {error['msg']}")
        raise LocalDirectoryError(problems) from exc


def _position(node: Any, loc: Sequence[int | str]) -> tuple[int, int]:
    """1-based line and column of the deepest node of `loc` that ruamel can place."""
    line, column = 1, 1
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                row, col = lc.key(part)
                line, column = row + 1, col + 1
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                row, col = lc.item(part)
                line, column = row + 1, col + 1
            node = node[part]
        else:
            break
    return line, column
