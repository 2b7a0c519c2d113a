#!/usr/bin/env bash
# Deploy one version of exitbot to the App Service provisioned by infra/azure.bicep:
#   1. check HR's YAML,  2. build the image in the registry,  3. migrate the database,
#   4. point the web app at the new image and wait until /healthz answers.
# Called by m365agents.yml's deploy stage with the environment's variables; runnable by hand:
#   AZURE_CONTAINER_REGISTRY_NAME=... AZURE_WEB_APP_NAME=... AZURE_KEY_VAULT_NAME=... \
#   AZURE_RESOURCE_GROUP_NAME=... EXITBOT_PUBLIC_HOSTNAME=... infra/deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${AZURE_CONTAINER_REGISTRY_NAME:?run provision first (arm/deploy writes it)}"
: "${AZURE_WEB_APP_NAME:?run provision first}"
: "${AZURE_KEY_VAULT_NAME:?run provision first}"
: "${AZURE_RESOURCE_GROUP_NAME:?}"
: "${EXITBOT_PUBLIC_HOSTNAME:?run provision first}"
config="${EXITBOT_CONFIG_SOURCE:-config/default}"
tag="${IMAGE_TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)}"
exitbot="${EXITBOT:-.venv/bin/exitbot}"

echo "1/4 checking HR's configuration in $config"
"$exitbot" check-config "$config"

echo "2/4 building exitbot:$tag in $AZURE_CONTAINER_REGISTRY_NAME"
az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "exitbot:$tag" \
  --image exitbot:latest --build-arg "EXITBOT_CONFIG=$config" .

echo "3/4 migrating the database (before any instance runs the new code)"
DATABASE_URL="$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" \
  --name database-url --query value --output tsv)" "$exitbot" db upgrade

echo "4/4 switching $AZURE_WEB_APP_NAME to exitbot:$tag"
az webapp config container set --name "$AZURE_WEB_APP_NAME" \
  --resource-group "$AZURE_RESOURCE_GROUP_NAME" \
  --container-image-name "$AZURE_CONTAINER_REGISTRY_NAME.azurecr.io/exitbot:$tag" >/dev/null
for _ in $(seq 1 60); do
  if curl --silent --fail "https://$EXITBOT_PUBLIC_HOSTNAME/healthz"; then
    echo
    echo "exitbot:$tag is live at https://$EXITBOT_PUBLIC_HOSTNAME/api/messages"
    exit 0
  fi
  sleep 10
done
echo "exitbot:$tag did not become healthy within 10 minutes; see the App Service log stream" >&2
exit 1
