#!/usr/bin/env bash
# Deploy one version of exitbot to the App Service provisioned by infra/azure.bicep:
#   1. check HR's YAML,  2. build the image in the registry (tagged with the commit),
#   3. point the web app at that tag and wait until /healthz/ready answers.
# The database is migrated by the new container itself when it starts (EXITBOT_MIGRATE_ON_START,
# as the owner role, one instance at a time), so this script needs no database password, no Key
# Vault secret and no way through PostgreSQL's firewall: only the registry and the web app.
# Called by m365agents.yml's deploy stage with the environment's variables; runnable by hand:
#   AZURE_CONTAINER_REGISTRY_NAME=... AZURE_WEB_APP_NAME=... \
#   AZURE_RESOURCE_GROUP_NAME=... EXITBOT_PUBLIC_HOSTNAME=... infra/deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${AZURE_CONTAINER_REGISTRY_NAME:?run provision first (arm/deploy writes it)}"
: "${AZURE_WEB_APP_NAME:?run provision first}"
: "${AZURE_RESOURCE_GROUP_NAME:?}"
: "${EXITBOT_PUBLIC_HOSTNAME:?run provision first}"
config="${EXITBOT_CONFIG_SOURCE:-config/default}"
tag="${IMAGE_TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)}"
exitbot="${EXITBOT:-.venv/bin/exitbot}"
image="$AZURE_CONTAINER_REGISTRY_NAME.azurecr.io/exitbot:$tag"

echo "1/3 checking HR's configuration in $config"
"$exitbot" check-config "$config"

echo "2/3 building exitbot:$tag in $AZURE_CONTAINER_REGISTRY_NAME"
az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "exitbot:$tag" \
  --build-arg "EXITBOT_CONFIG=$config" .
digest="$(az acr repository show --name "$AZURE_CONTAINER_REGISTRY_NAME" \
  --image "exitbot:$tag" --query digest --output tsv)"
echo "exitbot:$tag is $digest"

echo "3/3 switching $AZURE_WEB_APP_NAME to exitbot:$tag (it migrates the database as it starts)"
az webapp config container set --name "$AZURE_WEB_APP_NAME" \
  --resource-group "$AZURE_RESOURCE_GROUP_NAME" --container-image-name "$image" >/dev/null
# The Agents Toolkit writes this into env/.env.<environment>: the next provision keeps the tag.
echo "::set-teamsfx-env CONTAINER_IMAGE=$image"
for _ in $(seq 1 60); do
  if curl --silent --fail "https://$EXITBOT_PUBLIC_HOSTNAME/healthz/ready"; then
    echo
    echo "exitbot:$tag is live at https://$EXITBOT_PUBLIC_HOSTNAME/api/messages"
    exit 0
  fi
  sleep 10
done
echo "exitbot:$tag did not become ready within 10 minutes; see the App Service log stream" \
  "(a database permission error there names its fix: infra/grant-database-identity.sh)" >&2
exit 1
