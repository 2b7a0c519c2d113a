"""The people ports in one bundle (directory, calendar, Teams, groups, leave dates), from Graph
or a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from journey.leave_dates import LeaveDateSource
from journey.people import Calendar, Directory, GroupMembership, TeamsInstaller, TimeZones
from people.graph_calendar import GraphCalendar
from people.graph_client import GraphClient
from people.graph_directory import GraphDirectory
from people.graph_leave_dates import GraphLeaveDates
from people.graph_teams import GraphTeamsInstaller
from people.local_directory import LocalDirectory


@dataclass(frozen=True)
class PeoplePorts:
    """What the dialogs and the scheduler need to find people, book and reach them."""

    directory: Directory
    calendar: Calendar
    teams: TeamsInstaller
    groups: GroupMembership
    # Entra ID's leave dates (departures.source: entra): Graph, or the file's leave_date.
    leave_dates: LeaveDateSource
    # People's own time zones, where the directory does not say them (Graph: mailbox settings).
    zones: TimeZones | None = None


def graph_ports(client: GraphClient, *, teams_app_id: str) -> PeoplePorts:
    """All the ports on one Graph client (one session, one token)."""
    directory = GraphDirectory(client)
    return PeoplePorts(
        directory=directory,
        calendar=GraphCalendar(client),
        teams=GraphTeamsInstaller(client, teams_app_id),
        groups=directory,
        leave_dates=GraphLeaveDates(client),
        zones=directory,
    )


def local_ports(path: Path, *, now: datetime) -> PeoplePorts:
    """All the ports on one in-memory LocalDirectory loaded from `path`."""
    local = LocalDirectory.from_file(path, now=now)
    return PeoplePorts(
        directory=local, calendar=local, teams=local, groups=local, leave_dates=local
    )
