"""HR's YAML through libyaml's scanner and parser (ruamel.yaml.clib) into the same round-trip
tree as the pure-Python reading in config.yaml_source: the same CommentedMap and CommentedSeq,
the same line and column of every node, about ten times faster (the shipped configuration in
0.03 s instead of 0.4 s, most of `exitbot serve`'s start).

Only the scanner and parser are libyaml's: ruamel's own composer (with its depth bound: libyaml
parses without recursion, so nothing deep reaches C's stack), YAML 1.2 resolver and round-trip
constructor build the tree. The pure reading stays the reference: a text this one refuses (a
mistake, told in the pure parser's words), or may read differently, is read there.
tests/config/test_yaml_fast.py holds both to the same trees for every shipped file.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import ScalarEvent
from ruamel.yaml.reader import Reader
from ruamel.yaml.resolver import VersionedResolver

try:
    from ruamel.yaml.cyaml import CParser
except ImportError:  # no ruamel.yaml.clib for this platform or interpreter: the pure reading
    CParser = None

# What libyaml (YAML 1.1) and ruamel (YAML 1.2) read differently, found by comparing the two on
# arbitrary text, is left to the pure reading: a directive (`%YAML 1.1` makes `no` a boolean, and
# only the pure parser tells the resolver), the line breaks of YAML 1.1 that YAML 1.2 reads as
# text, a tab (libyaml takes some that ruamel refuses), a byte order mark after the one read_yaml
# takes (columns differ), a block scalar's header with a comment right after it (`|#`), and
# characters YAML refuses.
_PURE_ONLY = re.compile(r"^%|[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#", re.MULTILINE)


class NotRead(Exception):
    """This reading did not take the text; the pure one decides."""


class _Composer(Composer):
    """ruamel's composer on libyaml's events; refuses what the two parsers place or tag
    differently (found by comparing them on arbitrary text): a value left empty (`key:`),
    which the pure parser places after the blank that follows the colon, and an explicit tag."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if getattr(event, "ctag", None) is not None:
            raise NotRead
        if isinstance(event, ScalarEvent) and event.value == "" and not event.style:
            raise NotRead
        return super().compose_node(parent, index)


class _Loader(RoundTripConstructor, VersionedResolver):
    """What YAML(typ="rt") assembles around its parser, around libyaml's instead."""

    comment_handling = None  # as YAML(typ="rt"): the round-trip tree without its comments

    def __init__(self, text: str, max_depth: int) -> None:
        self._parser = CParser(text)
        self._composer = _Composer(loader=self)
        self.max_depth = max_depth
        RoundTripConstructor.__init__(self, loader=self)
        VersionedResolver.__init__(self, loader=self)


def available() -> bool:
    """Whether libyaml's parser is installed."""
    return CParser is not None


def load(text: str, max_depth: int) -> Any:
    """The round-trip tree of `text`; raises NotRead when the pure reading must decide."""
    if CParser is None or _PURE_ONLY.search(text) or Reader.NON_PRINTABLE.search(text):
        raise NotRead
    loader = _Loader(text, max_depth)
    try:
        data = loader.get_single_data()
    except (YAMLError, ValueError, TypeError, AttributeError) as exc:
        # A mistake (or what libyaml and ruamel's constructor do not agree on): the pure
        # reading tells it at its line and column, as it always did.
        raise NotRead from exc
    finally:
        loader._parser.dispose()
    if not isinstance(data, CommentedMap | CommentedSeq):
        # A file that is one scalar (no HR file is): libyaml ends a block scalar at the root
        # where ruamel reads on.
        raise NotRead
    return data
