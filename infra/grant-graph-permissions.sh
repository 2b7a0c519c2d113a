#!/usr/bin/env bash
# Grant the bot's identity the Microsoft Graph application permissions it needs (admin consent).
# A managed identity has no "API permissions" page in the Entra admin center, so its app roles
# are assigned through Graph; run this once per environment as a Privileged Role Administrator
# (or Global Administrator):
#
#   infra/grant-graph-permissions.sh <principal object id> [--hr-group] [--time-zones]
#
# The principal id is MANAGED_IDENTITY_PRINCIPAL_ID in env/.env.<environment> (an output of
# infra/azure.bicep), or the object id of the bot's enterprise application (SingleTenant).
set -euo pipefail

principal="${1:?usage: $0 <principal object id> [--hr-group] [--time-zones]}"
shift
permissions=(User.Read.All Calendars.ReadWrite TeamsAppInstallation.ReadWriteSelfForUser.All)
for option in "$@"; do
  case "$option" in
    --hr-group) permissions+=(GroupMember.Read.All) ;;     # hr.entra_group_id in HR's YAML
    --time-zones) permissions+=(MailboxSettings.Read) ;;   # each leaver's own time zone
    *) echo "unknown option $option" >&2; exit 2 ;;
  esac
done

graph_app_id=00000003-0000-0000-c000-000000000000  # Microsoft Graph, the same in every tenant
graph_sp="$(az ad sp show --id "$graph_app_id" --query id --output tsv)"
for permission in "${permissions[@]}"; do
  role="$(az ad sp show --id "$graph_app_id" \
    --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id" \
    --output tsv)"
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
