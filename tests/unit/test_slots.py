"""Slot proposals for the exit conversation, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journey.closed_days import ClosedDays, DayRule
from journey.people import BusyInterval, OffHours, WorkingHours
from journey.slots import Slot, SlotSearch, is_still_free, propose_slots, search_window

CPH = ZoneInfo("Europe/Copenhagen")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def busy(zone: ZoneInfo, day: date, start: str, end: str) -> BusyInterval:
    return BusyInterval(
        start=datetime.combine(day, time.fromisoformat(start), tzinfo=zone),
        end=datetime.combine(day, time.fromisoformat(end), tzinfo=zone),
    )


def starts_local(slots: list[Slot], zone: ZoneInfo) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%a %d %H:%M") for slot in slots]


def test_slots_lie_within_working_hours_on_working_days() -> None:
    # Monday 2026-11-02 10:00 local; the leaver leaves Friday 2026-11-13.
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 10),
            last_working_day=date(2026, 11, 13),
            length_minutes=60,
            zone=CPH,
        )
    )
    assert len(slots) == 5
    for slot in slots:
        start, end = slot.in_zone(CPH)
        assert end - start == timedelta(hours=1)
        assert time(8) <= start.time() and end.time() <= time(16)
        assert start.weekday() < 5
        # The default notice is a day: nothing before Tuesday 10:00.
        assert start >= local(CPH, 2026, 11, 3, 10)


def test_working_hours_are_the_leavers_own_in_a_zone_far_from_utc() -> None:
    auckland = ZoneInfo("Pacific/Auckland")  # UTC+13 in November
    # Saturday 09:00 in Auckland; the last working day is Monday.
    slots = propose_slots(
        SlotSearch(
            now=local(auckland, 2026, 11, 7, 9),
            last_working_day=date(2026, 11, 9),
            length_minutes=60,
            zone=auckland,
            step_minutes=60,
            min_notice_hours=1,
        ),
        count=20,
    )
    assert starts_local(slots, auckland) == [f"Mon 09 {hour:02d}:00" for hour in range(8, 16)]
    # Monday 08:00 in Auckland is still Sunday in UTC: the weekend is the leaver's, not UTC's.
    assert slots[0].start == datetime(2026, 11, 8, 19, 0, tzinfo=UTC)


def test_autumn_dst_change_keeps_8_oclock_on_the_wall_clock() -> None:
    # Copenhagen leaves summer time on Sunday 2026-10-25.
    slots = propose_slots(
        SlotSearch(
            now=datetime(2026, 10, 22, 12, tzinfo=UTC),
            last_working_day=date(2026, 10, 27),
            length_minutes=60,
            zone=CPH,
            working_hours=(time(8), time(9)),
            min_notice_hours=12,
        )
    )
    assert [slot.start for slot in slots] == [
        datetime(2026, 10, 23, 6, tzinfo=UTC),  # Friday 08:00 CEST (UTC+2)
        datetime(2026, 10, 26, 7, tzinfo=UTC),  # Monday 08:00 CET (UTC+1)
        datetime(2026, 10, 27, 7, tzinfo=UTC),
    ]


def test_spring_dst_change_keeps_8_oclock_on_the_wall_clock() -> None:
    # Copenhagen goes to summer time on Sunday 2027-03-28.
    slots = propose_slots(
        SlotSearch(
            now=datetime(2027, 3, 25, 12, tzinfo=UTC),
            last_working_day=date(2027, 3, 30),
            length_minutes=60,
            zone=CPH,
            working_hours=(time(8), time(9)),
            min_notice_hours=12,
        )
    )
    assert [slot.start for slot in slots] == [
        datetime(2027, 3, 26, 7, tzinfo=UTC),  # Friday 08:00 CET (UTC+1)
        datetime(2027, 3, 29, 6, tzinfo=UTC),  # Monday 08:00 CEST (UTC+2)
        datetime(2027, 3, 30, 6, tzinfo=UTC),
    ]


def test_no_slot_in_the_hour_dst_skips_and_every_slot_has_the_booked_length() -> None:
    # Night-shift working hours across the spring change: 02:00-03:00 does not exist.
    slots = propose_slots(
        SlotSearch(
            now=datetime(2027, 3, 26, 12, tzinfo=UTC),
            last_working_day=date(2027, 3, 28),
            length_minutes=60,
            zone=CPH,
            working_hours=(time(1), time(5)),
            working_days={6},
            step_minutes=60,
            min_notice_hours=1,
        ),
        count=20,
    )
    # 01:00 would end at 02:00, which does not exist; 02:00 does not exist either.
    assert starts_local(slots, CPH) == ["Sun 28 03:00", "Sun 28 04:00"]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_nothing_after_the_end_of_the_last_working_day() -> None:
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 7),
            last_working_day=date(2026, 11, 4),
            length_minutes=60,
            zone=CPH,
            step_minutes=60,
            min_notice_hours=1,
        ),
        count=100,
    )
    last = max(slots, key=lambda slot: slot.end)
    assert last.end.astimezone(CPH) == local(CPH, 2026, 11, 4, 16)
    assert {slot.start.astimezone(CPH).date() for slot in slots} == {
        date(2026, 11, 2),
        date(2026, 11, 3),
        date(2026, 11, 4),
    }


def test_a_leaver_gone_before_the_notice_ends_gets_no_slots() -> None:
    assert (
        propose_slots(
            SlotSearch(
                now=local(CPH, 2026, 11, 4, 15),
                last_working_day=date(2026, 11, 4),
                length_minutes=60,
                zone=CPH,
            )
        )
        == []
    )


def test_a_slot_busy_for_either_person_is_not_offered() -> None:
    day = date(2026, 11, 3)
    leaver_busy = busy(CPH, day, "08:00", "09:00")
    manager_busy = busy(CPH, day, "09:00", "10:00")
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 7),
            last_working_day=day,
            length_minutes=60,
            zone=CPH,
            working_hours=(time(8), time(11)),
            working_days={1},
            busy=[leaver_busy, manager_busy],
            step_minutes=30,
            min_notice_hours=1,
        )
    )
    # 08:00 clashes with the leaver, 08:30-09:30 with both, 09:00 and 09:30 with the manager;
    # 10:00 touches the end of the manager's meeting and is free.
    assert starts_local(slots, CPH) == ["Tue 03 10:00"]


def test_a_short_meeting_inside_a_long_one_leaves_the_long_one_busy() -> None:
    # The search merges busy times: the long meeting must stay busy after the short one ends.
    day = date(2026, 11, 3)
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 7),
            last_working_day=day,
            length_minutes=60,
            zone=CPH,
            working_hours=(time(8), time(16)),
            working_days={1},
            busy=[
                busy(CPH, day, "10:00", "10:30"),  # given first, though it starts later
                busy(CPH, day, "09:00", "14:00"),
                busy(CPH, day, "14:00", "15:00"),  # touching: busy until 15:00
            ],
            step_minutes=30,
            min_notice_hours=1,
        ),
        count=20,
    )
    # 08:00 ends as the long meeting begins; 15:00 begins as the last one ends.
    assert starts_local(slots, CPH) == ["Tue 03 08:00", "Tue 03 15:00"]


def test_weekends_and_holidays_are_skipped() -> None:
    slots = propose_slots(
        SlotSearch(
            now=datetime(2026, 12, 17, 12, tzinfo=UTC),
            last_working_day=date(2026, 12, 29),
            length_minutes=60,
            zone=CPH,
            closed_days=ClosedDays(own=(DayRule(12, 24), DayRule(12, 25))),
            step_minutes=60,
        ),
        count=100,
    )
    assert sorted({slot.start.astimezone(CPH).day for slot in slots}) == [18, 21, 22, 23, 28, 29]


def test_no_free_time_means_no_slots() -> None:
    everything = BusyInterval(
        start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC)
    )
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 7),
            last_working_day=date(2026, 11, 20),
            length_minutes=60,
            zone=CPH,
            busy=[everything],
        )
    )
    assert slots == []


def test_slots_are_spread_over_days_and_times_of_day() -> None:
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 1, 12),
            last_working_day=date(2026, 11, 30),
            length_minutes=60,
            zone=CPH,
        ),
        count=5,
    )
    days = [slot.start.astimezone(CPH).date() for slot in slots]
    assert days == [date(2026, 11, day) for day in (2, 3, 4, 5, 6)]
    hours = {slot.start.astimezone(CPH).hour for slot in slots}
    assert min(hours) < 12 <= max(hours), "both morning and afternoon are offered"


def test_when_days_are_few_more_slots_per_day_without_overlap() -> None:
    slots = propose_slots(
        SlotSearch(
            now=local(CPH, 2026, 11, 2, 7),
            last_working_day=date(2026, 11, 3),
            length_minutes=60,
            zone=CPH,
            min_notice_hours=1,
        ),
        count=4,
    )
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.start.astimezone(CPH).date(), []).append(slot)
    assert sorted(len(day_slots) for day_slots in by_day.values()) == [2, 2]
    for day_slots in by_day.values():
        first, second = sorted(day_slots, key=lambda slot: slot.start)
        assert first.end <= second.start
    assert slots == sorted(slots, key=lambda slot: slot.start)


def test_slots_turned_down_are_not_offered_again() -> None:
    search = SlotSearch(
        now=local(CPH, 2026, 11, 2, 7),
        last_working_day=date(2026, 11, 13),
        length_minutes=60,
        zone=CPH,
    )
    first = propose_slots(search)
    second = propose_slots(search, exclude=first)
    assert len(second) == 5
    assert not {slot.start for slot in first} & {slot.start for slot in second}


def test_a_picked_slot_is_checked_against_fresh_busy_times() -> None:
    slot = Slot(start=local(CPH, 2026, 11, 3, 10), end=local(CPH, 2026, 11, 3, 11))
    before = [busy(CPH, date(2026, 11, 3), "09:00", "10:00")]
    assert is_still_free(slot, before, now=local(CPH, 2026, 11, 2, 12))
    booked_meanwhile = [*before, busy(CPH, date(2026, 11, 3), "10:30", "11:30")]
    assert not is_still_free(slot, booked_meanwhile, now=local(CPH, 2026, 11, 2, 12))
    assert not is_still_free(slot, before, now=local(CPH, 2026, 11, 3, 10, 5))


def test_search_window_covers_what_propose_slots_may_use() -> None:
    now = local(CPH, 2026, 11, 2, 10)
    window = search_window(now=now, last_working_day=date(2026, 11, 6), zone=CPH)
    assert window == (
        datetime(2026, 11, 3, 9, tzinfo=UTC),  # now + 24 h notice
        datetime(2026, 11, 6, 15, tzinfo=UTC),  # Friday 16:00 in Copenhagen
    )
    assert search_window(now=now, last_working_day=date(2026, 11, 2), zone=CPH) is None


def test_slot_key_and_rendering_in_the_leavers_zone() -> None:
    slot = Slot(
        start=datetime(2026, 10, 26, 7, tzinfo=UTC), end=datetime(2026, 10, 26, 8, tzinfo=UTC)
    )
    assert slot.key == "20261026T0700Z/60"
    assert Slot.from_key(slot.key) == slot
    assert slot.describe(CPH) == "2026-10-26 08:00–09:00 (Europe/Copenhagen)"
    with pytest.raises(ValueError):
        Slot.from_key("tomorrow/60")
    for impossible in ("20261326T0700Z/60", "20261026T2400Z/60", "20261026T0700Z/0"):
        with pytest.raises(ValueError):
            Slot.from_key(impossible)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        BusyInterval(start=datetime(2026, 11, 3, 9), end=datetime(2026, 11, 3, 10))
    with pytest.raises(ValueError):
        propose_slots(
            SlotSearch(
                now=datetime(2026, 11, 2, 9),
                last_working_day=date(2026, 11, 6),
                length_minutes=60,
                zone=CPH,
            )
        )


def test_a_part_time_interviewer_gets_no_slot_on_a_day_they_do_not_work() -> None:
    # The interviewer works Monday to Wednesday, 09:00-14:00 (their Outlook working hours).
    part_time = WorkingHours(
        days=frozenset({0, 1, 2}), start=time(9), end=time(14), time_zone="Europe/Copenhagen"
    )
    now = local(CPH, 2026, 11, 2, 7)  # Monday
    search = SlotSearch(
        now=now,
        last_working_day=date(2026, 11, 13),
        length_minutes=60,
        zone=CPH,
        busy=part_time.off_hours(now, local(CPH, 2026, 11, 14)),
        min_notice_hours=0,
        step_minutes=60,
    )
    slots = propose_slots(search, count=100)
    assert {slot.start.astimezone(CPH).strftime("%a") for slot in slots} == {"Mon", "Tue", "Wed"}
    for slot in slots:
        start, end = slot.in_zone(CPH)
        assert time(9) <= start.time() and end.time() <= time(14)


def test_off_hours_are_the_time_outside_a_persons_working_hours_in_their_zone() -> None:
    # An interviewer in Helsinki works Monday 08:00-12:00 on their own clock.
    hours = WorkingHours(
        days=frozenset({0}), start=time(8), end=time(12), time_zone="Europe/Helsinki"
    )
    start, end = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC)
    off = hours.off_hours(start, end)
    assert all(isinstance(interval, OffHours) for interval in off)
    assert [(interval.start, interval.end) for interval in off] == [
        (start, datetime(2026, 11, 2, 6, tzinfo=UTC)),  # 08:00 in Helsinki (UTC+2)
        (datetime(2026, 11, 2, 10, tzinfo=UTC), end),
    ]
    with pytest.raises(ValueError):
        WorkingHours(days=frozenset({0}), start=time(12), end=time(8), time_zone="UTC")
