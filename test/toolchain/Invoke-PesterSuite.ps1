<#
.SYNOPSIS
    Runs the Pester tests of the PowerShell this project owns (*.Tests.ps1 beside the code).
.DESCRIPTION
    Imports the Pester module that test/toolchain/install.mjs restored from NuGet, runs every
    *.Tests.ps1 under the given folders, writes JUnit XML and a JSON summary of the counts, and
    exits 1 when a test failed or a container could not run.
.PARAMETER PesterManifest
    Path of Pester.psd1 (.tools/nuget/pester/<version>/tools/Pester.psd1).
.PARAMETER Path
    Folders or files to run; the default is every test the project has.
.PARAMETER JUnitPath
    Where the JUnit XML goes.
.PARAMETER SummaryPath
    Where the JSON summary ({ passed, failed, skipped }) goes.
#>
[CmdletBinding(PositionalBinding = $false)]
param(
    [Parameter(Mandatory = $true)] [string] $PesterManifest,
    [string[]] $Path = @(),
    [string] $JUnitPath = '',
    [string] $SummaryPath = ''
)
$ErrorActionPreference = 'Stop'
if ($null -ne (Get-Variable -Name PSStyle -ErrorAction SilentlyContinue)) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module -Name (Resolve-Path -LiteralPath $PesterManifest).ProviderPath -Force

$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
if ($Path.Count -eq 0) { $Path = @((Join-Path $root 'ps-templates'), (Join-Path $root 'powershell'), (Join-Path $root 'test')) }

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
if ($JUnitPath -ne '') {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'JUnitXml'
    $configuration.TestResult.OutputPath = $JUnitPath
}
$result = Invoke-Pester -Configuration $configuration

# A container that failed to load (a syntax error, a throwing BeforeAll) counts as a failure.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$summary = [ordered]@{ passed = $result.PassedCount; failed = $failed; skipped = $result.SkippedCount + $result.NotRunCount }
Write-Output ('pester: {0} passed, {1} failed, {2} skipped' -f $summary.passed, $summary.failed, $summary.skipped)
if ($SummaryPath -ne '') { [System.IO.File]::WriteAllText($SummaryPath, ($summary | ConvertTo-Json -Compress)) }
if ($failed -gt 0 -or $result.TotalCount -eq 0) { exit 1 }
exit 0
