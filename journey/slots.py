"""Finding meeting times for the exit conversation that suit both people."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from journey.closed_days import ClosedDays
from journey.people import BusyInterval, TimeSpan

DEFAULT_WORKING_HOURS: tuple[time, time] = (time(8), time(16))
DEFAULT_WORKING_DAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
DEFAULT_MIN_NOTICE_HOURS = 24.0
# Slots further out than this are not offered: the talk should happen soon after the offer,
# and Graph's free/busy lookup is limited to a few weeks per call anyway.
DEFAULT_HORIZON_DAYS = 28

# The start as Slot.key writes it, read without strptime (about 40 µs a key; a pick reads its
# key three times: the payload, the check, the booking).
_KEY_STAMP = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z")

# Where in the working day the first slot on each day is placed, as a fraction of the
# possible start times: morning, afternoon, midday, so that someone who is never free
# in the morning still gets a real choice.
_TIME_OF_DAY_TARGETS = (0.25, 0.75, 0.5)


class Slot(TimeSpan):
    """A concrete meeting time, held in UTC."""

    naive_error = "a slot needs timezone-aware date-times"
    unordered_error = "a slot must end after it starts"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def key(self) -> str:
        """A short stable id for card payloads, e.g. `20261026T0700Z/60`."""
        return f"{self.start:%Y%m%dT%H%MZ}/{self.minutes}"

    @classmethod
    def from_key(cls, key: str) -> Slot:
        """The slot a `key` names; raises ValueError on anything else."""
        stamp, _, minutes = key.partition("/")
        written = _KEY_STAMP.fullmatch(stamp)
        if written is not None:
            start = datetime(*map(int, written.groups()), tzinfo=UTC)
        else:  # any other spelling strptime takes is taken as before
            start = datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        if not minutes.isdigit():
            raise ValueError(f"not a slot key: {key!r}")
        return cls(start=start, end=start + timedelta(minutes=int(minutes)))

    def in_zone(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Start and end as wall-clock times in `zone`."""
        return self.start.astimezone(zone), self.end.astimezone(zone)

    def describe(self, zone: ZoneInfo) -> str:
        """A language-neutral rendering such as `2026-10-26 08:00–09:00 (Europe/Copenhagen)`."""
        start, end = self.in_zone(zone)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} ({zone.key})"

    def clashes_with(self, busy: Iterable[BusyInterval]) -> bool:
        """Whether any busy interval overlaps this slot."""
        return any(interval.overlaps(self.start, self.end) for interval in busy)


def search_window(
    *,
    now: datetime,
    last_working_day: date,
    zone: ZoneInfo,
    working_hours: tuple[time, time] = DEFAULT_WORKING_HOURS,
    min_notice_hours: float = DEFAULT_MIN_NOTICE_HOURS,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> tuple[datetime, datetime] | None:
    """The UTC span in which `propose_slots` may place slots: ask the calendars for this."""
    earliest = _aware(now) + timedelta(hours=min_notice_hours)
    last_day = _last_day(now, last_working_day, zone, horizon_days)
    latest = _wall_to_utc(datetime.combine(last_day, working_hours[1]), zone)
    if latest is None or latest <= earliest:
        return None
    return earliest.astimezone(UTC), latest


@dataclass(frozen=True, kw_only=True)
class SlotSearch:
    """What a slot search reads: the leaver's last day and zone, the unit's hours, busy times.

    Working hours, working days (0 = Monday) and closed days are read in the leaver's zone,
    so 08:00 stays 08:00 on the wall clock across a DST change. `closed_days` are the unit's
    public holidays and HR's own days; on a half day no slot ends after the closing time.
    `busy` holds both people's busy times (time outside a person's own working hours among
    them); a slot touching a busy interval's end is free.
    """

    now: datetime
    last_working_day: date
    length_minutes: int
    zone: ZoneInfo
    working_hours: tuple[time, time] = DEFAULT_WORKING_HOURS
    working_days: Collection[int] = DEFAULT_WORKING_DAYS
    closed_days: ClosedDays = field(default_factory=ClosedDays)
    busy: Iterable[BusyInterval] = ()
    step_minutes: int = 30
    min_notice_hours: float = DEFAULT_MIN_NOTICE_HOURS
    horizon_days: int = DEFAULT_HORIZON_DAYS


def propose_slots(
    search: SlotSearch, *, count: int = 5, exclude: Iterable[Slot] = ()
) -> list[Slot]:
    """Up to `count` free slots before the leaver's last day, spread over days, in time order.

    `exclude` holds slots already offered and turned down.
    """
    if count <= 0:
        raise ValueError("count must be positive")
    length = timedelta(minutes=search.length_minutes)
    # _spread takes one slot per day, sooner days first, before it takes a second from any:
    # with `count` days that have a free slot, the days after them are never looked at.
    starts = sorted(_spread(_free_days(search, exclude, enough=count), count, length))
    return [_slot(start, length) for start in starts]


def free_slots(search: SlotSearch) -> list[Slot]:
    """Every slot propose_slots could choose from (overlapping ones too), in time order."""
    length = timedelta(minutes=search.length_minutes)
    return [_slot(start, length) for day in _free_days(search) for start in day.free]


def _free_days(
    search: SlotSearch, exclude: Iterable[Slot] = (), *, enough: int | None = None
) -> list[_Day]:
    """The working days up to the last day, each with its free slots' starts; with `enough`,
    only the first that many days with a free slot."""
    if search.length_minutes <= 0 or search.step_minutes <= 0:
        raise ValueError("length and step must be positive")
    if search.working_hours[0] >= search.working_hours[1]:
        raise ValueError("working hours must start before they end")

    zone = search.zone
    earliest = _aware(search.now) + timedelta(hours=search.min_notice_hours)
    last_day = _last_day(search.now, search.last_working_day, zone, search.horizon_days)
    length = timedelta(minutes=search.length_minutes)
    step = timedelta(minutes=search.step_minutes)
    busy = _BusyTimes(search.busy)
    excluded = {slot.start for slot in exclude}

    days: list[_Day] = []
    day = earliest.astimezone(zone).date()
    while day <= last_day:
        hours = search.closed_days.hours_on(day, search.working_hours)
        if day.weekday() in search.working_days and hours is not None:
            candidates = _day_starts(day, zone, hours, length, step)
            free = [
                start
                for start in candidates
                if start >= earliest
                and start not in excluded
                and not busy.clash(start, start + length)
            ]
            if free:
                days.append(_Day(candidates[0], candidates[-1], free))
                if len(days) == enough:
                    break
        day += timedelta(days=1)
    return days


class _BusyTimes:
    """Busy intervals merged into disjoint spans in time order: a clash is one bisection."""

    def __init__(self, busy: Iterable[BusyInterval]) -> None:
        spans: list[list[datetime]] = []
        for interval in sorted(busy, key=lambda interval: interval.start):
            if spans and interval.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], interval.end)
            else:
                spans.append([interval.start, interval.end])
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def clash(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) shares any time with a busy span; touching ends do not."""
        after = bisect_right(self._starts, start)  # spans from here begin after `start`
        if after and self._ends[after - 1] > start:
            return True
        return after < len(self._starts) and self._starts[after] < end


def is_still_free(slot: Slot, busy: Iterable[BusyInterval], *, now: datetime | None = None) -> bool:
    """Whether a picked slot is still free in fresh busy times (and, given `now`, not begun)."""
    if now is not None and slot.start <= _aware(now):
        return False
    return not slot.clashes_with(busy)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")
    return value


def _last_day(now: datetime, last_working_day: date, zone: ZoneInfo, horizon_days: int) -> date:
    horizon = _aware(now).astimezone(zone).date() + timedelta(days=horizon_days)
    return min(last_working_day, horizon)


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a naive wall-clock time in `zone`; None if DST skips that time."""
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _day_starts(
    day: date,
    zone: ZoneInfo,
    working_hours: tuple[time, time],
    length: timedelta,
    step: timedelta,
) -> list[datetime]:
    """The UTC starts of the slots that fit the day's working hours, each `length` long."""
    wall = datetime.combine(day, working_hours[0])
    close = datetime.combine(day, working_hours[1])
    opening, closing = _wall_to_utc(wall, zone), _wall_to_utc(close, zone)
    if opening is not None and closing is not None and closing - opening == close - wall:
        # No DST change within the working hours (every day but two a year): one offset.
        count = (close - wall - length) // step + 1 if close - wall >= length else 0
        return [opening + index * step for index in range(count)]
    # Step in wall-clock time, then convert each end on its own: that is what keeps
    # working hours right on the days after a DST change.
    starts = []
    while wall + length <= close:
        start = _wall_to_utc(wall, zone)
        end = _wall_to_utc(wall + length, zone)
        # A slot across the hour DST adds or removes would not have the booked length.
        if start is not None and end is not None and end - start == length:
            starts.append(start)
        wall += step
    return starts


def _slot(start: datetime, length: timedelta) -> Slot:
    # A UTC instant from _day_starts and a positive length: nothing left to validate.
    return Slot.model_construct(start=start, end=start + length)


class _Day(NamedTuple):
    first_start: datetime  # earliest start the working hours allow that day
    last_start: datetime  # latest start the working hours allow that day
    free: list[datetime]  # the starts of the free slots, in time order


def _spread(days: list[_Day], count: int, length: timedelta) -> list[datetime]:
    """Pick one slot per day first (sooner days first), then more per day, never overlapping;
    their starts (slots of one length overlap when their starts are less than it apart)."""
    chosen: list[list[datetime]] = [[] for _ in days]
    picked = 0
    while picked < count:
        progress = False
        for index, day in enumerate(days):
            if picked >= count:
                break
            taken = chosen[index]
            options = [
                start for start in day.free if all(abs(start - other) >= length for other in taken)
            ]
            if not options:
                continue
            if taken:
                choice = _farthest_from(options, taken)
            else:
                fraction = _TIME_OF_DAY_TARGETS[index % len(_TIME_OF_DAY_TARGETS)]
                target = day.first_start + (day.last_start - day.first_start) * fraction
                # min() keeps the first of equals, so a tie goes to the earlier slot.
                choice = min(options, key=lambda start: abs(start - target))
            taken.append(choice)
            picked += 1
            progress = True
        if not progress:
            break
    return [start for taken in chosen for start in taken]


def _farthest_from(options: list[datetime], taken: list[datetime]) -> datetime:
    def distance(start: datetime) -> timedelta:
        return min(abs(start - other) for other in taken)

    best = options[0]
    for start in options[1:]:
        if distance(start) > distance(best):
            best = start
    return best
