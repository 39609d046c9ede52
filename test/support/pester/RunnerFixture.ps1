# Setup of the runner's Pester files (ps-templates/runtime/Runner.*.Tests.ps1), dot-sourced in
# their BeforeAll. The self-check against a header rendered by TypeScript stays in Jest
# (test/ps-templates/runtime/self-check.test.ts): the approval token comes from src/render.
. (Join-Path $PSScriptRoot 'RuntimeHarness.ps1')
Set-StrictMode -Version 3.0
# Mock needs the runtime's own commands in this session (Test-RdsScriptIntegrity); a plan
# script's copies are hidden by the mock all the same.
foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

$GP = $RdsTestGracePeriodPath
$TIMEBOMB = $RdsTestTimebombName
$ORIGINAL_SDDL = $RdsTestFakeDefaultSddl
$GraceSteps = @(
    New-RdsTestGraceResetStep -MustExist $false
    New-RdsTestStep -StepId 'grace.restart' -Action 'service.restart' -RunWhen 'changed' -Parameters @{ Name = 'TermService'; Force = $true }
    New-RdsTestStep -StepId 'grace.days' -Action 'rds.getGracePeriodDays' -NoHostChange
)
# Every function of the platform API that changes the host.
$MutatingPlatformCommands = @(
    'Set-RdsRegistryValue', 'Remove-RdsRegistryValue', 'New-RdsRegistryKey', 'Remove-RdsRegistryKey', 'Export-RdsRegistryKey',
    'Set-RdsRegistrySddl', 'Set-RdsRegistryOwner', 'Add-RdsRegistryAccessRule', 'Enable-RdsPrivilege',
    'Set-RdsServiceStartMode', 'Start-RdsService', 'Stop-RdsService',
    'Set-RdsSpecifiedLicenseServer', 'Set-RdsLicensingType', 'Restart-RdsHost', 'New-RdsProtectedDirectory'
)

# The host of the grace-period preset: the timebomb value in an NS-owned key, TermService running.
function New-GraceHost {
    $fakeHost = New-RdsFakeHost
    Set-RdsFakeValue -FakeHost $fakeHost -Path $GP -Name $TIMEBOMB -Type 'Binary' -Data '00aa'
    $fakeHost.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
    return $fakeHost
}
