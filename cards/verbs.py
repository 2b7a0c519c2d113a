"""Every verb a card can emit: the card builders put these in their actions, dialogs/routes.py
registers its handlers under the same names, and tests/dialogs checks that the two agree."""

from __future__ import annotations

from typing import Final

HELP_SHOW: Final = "help.show"
LANGUAGE_CHOOSE: Final = "language.choose"

REGISTER_SUBMIT: Final = "register.submit"
REGISTER_CHANGE_DAY: Final = "register.change_day"
REGISTER_CANCEL: Final = "register.cancel"
REGISTER_MANAGE: Final = "register.manage"
STATUS_LIST: Final = "status.list"  # HR's list: filters, search and paging
REGISTER_CHANGE_DETAILS: Final = "register.change_details"
REGRET_SET: Final = "regret.set"

OFFER_ACCEPT: Final = "offer.accept"
OFFER_DECLINE: Final = "offer.decline"
OFFER_LATER: Final = "offer.later"
INTERVIEWER_CHOOSE: Final = "interviewer.choose"

BOOKING_PICK: Final = "booking.pick"
BOOKING_NONE_FIT: Final = "booking.none_fit"
BOOKING_RESCHEDULE: Final = "booking.reschedule"
BOOKING_CANCEL: Final = "booking.cancel"
BOOKING_PROPOSE: Final = "booking.propose"

TASK_REFRESH: Final = "task.refresh"
TASK_NEW_TIMES: Final = "task.new_times"
TASK_CHOOSE_TIMES: Final = "task.choose_times"
TASK_SEND_TIMES: Final = "task.send_times"
TASK_NOTES: Final = "task.notes"
TASK_HELD: Final = "task.held"

# How and where (issue 11): in person at a place, or agreed outside the bot.
MEETING_IN_PERSON: Final = "meeting.in_person"
MEETING_OUTSIDE_BOOKED: Final = "meeting.outside_booked"
MEETING_OUTSIDE_HELD: Final = "meeting.outside_held"
MEETING_FORM: Final = "meeting.form"

# Plans that change (issue 11): the leaver's "no after yes" and "someone else", the handover.
PLAN_DECLINE: Final = "plan.decline"
PLAN_SWITCH_ASK: Final = "plan.switch_ask"
PLAN_SWITCH: Final = "plan.switch"
PLAN_KEEP: Final = "plan.keep"
PLAN_HAND_OVER: Final = "plan.hand_over"

HANDOVER_TICK: Final = "handover.tick"
HANDOVER_SUCCESSOR: Final = "handover.successor"

SURVEY_START: Final = "survey.start"
SURVEY_NEXT: Final = "survey.next"
SURVEY_BACK: Final = "survey.back"
SURVEY_ATTRIBUTION: Final = "survey.attribution"
SURVEY_SEND: Final = "survey.send"
SURVEY_WITHDRAW: Final = "survey.withdraw"

THANKS_REFRESH: Final = "thanks.refresh"
THANKS_CHOOSE: Final = "thanks.choose"
# A good farewell for everyone (issue 11): the leaver withdraws their consent to be contacted.
ALUMNI_WITHDRAW: Final = "alumni.withdraw"

INSIGHTS_SHOW: Final = "insights.show"
# The follow-up lists (issue 14): the next or previous page of a scope's open follow-ups.
FOLLOW_UP_LISTS_PAGE: Final = "follow_up_lists.page"

# Follow-ups (issue 14): the interviewer adds them on the task card; the owner's card.
FOLLOW_UP_ADD: Final = "follow_up.add"
FOLLOW_UP_DONE: Final = "follow_up.done"
FOLLOW_UP_HAND_ON: Final = "follow_up.hand_on"
FOLLOW_UP_REFRESH: Final = "follow_up.refresh"

# Sharing, chosen by the leaver (issue 14): the leaver's card, each reader's, HR's.
SHARING_OPEN: Final = "sharing.open"
SHARING_CHOOSE: Final = "sharing.choose"
SHARING_WITHDRAW: Final = "sharing.withdraw"
SHARING_READ: Final = "sharing.read"
SHARING_HR: Final = "sharing.hr"
SHARING_NAME: Final = "sharing.name"

# Departures from Entra ID (issue 16): HR's card of the leave dates that wait for HR.
LEAVE_DATES_SHOW: Final = "leave_dates.show"
LEAVE_DATES_CONFIRM: Final = "leave_dates.confirm"
LEAVE_DATES_CONFIRM_ALL: Final = "leave_dates.confirm_all"
LEAVE_DATES_DISMISS: Final = "leave_dates.dismiss"
LEAVE_DATES_CANCEL: Final = "leave_dates.cancel"
LEAVE_DATES_KEEP: Final = "leave_dates.keep"
