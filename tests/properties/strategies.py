"""Arbitrary input as people, HR's systems and a bad day send it: text with NUL, control
characters and lone surrogates, JSON of any shape, deeply nested JSON, and the profiles that keep
every property's run bounded."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# The characters the issue found breaking a turn or a database, and their neighbours.
NASTY = (
    "\x00",  # PostgreSQL refuses it in text
    "\x01",
    "\x1b",
    "\x7f",
    "\ud800",  # lone surrogates: a str that cannot be encoded as UTF-8
    "\udfff",
    "\udbff",
    "\u202e",  # right-to-left override
    "\ufeff",
    "\u2028",
    "\r\n",
    "\t",
    "'",
    '"',
    "\\",
    "%",
    "=",
    "[x](https://evil.example)",
    "\U0001f600",
    "æøå",
)

# Words the bot reacts to, so arbitrary text sometimes reaches a command or a refusal.
WORDS = ("help", "hjælp", "status", "language", "sprog", "da", "sv", "nb", "en", "insights", " ")

any_char = st.characters(exclude_categories=())  # every code point, surrogates included
nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.sampled_from(WORDS), any_char), max_size=12
).map("".join)
# Short text for ids, names and locales.
short_text = st.one_of(nasty_text, st.text(any_char, max_size=8))

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    short_text,
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value (nested lists and objects), strings full of nasty characters."""
    return st.recursive(
        json_scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


class Shown:
    """A value Hypothesis prints by a short description: a failing example of 200 KB of
    brackets would fill the report."""

    def __init__(self, value: Any, description: str) -> None:
        self.value, self.description = value, description

    def __repr__(self) -> str:
        return self.description


def shown(value: Any) -> Shown:
    """`value`, printed as its repr cut to 300 characters."""
    text = repr(value)
    return Shown(value, text if len(text) <= 300 else f"{text[:300]}... ({len(text)} chars)")


def nested(depth: int, *, key: str | None = None) -> str:
    """JSON nested `depth` deep, as text: lists, or objects under `key`."""
    if key is None:
        return "[" * depth + "]" * depth
    return '{"' + key + '":' * depth + "1" + "}" * depth


def deep(depth: int, key: str | None) -> Shown:
    return Shown(nested(depth, key=key).encode(), f"nested({depth}, key={key!r})")


deep_json = st.builds(
    deep,
    st.integers(min_value=50, max_value=120_000),
    st.one_of(st.none(), st.sampled_from(["a", "value", "data"])),
)

# Bodies that are not JSON at all, or JSON no parser should need to go deep in.
raw_bodies = (
    st.one_of(
        st.binary(max_size=64),
        st.text(any_char, max_size=64).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"NaN", b"-Infinity", b"1" * 5000, b'{"a":1,"a":2}', b"", b"null"]),
    ).map(shown)
    | deep_json
)


# Profiles: a fixed number of examples, no deadline (load must not decide a verdict), and in CI
# the same examples every run and no shrinking (a failure is reported as found; run it locally
# without CI=true to see it shrunk to its smallest form).
_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # one running service serves every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile(
    "ci",
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    **_COMMON,
)
settings.register_profile("dev", **_COMMON)
# Only the generated examples, shrunk: to find the distinct failures behind the explicit ones.
settings.register_profile("explore", phases=(Phase.generate, Phase.shrink), **_COMMON)
settings.load_profile(
    os.environ.get("EXITBOT_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def examples(count: int) -> settings:
    """A property's own number of examples, on top of the profile."""
    return settings(max_examples=count)
