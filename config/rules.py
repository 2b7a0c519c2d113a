"""HR's YAML as the domain's rules: what the journey needs to know of a unit."""

from __future__ import annotations

from config.loaded import LoadedConfig
from journey.after_conversation import Gesture
from journey.booking import UnitRules
from journey.closing import ClosingRules
from journey.offer_policy import OfferPolicy, TypeOffer
from journey.reminders import ReminderRules
from journey.workdays import WorkingTime


def conversation_minutes(config: LoadedConfig, unit: str | None) -> int:
    """How long a unit's exit conversation lasts."""
    return config.unit(unit or None).conversation.minutes


def unit_rules(config: LoadedConfig, unit: str) -> UnitRules:
    """What the journey needs of a unit's configuration (worked out once per configuration)."""
    return config.once(("unit_rules", unit or None), lambda: _unit_rules(config, unit))


def _unit_rules(config: LoadedConfig, unit: str) -> UnitRules:
    settings = config.unit(unit or None)
    calendar = settings.calendar
    return UnitRules(
        minutes=conversation_minutes(config, unit),
        interviewers=tuple(settings.conversation.interviewers),
        hr_partners=tuple(settings.conversation.hr_partners),
        pool=tuple(settings.conversation.pool),
        working_hours=calendar.working_hours.span,
        working_days=calendar.weekday_numbers,
        closed_days=calendar.closed(),
        offers=offer_policy(config, unit),
    )


def reminder_rules(config: LoadedConfig, unit: str) -> ReminderRules:
    """A unit's reminder settings, calendar, handover checklist and HR contact (worked out
    once per configuration)."""
    return config.once(("reminder_rules", unit or None), lambda: _reminder_rules(config, unit))


def _reminder_rules(config: LoadedConfig, unit: str) -> ReminderRules:
    settings = config.unit(unit or None)
    calendar, reminders = settings.calendar, settings.reminders
    # The HR contact: the unit's own, else its first HR partner, else the organisation's HR;
    # the others stand in when the contact is the interviewer not acting (journey.escalation).
    contacts = list(
        dict.fromkeys(
            [
                *([settings.hr_contact] if settings.hr_contact else []),
                *settings.conversation.hr_partners,
                *config.organisation.hr.members,
            ]
        )
    )
    return ReminderRules(
        time=WorkingTime(
            zone=calendar.zone,
            working_days=calendar.weekday_numbers,
            hours=calendar.working_hours.span,
            closed=calendar.closed(),
        ),
        handover_days_before=reminders.handover_days_before,
        conversation_working_days_before=reminders.conversation_working_days_before,
        farewell_days_before=reminders.farewell_days_before,
        escalate_after_working_days=reminders.escalate_after_working_days,
        handover_items=tuple(item.id for item in config.handover_checklist(unit or None)),
        hr_contact=contacts[0] if contacts else None,
        hr_backup=tuple(contacts[1:]),
        offer_to_manager=reminders.escalate_unanswered_offer_to_manager,
        farewell_gestures=settings.farewell.gestures_for_everyone
        and bool(settings.thank_you_offers),
    )


def gestures(config: LoadedConfig, unit: str) -> tuple[Gesture, ...]:
    """What a unit offers the leaver afterwards (organisation.yaml, thank_you_offers)."""
    return tuple(config.unit(unit or None).thank_you_offers)


def offer_policy(config: LoadedConfig, unit: str | None) -> OfferPolicy:
    """What a unit offers its leavers, per type of departure (config/schema_offer.py), worked
    out once per configuration."""
    return config.once(("offer_policy", unit or None), lambda: _offer_policy(config, unit))


def _offer_policy(config: LoadedConfig, unit: str | None) -> OfferPolicy:
    settings = config.unit(unit or None)
    offer = settings.offer
    return OfferPolicy(
        mode=offer.mode,
        by_type={
            kind: TypeOffer(conversation=own.conversation, survey=own.survey)
            for kind, own in offer.by_type.items()
        },
        survey_enabled=settings.survey.enabled,
    )


def closing_rules(config: LoadedConfig, unit: str | None) -> ClosingRules:
    """When a unit's departures close by themselves (config/schema_closing.py)."""
    return ClosingRules(days_after_last_day=config.unit(unit or None).closing.days_after_last_day)


def shortest_closing_days(config: LoadedConfig) -> int:
    """The fewest closing days of any unit: the closing job's first filter."""
    units = [config.unit(unit) for unit in config.unit_ids]
    return min(settings.closing.days_after_last_day for settings in [config.defaults, *units])
