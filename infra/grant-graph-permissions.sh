#!/usr/bin/env bash
# Grant the bot's identity the Microsoft Graph application permissions it needs (admin consent).
# A managed identity has no "API permissions" page in the Entra admin center, so its app roles
# are assigned through Graph; run this once per environment as a Privileged Role Administrator
# (or Global Administrator):
#
#   infra/grant-graph-permissions.sh <principal object id> [--hr-group] [--time-zones]
#                                    [--leave-dates] [--calendars-in-exchange]
#
# --leave-dates: User-LifeCycleInfo.Read.All, to read each user's leave date
# (employeeLeaveDateTime) when HR's YAML says `departures.source: entra` (config/README.md).
#
# --calendars-in-exchange: the mailbox permissions (Calendars.ReadWrite, MailboxSettings.Read)
# are granted by Exchange Online for a group of mailboxes only (infra/scope-graph-calendars.ps1,
# RBAC for Applications), so they are not granted tenant-wide here, and an earlier tenant-wide
# grant of them is removed: Exchange's scoped grant adds to Entra ID's and would not narrow it.
#
# The principal id is MANAGED_IDENTITY_PRINCIPAL_ID in env/.env.<environment> (an output of
# infra/azure.bicep), or the object id of the bot's enterprise application (SingleTenant).
set -euo pipefail

principal="${1:?usage: $0 <principal object id> [--hr-group] [--time-zones] [--leave-dates] [--calendars-in-exchange]}"
shift
permissions=(User.Read.All TeamsAppInstallation.ReadWriteSelfForUser.All)
mailbox_permissions=(Calendars.ReadWrite)
revoked=()
for option in "$@"; do
  case "$option" in
    --hr-group) permissions+=(GroupMember.Read.All) ;;            # hr.entra_group_id in HR's YAML
    --time-zones) mailbox_permissions+=(MailboxSettings.Read) ;;  # each leaver's own time zone
    --leave-dates) permissions+=(User-LifeCycleInfo.Read.All) ;;  # departures.source: entra
    --calendars-in-exchange) revoked=(Calendars.ReadWrite MailboxSettings.Read) ;;
    *) echo "unknown option $option" >&2; exit 2 ;;
  esac
done
if [ ${#revoked[@]} -eq 0 ]; then
  permissions+=("${mailbox_permissions[@]}")
fi

graph_app_id=00000003-0000-0000-c000-000000000000  # Microsoft Graph, the same in every tenant
graph_sp="$(az ad sp show --id "$graph_app_id" --query id --output tsv)"
assignments="https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments"
role_id() {
  az ad sp show --id "$graph_app_id" \
    --query "appRoles[?value=='$1' && contains(allowedMemberTypes, 'Application')].id" --output tsv
}
for permission in "${revoked[@]}"; do
  role="$(role_id "$permission")"
  for assignment in $(az rest --method GET --url "$assignments" \
      --query "value[?appRoleId=='$role'].id" --output tsv); do
    az rest --method DELETE --url "$assignments/$assignment" --output none
    echo "removed the tenant-wide grant: $permission (Exchange Online scopes it)"
  done
done
for permission in "${permissions[@]}"; do
  role="$(role_id "$permission")"
  if az rest --method GET \
      --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
      --query "value[?appRoleId=='$role'].id" --output tsv | grep -q .; then
    echo "already granted: $permission"
    continue
  fi
  az rest --method POST \
    --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\": \"$principal\", \"resourceId\": \"$graph_sp\", \"appRoleId\": \"$role\"}" \
    --output none
  echo "granted: $permission"
done
