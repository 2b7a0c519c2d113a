"""Looking up a text: the unit's own wording first, then the organisation's, in one language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.schema import Localized
from journey.locale import language_of


class UnknownText(KeyError):
    """The code asked for a text key that the configuration does not have."""


class TextBook:
    """Every text of the configuration, by language, with the units' overrides.

    A reader's texts (one language, one unit's wording over the organisation's) are gathered
    the first time they are asked for and kept: the book never changes, a reload makes a new
    one."""

    def __init__(
        self,
        organisation: Mapping[str, Mapping[str, str]],
        units: Mapping[str, Mapping[str, Localized]],
    ) -> None:
        # organisation: language → key → text; units: unit id → key → its own text
        # (a unit's mapping already holds what it inherits from its parent units).
        self._organisation = organisation
        self._units = units
        self._phrases: dict[tuple[str, str | None], Mapping[str, str]] = {}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._organisation)

    @property
    def keys(self) -> frozenset[str]:
        """The text keys of the organisation (a unit can only reword these)."""
        return frozenset(key for texts in self._organisation.values() for key in texts)

    def phrases(self, locale: str | None, unit: str | None = None) -> Mapping[str, str]:
        """Every unformatted text in the locale's language by key, the unit's own wording
        first (an unknown unit has none)."""
        language = language_of(locale)
        own = unit if unit in self._units else None
        found = self._phrases.get((language, own))
        if found is None:
            found = self._phrases[(language, own)] = self._gathered(language, own)
        return found

    def _gathered(self, language: str, unit: str | None) -> Mapping[str, str]:
        texts = dict(self._organisation.get(language, {}))
        if unit is not None:
            texts.update({key: own.get(language) for key, own in self._units[unit].items()})
        return texts

    def template(self, key: str, locale: str | None, unit: str | None = None) -> str:
        """The unformatted text with its `{placeholders}`."""
        try:
            return self.phrases(locale, unit)[key]
        except KeyError:
            raise UnknownText(f"no text {key!r} in the configuration") from None

    def text(self, key: str, locale: str | None, unit: str | None = None, **params: Any) -> str:
        """The text in the locale's language with its placeholders filled in.

        Raises UnknownText for an unknown key and KeyError when a placeholder the text uses
        is not passed; the loader has checked that the texts use only the catalog's names.
        """
        return self.template(key, locale, unit).format_map(params)
