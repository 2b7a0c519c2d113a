"""The local YAML directory: the demo data, busy times that block slots, booked meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journey.people import InstallResult, PersonNotReachable
from journey.slots import SlotSearch, is_still_free, propose_slots, search_window
from people.local_directory import LocalDirectory
from people.people_file import LocalDirectoryError
from people.ports import local_ports

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo" / "people.yaml"
CPH = ZoneInfo("Europe/Copenhagen")
# Monday 2026-11-02, 09:00 in Copenhagen.
NOW = datetime(2026, 11, 2, 8, tzinfo=UTC)
LEAVER = "leaver@contoso.example"
MANAGER = "manager@contoso.example"


@pytest.fixture
def demo() -> LocalDirectory:
    return LocalDirectory.from_file(DEMO, now=NOW)


async def test_the_demo_directory_has_the_people_a_demo_needs(demo: LocalDirectory) -> None:
    upns = {person.upn for person in demo.people}
    assert {
        "hr@contoso.example",
        MANAGER,
        LEAVER,
        "hrpartner@contoso.example",
        "union.rep@contoso.example",
    } <= upns
    languages = {(p.preferred_language, p.time_zone) for p in demo.people}
    assert {("sv-SE", "Europe/Stockholm"), ("nb-NO", "Europe/Oslo")} <= languages

    leaver = await demo.find_person(LEAVER)
    assert leaver is not None
    assert (leaver.preferred_language, leaver.time_zone) == ("da-DK", "Europe/Copenhagen")
    manager = await demo.manager_of(LEAVER)
    assert manager is not None and manager.upn == MANAGER
    assert await demo.manager_of("hr@contoso.example") is None


async def test_the_playground_default_user_is_the_danish_leaver(demo: LocalDirectory) -> None:
    by_teams_id = await demo.find_person("user-id-0")
    by_object_id = await demo.find_person("00000000-0000-0000-0000-0000000000020")
    assert by_teams_id is not None and by_teams_id.upn == LEAVER
    assert by_object_id == by_teams_id
    assert await demo.find_person("nobody@contoso.example") is None


async def test_busy_times_keep_slots_out_of_lunch_meetings_and_days_away(
    demo: LocalDirectory,
) -> None:
    window = search_window(now=NOW, last_working_day=date(2026, 11, 13), zone=CPH)
    assert window is not None
    busy = await demo.busy_times([LEAVER, MANAGER], *window)
    slots = propose_slots(
        SlotSearch(
            now=NOW,
            last_working_day=date(2026, 11, 13),
            length_minutes=60,
            zone=CPH,
            busy=[interval for intervals in busy.values() for interval in intervals],
        ),
        count=100,
    )
    assert slots
    for slot in slots:
        start, end = slot.in_zone(CPH)
        # Lunch, 11:30-12:00, for both.
        assert end.time() <= time(11, 30) or start.time() >= time(12)
        # The leaver's team meeting on Wednesdays, 09:00-10:00.
        if start.weekday() == 2:
            assert end.time() <= time(9) or start.time() >= time(10)
        # The manager's course all day tomorrow (in_days: 1).
        assert start.date() != date(2026, 11, 3)


async def test_a_booked_meeting_blocks_its_slot_until_cancelled(demo: LocalDirectory) -> None:
    last_day = date(2026, 11, 13)
    window = search_window(now=NOW, last_working_day=last_day, zone=CPH)
    assert window is not None

    async def offered() -> list:
        busy = await demo.busy_times([LEAVER, MANAGER], *window)
        merged = [interval for intervals in busy.values() for interval in intervals]
        return propose_slots(
            SlotSearch(now=NOW, last_working_day=last_day, length_minutes=60, zone=CPH, busy=merged)
        )

    first = await offered()
    picked = first[0]
    meeting = await demo.create_meeting(
        MANAGER,
        [LEAVER, "union.rep@contoso.example"],
        "Fratrædelsessamtale",
        "<p>Velkommen</p>",
        picked.start,
        picked.end,
        "Europe/Copenhagen",
    )
    assert meeting.join_url == f"https://teams.microsoft.com/l/meetup-join/{meeting.event_id}"

    assert picked not in await offered()
    for person in (LEAVER, MANAGER, "union.rep@contoso.example"):
        fresh = await demo.busy_times([person], *window)
        assert not is_still_free(picked, fresh[person], now=NOW)

    await demo.cancel_meeting(MANAGER, meeting.event_id)
    assert picked in await offered()
    assert demo.meetings == []


async def test_the_app_counts_as_installed_for_people_in_the_file(demo: LocalDirectory) -> None:
    assert await demo.ensure_installed_for("user-id-0") == InstallResult.ALREADY_INSTALLED
    assert await demo.chat_id_for(LEAVER) is None
    with pytest.raises(PersonNotReachable) as caught:
        await demo.ensure_installed_for("user-id-99")
    assert caught.value.reason == "not_found"


async def test_free_busy_for_someone_not_in_the_file_says_who(demo: LocalDirectory) -> None:
    with pytest.raises(PersonNotReachable) as caught:
        await demo.busy_times([LEAVER, "gone@contoso.example"], NOW, NOW + timedelta(days=1))
    assert caught.value.person == "gone@contoso.example"


async def test_local_services_share_one_directory() -> None:
    services = local_ports(DEMO, now=NOW)
    assert services.directory is services.calendar is services.teams


def test_a_mistake_in_the_file_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(
        "people:\n"
        "  - upn: a@contoso.example\n"
        "    name: A\n"
        "    id: a\n"
        "    langauge: da-DK\n"
        "    busy:\n"
        "      - {every: weekday, from: '12:30', to: '12:00'}\n",
        encoding="utf-8",
    )
    with pytest.raises(LocalDirectoryError) as caught:
        LocalDirectory.from_file(path, now=NOW)
    problems = caught.value.problems
    assert any(p.startswith(f"{path}:5:5: people.0.langauge:") for p in problems), problems
    assert any(p.startswith(f"{path}:7:9: people.0.busy.0:") for p in problems), problems


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text("people:\n  - upn: [unclosed\n", encoding="utf-8")
    with pytest.raises(LocalDirectoryError) as caught:
        LocalDirectory.from_file(path, now=NOW)
    assert caught.value.problems[0].startswith(f"{path}:3:")


def test_a_manager_missing_from_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(
        "people:\n  - {upn: a@contoso.example, name: A, id: a, manager: b@contoso.example}\n",
        encoding="utf-8",
    )
    with pytest.raises(LocalDirectoryError) as caught:
        LocalDirectory.from_file(path, now=NOW)
    assert "manager b@contoso.example is not in the file" in str(caught.value)


async def test_a_part_timers_working_hours_keep_slots_on_the_days_they_work(
    demo: LocalDirectory,
) -> None:
    # Lene (the union representative in the demo file) works Monday to Wednesday, 08-15.
    window = search_window(now=NOW, last_working_day=date(2026, 11, 13), zone=CPH)
    assert window is not None
    busy = await demo.busy_times([LEAVER, "union.rep@contoso.example"], *window)
    merged = [interval for intervals in busy.values() for interval in intervals]
    slots = propose_slots(
        SlotSearch(
            now=NOW, last_working_day=date(2026, 11, 13), length_minutes=60, zone=CPH, busy=merged
        ),
        count=20,
    )
    assert slots
    assert {slot.start.astimezone(CPH).strftime("%A") for slot in slots} <= {
        "Monday",
        "Tuesday",
        "Wednesday",
    }
    assert all(slot.end.astimezone(CPH).time() <= time(15) for slot in slots)


def test_working_hours_that_end_before_they_start_are_a_mistake_at_their_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(
        "people:\n"
        "  - upn: a@contoso.example\n"
        "    name: A\n"
        "    id: a\n"
        "    working_hours: {days: [monday], from: '15:00', to: '08:00'}\n",
        encoding="utf-8",
    )
    with pytest.raises(LocalDirectoryError) as caught:
        LocalDirectory.from_file(path, now=NOW)
    problems = caught.value.problems
    assert any(
        p.startswith(f"{path}:5:5: people.0.working_hours:") and "`to` must be after" in p
        for p in problems
    ), problems
