"""The people of bench.flow: N leavers, each with a manager of their own (so no two leavers want
the same hour of one calendar), plus the demo's HR, HR partner and union representative; as a
people file for the local directory and a member list for the connector stand-in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bench.protocol import TeamsUser
from people.people_file import PeopleFile, load_people_file

REPO = Path(__file__).resolve().parent.parent
DEMO_PEOPLE = REPO / "config" / "demo" / "people.yaml"
DOMAIN = "bench.example"
HR_UPN = "hr@contoso.example"  # in organisation.yaml's HR members
UNIT = "social-care"
# As in tests/helpers/journey.py: Monday 23 November 2026, 09:00 in Copenhagen, and a last day
# four weeks later, so every calendar has free hours before it.
CLOCK_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LAST_WORKING_DAY = date(2026, 12, 18)
LUNCH = {"every": "weekday", "from": "11:30", "to": "12:00", "what": "lunch"}


@dataclass(frozen=True)
class Leaver:
    """One leaver: how Teams shows them, and their manager's UPN."""

    user: TeamsUser
    manager_upn: str

    def registration(self) -> dict[str, str]:
        """What HR registers for them (bench.protocol.REGISTER_PATH's body)."""
        return {
            "by": HR_UPN,
            "leaver": self.user.upn,
            "manager": self.manager_upn,
            "unit": UNIT,
            "last_working_day": LAST_WORKING_DAY.isoformat(),
            "locale": "en",
        }


def leavers(count: int) -> list[Leaver]:
    """`count` leavers, numbered from 1."""
    found = []
    for n in range(1, count + 1):
        key = f"bench-leaver-{n:04d}"
        user = TeamsUser(
            user_id=f"29:{key}",
            aad_object_id=f"aad-{key}",
            name=f"Leaver {n}",
            upn=f"{key}@{DOMAIN}",
            conversation_id=f"a:personal-{key}",
        )
        found.append(Leaver(user, f"bench-manager-{n:04d}@{DOMAIN}"))
    return found


def write_people(everyone: list[Leaver], work: Path) -> tuple[Path, Path]:
    """The people file (validated as the service will read it) and the members JSON."""
    demo = load_people_file(DEMO_PEOPLE)
    kept = [p.model_dump(mode="json", exclude_none=True, by_alias=True) for p in demo.people]
    kept = [p for p in kept if p["upn"] != "leaver@contoso.example"]
    people = [*kept]
    for leaver in everyone:
        user = leaver.user
        people.append(
            {
                "upn": leaver.manager_upn,
                "name": f"Manager of {user.name}",
                "id": f"aad-{leaver.manager_upn.split('@')[0]}",
                "language": "en-GB",
                "busy": [LUNCH],
            }
        )
        people.append(
            {
                "upn": user.upn,
                "name": user.name,
                "id": user.aad_object_id,
                "teams_user_id": user.user_id,
                "manager": leaver.manager_upn,
                "language": "en-GB",
                "busy": [LUNCH],
            }
        )
    PeopleFile.model_validate({"people": people})
    people_file = work / "people.yaml"
    people_file.write_text(json.dumps({"people": people}, indent=1))  # JSON is YAML
    members_file = work / "members.json"
    members_file.write_text(json.dumps([leaver.user.member() for leaver in everyone]))
    return people_file, members_file
