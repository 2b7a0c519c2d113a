"""The follow-up lists card (issue 14): the person's own open follow-ups, then their scope's
(HR: every unit; a manager or representative: their units) per unit, soonest due first, paged.

Each follow-up shows what was promised (as written: a `literal`, never markdown), the role of
its owner, the due date, the area and "overdue"; never the leaver (journey.follow_up_lists).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cards import verbs
from cards.base import Element, adaptive_card, execute, facts, heading, literal, paragraph
from cards.base import subheading as _subheading
from cards.locale import Speaker
from config.insights import section_title
from journey.follow_up_lists import FollowUpPage, Listed

VERB = verbs.FOLLOW_UP_LISTS_PAGE
OWNER_KINDS = ("interviewer", "manager", "hr", "person")


class PageChoice(BaseModel):
    """The data of a page button (and what dialogs.follow_up_lists parses it with)."""

    model_config = ConfigDict(extra="forbid")

    page: int = 0


def _unit_name(say: Speaker, unit: str) -> str:
    return say.config.unit_name(unit, say.locale) or unit


def _owner(say: Speaker, kind: str) -> str:
    return say(f"follow_up_lists.owner.{kind if kind in OWNER_KINDS else 'person'}")


def _item(say: Speaker, item: Listed, *, with_unit: bool = False) -> Element:
    """One follow-up: what, then due date, owner role and area (and overdue) underneath; the
    unit too where no unit heading stands above it."""
    if item.what is None:
        what = paragraph(say("follow_up_lists.withheld"), subtle=True)
    elif not item.what.strip():  # retention blanked it (storage.anonymise)
        what = paragraph(say("follow_up_lists.erased"), subtle=True)
    else:
        what = literal(item.what)
    line = say(
        "follow_up_lists.line",
        due=say.day(item.due_on),
        owner=_owner(say, item.owner_kind),
        area=section_title(say.config, item.area, say.locale),
    )
    if with_unit:
        line = f"{_unit_name(say, item.unit)} · {line}"
    details: Element = {"type": "TextBlock", "text": line, "wrap": True, "isSubtle": True}
    if item.overdue:
        details = {
            **details,
            "text": f"{say('follow_up_lists.overdue')} · {line}",
            "color": "Attention",
            "isSubtle": False,
        }
    return {
        "type": "Container",
        "separator": True,
        "items": [what, details],
    }


def _own(say: Speaker, view: FollowUpPage) -> list[Element]:
    """The person's own open follow-ups, or nothing when they own none."""
    if not view.own:
        return []
    body = [_subheading(say("follow_up_lists.own"), spacing="Medium")]
    body += [_item(say, item, with_unit=True) for item in view.own]
    if view.own_more:
        body.append(paragraph(say("follow_up_lists.more", n=view.own_more), subtle=True))
    return body


def _scope(say: Speaker, view: FollowUpPage, hr: bool) -> list[Element]:
    """The tally per unit and one page of open follow-ups, headed by each unit's name."""
    title = say("follow_up_lists.all_units" if hr else "follow_up_lists.your_units")
    body = [_subheading(title, spacing="Medium", separator=True)]
    if not view.tallies:
        return [*body, paragraph(say("follow_up_lists.none_open"), subtle=True)]
    body.append(
        facts(
            [
                (
                    _unit_name(say, t.unit),
                    say("follow_up_lists.tally", open=t.open, overdue=t.overdue),
                )
                for t in view.tallies
            ]
        )
    )
    unit = None
    for item in view.items:
        if item.unit != unit:
            unit = item.unit
            body.append(_subheading(_unit_name(say, unit), spacing="Medium"))
        body.append(_item(say, item))
    if view.pages > 1:
        body.append(
            paragraph(
                say("follow_up_lists.page", page=view.page + 1, pages=view.pages), subtle=True
            )
        )
    return body


def _paging(say: Speaker, view: FollowUpPage) -> list[Element]:
    actions = []
    if view.page > 0:
        actions.append(
            execute(say.plain("follow_up_lists.previous"), VERB, {"page": view.page - 1})
        )
    if view.page + 1 < view.pages:
        actions.append(execute(say.plain("follow_up_lists.next"), VERB, {"page": view.page + 1}))
    return actions


def follow_up_lists_card(say: Speaker, view: FollowUpPage, *, sees_units: bool, hr: bool) -> dict:
    """The card: the person's own open follow-ups, and their units' when they see any."""
    body: list[Element] = [heading(say("follow_up_lists.title"))]
    body += _own(say, view)
    if sees_units:
        body += _scope(say, view, hr)
    elif not view.own:
        body.append(paragraph(say("follow_up_lists.none_own"), subtle=True))
    return adaptive_card(body, _paging(say, view) if sees_units else None, lang=say.lang)
