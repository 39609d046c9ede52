<#
.SYNOPSIS
    Shared setup of the Pester tests of powershell/RdsPlan (the module admins import).
.DESCRIPTION
    Dot-source in BeforeAll, import the module and restore the environment afterwards:
        BeforeAll {
            . (Join-Path $PSScriptRoot '../../test/support/pester/RdsPlanModule.ps1')
            $script:savedEnvironment = Initialize-RdsPlanModuleTest
        }
        AfterAll { Clear-RdsPlanModuleTest -SavedEnvironment $script:savedEnvironment }
    Dot-sourcing only defines paths and functions, so BeforeDiscovery may dot-source it too.
    The module starts the built CLI (dist/rdsplan.mjs) with node from PATH; check, apply and
    undo run their script in the pwsh of .tools/ (RDSPLAN_POWERSHELL) against a simulated
    host whose state file lives in TestDrive:, so nothing touches a real host.
#>

$RdsPlanRepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../..'))
$RdsPlanModuleRoot = Join-Path $RdsPlanRepoRoot 'powershell/RdsPlan'
$RdsPlanManifestPath = Join-Path $RdsPlanModuleRoot 'RdsPlan.psd1'
# The loader; the functions are in Public/ and Private/ (Get-RdsPlanModuleSourceFile).
$RdsPlanModuleSourcePath = Join-Path $RdsPlanModuleRoot 'RdsPlan.psm1'
$RdsPlanCliPath = Join-Path $RdsPlanRepoRoot 'dist/rdsplan.mjs'
$RdsPlanPowerShellPath = Join-Path $RdsPlanRepoRoot '.tools/pwsh/pwsh'
$RdsPlanExamplesPath = Join-Path $RdsPlanRepoRoot 'examples'
$RdsPlanResetExample = Join-Path $RdsPlanExamplesPath 'reset-grace-period.json'
$RdsPlanPackageVersion = (Get-Content -LiteralPath (Join-Path $RdsPlanRepoRoot 'package.json') -Raw | ConvertFrom-Json).version

# The facts of examples/reset-grace-period.json the tests name again and again.
$RdsPlanResetPlanName = 'reset-grace-period-rdsh01'
$RdsPlanResetSteps = @('grace.restart.sessions', 'grace.due', 'grace.export', 'grace.own', 'grace.delete', 'grace.restore', 'grace.restart', 'grace.days')
$RdsPlanGracePeriodKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
$RdsPlanTimebombName = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588'

# A plan with one error at a known position: line 5, column 36 is the action's value.
$RdsPlanBrokenPlanText = "{`n  `"apiVersion`": `"rdsplan/v1`",`n  `"name`": `"x`",`n  `"targets`": [`"localhost`"],`n  `"steps`": [{ `"id`": `"g`", `"action`": `"rds.resetGracePeriodd`" }]`n}`n"
$RdsPlanBrokenPlanDiagnostic = 'unknown action "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)'

# The variables a test may change; Initialize saves them and Clear puts them back.
$RdsPlanEnvironmentNames = @('RDSPLAN_POWERSHELL', 'RDSPLAN_NODE', 'RDSPLAN_CLI')

function Get-RdsPlanExportedCommandName {
    # The public functions the module must export, sorted: the manifest and help tests' expectation.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    'Export-RdsPlanScript', 'Get-RdsLicensingDiagnosis', 'Get-RdsPlanReview', 'Get-RdsPlanRun', 'Invoke-RdsPlan', 'Invoke-RdsPlanCheck', 'Test-RdsPlan', 'Test-RdsPlanScript', 'Undo-RdsPlanRun'
}

function Get-RdsPlanModuleFolderFile {
    # Every file under the module's Public/ or Private/, at any depth, in ordinal order (none when the folder is missing).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][ValidateSet('Public', 'Private')][string]$Folder)
    $path = Join-Path $RdsPlanModuleRoot $Folder
    if (-not [System.IO.Directory]::Exists($path)) {
        return
    }
    $files = [System.IO.Directory]::GetFiles($path, '*', [System.IO.SearchOption]::AllDirectories)
    [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
    $files
}

function Get-RdsPlanModuleSourceFile {
    # What the module's static rules scan: the loader and every file under Private/ and Public/.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $RdsPlanModuleSourcePath
    Get-RdsPlanModuleFolderFile -Folder Private
    Get-RdsPlanModuleFolderFile -Folder Public
}

function Initialize-RdsPlanModuleTest {
    # Imports the module by path and points the CLI at the toolchain's pwsh; returns what Clear restores.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $saved = Save-RdsPlanEnvironment
    if (-not (Test-Path -LiteralPath $RdsPlanPowerShellPath -PathType Leaf)) {
        throw "$RdsPlanPowerShellPath is missing: run 'npm run toolchain'"
    }
    if (-not (Test-Path -LiteralPath $RdsPlanCliPath -PathType Leaf)) {
        throw "$RdsPlanCliPath is missing: run 'npm run build'"
    }
    [System.Environment]::SetEnvironmentVariable('RDSPLAN_POWERSHELL', $RdsPlanPowerShellPath)
    Import-Module -Name $RdsPlanManifestPath -Force -ErrorAction Stop
    $saved
}

function Clear-RdsPlanModuleTest {
    # Removes the module and puts back the environment Initialize found.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][hashtable]$SavedEnvironment)
    Restore-RdsPlanEnvironment -SavedEnvironment $SavedEnvironment
    Remove-Module -Name RdsPlan -Force -ErrorAction SilentlyContinue
}

function Save-RdsPlanEnvironment {
    # The environment variables the module reads, for Restore-RdsPlanEnvironment.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $saved = @{}
    foreach ($name in $RdsPlanEnvironmentNames) {
        $saved[$name] = [System.Environment]::GetEnvironmentVariable($name)
    }
    $saved
}

function Restore-RdsPlanEnvironment {
    # Tests that set RDSPLAN_NODE or RDSPLAN_CLI must not leak them into the next test.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][hashtable]$SavedEnvironment)
    foreach ($name in $SavedEnvironment.Keys) {
        [System.Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name])
    }
}

function New-RdsPlanBrokenPlan {
    # Writes the plan with the one known error and returns its full path.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string]$Path)
    [System.IO.File]::WriteAllText($Path, $RdsPlanBrokenPlanText)
    $Path
}

function Get-RdsPlanApprovalToken {
    # The approval token of a plan, from the module's own review.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string]$Path)
    (Get-RdsPlanReview -Path $Path -Format json -ErrorAction Stop).ApprovalToken
}

function Get-RdsPlanTimebombData {
    # The saved simulated host's timebomb data ($null when absent); no state file throws, so no assertion passes by default.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string]$StateFile)
    if (-not (Test-Path -LiteralPath $StateFile -PathType Leaf)) {
        throw "the simulated host saved no state file at '$StateFile'"
    }
    $state = Get-Content -LiteralPath $StateFile -Raw | ConvertFrom-Json -AsHashtable
    if (-not $state.ContainsKey('registry')) {
        throw "the state file '$StateFile' has no registry"
    }
    $keys = @($state['registry'].Keys | Where-Object { $_ -eq $RdsPlanGracePeriodKey })
    if ($keys.Count -ne 1) {
        throw "the state file '$StateFile' has $($keys.Count) GracePeriod keys"
    }
    $values = @($state['registry'][$keys[0]]['values'])
    $timebomb = @($values | Where-Object { $_['name'] -ceq $RdsPlanTimebombName })
    if ($timebomb.Count -eq 0) { return $null }
    [string]$timebomb[0]['data']
}

function Get-RdsPlanInjectedLine {
    # The lines that a successful `Write-Host PWNED` (or similar) injection would have produced.
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][AllowEmptyCollection()][object[]]$InputObject)
    foreach ($item in @($InputObject)) {
        foreach ($line in ([string]$item -split '\r?\n')) {
            if ($line -match '^\s*PWNED\d*\s*$') { $line }
        }
    }
}

function Invoke-RdsPlanTranscribedCommand {
    # Output and host text of a script block: ShouldProcess writes "What if:" to the host, beyond any redirection.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][scriptblock]$ScriptBlock)
    $transcript = Join-Path $TestDrive ('transcript-{0}.txt' -f [guid]::NewGuid().ToString('n'))
    $null = Start-Transcript -LiteralPath $transcript -UseMinimalHeader
    try {
        $output = @(& $ScriptBlock)
    }
    finally {
        $null = Stop-Transcript
    }
    [pscustomobject]@{
        Output = $output
        Host   = [System.IO.File]::ReadAllText($transcript)
    }
}

function Invoke-RdsPlanChildSession {
    # A new non-interactive pwsh with the module, for what only a process shows: the console, nobody to confirm.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][scriptblock]$ScriptBlock,
        # Test data (RDSPLAN_T_*) goes here, never into the script's text.
        [hashtable]$Environment = @{},
        [int]$TimeoutSeconds = 120
    )
    $file = Join-Path $TestDrive ('child-{0}.ps1' -f [guid]::NewGuid().ToString('n'))
    $text = "`$ErrorActionPreference = 'Stop'`nImport-Module -Name `$env:RDSPLAN_T_MODULE`n" + $ScriptBlock.ToString()
    [System.IO.File]::WriteAllText($file, $text)
    $start = [System.Diagnostics.ProcessStartInfo]::new($RdsPlanPowerShellPath)
    foreach ($argument in @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $file)) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.WorkingDirectory = $TestDrive
    $start.Environment['NO_COLOR'] = '1'
    $start.Environment['TERM'] = 'dumb'
    $start.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
    $start.Environment['RDSPLAN_POWERSHELL'] = $RdsPlanPowerShellPath
    $start.Environment['RDSPLAN_T_MODULE'] = $RdsPlanManifestPath
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = [string]$Environment[$name]
    }
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "the child pwsh did not finish within $TimeoutSeconds s"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            StdOut   = $stdout.GetAwaiter().GetResult()
            StdErr   = $stderr.GetAwaiter().GetResult()
        }
    }
    finally {
        $process.Dispose()
    }
}
