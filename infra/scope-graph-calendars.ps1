<#
.SYNOPSIS
    Scope the bot's Microsoft Graph calendar permission to the mailboxes it needs, instead of
    every mailbox in the tenant (Exchange Online; run once per environment).

.DESCRIPTION
    Calendars.ReadWrite (and MailboxSettings.Read) granted as application permissions reach
    every mailbox of the organisation. Exchange Online narrows them to the members of one
    mail-enabled security group, e.g. "exitbot calendars": the interviewers of HR's pools and,
    with this version of exitbot, the leavers too (free/busy is asked through the leaver's
    mailbox; docs/operations.md, "Microsoft Graph: only the calendars the bot needs").

    -Method Rbac (default, Microsoft's current way): RBAC for Applications. A management scope
    on the group and a role assignment "Application Calendars.ReadWrite" for the bot's service
    principal. Such grants ADD to Entra ID's: the tenant-wide Calendars.ReadWrite must not be
    granted in Entra ID as well, so run infra/grant-graph-permissions.sh with
    --calendars-in-exchange, which leaves it out and removes an earlier grant.

    -Method AccessPolicy (the older way, still honoured): an application access policy that
    restricts the Entra ID grant to the group. Keep Calendars.ReadWrite in Entra ID.

    Needs the ExchangeOnlineManagement module and an Exchange administrator:
        Install-Module ExchangeOnlineManagement; Connect-ExchangeOnline

.EXAMPLE
    ./infra/scope-graph-calendars.ps1 -AppId $MICROSOFT_APP_ID `
        -ServicePrincipalId $MANAGED_IDENTITY_PRINCIPAL_ID -Group exitbot-calendars@contoso.com `
        -TestMailbox interviewer@contoso.com -OutsideMailbox ceo@contoso.com
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The bot's application (client) id: MICROSOFT_APP_ID in env/.env.<environment>.
    [Parameter(Mandatory)] [string] $AppId,
    # The object id of its service principal (enterprise application):
    # MANAGED_IDENTITY_PRINCIPAL_ID, or the SingleTenant registration's enterprise app.
    [Parameter(Mandatory)] [string] $ServicePrincipalId,
    # The mail-enabled security group whose members' calendars the bot may use.
    [Parameter(Mandatory)] [string] $Group,
    [ValidateSet('Rbac', 'AccessPolicy')] [string] $Method = 'Rbac',
    # Also scope MailboxSettings.Read (granted with grant-graph-permissions.sh --time-zones).
    [switch] $MailboxSettings,
    # A member's mailbox, which must then be allowed, and one outside the group, which must not.
    [string] $TestMailbox,
    [string] $OutsideMailbox
)
$ErrorActionPreference = 'Stop'
$scopeName = 'exitbot-calendars'

if ($Method -eq 'AccessPolicy') {
    $existing = Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId }
    if (-not $existing) {
        New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $Group `
            -AccessRight RestrictAccess -Description 'exitbot: only these calendars'
    }
    foreach ($mailbox in @($TestMailbox, $OutsideMailbox) | Where-Object { $_ }) {
        Test-ApplicationAccessPolicy -Identity $mailbox -AppId $AppId |
            Select-Object Mailbox, AccessCheckResult
    }
    Write-Host 'Policies take up to an hour to apply. Keep Calendars.ReadWrite in Entra ID.'
    return
}

# RBAC for Applications: Exchange's pointer to the service principal, a scope, the roles.
if (-not (Get-ServicePrincipal -Identity $ServicePrincipalId -ErrorAction SilentlyContinue)) {
    New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalId -DisplayName 'exitbot'
}
$groupDn = (Get-Group -Identity $Group).DistinguishedName
if (-not (Get-ManagementScope -Identity $scopeName -ErrorAction SilentlyContinue)) {
    New-ManagementScope -Name $scopeName -RecipientRestrictionFilter "MemberOfGroup -eq '$groupDn'"
}
$roles = @('Application Calendars.ReadWrite')
if ($MailboxSettings) { $roles += 'Application MailboxSettings.Read' }
foreach ($role in $roles) {
    $assigned = Get-ManagementRoleAssignment -RoleAssignee $ServicePrincipalId -Role $role `
        -ErrorAction SilentlyContinue
    if (-not $assigned) {
        New-ManagementRoleAssignment -App $ServicePrincipalId -Role $role `
            -CustomResourceScope $scopeName
    }
}
foreach ($mailbox in @($TestMailbox, $OutsideMailbox) | Where-Object { $_ }) {
    Test-ServicePrincipalAuthorization -Identity $ServicePrincipalId -Resource $mailbox |
        Select-Object RoleName, InScope
}
Write-Host ('Assignments take 30 minutes to 2 hours to apply. Now remove the tenant-wide grant: ' +
    'infra/grant-graph-permissions.sh <principal id> --calendars-in-exchange')
