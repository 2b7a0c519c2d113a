"""The one place that says which flow answers which command and card verb."""

from __future__ import annotations

from dialogs import (
    after_conversation,
    booking,
    handover,
    insights,
    interviewer,
    offer,
    survey,
    task,
)
from dialogs.commands import Command
from dialogs.help import help_card, help_view, show_help
from dialogs.journey_turn import DepartureAction as JourneyAction
from dialogs.register import (
    ChangeDay,
    DepartureAction,
    RegisterSubmit,
    cancel_departure,
    change_last_day,
    manage_departure,
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
    router.verb("register.manage", DepartureAction, manage_departure)
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
    router.verb("task.choose_times", JourneyAction, task.choose_times)
    router.verb("task.send_times", task.ChosenTimes, task.send_times)
    # Reminders (issue 4): the handover checklist the leaver and the manager share.
    router.verb("handover.tick", handover.HandoverTick, handover.tick)
    router.verb("handover.successor", handover.HandoverSuccessor, handover.name_successor)
    # The optional survey before the conversation (issue 5).
    router.command(Command.SURVEY, survey.show_survey)
    router.verb("survey.start", survey.SurveyStart, survey.start)
    router.verb("survey.next", survey.SectionAnswers, survey.next_section)
    router.verb("survey.back", survey.SectionAnswers, survey.back)
    router.verb("survey.attribution", survey.SummaryChoices, survey.save_choices)
    router.verb("survey.send", survey.SummaryChoices, survey.send)
    router.verb("survey.withdraw", survey.SurveyRevision, survey.withdraw)
    # After the conversation (issue 5): the interviewer's notes and "held", the thank-you.
    router.verb("task.notes", after_conversation.NotesInput, after_conversation.save_notes)
    router.verb("task.held", after_conversation.NotesInput, after_conversation.mark_held)
    router.verb("thanks.refresh", JourneyAction, after_conversation.refresh_thanks)
    router.verb("thanks.choose", after_conversation.WishesInput, after_conversation.choose)
    # What HR learns across departures (issue 7): HR, and a unit's managers for their unit.
    router.command(Command.INSIGHTS, insights.show_insights)
    router.verb("insights.show", insights.ShowInsights, insights.show_chosen)
    return router
