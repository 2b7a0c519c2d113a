"""The texts of sharing, chosen by the leaver (issue 14) and the placeholders the code fills in
for each: the leaver's card, a reader's card, HR's card for the hiring manager, the refusals.
Kept apart from config.catalog, which takes them in whole."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_WITHOUT_PARAMS = """
    open opened title intro status_shared status_withdrawn status_none with_manager
    with_hiring_manager summary_label advice_label answers save withdraw withdrawn changed
    summary_title advice_title answers_title show reader_notice earlier_advice reader_privacy
    reader_title_plain nothing not_shared final_refused too_long hr_open hr_intro
    hr_with_manager hr_with_hiring_manager hr_hiring_manager hr_save hr_saved hr_unknown yes no
"""

SHARING_TEXTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{f"sharing.{key}": () for key in _WITHOUT_PARAMS.split()},
        "sharing.final": ("last_day",),
        "sharing.until": ("last_day",),
        "sharing.saved": ("at",),
        "sharing.reader_title": ("name",),
        "sharing.for_manager": ("name",),
        "sharing.for_hiring_manager": ("name",),
        "sharing.hr_title": ("name",),
    }
)
