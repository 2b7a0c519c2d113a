"""A configuration that validated, and the questions the rest of the bot asks it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from config.overrides import lineage, unit_departures_source
from config.schema import (
    HandoverItem,
    OrganisationFile,
    QuestionSet,
    Section,
    Unit,
    UnitSettings,
)
from config.texts import TextBook
from journey.leave_dates import LeaveDateSettings

Derived = TypeVar("Derived")


@dataclass(frozen=True)
class LoadedConfig:
    """HR's configuration, checked; swap the whole object on a reload."""

    directory: Path
    version: str  # short hash of the files' contents, shown on /healthz
    organisation: OrganisationFile
    units: Mapping[str, Unit]  # as written in units.yaml, by id
    settings: Mapping[str, UnitSettings]  # effective settings per unit id
    texts: TextBook
    question_sets: Mapping[str, QuestionSet]
    handover_items: Mapping[str, HandoverItem]

    def summary(self) -> str:
        """One line for `exitbot check-config` and the service log."""
        return (
            f"config OK: {len(self.units)} units, {len(self.texts.languages)} languages, "
            f"{len(self.texts.keys)} texts, {len(self.question_sets)} question sets "
            f"(version {self.version})"
        )

    @property
    def defaults(self) -> UnitSettings:
        """The organisation's settings, which apply where a unit says nothing."""
        return self.organisation.defaults

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(self.units)

    def has_unit(self, unit_id: str | None) -> bool:
        return unit_id is not None and unit_id in self.units

    def unit_name(self, unit_id: str | None, locale: str | None = None) -> str | None:
        """The unit's name in the reader's language (its `names`, else `name`), None for an
        unknown unit."""
        unit = self.units.get(unit_id) if unit_id is not None else None
        if unit is None:
            return None
        return unit.names.get(locale) if unit.names is not None and locale else unit.name

    def unit(self, unit_id: str | None) -> UnitSettings:
        """A unit's effective settings; the organisation's defaults for an unknown unit."""
        if unit_id is None:
            return self.defaults
        return self.settings.get(unit_id, self.defaults)

    def text(self, key: str, locale: str | None, unit: str | None = None, **params: Any) -> str:
        """A text in the locale's language (the unit's wording first), placeholders filled."""
        return self.texts.text(key, locale, unit, **params)

    def representatives(self, unit_id: str) -> frozenset[str]:
        """The unit's union or staff representatives: its own and its parent units' (a
        representative covers the units below their unit)."""
        return frozenset(
            upn for unit in lineage(unit_id, self.units) or [] for upn in unit.representatives
        )

    def represented_units(self, upn: str | None) -> frozenset[str]:
        """The units `upn` is a representative of, with every unit below them."""
        person = (upn or "").strip().lower()
        if not person:
            return frozenset()
        return frozenset(unit for unit in self.units if person in self.representatives(unit))

    def is_hr_member(self, upn: str) -> bool:
        """Whether the UPN is listed as an HR member (the Entra group is checked elsewhere)."""
        return upn.strip().lower() in self.organisation.hr.members

    @property
    def hr_group_id(self) -> str | None:
        """The Entra ID group whose members count as HR, if HR named one."""
        return self.organisation.hr.entra_group_id

    @property
    def max_days_ahead(self) -> int:
        """How many days ahead of today a last working day may be registered."""
        return self.organisation.departures.max_days_ahead

    def departures_source(self, unit_id: str | None) -> str:
        """Where a unit's departures come from, `manual` or `entra`: its own or the nearest
        unit's above it (`departures_source`), else the organisation's (`departures.source`).
        None (no unit) and an unknown unit take the organisation's."""
        own = unit_departures_source(unit_id, self.units) if unit_id else None
        return own or self.organisation.departures.source

    @cached_property
    def leave_dates(self) -> LeaveDateSettings | None:
        """HR's settings for departures from Entra ID, None when neither the organisation nor
        any unit takes them from there. `units` holds each unit whose departures come from
        Entra, and "" (a departure with no unit) when the organisation's do. Worked out once
        per loaded configuration (a reload makes a new one)."""
        units = {unit for unit in self.units if self.departures_source(unit) == "entra"}
        if self.organisation.departures.source == "entra":
            units.add("")
        if not units:
            return None
        entra = self.organisation.departures.entra
        return LeaveDateSettings(
            look_ahead_days=entra.look_ahead_days,
            mode=entra.mode,
            when_cleared=entra.when_cleared,
            check_every_minutes=entra.check_every_minutes,
            group_id=entra.users.group,
            where=dict(entra.users.where),
            unit_attribute=entra.unit_from.attribute,
            units_by_value=dict(entra.unit_from.values),
            units=frozenset(units),
        )

    @property
    def retention_months(self) -> int:
        return self.organisation.data_retention_months

    def question_set(self, set_id: str) -> QuestionSet:
        """A question set by id; KeyError if there is none."""
        return self.question_sets[set_id]

    @cached_property
    def _worked_out(self) -> dict[Hashable, Any]:
        return {}

    def once(self, key: Hashable, work: Callable[[], Derived]) -> Derived:
        """What `work` makes of this configuration, made the first time `key` is asked for and
        kept (a reload makes a new configuration); it must not be changed by who gets it."""
        found = self._worked_out.get(key, self._worked_out)
        if found is self._worked_out:
            found = self._worked_out[key] = work()
        return found

    def survey_sections(self, unit_id: str | None = None) -> list[Section]:
        """The sections and questions a unit asks, in its order, without skipped questions."""
        unit_id = unit_id if unit_id in self.settings else None  # else the defaults' survey
        return list(self.once(("survey_sections", unit_id), lambda: self._sections(unit_id)))

    def _sections(self, unit_id: str | None) -> tuple[Section, ...]:
        choice = self.unit(unit_id).survey
        qset = self.question_sets[choice.question_set]
        by_id = {section.id: section for section in qset.sections}
        chosen = [by_id[s] for s in choice.sections] if choice.sections else qset.sections
        skipped = set(choice.skip_questions)
        sections = []
        for section in chosen:
            questions = [q for q in section.questions if q.id not in skipped]
            if questions:
                sections.append(section.model_copy(update={"questions": questions}))
        return tuple(sections)

    def handover_checklist(self, unit_id: str | None = None) -> list[HandoverItem]:
        """The handover items a unit uses, in its order (every item when it names none)."""
        chosen = self.unit(unit_id).handover
        if chosen is None:
            return list(self.handover_items.values())
        return [self.handover_items[item] for item in chosen]
