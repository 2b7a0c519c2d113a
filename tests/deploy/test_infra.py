"""infra/ and m365agents.yml agree with the service: every setting it needs is set in Azure, and
the least privilege a security review asks for is in the template.

Bicep cannot be compiled here (no network to fetch the Bicep CLI), so these read the files;
checkov (tests/deploy/test_checkov.py) reads them too, but not inside conditions.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from ruamel.yaml import YAML

from bot.settings import Settings, load_settings
from tests.deploy.dockerfile import env_values, final_stage, read_dockerfile
from tests.deploy.paths import REPO_ROOT

BICEP = (REPO_ROOT / "infra" / "azure.bicep").read_text(encoding="utf-8")
PARAMETERS = json.loads((REPO_ROOT / "infra" / "azure.parameters.json").read_text())
PROJECT = YAML(typ="safe").load((REPO_ROOT / "m365agents.yml").read_text(encoding="utf-8"))
ENV_FILE = (REPO_ROOT / "env" / ".env.dev").read_text(encoding="utf-8")
PLACEHOLDER = re.compile(r"\$\{\{([A-Z0-9_]+)\}\}")

# Settings a deployment must set (bot/settings.py's checks and README's table).
REQUIRED_IN_AZURE = {
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "DATABASE_URL",
    "TEAMS_APP_CATALOG_ID",
    "GRAPH_CREDENTIAL",
    "EXITBOT_CONFIG_DIR",
    "EXITBOT_DIRECTORY",
    "EXITBOT_HOST",
    "EXITBOT_PORT",
    "EXITBOT_LOCAL_MODE",
}
# Settings deliberately left to their defaults in Azure, and why. A new setting must land in
# the Bicep or here, so nobody forgets to decide.
LEFT_TO_DEFAULT = {
    "EXITBOT_PEOPLE_FILE": "only read with EXITBOT_DIRECTORY=local",
    "GRAPH_CERTIFICATE_PATH": "the managed identity or the app secret is used in Azure",
    "GRAPH_BASE_URL": "the global Graph endpoint; set it for a national cloud",
    "EXITBOT_MAX_BODY_BYTES": "the default fits every Teams activity",
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "Bot Framework's public metadata",
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": "Bot Framework's public issuer",
    "EXITBOT_DEDUP_WINDOW_MINUTES": "Teams re-sends within seconds; an hour is ample",
    "EXITBOT_TEST_CLOCK": "local mode only",
    "EXITBOT_DEMO_LOCALE": "local mode only",
    "EXITBOT_API_TOKEN": "local mode only",
    "EXITBOT_API_OPENID_METADATA_URL": "derived from MICROSOFT_APP_TENANT_ID",
    "EXITBOT_API_TOKEN_ISSUERS": "derived from MICROSOFT_APP_TENANT_ID",
    "EXITBOT_CHANNELS": "Teams only (msteams); exitbot demo starts the Playground as msteams too",
    "EXITBOT_API_ROLE": "Departures.ReadWrite unless the organisation names it otherwise",
    "EXITBOT_LOG_FORMAT": "plain lines in App Service's console log; json for a log store",
    "EXITBOT_TELEMETRY": "auto: on, because the Bicep sets APPLICATIONINSIGHTS_CONNECTION_STRING",
}
SECRETS = {"MICROSOFT_APP_PASSWORD"}
PLATFORM = {"WEBSITES_PORT", "WEBSITES_ENABLE_APP_SERVICE_STORAGE"}
PLATFORM |= {"APPLICATIONINSIGHTS_CONNECTION_STRING"}


def app_settings() -> dict[str, str]:
    """name -> value expression of the web app's settings (the `appSettings` variable)."""
    block = BICEP[BICEP.index("var commonAppSettings = ") :]
    block = block[: block.index("var appSettings = concat(")]
    pairs = re.findall(r"name: '([A-Z0-9_]+)'\s*\n\s*value: (.+)", block)
    return dict(pairs)


def settings_aliases() -> set[str]:
    return {field.alias for field in Settings.model_fields.values() if field.alias}


def test_every_setting_the_service_requires_is_set_in_azure() -> None:
    assert settings_aliases() >= REQUIRED_IN_AZURE, "a required name is not a setting any more"
    missing = REQUIRED_IN_AZURE - app_settings().keys()
    assert not missing, f"not set by infra/azure.bicep: {sorted(missing)}"


def test_every_setting_is_either_set_in_azure_or_left_to_its_default_on_purpose() -> None:
    in_bicep = app_settings().keys()
    undecided = settings_aliases() - in_bicep - LEFT_TO_DEFAULT.keys()
    assert not undecided, f"decide for {sorted(undecided)}: Bicep app setting or LEFT_TO_DEFAULT"
    assert not (in_bicep & LEFT_TO_DEFAULT.keys())
    unknown = in_bicep - settings_aliases() - PLATFORM
    assert not unknown, f"app settings no code reads (a typo?): {sorted(unknown)}"


def test_secrets_are_key_vault_references_not_values() -> None:
    settings = app_settings()
    for name in SECRETS:
        assert settings[name].startswith("'@Microsoft.KeyVault(SecretUri="), name
    # The database: a token login without any password for the managed identity, the Key
    # Vault URL (with the password) otherwise.
    assert settings["DATABASE_URL"] == "databaseUrlSetting"
    assert settings["DATABASE_AUTH"] == "databaseAuth"
    assert "var databaseAuth = isManagedIdentity ? 'entra' : 'password'" in BICEP
    identity_url = re.search(r"^var identityDatabaseUrl = '([^']*)'$", BICEP, flags=re.M)
    assert identity_url and "${identity.name}@" in identity_url.group(1)
    assert ":${" not in identity_url.group(1).split("@")[0]  # no password before the host
    assert (
        "var databaseUrlSetting = isManagedIdentity ? identityDatabaseUrl : "
        "'@Microsoft.KeyVault(SecretUri=${databaseUrl.properties.secretUri})'" in BICEP
    )
    assert "keyVaultReferenceIdentity: identity.id" in BICEP
    # No password flows into an app setting or an output.
    assert not re.search(r"output .*(Password|password|secret)", BICEP)
    for decorated in ("postgresAdminPassword", "botAppPassword"):
        assert re.search(rf"@secure\(\)\s*\nparam {decorated} ", BICEP), decorated


def test_the_bicep_values_make_a_valid_managed_identity_deployment(monkeypatch) -> None:
    """The literal values, with stand-ins for what Azure fills in, pass the service's checks."""
    stand_ins = {
        "MICROSOFT_APP_TYPE": "UserAssignedMSI",
        "MICROSOFT_APP_ID": "7c1f0a7e-3b7e-4a53-9c55-2f8f3f6f1b07",
        "MICROSOFT_APP_TENANT_ID": "11111111-2222-3333-4444-555555555555",
        "DATABASE_URL": "postgresql+asyncpg://exitbot:pw@exitbot-pg.postgres.database.azure.com/x",
        "GRAPH_CREDENTIAL": "managed_identity",
        "DATABASE_AUTH": "entra",
        "TEAMS_APP_CATALOG_ID": "catalog-id",
    }
    for name in settings_aliases():
        monkeypatch.delenv(name, raising=False)
    variables = dict(re.findall(r"^var (\w+) = ('[^'$]*')$", BICEP, flags=re.M))
    for name, value in app_settings().items():
        literal = re.fullmatch(r"'([^'$]*)'", variables.get(value, value))
        monkeypatch.setenv(name, stand_ins.get(name, literal.group(1) if literal else "x"))
    monkeypatch.chdir(REPO_ROOT / "tests")  # no .env here
    settings = load_settings(Settings)
    assert settings.auth_enabled
    assert settings.resolved_directory == "graph"
    assert settings.resolved_graph_credential == "managed_identity"
    assert settings.host == "0.0.0.0"


def test_the_bicep_and_the_image_agree_on_port_and_configuration_directory() -> None:
    image = env_values(final_stage(read_dockerfile(REPO_ROOT / "Dockerfile")))
    settings = app_settings()
    assert settings["EXITBOT_PORT"] == "port"
    assert f"var port = '{image['EXITBOT_PORT']}'" in BICEP
    assert settings["EXITBOT_CONFIG_DIR"] == f"'{image['EXITBOT_CONFIG_DIR']}'"
    assert "healthCheckPath: '/healthz/ready'" in BICEP
    assert "endpoint: 'https://${web.properties.defaultHostName}/api/messages'" in BICEP


def test_the_bot_is_single_tenant_or_a_managed_identity_never_multi_tenant() -> None:
    allowed = re.search(r"@allowed\(\[\s*'UserAssignedMSI'\s*'SingleTenant'\s*\]\)", BICEP)
    assert allowed, "botAppType must allow exactly UserAssignedMSI and SingleTenant"
    assert "MultiTenant" not in BICEP
    assert "msaAppMSIResourceId: isManagedIdentity ? identity.id : null" in BICEP


def test_every_parameter_is_documented_and_the_parameter_file_matches() -> None:
    declared = re.findall(r"^param (\w+) (\w+)( = .+)?$", BICEP, flags=re.M)
    assert declared
    for name, _type, default in declared:
        before = BICEP[: BICEP.index(f"\nparam {name} ")]
        decorators = before.split("\n\n")[-1]
        assert "@description(" in decorators, f"param {name} has no @description"
        if not default:
            assert name in PARAMETERS["parameters"], f"param {name} needs a value"
    assert set(PARAMETERS["parameters"]) <= {name for name, _, _ in declared}


def test_every_placeholder_has_a_value_in_the_environment_files() -> None:
    defined = set(re.findall(r"^([A-Z0-9_]+)=", ENV_FILE, flags=re.M))
    outputs = set(re.findall(r"^output (\w+) ", BICEP, flags=re.M))
    written = {"TEAMS_APP_CATALOG_ID"}  # publishAppPackage writes it
    used = set(PLACEHOLDER.findall(json.dumps(PARAMETERS)))
    used |= set(PLACEHOLDER.findall((REPO_ROOT / "m365agents.yml").read_text()))
    unresolved = {
        name for name in used - defined - outputs - written if not name.startswith("SECRET_")
    }
    assert not unresolved, f"no value anywhere for {sorted(unresolved)}"
    manifest = (REPO_ROOT / "appPackage" / "manifest.json").read_text()
    assert set(PLACEHOLDER.findall(manifest)) <= defined | outputs


def test_the_toolkit_project_points_at_files_that_exist() -> None:
    assert PROJECT["version"] == "v1.11"
    assert (REPO_ROOT / PROJECT["environmentFolderPath"]).is_dir()
    (deploy,) = [step for step in PROJECT["provision"] if step["uses"] == "arm/deploy"]
    for template in deploy["with"]["templates"]:
        assert (REPO_ROOT / template["path"]).is_file()
        assert (REPO_ROOT / template["parameters"]).is_file()
    steps = [step for stage in ("deploy", "publish") for step in PROJECT[stage]]
    scripts = [step["with"]["run"] for step in steps if step["uses"] == "script"]
    assert "./infra/deploy.sh" in scripts
    assert os.access(REPO_ROOT / "infra" / "deploy.sh", os.X_OK)
    assert any(run.startswith(".venv/bin/exitbot package ") for run in scripts)
    published = [s for s in PROJECT["publish"] if s["uses"] == "teamsApp/publishAppPackage"]
    assert published[0]["writeToEnvironmentFile"] == {"publishedAppId": "TEAMS_APP_CATALOG_ID"}


def test_the_deploy_script_needs_neither_the_database_nor_a_secret() -> None:
    """The container migrates at its start (EXITBOT_MIGRATE_ON_START, as the owner role), so
    the pipeline reads no Key Vault secret and never reaches PostgreSQL through its firewall."""
    script = (REPO_ROOT / "infra" / "deploy.sh").read_text()
    order = [
        script.index('check-config "$config"'),
        script.index("az acr build"),
        script.index("az webapp config container set"),
    ]
    assert order == sorted(order)
    assert '--build-arg "EXITBOT_CONFIG=$config"' in script
    assert "ARG EXITBOT_CONFIG=" in (REPO_ROOT / "Dockerfile").read_text()
    for needless in ("db upgrade", "keyvault", "DATABASE_URL", "postgres"):
        assert needless not in script, needless
    settings = app_settings()
    assert settings["EXITBOT_MIGRATE_ON_START"] == "'true'"
    assert settings["DATABASE_OWNER_ROLE"] == "databaseOwnerRole"
    assert "var databaseOwnerRole = isManagedIdentity ? 'exitbot_owner' : ''" in BICEP
    grant = (REPO_ROOT / "infra" / "grant-database-identity.sh").read_text()
    assert "exitbot db grant" in grant and "pgaadauth_create_principal" in grant


def test_images_run_by_tag_or_digest_never_latest() -> None:
    script = (REPO_ROOT / "infra" / "deploy.sh").read_text()
    for text in (BICEP, script, (REPO_ROOT / "m365agents.yml").read_text()):
        assert ":latest" not in text
    assert "::set-teamsfx-env CONTAINER_IMAGE=" in script  # provisioning again keeps the tag


def test_postgresql_has_no_password_login_and_admits_only_the_web_app() -> None:
    # No "allow all Azure addresses" (the rule 0.0.0.0-0.0.0.0), no rule in the template at all.
    assert "AllowAzureServices" not in BICEP and "startIpAddress: '0.0.0.0'" not in BICEP
    assert "firewallRules@" not in BICEP
    assert "passwordAuth: isManagedIdentity ? 'Disabled' : 'Enabled'" in BICEP
    assert "administratorLoginPassword: isManagedIdentity ? null : postgresAdminPassword" in BICEP
    # The identity is no PostgreSQL administrator; a group of people is.
    admins = re.findall(r"flexibleServers/administrators@[^=]+= if \((.*)\) \{", BICEP)
    assert admins == ["isManagedIdentity && !empty(postgresEntraAdminObjectId)"]
    assert "principalName: identity.name" not in BICEP
    firewall = (REPO_ROOT / "infra" / "postgres-firewall.bicep").read_text()
    assert "addresses: web.properties.possibleOutboundIpAddresses" in BICEP
    assert "split(addresses, ',')" in firewall


def test_private_networking_is_an_option_that_closes_postgresql_and_key_vault() -> None:
    assert re.search(r"\nparam privateNetworking bool = false\n", BICEP)
    assert BICEP.count("publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'") == 2
    assert "virtualNetworkSubnetId: privateNetworking ? appSubnetId : null" in BICEP
    assert "vnetRouteAllEnabled: privateNetworking" in BICEP
    assert "serviceName: 'Microsoft.Web/serverFarms'" in BICEP
    endpoints = re.findall(r"module \w+ 'private-endpoint.bicep' = if \(privateNetworking\)", BICEP)
    assert len(endpoints) == 2
    assert "groupId: 'postgresqlServer'" in BICEP and "groupId: 'vault'" in BICEP
    assert "module postgresFirewall 'postgres-firewall.bicep' = if (!privateNetworking)" in BICEP


def test_key_vault_and_the_registry_are_closed_by_default() -> None:
    assert "var vaultOpen = !isManagedIdentity && !privateNetworking" in BICEP
    assert "defaultAction: vaultOpen ? 'Allow' : 'Deny'" in BICEP
    assert "adminUserEnabled: false" in BICEP and "anonymousPullEnabled: false" in BICEP
    # With the managed identity nothing in Key Vault is needed: no database password exists.
    assert re.search(r"resource databaseUrl '[^']+' = if \(!isManagedIdentity\)", BICEP)


def test_every_checkov_suppression_says_why() -> None:
    for template in sorted((REPO_ROOT / "infra").glob("*.bicep")):
        for line in template.read_text().splitlines():
            if "checkov:skip=" in line:
                check, _, reason = line.split("checkov:skip=", 1)[1].partition(":")
                assert re.fullmatch(r"CKV2?_AZURE_\d+", check), line
                assert len(reason.strip()) > 20, f"{template.name}: {check} needs a reason"


@pytest.mark.parametrize(
    "resource",
    [
        "Microsoft.BotService/botServices@",
        "Microsoft.Web/sites@",
        "Microsoft.DBforPostgreSQL/flexibleServers@",
        "Microsoft.KeyVault/vaults@",
        "Microsoft.Insights/components@",
        "Microsoft.ManagedIdentity/userAssignedIdentities@",
    ],
)
def test_the_template_provisions_each_part_with_a_stable_api_version(resource: str) -> None:
    versions = re.findall(re.escape(resource) + r"([0-9-]+(?:-preview)?)'", BICEP)
    assert versions, f"no {resource} resource"
    assert all(not version.endswith("-preview") for version in versions)
