"""Leave dates in the local directory (the demo's stand-in for Entra ID): the demo's leavers,
dates given or counted from the start, attributes, delta links, and mistakes in the file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from journey.leave_dates import ResyncNeeded
from people.local_directory import LocalDirectory
from people.people_file import LocalDirectoryError
from people.ports import local_ports

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo" / "people.yaml"
# Monday 2026-11-02, 09:00 in Copenhagen.
NOW = datetime(2026, 11, 2, 8, tzinfo=UTC)
ATTRIBUTES = ("companyName", "department")


def write(tmp_path: Path, people: str) -> Path:
    path = tmp_path / "people.yaml"
    path.write_text("people:\n" + people, encoding="utf-8")
    return path


PERSON = """\
  - upn: a@contoso.example
    name: Anne
    id: id-a
"""


async def test_the_demo_has_two_leavers_in_entra_one_department_without_a_unit() -> None:
    ports = local_ports(DEMO, now=NOW)
    source = ports.leave_dates
    assert isinstance(source, LocalDirectory)
    found = {user.upn: user for user in await source.with_leave_dates(NOW.date(), ATTRIBUTES)}

    assert set(found) == {"karen.jensen@contoso.example", "jonas.moller@contoso.example"}
    karen = found["karen.jensen@contoso.example"]
    assert karen.leave_date == date(2026, 12, 12)  # 40 days after the start
    assert karen.preferred_language == "da-DK"
    assert karen.display_name == "Karen Jensen"
    assert dict(karen.attributes) == {
        "companyName": "Contoso Kommune",
        "department": "Hjemmeplejen",
    }
    jonas = found["jonas.moller@contoso.example"]
    assert jonas.leave_date == date(2026, 12, 17)
    assert jonas.attributes["department"] == "Kultur og Fritid"
    manager = await ports.directory.manager_of("karen.jensen@contoso.example")
    assert manager is not None and manager.upn == "manager@contoso.example"
    # Only the attributes asked for.
    (only,) = await source.with_leave_dates(date(2026, 12, 13), ("employeeType",))
    assert only.upn == "jonas.moller@contoso.example"
    assert dict(only.attributes) == {"employeeType": "Employee"}


async def test_the_file_does_not_change_so_a_delta_round_finds_nothing() -> None:
    demo = LocalDirectory.from_file(DEMO, now=NOW)
    link = await demo.start_delta(ATTRIBUTES)
    assert link.startswith("local:")
    changes = await demo.changes(link)
    assert changes.users == [] and changes.delta_link == link
    with pytest.raises(ResyncNeeded):
        await demo.changes("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x")
    # Another day's start counts leave_in_days from another day: a new link, a full read.
    tomorrow = LocalDirectory.from_file(DEMO, now=NOW + timedelta(days=1))
    with pytest.raises(ResyncNeeded):
        await tomorrow.changes(link)


async def test_a_leave_date_on_a_day_and_days_counted_in_the_persons_zone(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """\
  - upn: a@contoso.example
    name: Anne
    id: id-a
    leave_date: 2027-01-29
  - upn: b@contoso.example
    name: Bo
    id: id-b
    time_zone: Europe/Copenhagen
    leave_in_days: 0
    attributes: {department: Teknik og Miljø}
  - upn: c@contoso.example
    name: Cai
    id: id-c
""",
    )
    # 23:30 UTC on 1 December is already 2 December in Copenhagen.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    local = LocalDirectory.from_file(path, now=late)
    found = {u.upn: u for u in await local.with_leave_dates(date(2026, 12, 1), ATTRIBUTES)}
    assert found["a@contoso.example"].leave_date == date(2027, 1, 29)
    assert found["a@contoso.example"].attributes == {}
    assert found["b@contoso.example"].leave_date == date(2026, 12, 2)
    assert dict(found["b@contoso.example"].attributes) == {"department": "Teknik og Miljø"}
    assert "c@contoso.example" not in found
    assert await local.with_leave_dates(date(2027, 1, 30), ATTRIBUTES) == []


@pytest.mark.parametrize(
    ("extra", "where", "says"),
    [
        ("    leave_date: 2027-02-30\n", "people.0.leave_date", "date"),
        ("    leave_in_days: soon\n", "people.0.leave_in_days", "integer"),
        ("    leave_in_days: -3\n", "people.0.leave_in_days", "greater than or equal to 0"),
        (
            "    leave_date: 2027-01-29\n    leave_in_days: 4\n",
            "people.0",
            "not both",
        ),
        ("    attributes: {company name: X}\n", "people.0.attributes", "Graph property name"),
        ("    attributes: {companyName: [X]}\n", "people.0.attributes.companyName", "string"),
        ('    department: " "\n', "people.0.department", "must not be empty"),
        (
            "    department: A\n    attributes: {department: B}\n",
            "people.0",
            "department once",
        ),
    ],
)
def test_a_bad_leave_date_or_attribute_is_reported_with_its_place(
    tmp_path: Path, extra: str, where: str, says: str
) -> None:
    path = write(tmp_path, PERSON + extra)
    with pytest.raises(LocalDirectoryError) as caught:
        LocalDirectory.from_file(path, now=NOW)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:")
    assert f": {where}: " in problem or problem.split(": ")[1] == where
    assert says in problem
