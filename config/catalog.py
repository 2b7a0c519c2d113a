"""The texts the bot's code asks for, and the placeholders the code fills in for each.

Every key here must exist in every language. A text may leave out a placeholder the code
offers, but may not use one the code does not fill in: the check catches that at load time
instead of as a crash in front of a leaver. Add a key here when code starts using it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from config.schema import InterviewerKind, ThankYouOffer
from journey.departure import DepartureStatus, Reach

_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "welcome.title": (),
        "welcome.body": (),
        "help.title": (),
        "help.intro": (),
        "help.command.help": (),
        "help.command.register": (),
        "help.command.status": (),
        "help.command.survey": (),
        "help.command.insights": (),
        # Never gets the person's words: the bot does not echo what a user wrote.
        "error.unknown_command": (),
        "error.generic": (),
        "error.not_allowed": (),
        "error.stale_action": (),
        "error.bad_input": (),
        "offer.title": (),
        "offer.body": ("name", "minutes"),
        "offer.accept": (),
        "offer.decline": (),
        "offer.later": (),
        "offer.later_noted": ("days",),
        "offer.decline_reason_label": (),
        "offer.declined_thanks": (),
        "offer.accepted": (),
        "interviewer.title": (),
        "interviewer.body": (),
        "interviewer.option.manager": ("name",),
        "interviewer.option.hr_partner": ("name",),
        "interviewer.option.pool": (),
        "interviewer.chosen": ("interviewer",),
        "booking.title": (),
        "booking.body": ("interviewer", "minutes"),
        "booking.none_fit": (),
        "booking.confirmed": ("when", "interviewer"),
        "booking.reschedule": (),
        "booking.cancel": (),
        "booking.cancelled": (),
        "booking.invitation_subject": ("name",),
        "booking.invitation_body": ("name", "interviewer", "minutes"),
        "booking.slot_taken": (),
        "booking.no_slots": (),
        "booking.ask_interviewer_for_times": ("name", "last_day"),
        "booking.join": (),
        "booking.asked_interviewer": ("interviewer",),
        "task.title": ("name",),
        "task.body": ("name",),
        "task.leaver": (),
        "task.last_day": (),
        "task.when": (),
        "task.state": (),
        "task.send_new_times": (),
        "task.no_details": (),
        "guide.title": (),
        "guide.body": (),
        "register.title": (),
        "register.leaver": (),
        "register.manager": (),
        "register.unit": (),
        "register.last_day": (),
        "register.locale": (),
        "register.submit": (),
        "register.created": ("name", "last_day"),
        "register.unknown_person": (),
        "register.last_day_in_past": (),
        "register.manager_is_leaver": (),
        "register.already_registered": (),
        "register.unknown_unit": (),
        "register.no_manager": (),
        "register.leaver_in_pool": (),
        "register.external_id_taken": (),
        "register.not_active": (),
        "register.changed_meanwhile": (),
        "register.locale_hint": (),
        "register.manager_hint": (),
        "register.required": (),
        "register.fact_manager": (),
        "register.change_day": (),
        "register.save_day": (),
        "register.cancel": (),
        "register.cancel_confirm": ("name",),
        "register.cancel_yes": (),
        "register.day_changed": ("name", "last_day"),
        "register.cancelled": ("name",),
        "status.title": (),
        "status.none": (),
        "status.departure": ("last_day", "state"),
        "status.holding_title": (),
        "status.hr_title": (),
        "handover.title": (),
        "handover.intro": ("last_day",),
        "handover.done": (),
        "handover.all_done": (),
        "reminder.handover": ("name", "last_day"),
        "reminder.conversation": ("when", "minutes"),
        "reminder.farewell_manager": ("name", "last_day"),
        "reminder.escalation": ("name", "days"),
        "farewell.thanks": ("name",),
        "survey.intro": (),
        "survey.start": (),
        "survey.skip": (),
        "survey.next": (),
        "survey.submit": (),
        "survey.progress": ("current", "total"),
        "survey.yes": (),
        "survey.no": (),
        "survey.thanks": (),
        "survey.attribution.title": (),
        "survey.attribution.named": (),
        "survey.attribution.interviewer_only": (),
        "survey.attribution.anonymous_stats": (),
        "thanks.after_conversation": ("name",),
        "thanks_offer.title": (),
        "thanks_offer.intro": (),
        "thanks_offer.submit": (),
        "thanks_offer.noted": (),
        "insights.title": (),
        "insights.too_few": ("min",),
    }
)
# Keys that follow from enums, so a new status, interviewer kind or offer needs its text.
_DERIVED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{f"state.{status.value}": () for status in DepartureStatus},
        **{f"interviewer.option.{kind.value}": () for kind in InterviewerKind},
        **{f"thanks_offer.{offer.value}": () for offer in ThankYouOffer},
        # HR is told why the bot could not reach a leaver; "ok" needs no words.
        **{f"reach.{reach.value}": () for reach in Reach if reach is not Reach.OK},
    }
)

REQUIRED_TEXTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {key: frozenset(params) for key, params in {**_DERIVED, **_PARAMS}.items()}
)
"""Text key → the placeholders the code fills in for it."""
