"""The leavers' way through the exit flow, one step for all of them at a time: what each presses
(the buttons of the card the bot last gave them) and what the answer must be to go on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bench.flow_cards import Card, actions_of, judged, press, verbs_of
from bench.flow_people import Leaver
from bench.flow_rig import Batch, Judge, Rig, encoded, judging
from bench.protocol import CARDS_PATH, REGISTER_PATH, invoke_activity, message_activity

OFFER_DEADLINE = 120.0  # seconds for the offers to reach every leaver after registration
MAX_SECTIONS = 20


@dataclass
class Walker:
    """One leaver on the way: the card they look at, and where they got stuck, if they did."""

    leaver: Leaver
    card: Card | None = None
    stuck: str | None = None
    departure: str | None = None


@dataclass(frozen=True)
class Step:
    """Press `verb` on the current card (the button `which` accepts); the answer must have one
    of `next_verbs` (or, when empty, must no longer offer `verb`)."""

    verb: str
    next_verbs: frozenset[str] = frozenset()
    which: Callable[[Walker, dict[str, Any]], bool] = lambda _walker, _data: True

    def problem(self, card: Card) -> str | None:
        verbs = verbs_of(card)
        if self.next_verbs and not verbs & self.next_verbs:
            return f"answer has none of {sorted(self.next_verbs)}, but {sorted(verbs)}"
        if not self.next_verbs and self.verb in verbs:
            return f"answer offers {self.verb} again"
        return None


def _own_manager(walker: Walker, data: dict[str, Any]) -> bool:
    return data.get("person") == walker.leaver.manager_upn


ACCEPT = Step("offer.accept", frozenset({"interviewer.choose"}))
CHOOSE = Step("interviewer.choose", frozenset({"booking.pick"}), _own_manager)
PICK = Step("booking.pick", frozenset({"booking.reschedule"}))
START = Step("survey.start", frozenset({"survey.next", "survey.send"}))
NEXT = Step("survey.next", frozenset({"survey.next", "survey.send"}))
SEND = Step("survey.send")


def going(walkers: list[Walker]) -> list[Walker]:
    return [w for w in walkers if w.stuck is None]


async def pressed(rig: Rig, walkers: list[Walker], step: Step) -> Batch:
    """Every walker still going presses the step's button; their cards become the answers."""
    pressing: list[tuple[Walker, bytes]] = []
    no_button = 0
    for walker in going(walkers):
        data = press(walker.card or {}, step.verb, lambda d, w=walker: step.which(w, d))
        if data is None:
            walker.stuck, no_button = f"no {step.verb} button", no_button + 1
            continue
        walker.departure = data.get("departure", walker.departure)
        activity = invoke_activity(
            rig.activity_id(), rig.connector.url, walker.leaver.user, step.verb, data
        )
        pressing.append((walker, encoded(activity)))

    def judge(index: int, status: int, answer: bytes) -> str | None:
        walker = pressing[index][0]
        card, reason = judged(status, answer)
        reason = reason or step.problem(card or {})
        walker.card, walker.stuck = card, (f"{step.verb}: {reason}" if reason else None)
        return reason

    bodies = [body for _, body in pressing]
    batch = await rig.measured(step.verb, bodies, judge)
    if no_button:
        batch.errors[f"no {step.verb} button"] += no_button
    return batch


async def said(rig: Rig, walkers: list[Walker], text: str, *, measured: bool = True) -> Batch:
    """Every walker still going writes `text` to the bot (the answer comes through Teams)."""
    bodies = [
        encoded(message_activity(rig.activity_id(), rig.connector.url, text, w.leaver.user))
        for w in going(walkers)
    ]

    def judge(_index: int, status: int, _answer: bytes) -> str | None:
        # A message's reply is posted to the chat; only the HTTP status tells here.
        return None if 200 <= status < 300 else f"HTTP {status}"

    name = f"message '{text}'"
    return await (
        rig.measured(name, bodies, judge) if measured else _unmeasured(rig, name, bodies, judge)
    )


async def _unmeasured(rig: Rig, name: str, bodies: list[bytes], judge: Judge) -> Batch:
    """Turns that are not measured (getting ready); their errors still count."""
    batch = Batch(name, turns=len(bodies))
    answered, not_2xx = judging(judge, batch.errors)
    batch.seconds, failed = await rig.post(bodies, answered)
    if unanswered := failed - not_2xx[0]:
        batch.errors["no answer"] += unanswered
    return batch


async def registered(rig: Rig, walkers: list[Walker]) -> None:
    """HR registers every leaver (not measured); raises if one is refused."""
    semaphore = asyncio.Semaphore(rig.concurrency)

    async def register(walker: Walker) -> None:
        async with semaphore:
            url = rig.exitbot.url + REGISTER_PATH
            async with rig.http.post(url, json=walker.leaver.registration()) as response:
                if response.status != 200:
                    raise RuntimeError(f"registration refused: {await response.text()}")

    await asyncio.gather(*(register(w) for w in walkers))


def takes_inputs(verb: str) -> Callable[[Card], bool]:
    """Whether a card's `verb` button sends the card's inputs (the survey's intro with the
    choice of attribution does; the reminder that offers the survey does not)."""

    def check(card: Card) -> bool:
        return any(
            a["verb"] == verb and a.get("associatedInputs") != "none" for a in actions_of(card)
        )

    return check


async def posted_card(
    rig: Rig,
    walkers: list[Walker],
    verb: str,
    deadline: float,
    which: Callable[[Card], bool] = lambda _: True,
) -> int:
    """Wait until each walker still going was posted a card with `verb` that `which` accepts;
    it becomes their card. Those who got none by `deadline` seconds are stuck: how many."""
    waiting = going(walkers)
    until = asyncio.get_running_loop().time() + deadline
    while waiting and asyncio.get_running_loop().time() < until:
        still = []
        for walker in waiting:
            chat = quote(walker.leaver.user.conversation_id, safe="")
            cards = (await rig.get_json(f"{CARDS_PATH}/{chat}"))["cards"]
            found = [card for card in cards if verb in verbs_of(card) and which(card)]
            if found:
                walker.card = found[-1]
            else:
                still.append(walker)
        waiting = still
        if waiting:
            await asyncio.sleep(0.5)
    for walker in waiting:
        walker.stuck = f"no card with {verb} posted"
    return len(waiting)


async def survey_sections(rig: Rig, walkers: list[Walker]) -> list[Batch]:
    """survey.next until every walker sees the summary (survey.send), one batch per section."""
    batches = []
    for _ in range(MAX_SECTIONS):
        on_a_section = [w for w in going(walkers) if "survey.send" not in verbs_of(w.card)]
        if not on_a_section:
            break
        batches.append(await pressed(rig, on_a_section, NEXT))
    return batches
