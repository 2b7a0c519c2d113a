"""The one place that says which flow answers which command and card verb."""

from __future__ import annotations

from dialogs import booking, interviewer, offer, task
from dialogs.commands import Command
from dialogs.help import help_card, help_view, show_help
from dialogs.journey_turn import DepartureAction as JourneyAction
from dialogs.register import (
    ChangeDay,
    DepartureAction,
    RegisterSubmit,
    cancel_departure,
    change_last_day,
    show_register_form,
    submit_registration,
)
from dialogs.router import InvokeResult, NoPayload, Router
from dialogs.status import show_status
from dialogs.turn import DialogTurn


async def _help_from_card(turn: DialogTurn, _: NoPayload) -> InvokeResult:
    await turn.send_card(help_card(help_view(turn)))
    return InvokeResult(message="")


def build_router() -> Router:
    """Every command and verb the bot understands."""
    router = Router()
    router.command(Command.HELP, show_help)
    router.verb("help.show", NoPayload, _help_from_card)
    router.command(Command.REGISTER, show_register_form)
    router.verb("register.submit", RegisterSubmit, submit_registration)
    router.verb("register.change_day", ChangeDay, change_last_day)
    router.verb("register.cancel", DepartureAction, cancel_departure)
    # The exit journey (issue 3): the leaver's offer, choice and booking; the interviewer's card.
    router.command(Command.STATUS, show_status)
    router.verb("offer.accept", offer.OfferAnswer, offer.accept_offer)
    router.verb("offer.decline", offer.OfferAnswer, offer.decline_offer)
    router.verb("offer.later", offer.OfferAnswer, offer.offer_later)
    router.verb("interviewer.choose", interviewer.ChooseInterviewer, interviewer.choose_interviewer)
    router.verb("booking.pick", booking.PickSlot, booking.pick_slot)
    router.verb("booking.none_fit", JourneyAction, booking.none_fit)
    router.verb("booking.reschedule", JourneyAction, booking.reschedule)
    router.verb("booking.cancel", JourneyAction, booking.cancel_booking)
    router.verb("booking.propose", JourneyAction, booking.propose_again)
    router.verb("task.refresh", JourneyAction, task.refresh_task)
    router.verb("task.new_times", JourneyAction, task.send_new_times)
    return router
