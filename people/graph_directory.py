"""The directory (people and their managers) from Microsoft Graph."""

from __future__ import annotations

from typing import Any

from journey.people import DirectoryUnavailable, Person
from people.graph_client import GraphClient, GraphResponse, odata_literal, user_path
from people.windows_zones import iana_zone

_PERSON_FIELDS = "id,displayName,userPrincipalName,mail,preferredLanguage"


class GraphDirectory:
    """Implements journey.people.Directory with `GET /users/...` (User.Read.All)."""

    def __init__(self, client: GraphClient) -> None:
        self._client = client

    async def find_person(self, email_or_upn: str) -> Person | None:
        """The user with this UPN or object id, else the one whose mail address it is."""
        key = email_or_upn.strip()
        if not key:
            return None
        response = await self._client.request(
            "GET", user_path(key), params={"$select": _PERSON_FIELDS}
        )
        if response.ok:
            return _person(response)
        if response.status not in (400, 404):
            raise response.unexpected("looking up a person")
        if "@" not in key:
            return None
        # HR often types the mail address, which need not be the UPN.
        response = await self._client.request(
            "GET",
            "/users",
            params={"$filter": f"mail eq {odata_literal(key)}", "$select": _PERSON_FIELDS},
        )
        if not response.ok:
            raise response.unexpected("looking up a person by mail")
        found = response.body.get("value") if isinstance(response.body, dict) else None
        if not found:
            return None
        return _person_from(found[0])

    async def is_member(self, person: str, group_id: str) -> bool:
        """`POST /users/{id}/checkMemberGroups` (GroupMember.Read.All): transitive membership."""
        response = await self._client.request(
            "POST", f"{user_path(person)}/checkMemberGroups", json={"groupIds": [group_id]}
        )
        if response.status == 404:
            return False  # no such user
        if not response.ok:
            raise response.unexpected("checking a group membership")
        found = response.body.get("value") if isinstance(response.body, dict) else None
        if not isinstance(found, list):
            raise response.unexpected("a group check without a value list")
        wanted = group_id.lower()
        return any(isinstance(item, str) and item.lower() == wanted for item in found)

    async def time_zone_of(self, person_id: str) -> str | None:
        """`GET /users/{id}/mailboxSettings/timeZone` (MailboxSettings.Read), as an IANA name.

        None when the person has no mailbox, the permission is missing, or the name is unknown:
        the unit's time zone is used then.
        """
        response = await self._client.request(
            "GET", f"{user_path(person_id)}/mailboxSettings/timeZone"
        )
        if response.status in (403, 404):
            return None
        if not response.ok:
            raise response.unexpected("reading a time zone")
        value = response.body.get("value") if isinstance(response.body, dict) else None
        return iana_zone(value if isinstance(value, str) else None)

    async def manager_of(self, upn: str) -> Person | None:
        """The user's manager; None when there is none (Graph answers 404) or no such user."""
        response = await self._client.request(
            "GET", f"{user_path(upn)}/manager", params={"$select": _PERSON_FIELDS}
        )
        if response.status == 404:
            return None
        if not response.ok:
            raise response.unexpected("looking up a manager")
        return _person(response)


def _person(response: GraphResponse) -> Person:
    if not isinstance(response.body, dict):
        raise response.unexpected("a user without a body")
    return _person_from(response.body)


def _person_from(user: dict[str, Any]) -> Person:
    ident = user.get("id")
    if not isinstance(ident, str):
        raise DirectoryUnavailable("Microsoft Graph sent a user without an id")
    return Person(
        id=ident,
        upn=user.get("userPrincipalName") or user.get("mail") or ident,
        display_name=user.get("displayName") or "",
        mail=user.get("mail"),
        preferred_language=user.get("preferredLanguage"),
    )
