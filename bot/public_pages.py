"""The pages the Teams app package links to: / (website), /privacy and /terms.

Teams shows the developer's website, privacy and terms URLs on the app's details; they point
here by default (`exitbot package`). Each page is plain HTML in the reader's language: `?lang=`
if it names one, else the best of Accept-Language, else English. The organisation's name and the
retention period come from HR's configuration as it is now (a reload shows at once).
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.public_texts import ABOUT, LINKS, PRIVACY, TERMS, Page
from bot.typedefs import CONFIG
from journey.locale import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, language_of

PAGES: dict[str, dict[str, Page]] = {"/": ABOUT, "/privacy": PRIVACY, "/terms": TERMS}


def page_language(query: str | None, accept_language: str | None) -> str:
    """`?lang=` when it names a language offered; else the first offered of Accept-Language
    by its q-values (nn and no read Bokmål); else English."""
    if query and _offers(query):
        return language_of(query)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0 and _offers(tag):
            ranked.append((-weight, index, language_of(tag)))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def _offers(tag: str) -> bool:
    """Whether `tag` is one of our languages (language_of maps the rest to English too)."""
    primary = tag.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary in (*SUPPORTED_LANGUAGES, "nn", "no")


def render(page: Page, language: str, organisation: str, months: int) -> str:
    """The page as HTML, every value escaped."""
    title, sections = page
    privacy, terms = LINKS[language]
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, text in sections:
        if heading:
            body.append(f"<h2>{html.escape(heading)}</h2>")
        filled = text.format(organisation=organisation, months=months)
        body.append(f"<p>{html.escape(filled)}</p>")
    body.append(
        f'<p><a href="/privacy?lang={language}">{html.escape(privacy)}</a> · '
        f'<a href="/terms?lang={language}">{html.escape(terms)}</a></p>'
    )
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


async def public_page(request: web.Request) -> web.Response:
    """One of PAGES in the reader's language."""
    language = page_language(request.query.get("lang"), request.headers.get("Accept-Language"))
    config = request.app[CONFIG].current
    text = render(
        PAGES[request.path][language],
        language,
        config.organisation.name,
        config.retention_months,
    )
    return web.Response(
        text=text,
        content_type="text/html",
        headers={"Content-Language": language, "Vary": "Accept-Language"},
    )


def add_public_pages(app: web.Application) -> None:
    """GET /, /privacy and /terms."""
    for path in PAGES:
        app.router.add_get(path, public_page)
