"""Every card verb (cards/verbs.py) takes any data: the action data the cards really carry
(tests/cards/golden), with their inputs filled in with arbitrary text, and fields replaced by
arbitrary JSON, pressed by anyone. The answer is a card or a message, never a failed turn; a
refused or unreadable action changes nothing, and nobody without a role changes a departure."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from cards import verbs
from tests.helpers.journey import EVERYONE, HR, LEAVER, MANAGER, PARTNER, STRANGER, TeamsUser
from tests.properties.conftest import Current
from tests.properties.strategies import examples, json_values, nasty_text, short_text
from tests.properties.test_messages import encode, post, teams_activity
from tests.properties.watch import POSTGRES_TOO, Service, assert_clean, assert_quiet, changed

GOLDEN = Path(__file__).resolve().parents[1] / "cards" / "golden"
GOLDEN_DEPARTURE = "d-0001"  # the departure id the golden cards are drawn for
ALL_VERBS = sorted(
    value for name, value in vars(verbs).items() if name.isupper() and isinstance(value, str)
)


Inputs = dict[str, list[str]]  # input id -> the values its card offers (its default, choices)


def _golden_actions() -> dict[str, list[tuple[dict[str, Any], Inputs]]]:
    """Per verb: the data of each button that emits it, and the inputs Teams sends with it."""
    found: dict[str, list[tuple[dict[str, Any], Inputs]]] = defaultdict(list)
    for path in sorted(GOLDEN.glob("*.en.json")):
        _card(json.loads(path.read_text(encoding="utf-8")), {}, found)
    return found


def _card(card: dict[str, Any], inherited: Inputs, found: dict[str, list[Any]]) -> None:
    """A card's buttons see its inputs and its parent cards' (associatedInputs "auto")."""
    own: Inputs = {}
    actions: list[dict[str, Any]] = []
    _collect(card, own, actions)
    visible = {**inherited, **own}
    for action in actions:
        if action.get("type") == "Action.ShowCard":
            _card(action.get("card") or {}, visible, found)
            continue
        sent = {} if str(action.get("associatedInputs", "auto")).lower() == "none" else visible
        found[action["verb"]].append((action.get("data") or {}, sent))


def _collect(node: Any, inputs: Inputs, actions: list[dict[str, Any]]) -> None:
    """The inputs and buttons of one card, not of the cards its ShowCard buttons open."""
    if isinstance(node, dict):
        kind = str(node.get("type", ""))
        if kind.startswith("Input.") and isinstance(node.get("id"), str):
            offered = [node.get("value"), *(c.get("value") for c in node.get("choices") or [])]
            inputs[node["id"]] = [str(v) for v in offered if v is not None] or [""]
        if kind in ("Action.Execute", "Action.ShowCard"):
            actions.append(node)
            if kind == "Action.ShowCard":
                return
        for value in node.values():
            _collect(value, inputs, actions)
    elif isinstance(node, list):
        for value in node:
            _collect(value, inputs, actions)


GOLDEN_ACTIONS = _golden_actions()
# Whose buttons a verb's are, by its first word: they press it more often than anyone else.
INTERVIEWERS = (MANAGER, PARTNER)
OWNERS: dict[str, tuple[TeamsUser, ...]] = {
    **dict.fromkeys(
        ("offer", "booking", "survey", "plan", "alumni", "thanks", "handover", "language"),
        (LEAVER,),
    ),
    **dict.fromkeys(("task", "meeting", "interviewer"), INTERVIEWERS),
    **dict.fromkeys(("register", "status", "insights", "regret"), (HR, MANAGER)),
}
input_values = st.one_of(nasty_text, st.sampled_from(["", "true", "false", "1", "a,b"]))


@st.composite
def presses(draw: st.DrawFn) -> tuple[TeamsUser, str, dict[str, Any], bool]:
    """Who presses which verb with what data, and whether the card's mark is the current plan."""
    verb = draw(st.sampled_from(ALL_VERBS))
    owners = OWNERS.get(verb.split(".", 1)[0], EVERYONE)
    user = draw(st.sampled_from(owners if draw(st.integers(0, 3)) else EVERYONE))
    shown = GOLDEN_ACTIONS.get(verb) or [({}, {})]
    data, inputs = draw(st.sampled_from(shown))
    data = json.loads(json.dumps(data))
    for name, offered in inputs.items():  # Teams sends the card's inputs with the data
        data[name] = draw(st.one_of(st.sampled_from(offered), input_values))
    if draw(st.booleans()):  # half the presses carry what no card sends
        keys = sorted({*data, "departure", "mark", "revision", "list"})
        for name in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2)):
            data[name] = draw(st.one_of(json_values(6), short_text))
        if draw(st.booleans()):
            data.update(draw(st.dictionaries(short_text, json_values(3), max_size=3)))
    fresh_mark = "mark" in data and draw(st.integers(0, 3)) > 0
    return user, verb, data, fresh_mark


async def press(
    service: Service, user: TeamsUser, verb: str, data: Any, departure: str, fresh: bool
) -> dict[str, Any]:
    """The person presses the button: the real departure's id for the golden one, and the
    plan's current mark when `fresh`; the invoke response's body."""
    text = json.dumps(data).replace(json.dumps(GOLDEN_DEPARTURE), json.dumps(departure))
    data = json.loads(text)
    if fresh and isinstance(data, dict):
        data["mark"] = (await service.live.departure(departure)).mark
    activity = teams_activity(user, "invoke")
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    response = await post(service, encode(activity, service.live.connector.url))
    assert response.status == 200, response.status
    return await response.json()


def refused(service: Service, body: dict[str, Any]) -> bool:
    """The answer says the action was not taken: an error, or "that did not work"."""
    if body.get("statusCode", 200) >= 400:
        return True
    bad_input = {service.live.config.text("error.bad_input", lang) for lang in LANGUAGES}
    value = body.get("value")
    return isinstance(value, str) and value in bad_input


LANGUAGES = ("da", "sv", "nb", "en")


@POSTGRES_TOO  # PostgreSQL refuses NUL in what people type into a card
@examples(80)
@given(pressed=presses())
@example(pressed=(LEAVER, verbs.SURVEY_START, {"departure": GOLDEN_DEPARTURE}, False))
@example(pressed=(LEAVER, verbs.SURVEY_NEXT, {"departure": GOLDEN_DEPARTURE, "q": "a\x00"}, False))
@example(pressed=(LEAVER, verbs.OFFER_ACCEPT, {"departure": "\x00", "mark": "00000000"}, False))
@example(pressed=(LEAVER, "\ud800", {"departure": GOLDEN_DEPARTURE}, False))
async def test_no_card_action_fails_and_a_refused_one_changes_nothing(
    service: Service,
    caplog: pytest.LogCaptureFixture,
    departure: Current,
    pressed: tuple[TeamsUser, str, dict[str, Any], bool],
) -> None:
    user, verb, data, fresh = pressed
    departure_id = await departure.active()  # may register a new one: before the snapshot
    caplog.clear()
    before = await service.snapshot()
    body = await press(service, user, verb, data, departure_id, fresh)
    after = await service.snapshot()
    assert body.get("statusCode", 200) < 500, body
    outcome = "refused" if refused(service, body) else "changed" if changed(before, after) else "-"
    event(f"{outcome} {verb}")  # --hypothesis-show-statistics: what the presses reached
    if user is STRANGER or refused(service, body):
        assert not changed(before, after), f"{user.upn} {verb}: {changed(before, after)}"
    assert_clean(before, after)
    assert_quiet(caplog)
