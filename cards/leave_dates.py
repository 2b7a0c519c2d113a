"""HR's card of the leave dates from Entra ID that wait for HR (issue 16), and the banner on
HR's list that leads to it.

One row per finding, the soonest leave date first: the name, the leave date and the unit; for a
leave date whose department names no unit, the value as Entra ID has it and a list of units to
pick from (never a guess); why registration refused one; a leave date removed in Entra ID with
"cancel the departure" or "keep it". "Register all N" registers every ready row on the page in
one click, each at the revision the card showed. A line says how the last check went.

A month may bring some 70 leavers and a first check 300: the rows are paged so that a card
stays well under Teams' limit of about 28 KB (a row with a long list of units weighs more,
so a page ends at a size as well as at a count).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from cards import verbs
from cards.base import (
    Element,
    adaptive_card,
    button_row,
    choice_set,
    execute,
    heading,
    paragraph,
    separated,
    subheading,
    typed,
)
from cards.locale import Speaker
from journey.leave_dates import CheckReport, CheckStatus, Finding, FindingState

SHOW = verbs.LEAVE_DATES_SHOW
CONFIRM = verbs.LEAVE_DATES_CONFIRM
CONFIRM_ALL = verbs.LEAVE_DATES_CONFIRM_ALL
DISMISS = verbs.LEAVE_DATES_DISMISS
CANCEL = verbs.LEAVE_DATES_CANCEL
KEEP = verbs.LEAVE_DATES_KEEP

PAGE_ROWS = 15  # rows on a page at most: what HR reads through before clicking
# The rows of a page together stay under this many bytes of JSON: with the heading, the
# check's line, the notice and "Register all" (its data names each row), a card stays under
# about 24 KB, short of Teams' 28 KB for a message with its envelope.
ROWS_BUDGET = 17_000
UNIT_INPUT = "unit_"  # a row's unit list is the input `unit_<row on the page>`


@dataclass(frozen=True)
class LeaveDatesView:
    """HR's card as it is drawn: every finding that waits, and which page of them."""

    findings: Sequence[Finding]  # WAITING_FOR_HR, soonest leave date first
    status: CheckStatus
    units: Sequence[tuple[str, str]]  # (unit id, name in the reader's language)
    zone: ZoneInfo  # the organisation's, for when the check ran
    attribute: str = "department"  # the Entra ID attribute whose value names the unit
    start: int = 0  # the first finding of the page (a button's `start`)
    notice: str = ""  # what the last click did, or why it did nothing
    warning: bool = False  # the notice says that nothing was done


def _ref(finding: Finding, start: int) -> dict[str, Any]:
    """A row's button data: whose leave date, at the revision this card shows."""
    return {"user": finding.user_id, "revision": finding.revision, "start": start}


def _name(finding: Finding) -> str:
    return finding.name or finding.upn


def _row_facts(say: Speaker, view: LeaveDatesView, finding: Finding) -> list[Element]:
    """The name, then the leave date and the unit (when it maps to one)."""
    day = say.day(finding.leave_date) if finding.leave_date else ""
    names = dict(view.units)
    if finding.unit and finding.state is not FindingState.NO_UNIT:
        line = say("leave_dates.row", day=day, unit_name=names.get(finding.unit, finding.unit))
    else:
        line = say("leave_dates.row_no_unit", day=day)
    return [subheading(typed(_name(finding))), paragraph(line, subtle=True)]


def _attention(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention"}


def _no_unit(say: Speaker, view: LeaveDatesView, finding: Finding, index: int) -> list[Element]:
    """The attribute's value as Entra ID has it, and the units to pick from."""
    # The department in the reader's words; another attribute by its Graph name.
    attribute = say("leave_dates.department") if view.attribute == "department" else view.attribute
    if finding.unit_value:
        why = say("leave_dates.no_unit", attribute=attribute, value=typed(finding.unit_value))
    else:
        why = say("leave_dates.no_value", attribute=attribute)
    units = [(name, unit) for unit, name in view.units]
    pick = choice_set(
        f"{UNIT_INPUT}{index}",
        say.plain("register.unit"),
        units,
        placeholder=say.plain("leave_dates.pick_unit"),
    )
    return [paragraph(why), pick]


def _buttons(say: Speaker, finding: Finding, index: int, start: int) -> Element:
    """Register (or try again) and dismiss; for a cleared leave date, cancel or keep."""
    ref = _ref(finding, start)
    plain = {"associatedInputs": "none"}
    if finding.state is FindingState.TO_CANCEL:
        return button_row(
            execute(say.plain("leave_dates.cancel_departure"), CANCEL, ref, **plain),
            execute(say.plain("leave_dates.keep"), KEEP, ref, **plain),
        )
    if finding.state is FindingState.NO_UNIT:
        register = execute(
            say.plain("leave_dates.register"), CONFIRM, {**ref, "pick": f"{UNIT_INPUT}{index}"}
        )
    else:
        key = "try_again" if finding.state is FindingState.NOT_REGISTERED else "register"
        register = execute(say.plain(f"leave_dates.{key}"), CONFIRM, ref, **plain)
    return button_row(register, execute(say.plain("leave_dates.dismiss"), DISMISS, ref, **plain))


def _row(say: Speaker, view: LeaveDatesView, finding: Finding, index: int, start: int) -> Element:
    """One finding: who, when, where, what is wrong, and what HR can do."""
    items = _row_facts(say, view, finding)
    if finding.state is FindingState.NO_UNIT:
        items += _no_unit(say, view, finding, index)
    elif finding.state is FindingState.NOT_REGISTERED:
        problem = say(finding.problem) if finding.problem else ""
        items.append(_attention(say("leave_dates.not_registered", problem=problem)))
    elif finding.state is FindingState.TO_CANCEL:
        items.append(_attention(say("leave_dates.cleared")))
    items.append(_buttons(say, finding, index, start))
    return separated(items)


def _size(element: Element) -> int:
    return len(json.dumps(element, ensure_ascii=False).encode())


def page_starts(say: Speaker, view: LeaveDatesView) -> list[int]:
    """Where each page begins: at most PAGE_ROWS rows and ROWS_BUDGET bytes of them."""
    starts, size, count = [0], 0, 0
    for position, finding in enumerate(view.findings):
        weight = _size(_row(say, view, finding, count, starts[-1]))
        if count and (count == PAGE_ROWS or size + weight > ROWS_BUDGET):
            starts.append(position)
            size, count = 0, 0
            weight = _size(_row(say, view, finding, 0, position))
        size, count = size + weight, count + 1
    return starts


def _check_line(say: Speaker, view: LeaveDatesView) -> list[Element]:
    """How the last check went: when and what it found, or why it failed."""
    status, lines = view.status, []
    if status.failure is not None and status.failed_at is not None:
        at = say.moment(status.failed_at, view.zone)
        lines.append(_attention(say(f"leave_dates.{status.failure}", at=at)))
    if status.checked_at is None:
        if not lines:
            lines.append(paragraph(say("leave_dates.never_checked"), subtle=True))
        return lines
    at = say.moment(status.checked_at, view.zone)
    report = status.report or CheckReport()
    counts = {
        "registered": report.registered + report.linked,
        "waiting": report.to_confirm + report.no_unit + report.not_registered + report.to_cancel,
        "moved": report.moved,
        "cancelled": report.cancelled,
    }
    found = [say(f"leave_dates.found_{name}", count=n) for name, n in counts.items() if n]
    if found:
        lines.append(
            paragraph(say("leave_dates.checked", at=at, found=", ".join(found)), subtle=True)
        )
    else:
        lines.append(paragraph(say("leave_dates.checked_quiet", at=at), subtle=True))
    return lines


def _register_all(say: Speaker, shown: Sequence[Finding], start: int) -> list[Element]:
    """One click for every ready row on the page (and each row whose unit HR picked)."""
    ready = sum(1 for f in shown if f.state is FindingState.TO_CONFIRM)
    if not ready:
        return []
    items = []
    for index, finding in enumerate(shown):
        if finding.state is FindingState.TO_CONFIRM:
            items.append({"user": finding.user_id, "revision": finding.revision})
        elif finding.state is FindingState.NO_UNIT:
            items.append(
                {
                    "user": finding.user_id,
                    "revision": finding.revision,
                    "pick": f"{UNIT_INPUT}{index}",
                }
            )
    title = say.plain("leave_dates.register_all", count=ready)
    data = {"items": items, "start": start}
    return [button_row(execute(title, CONFIRM_ALL, data, style="positive"))]


def leave_dates_card(say: Speaker, view: LeaveDatesView) -> dict[str, Any]:
    """HR's card: the page of findings around `view.start`, the check's line and paging."""
    body: list[Element] = [heading(say("leave_dates.title"))]
    if view.notice:
        body.append(_attention(view.notice) if view.warning else paragraph(view.notice))
    body += _check_line(say, view)
    starts = page_starts(say, view)
    page = max(i for i, begin in enumerate(starts) if begin <= min(view.start, starts[-1]))
    start = starts[page]
    end = starts[page + 1] if page + 1 < len(starts) else len(view.findings)
    shown = list(view.findings[start:end])
    actions: list[Element] = []
    if not shown:
        body.append(paragraph(say("leave_dates.none")))
    else:
        total = len(view.findings)
        body.append(paragraph(say("leave_dates.intro")))
        body.append(paragraph(say("status.hr_range", first=start + 1, last=end, total=total)))
        body += _register_all(say, shown, start)
        body += [_row(say, view, f, index, start) for index, f in enumerate(shown)]
        if page > 0:
            back = {"start": starts[page - 1]}
            actions.append(execute(say.plain("status.hr_previous"), SHOW, back, **_NONE))
        if page + 1 < len(starts):
            ahead = {"start": starts[page + 1]}
            actions.append(execute(say.plain("status.hr_next"), SHOW, ahead, **_NONE))
    actions.append(execute(say.plain("leave_dates.refresh"), SHOW, {"start": start}, **_NONE))
    return adaptive_card(body, actions, lang=say.lang)


_NONE = {"associatedInputs": "none"}


def leave_dates_banner(say: Speaker, waiting: int) -> Element:
    """On HR's list: how many leave dates wait, and the button that shows them."""
    text = (
        say("leave_dates.banner_one") if waiting == 1 else say("leave_dates.banner", count=waiting)
    )
    button = execute(say.plain("leave_dates.open"), SHOW, {"start": 0}, **_NONE)
    return {
        "type": "Container",
        "style": "emphasis",
        "items": [paragraph(text), button_row(button)],
    }
