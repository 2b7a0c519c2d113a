"""Choosing the language of the texts from what Teams sends."""

SUPPORTED_LANGUAGES: tuple[str, ...] = ("da", "sv", "nb", "en")
DEFAULT_LANGUAGE = "en"

# Teams sends nn-NO and sometimes plain "no"; both read Bokmål texts.
_ALIASES = {"nn": "nb", "no": "nb", "nb": "nb"}


def language_of(locale: str | None) -> str:
    """The supported language for a Teams locale such as `da-DK`, `nb-NO`, `no` or `fr-FR`."""
    if not locale:
        return DEFAULT_LANGUAGE
    lang = locale.replace("_", "-").split("-", 1)[0].strip().lower()
    lang = _ALIASES.get(lang, lang)
    return lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
