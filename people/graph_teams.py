"""Installing the bot for a person in Teams, and finding their chat with it, through Graph."""

from __future__ import annotations

from journey.people import InstallResult, PersonNotReachable
from people.graph_client import GraphClient, GraphResponse, odata_literal, segment, user_path


class GraphTeamsInstaller:
    """Implements journey.people.TeamsInstaller (TeamsAppInstallation.ReadWriteSelfForUser.All).

    `teams_app_id` is the app's id in the tenant's app catalog (`/appCatalogs/teamsApps/{id}`),
    which for an app published to the organisation is not the manifest id.
    """

    def __init__(self, client: GraphClient, teams_app_id: str) -> None:
        self._client = client
        self._app_id = teams_app_id

    async def ensure_installed_for(self, user_id: str) -> InstallResult:
        """Install the app in the user's personal scope; 409 means it already was."""
        response = await self._client.request(
            "POST",
            f"{user_path(user_id)}/teamwork/installedApps",
            json={
                "teamsApp@odata.bind": (
                    f"{self._client.base_url}/appCatalogs/teamsApps/{segment(self._app_id)}"
                )
            },
        )
        if response.status == 409:
            return InstallResult.ALREADY_INSTALLED
        if response.ok:
            return InstallResult.INSTALLED
        _raise_unreachable(response, user_id)
        raise response.unexpected("installing the app")

    async def chat_id_for(self, user_id: str) -> str | None:
        """The chat between the user and the app, or None when the app is not installed."""
        response = await self._client.request(
            "GET",
            f"{user_path(user_id)}/teamwork/installedApps",
            params={
                "$expand": "teamsApp",
                "$filter": f"teamsApp/id eq {odata_literal(self._app_id)}",
            },
        )
        _raise_unreachable(response, user_id)
        installs = response.body.get("value") if isinstance(response.body, dict) else None
        if not response.ok or not isinstance(installs, list):
            raise response.unexpected("listing the user's apps")
        if not installs:
            return None
        installation_id = installs[0].get("id") if isinstance(installs[0], dict) else None
        if not isinstance(installation_id, str):
            raise response.unexpected("an app installation without an id")
        response = await self._client.request(
            "GET",
            f"{user_path(user_id)}/teamwork/installedApps/{segment(installation_id)}/chat",
        )
        if response.status == 404:
            return None  # uninstalled between the two calls
        _raise_unreachable(response, user_id)
        if not response.ok or not isinstance(response.body, dict) or "id" not in response.body:
            raise response.unexpected("reading the user's chat with the app")
        return str(response.body["id"])


def _raise_unreachable(response: GraphResponse, user_id: str) -> None:
    # 403: the app is blocked for this person (policy, no Teams licence); 404: no such user.
    # Both are states to show HR, not failures to retry.
    if response.status == 403:
        raise PersonNotReachable("blocked", user_id)
    if response.status == 404:
        raise PersonNotReachable("not_found", user_id)
