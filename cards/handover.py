"""The handover checklist the leaver and the manager share: tick items, name who takes over.

Both get the same card and it is updated in place for both after every change (the bot PUTs
each posted copy). Each item is a row with its own button, so a tick needs no form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import Element, about, adaptive_card, button_row, execute, heading, paragraph
from cards.locale import Speaker
from cards.offer import leaver_name
from cards.regret import regret_action
from config.schema import HandoverItem
from journey.departure import HANDOVER_SUCCESSOR_MAX, Departure, DepartureStatus

TICK = verbs.HANDOVER_TICK
SUCCESSOR = verbs.HANDOVER_SUCCESSOR
# The id of the successor field; Teams merges it into the save action's data.
SUCCESSOR_INPUT = "successor"


def handover_card(
    say: Speaker,
    departure: Departure,
    items: Sequence[HandoverItem],
    *,
    for_manager: bool,
    note: str | None = None,
) -> dict[str, Any]:
    """The checklist as the leaver (or, with `for_manager`, the manager) sees it."""
    last_day = say.day(departure.last_working_day)
    if for_manager:
        intro = say("handover.manager_intro", name=leaver_name(departure), last_day=last_day)
    else:
        intro = say("handover.intro", last_day=last_day)
    body: list[Element] = [heading(say("handover.title"))]
    if note:
        body.append(paragraph(note))
    body.append(paragraph(intro))
    finished = departure.status in (DepartureStatus.CANCELLED, DepartureStatus.CLOSED)
    done = set(departure.handover_done)
    body += [_row(say, departure, item, item.id in done, finished) for item in items]
    if items and all(item.id in done for item in items):
        body.append(paragraph(say("handover.all_done")))
    if finished:
        body.append(paragraph(say(f"state.{departure.status.value}"), subtle=True))
        return adaptive_card(body, lang=say.lang)
    body.append(
        {
            "type": "Input.Text",
            "id": SUCCESSOR_INPUT,
            "label": say("handover.successor_label"),
            "value": departure.handover_successor or "",
            "maxLength": HANDOVER_SUCCESSOR_MAX,
        }
    )
    save = execute(say("handover.successor_save"), SUCCESSOR, about(departure))
    # The manager's assessment (issue 11): on the manager's copy only, never the leaver's.
    actions = [save, regret_action(say, departure)] if for_manager else [save]
    return adaptive_card(body, actions, lang=say.lang)


def _row(
    say: Speaker, departure: Departure, item: HandoverItem, done: bool, finished: bool
) -> Element:
    label = ("✓ " if done else "") + item.label.get(say.lang)
    texts: list[Element] = [
        {
            "type": "TextBlock",
            "text": label,
            "wrap": True,
            "weight": "Default" if done else "Bolder",
        }
    ]
    if item.hint is not None and not done:
        texts.append(paragraph(item.hint.get(say.lang), subtle=True))
    columns: list[Element] = [{"type": "Column", "width": "stretch", "items": texts}]
    if not finished:
        title = say("handover.undo") if done else say("handover.done")
        data = about(departure, item=item.id, done=not done)
        button = execute(title, TICK, data, associatedInputs="none")
        columns.append(
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Center",
                "items": [button_row(button)],
            }
        )
    return {"type": "ColumnSet", "separator": True, "columns": columns}
