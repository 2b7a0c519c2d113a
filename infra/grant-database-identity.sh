#!/usr/bin/env bash
# Once per environment, before the first deploy: let the bot's managed identity log in to
# PostgreSQL and use exitbot's tables, and nothing else. Run it as a member of the server's
# Entra ID administrator group (postgresEntraAdminName); nobody else can.
#
#   infra/grant-database-identity.sh        (with env/.env.<environment>'s variables exported)
#
# 1. creates the identity's login without administrator rights:
#      select * from pgaadauth_create_principal('<identity>', false, false);
# 2. `exitbot db grant <identity>`: the role exitbot_owner (no login) owns every table of the
#    database `exitbot`; the identity is granted it; the container migrates as it at start.
# The identity cannot create roles or databases, and reads no other database's tables.
#
# Reaching the server: without privateNetworking, a firewall rule admits this machine's public
# address while the script runs (removed on exit); with it, run this from a machine in the
# virtual network (or peered to it). Needs az (signed in), psql and `make install`'s exitbot.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${AZURE_RESOURCE_GROUP_NAME:?}"
: "${AZURE_POSTGRES_SERVER_NAME:?run provision first (arm/deploy writes it)}"
: "${MANAGED_IDENTITY_NAME:?run provision first (arm/deploy writes it)}"
: "${POSTGRES_ENTRA_ADMIN_NAME:?the group (or UPN) given as postgresEntraAdminName}"
host="$AZURE_POSTGRES_SERVER_NAME.postgres.database.azure.com"
exitbot="${EXITBOT:-.venv/bin/exitbot}"
rule=grant-database-identity

if [ "${PRIVATE_NETWORKING:-false}" != true ]; then
  address="$(curl --silent --fail https://api.ipify.org)"
  az postgres flexible-server firewall-rule create --resource-group "$AZURE_RESOURCE_GROUP_NAME" \
    --name "$AZURE_POSTGRES_SERVER_NAME" --rule-name "$rule" \
    --start-ip-address "$address" --end-ip-address "$address" --output none
  trap 'az postgres flexible-server firewall-rule delete --resource-group "$AZURE_RESOURCE_GROUP_NAME" \
    --name "$AZURE_POSTGRES_SERVER_NAME" --rule-name "$rule" --yes --output none' EXIT
fi

# An Entra ID access token is the password (valid about an hour).
token="$(az account get-access-token --resource-type oss-rdbms --query accessToken --output tsv)"
export PGPASSWORD="$token" PGSSLMODE=require
login=(psql --no-psqlrc --quiet --tuples-only -v ON_ERROR_STOP=1 --host "$host"
  --username "$POSTGRES_ENTRA_ADMIN_NAME")

# psql quotes :'name' itself (in a script on stdin; --command would not interpolate it).
exists="$("${login[@]}" --dbname postgres -v name="$MANAGED_IDENTITY_NAME" \
  <<<"select 1 from pg_roles where rolname = :'name';")"
if [ -z "${exists//[[:space:]]/}" ]; then
  "${login[@]}" --dbname postgres -v name="$MANAGED_IDENTITY_NAME" \
    <<<"select * from pgaadauth_create_principal(:'name', false, false);"
  echo "created the login $MANAGED_IDENTITY_NAME (no administrator rights)"
fi

quote() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
DATABASE_URL="postgresql+asyncpg://$(quote "$POSTGRES_ENTRA_ADMIN_NAME"):$(quote "$token")@$host:5432/exitbot?ssl=require" \
  DATABASE_OWNER_ROLE=exitbot_owner "$exitbot" db grant "$MANAGED_IDENTITY_NAME"
