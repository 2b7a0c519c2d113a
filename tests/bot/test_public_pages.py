"""The pages the app package links to: the website, privacy and terms, in the reader's language,
served by the running service without a sign-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.public_pages import add_public_pages, page_language
from bot.public_texts import ABOUT, PRIVACY, TERMS
from bot.typedefs import CONFIG
from config.holder import ConfigHolder
from config.loader import LoadedConfig, default_config_dir
from testkit.standins.serve import serve
from tests.helpers.service import Running

LANGUAGES = ("da", "sv", "nb", "en")


@pytest.fixture
async def pages(default_config: LoadedConfig) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    app = web.Application()
    app[CONFIG] = ConfigHolder(default_config_dir(), default_config)
    add_public_pages(app)
    async with serve(app) as url, aiohttp.ClientSession() as http:
        yield url, http


def visible_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_privacy_statement_says_what_for_how_long_and_who_in_each_language(
    pages: tuple[str, aiohttp.ClientSession], default_config: LoadedConfig, language: str
) -> None:
    url, http = pages
    async with http.get(f"{url}/privacy", params={"lang": language}) as response:
        assert response.status == 200
        assert response.headers["Content-Language"] == language
        page = await response.text()
    title, sections = PRIVACY[language]
    assert f'<html lang="{language}">' in page
    assert title in page
    text = visible_text(page)
    assert default_config.organisation.name in text
    # The retention period is HR's setting (organisation.yaml), not a fixed sentence.
    assert str(default_config.retention_months) in text
    assert len([heading for heading, _ in sections if heading]) == 4  # what, how long, who, rights
    assert "{" not in text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("da-DK,da;q=0.9,en;q=0.8", "da"),
        ("fr-FR, sv;q=0.5, en;q=0.4", "sv"),
        ("nn-NO", "nb"),
        ("en;q=0.2, nb;q=0.9", "nb"),
        ("fr, de", "en"),
        ("", "en"),
        ("da;q=nonsense, sv;q=0.1", "sv"),
    ],
)
def test_the_language_follows_accept_language_by_weight(accept: str, expected: str) -> None:
    assert page_language(None, accept) == expected


def test_lang_in_the_address_wins_over_the_browser_unless_it_is_not_offered() -> None:
    assert page_language("sv", "da-DK") == "sv"
    assert page_language("fr", "da-DK") == "da"


async def test_the_pages_choose_by_accept_language_and_link_to_each_other(
    pages: tuple[str, aiohttp.ClientSession],
) -> None:
    url, http = pages
    for path, texts in (("/", ABOUT), ("/terms", TERMS)):
        async with http.get(url + path, headers={"Accept-Language": "nb-NO,en;q=0.5"}) as response:
            assert response.status == 200
            assert response.headers["Vary"] == "Accept-Language"
            page = await response.text()
        assert texts["nb"][0] in page
        assert '<a href="/privacy?lang=nb">Personvernerklæring</a>' in page
        assert '<a href="/terms?lang=nb">Vilkår for bruk</a>' in page


async def test_the_service_serves_the_pages_without_a_sign_in(running: Running) -> None:
    for path in ("/", "/privacy", "/terms"):
        async with running.http.get(running.url + path) as response:
            assert response.status == 200, path
            assert response.content_type == "text/html"
