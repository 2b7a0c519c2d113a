"""Which language a person reads: the texts' languages, Teams' locales, and the person's choice."""

from __future__ import annotations

from functools import lru_cache

SUPPORTED_LANGUAGES: tuple[str, ...] = ("da", "sv", "nb", "en")
DEFAULT_LANGUAGE = "en"

# Teams sends nn-NO and sometimes plain "no"; both read Bokmål texts.
_ALIASES = {"nn": "nb", "no": "nb", "nb": "nb"}


class LanguageNotOffered(ValueError):
    """A language the bot does not offer (e.g. a forged card value "fr"); nothing is saved."""


# Asked several times per text on a card: the answers are kept (a bounded number, since the
# locale comes from the client).
@lru_cache(maxsize=256)
def language_of(locale: str | None) -> str:
    """The supported language for a Teams locale such as `da-DK`, `nb-NO`, `no` or `fr-FR`."""
    if not locale:
        return DEFAULT_LANGUAGE
    lang = locale.replace("_", "-").split("-", 1)[0].strip().lower()
    lang = _ALIASES.get(lang, lang)
    return lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def offered_language(value: str) -> str:
    """`value` if it is one of the languages offered for a choice (da, sv, nb, en) as sent."""
    if value not in SUPPORTED_LANGUAGES:
        raise LanguageNotOffered(value[:8])
    return value


def preferred_locale(
    *, chosen: str | None, registered: str | None, teams: str | None
) -> str | None:
    """The language a person gets: the one they chose, else the one HR registered for them
    (a leaver's departure), else the one their Teams client sends."""
    return chosen or registered or teams or None
