"""Follow-ups on cards (issue 14): the interviewer's list and form on the task card, the owner's
card (done with an outcome, or handed on), and what the leaver is shown was promised.

What someone typed (the follow-up, the outcome) is shown as a `literal` TextRun, exactly as
written. The owner's card names the unit and the area, not the leaver: the person who owns an
action need not know whose conversation it came from to do it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from cards import verbs
from cards.base import (
    Element,
    about,
    adaptive_card,
    button_row,
    choice_set,
    execute,
    facts,
    heading,
    literal,
    paragraph,
    separated,
    show_card,
    subheading,
    typed,
)
from cards.locale import Speaker
from journey.departure import Departure
from journey.follow_up_rules import (
    OTHER_AREA,
    OUTCOME_MAX,
    WHAT_MAX,
    FollowUp,
    OwnerKind,
    year_after,
)

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

ADD = verbs.FOLLOW_UP_ADD
DONE = verbs.FOLLOW_UP_DONE
HAND_ON = verbs.FOLLOW_UP_HAND_ON
REFRESH = verbs.FOLLOW_UP_REFRESH
# The form's inputs; Teams merges them into the button's data by these ids.
PREFIX = "fu_"
WHAT, OWNER, PERSON, AREA, DUE = "fu_what", "fu_owner", "fu_person", "fu_area", "fu_due"
OUTCOME, TO = "fu_outcome", "fu_to"
ADDRESS_MAX = 320


def area_names(say: Speaker, sections: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Each area a follow-up can concern: the question set's sections (id, title), "other"."""
    return {**dict(sections), OTHER_AREA: say.plain("follow_up.area_other")}


def areas_for(config: LoadedConfig, say: Speaker, unit: str) -> dict[str, str]:
    """Every area a follow-up of `unit` can concern, titled in the reader's language."""
    sections = [(s.id, s.title.get(say.lang)) for s in config.survey_sections(unit or None)]
    return area_names(say, sections)


def _state(say: Speaker, follow_up: FollowUp, today: date) -> str:
    if follow_up.overdue(today):
        return say("follow_up.overdue")
    return say(f"follow_up.state.{follow_up.state.value}")


def _owner(say: Speaker, follow_up: FollowUp) -> str:
    role = say(f"follow_up.role.{follow_up.owner_kind.value}")
    if follow_up.owner_kind is OwnerKind.PERSON:
        return f"{role} ({typed(follow_up.owner_upn)})"
    return role


def _item(
    say: Speaker, follow_up: FollowUp, areas: Mapping[str, str], today: date, *, owner: str
) -> list[Element]:
    """One follow-up: what (as written), then owner, area, due date and state."""
    return [
        {**literal(follow_up.what), "spacing": "Medium"},
        facts(
            [
                (say("follow_up.owner_label"), owner),
                (say("follow_up.area_label"), typed(areas.get(follow_up.area, follow_up.area))),
                (say("follow_up.due_label"), say.day(follow_up.due_on)),
                (say("follow_up.state_label"), _state(say, follow_up, today)),
            ]
        ),
    ]


def follow_ups_block(
    say: Speaker,
    departure: Departure,
    follow_ups: Sequence[FollowUp],
    areas: Mapping[str, str],
    today: date,
) -> list[Element]:
    """The task card's follow-ups: those agreed so far, and a form to add one (the form in a
    ShowCard, so the notes' buttons do not carry its inputs)."""
    items: list[Element] = [
        subheading(say("follow_up.title"), size="Medium"),
        paragraph(say("follow_up.intro"), subtle=True),
    ]
    for follow_up in follow_ups:
        items += _item(say, follow_up, areas, today, owner=_owner(say, follow_up))
    if not follow_ups:
        items.append(paragraph(say("follow_up.none"), subtle=True))
    form = _add_form(say, departure, len(follow_ups), areas, today)
    items.append(button_row(show_card(say.plain("follow_up.add_open"), *form)))
    return [separated(items)]


def _add_form(
    say: Speaker, departure: Departure, known: int, areas: Mapping[str, str], today: date
) -> tuple[list[Element], list[Element]]:
    owners = [(say.plain(f"follow_up.owner_choice.{kind.value}"), kind.value) for kind in OwnerKind]
    body: list[Element] = [
        {
            "type": "Input.Text",
            "id": WHAT,
            "label": say.plain("follow_up.what"),
            "isMultiline": True,
            "maxLength": WHAT_MAX,
            "isRequired": True,
            "errorMessage": say.plain("follow_up.what_bad"),
        },
        choice_set(OWNER, say.plain("follow_up.owner"), owners, value=OwnerKind.INTERVIEWER.value),
        {
            "type": "Input.Text",
            "id": PERSON,
            "label": say.plain("follow_up.person"),
            "style": "Email",
            "maxLength": ADDRESS_MAX,
        },
        choice_set(AREA, say.plain("follow_up.area"), [(t, a) for a, t in areas.items()]),
        {
            "type": "Input.Date",
            "id": DUE,
            "label": say.plain("follow_up.due"),
            "min": today.isoformat(),
            "max": year_after(today).isoformat(),
            "isRequired": True,
            "errorMessage": say.plain("follow_up.due_missing"),
        },
    ]
    add = execute(say.plain("follow_up.add"), ADD, about(departure, known=known), style="positive")
    return body, [add]


# --- the owner's card ------------------------------------------------------------------------


def follow_up_card(
    say: Speaker,
    follow_up: FollowUp,
    *,
    areas: Mapping[str, str],
    unit_name: str,
    today: date,
    user_ids: Sequence[str],
    can_act: bool,
    note: str | None = None,
) -> dict[str, Any]:
    """A follow-up as its owner (with the buttons: done, hand on) or someone else who may see
    it (the interviewer, HR, the owner before a hand-on) sees it; refreshing for `user_ids`."""
    body: list[Element] = [heading(say("follow_up.card_title"))]
    if note:
        body.append(paragraph(note))
    body.append(paragraph(say("follow_up.card_intro", unit_name=unit_name), subtle=True))
    owner = _owner(say, follow_up)
    body += _item(say, follow_up, areas, today, owner=owner)
    if follow_up.outcome:
        body.append(subheading(say("follow_up.outcome_label"), spacing="Medium"))
        body.append(literal(follow_up.outcome))
    actions = _owner_actions(say, follow_up) if can_act and follow_up.is_open else []
    return adaptive_card(body, actions, refresh=_refresh(follow_up, user_ids), lang=say.lang)


def _owner_actions(say: Speaker, follow_up: FollowUp) -> list[Element]:
    data = {"follow_up": follow_up.id, "revision": follow_up.revision}
    outcome: Element = {
        "type": "Input.Text",
        "id": OUTCOME,
        "label": say.plain("follow_up.outcome"),
        "isMultiline": True,
        "maxLength": OUTCOME_MAX,
        "isRequired": True,
        "errorMessage": say.plain("follow_up.outcome_bad"),
    }
    to: Element = {
        "type": "Input.Text",
        "id": TO,
        "label": say.plain("follow_up.hand_on_to"),
        "style": "Email",
        "maxLength": ADDRESS_MAX,
        "isRequired": True,
        "errorMessage": say.plain("follow_up.unknown_owner"),
    }
    done = execute(say.plain("follow_up.mark_done"), DONE, data, style="positive")
    hand_on = execute(say.plain("follow_up.hand_on"), HAND_ON, data)
    return [
        show_card(say.plain("follow_up.mark_done"), [outcome], [done]),
        show_card(say.plain("follow_up.hand_on"), [to], [hand_on]),
    ]


def _refresh(follow_up: FollowUp, user_ids: Sequence[str]) -> Element | None:
    if not user_ids:
        return None
    action = {"type": "Action.Execute", "verb": REFRESH, "data": {"follow_up": follow_up.id}}
    return {"action": action, "userIds": list(user_ids)}


def follow_up_without_details(say: Speaker) -> dict[str, Any]:
    """What anyone who may not see the follow-up gets in place of its card."""
    return adaptive_card([paragraph(say("follow_up.no_details"))], lang=say.lang)


# --- the leaver's thank-you --------------------------------------------------------------------


def promised_block(say: Speaker, follow_ups: Sequence[FollowUp], today: date) -> list[Element]:
    """What the organisation promised, for the leaver: what, by whom (the role only: a named
    colleague did not agree to be named to the leaver, and a hand-on would change the name
    the leaver was told), by when, and whether it is done. Not the outcome: it is written for
    the organisation."""
    if not follow_ups:
        return []
    body: list[Element] = [subheading(say("follow_up.promised_title"), spacing="Medium")]
    for follow_up in follow_ups:
        body.append({**literal(follow_up.what), "spacing": "Small"})
        line = say(
            "follow_up.promised_line",
            role=say(f"follow_up.role.{follow_up.owner_kind.value}"),
            due=say.day(follow_up.due_on),
            state=_state(say, follow_up, today),
        )
        body.append(paragraph(line, subtle=True))
    return body
