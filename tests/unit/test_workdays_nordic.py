"""The Nordic calendar: public holidays per country from the `holidays` package, HR's own
closed days and half days, and what that means for the slots offered and the working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from journey.closed_days import WHOLE_DAY, ClosedDays, DayRule, public_holidays
from journey.slots import Slot, SlotSearch, propose_slots
from journey.workdays import WorkingTime

CPH = ZoneInfo("Europe/Copenhagen")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
OSLO = ZoneInfo("Europe/Oslo")
HELSINKI = ZoneInfo("Europe/Helsinki")

# Days a Danish employer commonly closes on top of the public holidays (cf. organisation.yaml).
DANISH_EMPLOYER = ClosedDays(
    country="DK",
    own=(DayRule(12, 24), DayRule(12, 31), DayRule(6, 5, closes_at=time(12))),
)


def slots_around(day: date, zone: ZoneInfo, closed: ClosedDays) -> list[Slot]:
    """Every hourly slot from the Monday before `day` through the Friday after it."""
    monday = date.fromordinal(day.toordinal() - day.weekday())
    return propose_slots(
        SlotSearch(
            now=datetime.combine(monday, time(0), tzinfo=zone),
            last_working_day=date.fromordinal(monday.toordinal() + 4),
            length_minutes=60,
            zone=zone,
            closed_days=closed,
            step_minutes=60,
            min_notice_hours=0,
        ),
        count=100,
    )


def days_of(slots: list[Slot], zone: ZoneInfo) -> set[date]:
    return {slot.start.astimezone(zone).date() for slot in slots}


@pytest.mark.parametrize(
    ("country", "zone", "day", "what"),
    [
        ("SE", STOCKHOLM, date(2027, 6, 25), "midsommarafton (a de facto holiday)"),
        ("SE", STOCKHOLM, date(2027, 1, 6), "trettondedag jul (Epiphany)"),
        ("SE", STOCKHOLM, date(2027, 12, 24), "julafton (a de facto holiday)"),
        ("SE", STOCKHOLM, date(2027, 12, 31), "nyårsafton (a de facto holiday)"),
        ("NO", OSLO, date(2027, 5, 17), "grunnlovsdagen (and 2. pinsedag in 2027)"),
        ("NO", OSLO, date(2028, 5, 17), "grunnlovsdagen on a Wednesday"),
        ("FI", HELSINKI, date(2027, 6, 25), "juhannusaatto (midsummer eve)"),
        ("DK", CPH, date(2028, 6, 5), "grundlovsdag and 2. pinsedag in 2028"),
        ("DK", CPH, date(2031, 4, 10), "skærtorsdag, years after any list we once kept"),
    ],
)
def test_a_public_holiday_gets_no_slot_while_the_days_around_it_do(
    country: str, zone: ZoneInfo, day: date, what: str
) -> None:
    closed = DANISH_EMPLOYER if country == "DK" else ClosedDays(country=country)
    slots = slots_around(day, zone, closed)
    assert day not in days_of(slots, zone), what
    # The rest of that week still offers times (unless it is a holiday too).
    open_days = [
        d
        for d in (date.fromordinal(day.toordinal() - day.weekday() + n) for n in range(5))
        if closed.closes_at(d) is None
    ]
    assert open_days and days_of(slots, zone) == set(open_days)


def test_without_a_country_no_public_holiday_is_assumed() -> None:
    assert ClosedDays().closes_at(date(2027, 12, 25)) is None
    assert ClosedDays(country="DK").closes_at(date(2027, 12, 25)) == WHOLE_DAY


def test_sweden_closes_its_eves_by_default_but_hr_may_ask_for_the_law_only() -> None:
    midsummer_eve = date(2027, 6, 25)
    assert ClosedDays(country="SE").is_closed(midsummer_eve)
    assert not ClosedDays(country="SE", categories=("public",)).is_closed(midsummer_eve)


def test_a_subdivision_adds_its_own_holidays() -> None:
    autonomy_day = date(2027, 6, 9)  # Åland's, not mainland Finland's
    assert ClosedDays(country="FI", subdivision="01").is_closed(autonomy_day)
    assert not ClosedDays(country="FI").is_closed(autonomy_day)


def test_hr_closes_24_december_every_year_and_a_date_only_once() -> None:
    closed = ClosedDays(country="DK", own=(DayRule(12, 24), DayRule(5, 7, year=2027)))
    assert closed.is_closed(date(2026, 12, 24)) and closed.is_closed(date(2029, 12, 24))
    assert closed.is_closed(date(2027, 5, 7)) and not closed.is_closed(date(2028, 5, 7))
    assert not ClosedDays(country="DK").is_closed(date(2029, 12, 24))  # a Monday otherwise


def test_on_a_half_day_no_conversation_ends_after_the_closing_time() -> None:
    # Grundlovsdag 2029 is a Tuesday: the Danish public sector closes from 12:00.
    grundlovsdag = date(2029, 6, 5)
    slots = slots_around(grundlovsdag, CPH, DANISH_EMPLOYER)
    that_day = [slot for slot in slots if slot.start.astimezone(CPH).date() == grundlovsdag]
    assert [slot.start.astimezone(CPH).hour for slot in that_day] == [8, 9, 10, 11]
    assert max(slot.end.astimezone(CPH).time() for slot in that_day) == time(12)
    # The day before keeps its whole working day.
    monday = [slot for slot in slots if slot.start.astimezone(CPH).date() == date(2029, 6, 4)]
    assert max(slot.end.astimezone(CPH).time() for slot in monday) == time(16)


def test_a_half_day_never_opens_a_public_holiday() -> None:
    # 5 June 2028 is 2. pinsedag: HR's "closed from 12:00" does not make the morning bookable.
    assert DANISH_EMPLOYER.closes_at(date(2028, 6, 5)) == WHOLE_DAY
    assert DANISH_EMPLOYER.closes_at(date(2029, 6, 5)) == time(12)


def test_working_days_for_reminders_follow_the_country_and_half_days() -> None:
    sweden = WorkingTime(zone=STOCKHOLM, closed=ClosedDays(country="SE"))
    # Thursday 24 June 2027 + 1 working day skips midsommarafton and the weekend.
    assert sweden.add_working_days(date(2027, 6, 24), 1) == date(2027, 6, 28)
    denmark = WorkingTime(zone=CPH, closed=DANISH_EMPLOYER)
    grundlovsdag = date(2029, 6, 5)
    assert denmark.is_working_day(grundlovsdag)
    assert denmark.end_of(grundlovsdag) == datetime(2029, 6, 5, 12, tzinfo=CPH)
    # After 12:00 on the half day, the next working moment is Wednesday's start.
    afternoon = datetime(2029, 6, 5, 11, 30, tzinfo=UTC)  # 13:30 in Copenhagen
    assert denmark.next_working_moment(afternoon) == datetime(2029, 6, 6, 8, tzinfo=CPH)


def test_a_half_day_that_closes_before_work_starts_is_a_day_off() -> None:
    early = WorkingTime(zone=CPH, closed=ClosedDays(own=(DayRule(6, 5, closes_at=time(7)),)))
    assert not early.is_working_day(date(2029, 6, 5))


def test_holidays_are_asked_for_once_per_country_and_year() -> None:
    public_holidays.cache_clear()
    closed = ClosedDays(country="NO")
    for day in range(1, 29):
        closed.closes_at(date(2033, 2, day))
    closed.closes_at(date(2034, 2, 1))
    info = public_holidays.cache_info()
    assert (info.misses, info.hits) == (2, 27)
