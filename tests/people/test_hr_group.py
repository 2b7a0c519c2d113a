"""HR's Entra ID group: the Graph check, the local file's groups, and the roster's cache."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.loader import default_config_dir, load_config
from journey.clock import FixedClock
from journey.hr import HrRoster
from journey.people import DirectoryUnavailable
from people.graph_client import GraphClient
from people.graph_directory import GraphDirectory
from people.local_directory import LocalDirectory
from people.people_file import PeopleFile
from tests.people.graph_standin import GraphStandIn

HR_GROUP = "8d1f4c2a-5b6e-4f70-9a81-2c3d4e5f6a7b"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def test_graph_says_who_is_in_the_group(client: GraphClient, standin: GraphStandIn) -> None:
    hanne = standin.users["hr@contoso.example"]
    standin.groups[hanne["id"]] = {HR_GROUP}
    directory = GraphDirectory(client)
    assert await directory.is_member(hanne["id"], HR_GROUP) is True
    assert await directory.is_member("leaver@contoso.example", HR_GROUP) is False
    assert await directory.is_member("nobody@contoso.example", HR_GROUP) is False
    sent = standin.requests_to("/checkMemberGroups")
    assert sent[0].method == "POST"
    assert sent[0].body == {"groupIds": [HR_GROUP]}


async def test_a_throttled_group_check_waits_and_asks_again(
    client: GraphClient, standin: GraphStandIn
) -> None:
    hanne = standin.users["hr@contoso.example"]
    standin.groups[hanne["id"]] = {HR_GROUP}
    standin.answer_next(429, headers={"Retry-After": "0"}, path_contains="checkMemberGroups")
    assert await GraphDirectory(client).is_member(hanne["id"], HR_GROUP) is True
    assert len(standin.requests_to("/checkMemberGroups")) == 2


async def test_a_refused_group_check_is_an_error_not_a_no(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(403, path_contains="checkMemberGroups")  # GroupMember.Read.All missing
    with pytest.raises(DirectoryUnavailable):
        await GraphDirectory(client).is_member("hr@contoso.example", HR_GROUP)


def _local(**hanne: Any) -> LocalDirectory:
    people = PeopleFile.model_validate(
        {
            "people": [
                {"upn": "hr@contoso.example", "name": "Hanne", "id": "hr-1", **hanne},
                {"upn": "leaver@contoso.example", "name": "Sofie", "id": "leaver-1"},
            ]
        }
    )
    return LocalDirectory(people, now=T0)


async def test_the_local_file_lists_groups_per_person() -> None:
    local = _local(groups=[HR_GROUP.upper()])
    assert await local.is_member("hr@contoso.example", HR_GROUP) is True
    assert await local.is_member("hr-1", HR_GROUP) is True
    assert await local.is_member("leaver@contoso.example", HR_GROUP) is False


class GroupOnly:
    """HR's YAML with no list, only a group."""

    def is_hr_member(self, upn: str) -> bool:
        return False

    @property
    def hr_group_id(self) -> str | None:
        return HR_GROUP


class CountingGroups:
    def __init__(self, members: set[str], fail: bool = False) -> None:
        self.members, self.fail, self.asked = members, fail, 0

    async def is_member(self, person: str, group_id: str) -> bool:
        self.asked += 1
        if self.fail:
            raise DirectoryUnavailable("Graph is down")
        return person in self.members and group_id == HR_GROUP


async def test_a_group_member_is_hr_and_the_answer_is_kept_for_minutes() -> None:
    clock = FixedClock(T0)
    groups = CountingGroups({"hr-1"})
    roster = HrRoster(GroupOnly, groups, clock)
    assert await roster.is_hr("hr@contoso.example", "hr-1") is True
    assert await roster.is_hr("hr@contoso.example", "hr-1") is True
    assert await roster.is_hr("leaver@contoso.example", "leaver-1") is False
    assert groups.asked == 2
    clock.advance(minutes=6)
    assert await roster.is_hr("hr@contoso.example", "hr-1") is True
    assert groups.asked == 3


async def test_when_the_group_cannot_be_checked_nobody_becomes_hr() -> None:
    groups = CountingGroups({"hr-1"}, fail=True)
    roster = HrRoster(GroupOnly, groups, FixedClock(T0))
    assert await roster.is_hr("hr@contoso.example", "hr-1") is False
    assert await roster.is_hr("hr@contoso.example", "hr-1") is False
    assert groups.asked == 2  # a failure is not remembered


async def test_the_yaml_list_needs_no_directory_call() -> None:
    groups = CountingGroups(set())
    config = load_config(default_config_dir())
    listed = next(iter(config.organisation.hr.members))
    roster = HrRoster(lambda: config, groups, FixedClock(T0))
    assert await roster.is_hr(listed.upper()) is True
    assert groups.asked == 0
