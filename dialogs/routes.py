"""The one place that says which flow answers which command and card verb, and which text
answers which refusal."""

from __future__ import annotations

from cards import verbs
from dialogs import (
    after_conversation,
    booking,
    follow_up_lists,
    follow_ups,
    handover,
    insights,
    interviewer,
    language,
    leave_dates,
    meeting_modes,
    offer,
    plan_changes,
    register,
    regret,
    sharing,
    survey,
    task,
)
from dialogs.card_action import (
    DepartureAction,
    already_booked,
    calendars_unreachable,
    check_mark,
)
from dialogs.commands import Command
from dialogs.help import help_card, help_view, show_help
from dialogs.router import InvokeResult, NoPayload, Router
from dialogs.stale import stale_card
from dialogs.status import FromList, HrListState, show_list, show_status
from dialogs.turn import DialogTurn
from journey.after_conversation import NoteTooLong, NotOffered, NotYetHeld
from journey.farewell import EmailNeeded, EmailNotPrivate, EmailNotValid
from journey.follow_up_rules import (
    AreaRefused,
    DueDateRefused,
    OutcomeRefused,
    OwnerIsLeaver,
    StaleFollowUp,
    UnknownOwner,
    WhatRefused,
)
from journey.leave_dates import StaleFinding
from journey.locale import LanguageNotOffered
from journey.meeting_modes import PlaceRefused, TimeRefused
from journey.people import DirectoryUnavailable, PersonNotReachable
from journey.plan_change_rules import ConversationPassed, NotAColleague, UnknownColleague
from journey.ports import NotFound
from journey.refusals import AlreadyBooked, DepartureClosed, NotAllowed, Reason, StaleAction
from journey.sharing import ShareTooLong, SharingChanged, SharingFinal, UnknownHiringManager
from journey.survey import BadAnswer, SurveyClosed, SurveyDisabled


async def _help_from_card(turn: DialogTurn, _: NoPayload) -> InvokeResult:
    await turn.send_card(help_card(await help_view(turn)))
    return InvokeResult(message="")


# What each reason a person may not do something is told as: whom it is for, never who.
NOT_ALLOWED_TEXTS: dict[Reason, str] = {
    Reason.NOT_HR: "error.not_allowed",  # "only HR can do that"
    Reason.NOT_LEAVER: "error.for_leaver",
    Reason.NOT_INTERVIEWER: "error.for_interviewer",
    Reason.NOT_LEAVER_OR_INTERVIEWER: "error.for_leaver_or_interviewer",
    Reason.NOT_LEAVER_OR_MANAGER: "error.for_leaver_or_manager",
    Reason.NOT_MANAGER_OR_HR: "error.for_manager_or_hr",
    Reason.NOT_INTERVIEWER_OR_HR: "error.for_interviewer_or_hr",
    Reason.NOT_INVOLVED: "error.not_involved",
    Reason.OWN_DEPARTURE: "error.own_departure",
    Reason.NO_FIGURES: "insights.not_allowed",
    Reason.NOT_IN_SCOPE: "insights.not_your_unit",
    Reason.NOT_SHARED: "sharing.not_shared",
    Reason.NO_FOLLOW_UPS: "follow_up_lists.not_allowed",
    Reason.NOT_OWNER: "follow_up.not_owner",
}


def _not_allowed(turn: DialogTurn, refusal: NotAllowed) -> InvokeResult:
    """A refusal of access, with its own reason (dialogs.router audited it)."""
    return InvokeResult(message=turn.text(NOT_ALLOWED_TEXTS[refusal.reason]))


def _refusals(router: Router) -> None:
    """Why an action changed nothing, told in the person's words; nothing was stored."""
    router.refusal(NotAllowed, _not_allowed)
    router.refusal(StaleAction, stale_card)  # the text, over the current card when known
    router.refusal(DepartureClosed, "error.departure_closed")  # the case closed (issue 11)
    router.refusal(NotFound, "error.stale_action")  # a card about a departure no longer kept
    router.refusal(AlreadyBooked, already_booked)
    router.refusal(PersonNotReachable, calendars_unreachable)
    router.refusal(DirectoryUnavailable, calendars_unreachable)
    router.refusal(NotYetHeld, "notes.too_early")
    router.refusal(NoteTooLong, "notes.too_long")
    router.refusal(NotOffered, "thanks.not_offered")
    # Consent to be contacted later needs a private e-mail (issue 11); nothing was kept.
    router.refusal(EmailNeeded, "alumni.email_needed")
    router.refusal(EmailNotValid, "alumni.email_bad")
    router.refusal(EmailNotPrivate, "alumni.email_work")
    router.refusal(BadAnswer, survey.bad_answer)
    router.refusal(SurveyClosed, "survey.closed")
    router.refusal(SurveyDisabled, "survey.not_available")
    router.refusal(ConversationPassed, "plan.passed")
    router.refusal(UnknownColleague, "plan.unknown_colleague")
    router.refusal(NotAColleague, "plan.not_a_colleague")
    router.refusal(LanguageNotOffered, "language.not_offered")


def _registration(router: Router) -> None:
    """HR registers a departure, and moves or cancels it afterwards."""
    router.command(Command.REGISTER, register.show_register_form)
    router.verb(verbs.REGISTER_SUBMIT, register.RegisterSubmit, register.submit_registration)
    router.verb(verbs.REGISTER_CHANGE_DAY, register.ChangeDay, register.change_last_day)
    router.verb(verbs.REGISTER_CANCEL, FromList, register.cancel_departure)
    router.verb(verbs.REGISTER_MANAGE, FromList, register.manage_departure, checked=False)
    details = register.change_details
    router.verb(verbs.REGISTER_CHANGE_DETAILS, register.ChangeDetails, details)
    # The manager's (or HR's) regret, from the manager's handover card (issue 11).
    router.verb(verbs.REGRET_SET, regret.RegretSet, regret.set_regret, checked=False)


def _conversation(router: Router) -> None:
    """The leaver's offer, choice and booking; the interviewer's card (issue 3)."""
    router.command(Command.STATUS, show_status)
    router.verb(verbs.STATUS_LIST, HrListState, show_list, checked=False)  # HR's list, a view
    router.verb(verbs.OFFER_ACCEPT, offer.OfferAnswer, offer.accept_offer)
    router.verb(verbs.OFFER_DECLINE, offer.OfferAnswer, offer.decline_offer)
    router.verb(verbs.OFFER_LATER, offer.OfferAnswer, offer.offer_later)
    choose = interviewer.choose_interviewer
    router.verb(verbs.INTERVIEWER_CHOOSE, interviewer.ChooseInterviewer, choose)
    router.verb(verbs.BOOKING_PICK, booking.PickSlot, booking.pick_slot)
    router.verb(verbs.BOOKING_NONE_FIT, DepartureAction, booking.none_fit)
    router.verb(verbs.BOOKING_RESCHEDULE, DepartureAction, booking.reschedule)
    router.verb(verbs.BOOKING_CANCEL, DepartureAction, booking.cancel_booking)
    router.verb(verbs.BOOKING_PROPOSE, DepartureAction, booking.propose_again)
    # The task card refreshed for someone else: the card without details, audited.
    refresh, without = task.refresh_task, task.no_details
    router.verb(verbs.TASK_REFRESH, DepartureAction, refresh, checked=False, not_allowed=without)
    router.verb(verbs.TASK_NEW_TIMES, DepartureAction, task.send_new_times)
    router.verb(verbs.TASK_CHOOSE_TIMES, DepartureAction, task.choose_times, checked=False)
    router.verb(verbs.TASK_SEND_TIMES, task.ChosenTimes, task.send_times)
    # Reminders (issue 4): the handover checklist the leaver and the manager share.
    # Plans that change (issue 11): "no" after "yes", someone else, a handover.
    router.verb(verbs.PLAN_DECLINE, plan_changes.DeclineAfterYes, plan_changes.decline)
    router.verb(verbs.PLAN_SWITCH_ASK, DepartureAction, plan_changes.ask_switch)
    router.verb(verbs.PLAN_SWITCH, interviewer.ChooseInterviewer, plan_changes.switch)
    router.verb(verbs.PLAN_KEEP, DepartureAction, plan_changes.keep)
    router.verb(verbs.PLAN_HAND_OVER, plan_changes.HandOverTo, plan_changes.hand_over)
    router.verb(verbs.HANDOVER_TICK, handover.HandoverTick, handover.tick, checked=False)
    successor = handover.name_successor
    router.verb(verbs.HANDOVER_SUCCESSOR, handover.HandoverSuccessor, successor, checked=False)


def _survey_and_after(router: Router) -> None:
    """The optional survey before the conversation; notes, "held" and thanks after (issue 5)."""
    router.command(Command.SURVEY, survey.show_survey)
    # The survey and the notes keep their own revisions, and what someone typed is not lost
    # to a plan that changed meanwhile: their cards' marks are not checked.
    unchecked = [
        (verbs.SURVEY_START, survey.SurveyStart, survey.start),
        (verbs.SURVEY_NEXT, survey.SectionAnswers, survey.next_section),
        (verbs.SURVEY_BACK, survey.SectionAnswers, survey.back),
        (verbs.SURVEY_ATTRIBUTION, survey.SummaryChoices, survey.save_choices),
        (verbs.SURVEY_SEND, survey.SummaryChoices, survey.send),
        (verbs.SURVEY_WITHDRAW, survey.SurveyRevision, survey.withdraw),
        (verbs.TASK_NOTES, after_conversation.NotesInput, after_conversation.save_notes),
        (verbs.THANKS_CHOOSE, after_conversation.WishesInput, after_conversation.choose),
        (verbs.ALUMNI_WITHDRAW, DepartureAction, after_conversation.withdraw_consent),
    ]
    for verb, payload, handler in unchecked:
        router.verb(verb, payload, handler, checked=False)
    # The thank-you refreshed for anyone but the leaver: the card without details, audited.
    thanks, without = after_conversation.refresh_thanks, after_conversation.no_details
    router.verb(verbs.THANKS_REFRESH, DepartureAction, thanks, checked=False, not_allowed=without)
    # Marking the conversation held is a change of plan: refused on a card drawn for another.
    router.verb(verbs.TASK_HELD, after_conversation.NotesInput, after_conversation.mark_held)


def _meeting_modes(router: Router) -> None:
    """How and where (issue 11): in person at a place, or agreed outside the bot."""
    modes = meeting_modes
    router.verb(verbs.MEETING_IN_PERSON, modes.InPerson, modes.hold_in_person)
    router.verb(verbs.MEETING_OUTSIDE_BOOKED, modes.OutsideBooked, modes.record_booked)
    router.verb(verbs.MEETING_OUTSIDE_HELD, modes.OutsideHeld, modes.record_held)
    router.verb(verbs.MEETING_FORM, DepartureAction, modes.show_form, checked=False)  # a view
    router.refusal(PlaceRefused, modes.place_refused)
    router.refusal(TimeRefused, modes.time_refused)


def _follow_ups(router: Router) -> None:
    """Follow-ups (issue 14): added on the task card, done or handed on by their owner. Each
    keeps its own revision, so the plan's mark is not checked."""
    router.verb(verbs.FOLLOW_UP_ADD, follow_ups.AddFollowUp, follow_ups.add, checked=False)
    router.verb(verbs.FOLLOW_UP_DONE, follow_ups.OwnerAction, follow_ups.mark_done)
    router.verb(verbs.FOLLOW_UP_HAND_ON, follow_ups.OwnerAction, follow_ups.hand_on)
    view, without = follow_ups.refresh, follow_ups.no_details
    router.verb(verbs.FOLLOW_UP_REFRESH, follow_ups.FollowUpRef, view, not_allowed=without)
    router.refusal(StaleFollowUp, follow_ups.stale)
    router.refusal(DueDateRefused, follow_ups.due_refused)
    router.refusal(WhatRefused, "follow_up.what_bad")
    router.refusal(OutcomeRefused, "follow_up.outcome_bad")
    router.refusal(AreaRefused, "follow_up.area_bad")
    router.refusal(UnknownOwner, "follow_up.unknown_owner")
    router.refusal(OwnerIsLeaver, "follow_up.owner_is_leaver")


def _sharing(router: Router) -> None:
    """Sharing, chosen by the leaver (issue 14): their card, each reader's, HR's. The choice
    keeps its own revision, so the plan's mark is not checked."""
    for verb, payload, handler in (
        (verbs.SHARING_OPEN, DepartureAction, sharing.open_sharing),
        (verbs.SHARING_CHOOSE, sharing.SharingInput, sharing.choose),
        (verbs.SHARING_WITHDRAW, sharing.SharingRevision, sharing.withdraw),
        (verbs.SHARING_HR, DepartureAction, sharing.open_for_hr),
        (verbs.SHARING_NAME, sharing.HiringManagerInput, sharing.name_hiring_manager),
    ):
        router.verb(verb, payload, handler, checked=False)
    # A reader's refresh re-checks access: anyone not shared with (now) sees nothing, audited.
    read, nothing = sharing.read, sharing.nothing
    router.verb(verbs.SHARING_READ, DepartureAction, read, checked=False, not_allowed=nothing)
    router.refusal(SharingChanged, sharing.changed_meanwhile)
    router.refusal(SharingFinal, "sharing.final_refused")
    router.refusal(ShareTooLong, "sharing.too_long")
    router.refusal(UnknownHiringManager, "sharing.hr_unknown")


def _leave_dates(router: Router) -> None:
    """HR's leave dates from Entra ID (issue 16). Each finding keeps its own revision, so no
    departure's mark is checked; a changed one is StaleFinding, answered with the card."""
    router.command(Command.LEAVE_DATES, leave_dates.show_leave_dates)
    for verb, payload, handler in (
        (verbs.LEAVE_DATES_SHOW, leave_dates.ShowLeaveDates, leave_dates.show),
        (verbs.LEAVE_DATES_CONFIRM, leave_dates.FindingAct, leave_dates.confirm),
        (verbs.LEAVE_DATES_CONFIRM_ALL, leave_dates.ConfirmAll, leave_dates.confirm_all),
        (verbs.LEAVE_DATES_DISMISS, leave_dates.FindingAct, leave_dates.dismiss),
        (verbs.LEAVE_DATES_CANCEL, leave_dates.FindingAct, leave_dates.cancel_departure),
        (verbs.LEAVE_DATES_KEEP, leave_dates.FindingAct, leave_dates.keep_departure),
    ):
        router.verb(verb, payload, handler, checked=False)
    router.refusal(StaleFinding, leave_dates.stale)


def build_router() -> Router:
    """Every command and verb the bot understands, and the answer to every refusal."""
    router = Router()
    router.marks(check_mark)
    router.command(Command.HELP, show_help)
    router.verb(verbs.HELP_SHOW, NoPayload, _help_from_card)
    # Each person's own language, above HR's and Teams' (issue 11).
    router.command(Command.LANGUAGE, language.show_language)
    router.verb(verbs.LANGUAGE_CHOOSE, language.LanguagePick, language.choose_language)
    _registration(router)
    _conversation(router)
    _survey_and_after(router)
    # What HR learns across departures (issue 7): HR, and a unit's managers for their unit.
    router.command(Command.INSIGHTS, insights.show_insights)
    router.verb(verbs.INSIGHTS_SHOW, insights.ShowInsights, insights.show_chosen)
    # The follow-ups of one's units and one's own (issue 14): HR, managers, representatives.
    router.command(Command.FOLLOW_UPS, follow_up_lists.show_follow_ups)
    router.verb(verbs.FOLLOW_UP_LISTS_PAGE, follow_up_lists.PageChoice, follow_up_lists.show_page)
    _meeting_modes(router)
    _follow_ups(router)
    _sharing(router)
    _leave_dates(router)
    _refusals(router)
    return router
