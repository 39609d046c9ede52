#Requires -Version 5.1
<#
    RdsPlan: a thin wrapper that lets existing PowerShell pipelines use the rdsplan CLI
    (dist/rdsplan.mjs). Every public function runs `node rdsplan.mjs <command> ...` and
    turns its JSON output into objects.

    Safety rules this file keeps (review them when you change it):
      - node is started with the call operator and an argument ARRAY (`& $node @arguments`).
        No command string is ever composed, no Invoke-Expression, no Start-Process, no
        script block built from text. Values from parameters or the pipeline are only
        ever single elements of that array.
      - Options come first, then `--`, then the positional file: a file name that looks
        like an option is still a file name to the CLI.
      - stdout (JSON) and stderr (the CLI's one clear message) are kept apart; exit codes
        become ErrorRecords whose message is the CLI's stderr text.
      - Windows PowerShell 5.1 (and PowerShell 7 with $PSNativeCommandArgumentPassing =
        'Legacy') cannot pass an argument containing a double quote intact, and drop a
        trailing backslash of an argument that has spaces: such an argument is refused
        (quote) or made safe (backslashes doubled) before node is started.
      - Runs only on cmdlets that exist in SMA's core module plus Write-*, ConvertFrom-Json,
        Join-Path, Split-Path and Test-Path, and .NET.
      - Windows PowerShell 5.1 and PowerShell 7: no ?:, ??, &&, ||, ?. in this file.
#>

Set-StrictMode -Version 3.0

# Package root: powershell/RdsPlan/ -> the package (dist/, examples/, schemas/ ...).
$script:PackageRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
$script:DefaultCli = [System.IO.Path]::Combine($script:PackageRoot, 'dist', 'rdsplan.mjs')

# Largest number of plan files handed to one `rdsplan validate` (Windows command lines
# are limited to 32767 characters).
$script:ValidateBatchSize = 25

#region private helpers

function New-RdsPlanErrorRecord {
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string]$Message,
        [Parameter(Mandatory = $true)][string]$ErrorId,
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorCategory]$Category,
        [AllowNull()][object]$TargetObject,
        [int]$ExitCode = -1,
        [switch]$NotFound
    )
    if ($NotFound) {
        # Not a RuntimeException: PowerShell 7 would show that as a bare `throw` ("Exception:")
        # instead of naming the public function.
        $exception = [System.IO.FileNotFoundException]::new($Message)
    }
    else {
        $exception = [System.InvalidOperationException]::new($Message)
    }
    if ($ExitCode -ge 0) {
        $exception.Data['ExitCode'] = $ExitCode
    }
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
}

function Get-RdsPlanProperty {
    # A property of a ConvertFrom-Json object, or $null when it is missing (StrictMode-safe).
    # An array value is enumerated (for foreach) unless -NoEnumerate keeps it one value.
    param([AllowNull()][object]$InputObject, [string]$Name, [switch]$NoEnumerate)
    if ($null -eq $InputObject) {
        return $null
    }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) {
        return $null
    }
    if ($NoEnumerate -and $property.Value -is [array]) {
        return , $property.Value
    }
    return $property.Value
}

function ConvertTo-RdsPlanDate {
    # PowerShell 7's ConvertFrom-Json turns ISO 8601 strings into DateTime, 5.1's does not.
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [datetime]) {
        return $Value
    }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind, [ref]$parsed)) {
        return $parsed
    }
    return $Value
}

function Resolve-RdsPlanFileSystemPath {
    # A literal (never wildcard-expanded) path, relative to the current PowerShell location,
    # as a full file-system path. Throws an ErrorRecord for a path outside the file system.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)][string]$LiteralPath,
        [Parameter(Mandatory = $true)][string]$What
    )
    $provider = $null
    $drive = $null
    try {
        $resolved = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($LiteralPath, [ref]$provider, [ref]$drive)
    }
    catch {
        $inner = $_.Exception
        if ($null -ne $inner.InnerException) {
            $inner = $inner.InnerException
        }
        throw (New-RdsPlanErrorRecord -Message ("{0} '{1}' is not a usable file-system path: {2}" -f $What, $LiteralPath, $inner.Message) -ErrorId 'RdsPlan.BadPath' -Category InvalidArgument -TargetObject $LiteralPath)
    }
    if ($null -eq $provider -or $provider.Name -ne 'FileSystem') {
        throw (New-RdsPlanErrorRecord -Message ("{0} '{1}' is not a file-system path" -f $What, $LiteralPath) -ErrorId 'RdsPlan.BadPath' -Category InvalidArgument -TargetObject $LiteralPath)
    }
    # A trailing separator serves no purpose and would meet 5.1's quoting bug (see above).
    $root = [System.IO.Path]::GetPathRoot($resolved)
    if ($null -ne $root -and $resolved.Length -gt $root.Length) {
        $resolved = $resolved.TrimEnd([char[]]@([char]'\', [char]'/'))
    }
    return $resolved
}

function Test-RdsPlanBatchFile {
    # A .cmd/.bat "node" (some version-manager shims) would run through cmd.exe, which
    # re-parses arguments (&, |, %VAR%): never hand plan paths or targets to one.
    param([string]$FilePath)
    $extension = [System.IO.Path]::GetExtension($FilePath)
    return ($extension -eq '.cmd' -or $extension -eq '.bat')
}

function Resolve-RdsPlanNode {
    # node: $env:RDSPLAN_NODE (a path, or a command name looked up on PATH), else `node` on PATH.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configured = [System.Environment]::GetEnvironmentVariable('RDSPLAN_NODE')
    $batchMessage = "rdsplan needs node itself, but {0} is a batch file ('{1}'); batch files pass their arguments through cmd.exe, which re-parses them. Set RDSPLAN_NODE to the path of node.exe."
    if (-not [string]::IsNullOrEmpty($configured)) {
        $looksLikePath = $configured.Contains('\') -or $configured.Contains('/') -or [System.IO.Path]::IsPathRooted($configured)
        if ($looksLikePath) {
            $full = $null
            try {
                $full = Resolve-RdsPlanFileSystemPath -LiteralPath $configured -What 'RDSPLAN_NODE'
            }
            catch {
                $full = $null
            }
            if ($null -eq $full -or -not (Test-Path -LiteralPath $full -PathType Leaf)) {
                throw (New-RdsPlanErrorRecord -NotFound -Message ("Node.js not found: RDSPLAN_NODE is set to '{0}', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH." -f $configured) -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject $configured)
            }
            if (Test-RdsPlanBatchFile $full) {
                throw (New-RdsPlanErrorRecord -Message ($batchMessage -f 'RDSPLAN_NODE', $full) -ErrorId 'RdsPlan.NodeIsBatchFile' -Category InvalidArgument -TargetObject $full)
            }
            return $full
        }
        $named = @(Get-Command -Name $configured -CommandType Application -ErrorAction SilentlyContinue | Where-Object { -not (Test-RdsPlanBatchFile $_.Path) })
        if ($named.Count -eq 0) {
            throw (New-RdsPlanErrorRecord -NotFound -Message ("Node.js not found: RDSPLAN_NODE is set to '{0}', which is not a program on PATH. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later)." -f $configured) -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject $configured)
        }
        return $named[0].Path
    }
    $all = @(Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue)
    $found = @($all | Where-Object { -not (Test-RdsPlanBatchFile $_.Path) })
    if ($found.Count -eq 0) {
        if ($all.Count -gt 0) {
            throw (New-RdsPlanErrorRecord -Message ($batchMessage -f "'node' on PATH", $all[0].Path) -ErrorId 'RdsPlan.NodeIsBatchFile' -Category InvalidArgument -TargetObject $all[0].Path)
        }
        throw (New-RdsPlanErrorRecord -NotFound -Message "Node.js not found: there is no 'node' program on PATH. Install Node.js 20.5 or later, or set RDSPLAN_NODE to the path of node." -ErrorId 'RdsPlan.NodeNotFound' -Category ObjectNotFound -TargetObject 'node')
    }
    return $found[0].Path
}

function Resolve-RdsPlanCli {
    # rdsplan.mjs: $env:RDSPLAN_CLI, else dist/rdsplan.mjs of the package this module is in.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $configured = [System.Environment]::GetEnvironmentVariable('RDSPLAN_CLI')
    if (-not [string]::IsNullOrEmpty($configured)) {
        $full = $null
        try {
            $full = Resolve-RdsPlanFileSystemPath -LiteralPath $configured -What 'RDSPLAN_CLI'
        }
        catch {
            $full = $null
        }
        if ($null -eq $full -or -not (Test-Path -LiteralPath $full -PathType Leaf)) {
            throw (New-RdsPlanErrorRecord -NotFound -Message ("rdsplan CLI not found: RDSPLAN_CLI is set to '{0}', which is not an existing file. Set it to the path of rdsplan.mjs, or remove it to use '{1}'." -f $configured, $script:DefaultCli) -ErrorId 'RdsPlan.CliNotFound' -Category ObjectNotFound -TargetObject $configured)
        }
        return $full
    }
    if (-not (Test-Path -LiteralPath $script:DefaultCli -PathType Leaf)) {
        throw (New-RdsPlanErrorRecord -NotFound -Message ("rdsplan CLI not found: '{0}' does not exist. Build it with 'npm run build' in '{1}', or set RDSPLAN_CLI to the path of rdsplan.mjs." -f $script:DefaultCli, $script:PackageRoot) -ErrorId 'RdsPlan.CliNotFound' -Category ObjectNotFound -TargetObject $script:DefaultCli)
    }
    return $script:DefaultCli
}

function Test-RdsPlanLegacyArgumentPassing {
    # True where native arguments are joined into one command line without escaping quotes:
    # Windows PowerShell 5.1, PowerShell 7.0-7.2, and 7.3+ set to 'Legacy'.
    $variable = $ExecutionContext.SessionState.PSVariable.Get('PSNativeCommandArgumentPassing')
    if ($null -eq $variable) {
        return $true
    }
    return ([string]$variable.Value) -eq 'Legacy'
}

function Invoke-RdsPlanCli {
    <#
        Runs `node rdsplan.mjs @ArgumentList` and returns ExitCode, StdOut, StdErr.
        Throws an ErrorRecord when node or the CLI cannot be found or an argument cannot be
        passed intact. Exit codes are the caller's business.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string[]]$ArgumentList
    )
    $node = Resolve-RdsPlanNode
    $cli = Resolve-RdsPlanCli

    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.Add($cli)
    foreach ($argument in $ArgumentList) {
        $arguments.Add($argument)
    }
    if (Test-RdsPlanLegacyArgumentPassing) {
        for ($i = 0; $i -lt $arguments.Count; $i++) {
            $argument = $arguments[$i]
            if ($argument.Contains('"')) {
                throw (New-RdsPlanErrorRecord -Message ("cannot pass a value containing a double quote to rdsplan intact in this PowerShell (native argument passing is 'Legacy'): {0}" -f $argument) -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $argument)
            }
            if ($argument.Length -eq 0) {
                throw (New-RdsPlanErrorRecord -Message 'cannot pass an empty value to rdsplan in this PowerShell (native argument passing is Legacy)' -ErrorId 'RdsPlan.UnsafeArgument' -Category InvalidArgument -TargetObject $argument)
            }
            # An argument with whitespace is wrapped in quotes; backslashes before that
            # closing quote must be doubled or they escape it.
            if ($argument -match '\s' -and $argument.EndsWith('\')) {
                $trimmed = $argument.TrimEnd([char]'\')
                $count = $argument.Length - $trimmed.Length
                $arguments[$i] = $trimmed + ('\' * (2 * $count))
            }
        }
    }
    $argumentArray = $arguments.ToArray()

    # Local to this function: native stderr lines must not stop us, a non-zero exit is ours
    # to map (PowerShell 7.3+), and arguments are passed as separate strings (7.3+).
    # (Through PSVariable so that Windows PowerShell 5.1, which has neither preference
    # variable, never reads one under StrictMode; Set creates them in this function's scope.)
    $ErrorActionPreference = 'Continue'
    $variables = $ExecutionContext.SessionState.PSVariable
    $variables.Set('PSNativeCommandUseErrorActionPreference', $false)
    $passing = $variables.Get('PSNativeCommandArgumentPassing')
    if ($null -ne $passing -and ([string]$passing.Value) -ne 'Legacy') {
        $variables.Set('PSNativeCommandArgumentPassing', 'Standard')
    }

    # node writes UTF-8; Windows PowerShell decodes native output with the console's encoding.
    $savedEncoding = $null
    try {
        $savedEncoding = [System.Console]::OutputEncoding
        [System.Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
    }
    catch {
        $savedEncoding = $null
    }
    $exitCode = -1
    try {
        $merged = & $node @argumentArray 2>&1
        $exitCode = $LASTEXITCODE
    }
    finally {
        if ($null -ne $savedEncoding) {
            try {
                [System.Console]::OutputEncoding = $savedEncoding
            }
            catch {
                Write-Verbose 'could not restore the console output encoding'
            }
        }
    }

    $stdout = [System.Collections.Generic.List[string]]::new()
    $stderr = [System.Collections.Generic.List[string]]::new()
    foreach ($item in @($merged)) {
        if ($null -eq $item) {
            continue
        }
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            $stderr.Add($item.Exception.Message)
        }
        else {
            $stdout.Add([string]$item)
        }
    }
    [pscustomobject]@{
        ExitCode = [int]$exitCode
        StdOut   = ($stdout.ToArray() -join [System.Environment]::NewLine)
        StdErr   = ($stderr.ToArray() -join [System.Environment]::NewLine).Trim()
    }
}

function New-RdsPlanCliErrorRecord {
    # The ErrorRecord for a CLI exit code: the CLI's stderr text is the message.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][object]$Result,
        [Parameter(Mandatory = $true)][string]$Command,
        [AllowNull()][object]$TargetObject,
        [string]$Fallback
    )
    $message = $Result.StdErr
    if ([string]::IsNullOrEmpty($message)) {
        $message = $Fallback
    }
    if ([string]::IsNullOrEmpty($message)) {
        $message = 'rdsplan {0} exited with code {1}' -f $Command, $Result.ExitCode
    }
    switch ($Result.ExitCode) {
        1 {
            $errorId = 'RdsPlan.Failed'
            $category = [System.Management.Automation.ErrorCategory]::OperationStopped
        }
        2 {
            if ($message -match '(?m)^usage: ') {
                $errorId = 'RdsPlan.Usage'
                $category = [System.Management.Automation.ErrorCategory]::InvalidArgument
            }
            else {
                $errorId = 'RdsPlan.InvalidPlan'
                $category = [System.Management.Automation.ErrorCategory]::InvalidData
            }
        }
        4 {
            $errorId = 'RdsPlan.Refused'
            $category = [System.Management.Automation.ErrorCategory]::PermissionDenied
        }
        default {
            $errorId = 'RdsPlan.UnexpectedExit'
            $category = [System.Management.Automation.ErrorCategory]::NotSpecified
        }
    }
    New-RdsPlanErrorRecord -Message $message -ErrorId $errorId -Category $category -TargetObject $TargetObject -ExitCode $Result.ExitCode
}

function ConvertFrom-RdsPlanCliJson {
    # Parses the CLI's stdout; throws an ErrorRecord (with stderr) when it is not JSON.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Result,
        [Parameter(Mandatory = $true)][string]$Command,
        [AllowNull()][object]$TargetObject
    )
    if ([string]::IsNullOrWhiteSpace($Result.StdOut)) {
        throw (New-RdsPlanCliErrorRecord -Result $Result -Command $Command -TargetObject $TargetObject -Fallback ('rdsplan {0} printed nothing (exit code {1})' -f $Command, $Result.ExitCode))
    }
    try {
        return (ConvertFrom-Json -InputObject $Result.StdOut)
    }
    catch {
        $detail = $Result.StdErr
        if ([string]::IsNullOrEmpty($detail)) {
            $detail = $_.Exception.Message
        }
        throw (New-RdsPlanErrorRecord -Message ('rdsplan {0} did not print JSON (exit code {1}): {2}' -f $Command, $Result.ExitCode, $detail) -ErrorId 'RdsPlan.BadOutput' -Category InvalidResult -TargetObject $TargetObject -ExitCode $Result.ExitCode)
    }
}

function Add-RdsPlanRunArgument {
    # The options check and apply share: targets, simulated host, records, timeout, throttle.
    param(
        [System.Collections.Generic.List[string]]$List,
        [string[]]$Target,
        [string]$Simulate,
        [string]$Records,
        [int]$TimeoutSeconds,
        [int]$ThrottleLimit
    )
    foreach ($name in @($Target)) {
        if ($null -ne $name) {
            $List.Add('--target')
            $List.Add($name)
        }
    }
    if (-not [string]::IsNullOrEmpty($Simulate)) {
        $List.Add('--simulate')
        $List.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $Simulate -What 'Simulate'))
    }
    if (-not [string]::IsNullOrEmpty($Records)) {
        $List.Add('--records')
        $List.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $Records -What 'Records'))
    }
    if ($TimeoutSeconds -gt 0) {
        $List.Add('--timeout')
        $List.Add([string]$TimeoutSeconds)
    }
    if ($ThrottleLimit -gt 0) {
        $List.Add('--throttle')
        $List.Add([string]$ThrottleLimit)
    }
}

function ConvertTo-RdsPlanCheckResult {
    # One object per step per host from `rdsplan check --format json`.
    param([object]$Report, [string]$PlanPath)
    $plan = Get-RdsPlanProperty $Report 'plan'
    $planName = Get-RdsPlanProperty $plan 'name'
    foreach ($hostRun in @(Get-RdsPlanProperty $Report 'hosts')) {
        if ($null -eq $hostRun) {
            continue
        }
        $hostName = Get-RdsPlanProperty $hostRun 'host'
        $steps = @(Get-RdsPlanProperty $hostRun 'steps' | Where-Object { $null -ne $_ })
        $hostError = Get-RdsPlanProperty $hostRun 'error'
        if ($steps.Count -eq 0 -and $null -ne $hostError) {
            # The host failed before any step ran: still one object, so it is not lost.
            [pscustomobject]@{
                PSTypeName = 'RdsPlan.CheckResult'
                Host       = $hostName
                StepId     = $null
                Action     = $null
                Status     = 'failed'
                Target     = $null
                Before     = $null
                After      = $null
                Message    = [string]$hostError
                Plan       = $planName
                PlanPath   = $PlanPath
                RunId      = Get-RdsPlanProperty $Report 'runId'
            }
            continue
        }
        foreach ($step in $steps) {
            [pscustomobject]@{
                PSTypeName = 'RdsPlan.CheckResult'
                Host       = $hostName
                StepId     = Get-RdsPlanProperty $step 'stepId'
                Action     = Get-RdsPlanProperty $step 'action'
                Status     = Get-RdsPlanProperty $step 'status'
                Target     = Get-RdsPlanProperty $step 'target'
                Before     = Get-RdsPlanProperty $step 'before' -NoEnumerate
                After      = Get-RdsPlanProperty $step 'after' -NoEnumerate
                Message    = Get-RdsPlanProperty $step 'message'
                Plan       = $planName
                PlanPath   = $PlanPath
                RunId      = Get-RdsPlanProperty $step 'runId'
            }
        }
    }
}

function Get-RdsPlanHostError {
    # What failed, from a check/apply report, for when the CLI printed nothing on stderr:
    # "rdsplan <command> failed: host: error" or "host: step (action) failed: message".
    param([AllowNull()][object]$Report, [string]$Command)
    $lines = [System.Collections.Generic.List[string]]::new()
    foreach ($hostRun in @(Get-RdsPlanProperty $Report 'hosts')) {
        if ($null -eq $hostRun) {
            continue
        }
        $hostName = Get-RdsPlanProperty $hostRun 'host'
        $hostError = Get-RdsPlanProperty $hostRun 'error'
        if ($null -ne $hostError) {
            $lines.Add(('{0}: {1}' -f $hostName, $hostError))
            continue
        }
        foreach ($step in @(Get-RdsPlanProperty $hostRun 'steps')) {
            if ($null -ne $step -and (Get-RdsPlanProperty $step 'status') -eq 'failed') {
                $lines.Add(('{0}: {1} ({2}) failed: {3}' -f $hostName, (Get-RdsPlanProperty $step 'stepId'), (Get-RdsPlanProperty $step 'action'), (Get-RdsPlanProperty $step 'message')))
            }
        }
        $summary = Get-RdsPlanProperty $hostRun 'summary'
        $status = Get-RdsPlanProperty $summary 'status'
        if ($null -ne $status -and $status -ne 'succeeded' -and $null -ne (Get-RdsPlanProperty $summary 'message')) {
            $lines.Add(('{0}: {1}' -f $hostName, (Get-RdsPlanProperty $summary 'message')))
        }
    }
    if ($lines.Count -eq 0) {
        return ''
    }
    return ('rdsplan {0} failed: {1}' -f $Command, ($lines.ToArray() -join '; '))
}

function Invoke-RdsPlanCheckCore {
    # check --format json for one plan. Returns Rows (the step objects) and Error (an
    # ErrorRecord for exit 1/2 or anything but 0/3, else $null); throws only when node or the
    # CLI cannot run. Callers write Rows, then Error, outside their try/catch, so an error
    # thrown downstream in the user's pipeline is never mistaken for ours.
    param(
        [string]$PlanPath,
        [string[]]$Target,
        [string]$Simulate,
        [string]$Records,
        [int]$TimeoutSeconds,
        [int]$ThrottleLimit
    )
    $cliArguments = [System.Collections.Generic.List[string]]::new()
    $cliArguments.Add('check')
    $cliArguments.Add('--format')
    $cliArguments.Add('json')
    Add-RdsPlanRunArgument -List $cliArguments -Target $Target -Simulate $Simulate -Records $Records -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
    $cliArguments.Add('--')
    $cliArguments.Add($PlanPath)
    $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
    $report = $null
    $errorRecord = $null
    if ($result.ExitCode -eq 0 -or $result.ExitCode -eq 3) {
        try {
            $report = ConvertFrom-RdsPlanCliJson -Result $result -Command 'check' -TargetObject $PlanPath
        }
        catch {
            $errorRecord = $_
        }
    }
    else {
        if (-not [string]::IsNullOrWhiteSpace($result.StdOut)) {
            try {
                $report = ConvertFrom-Json -InputObject $result.StdOut
            }
            catch {
                $report = $null
            }
        }
        $errorRecord = New-RdsPlanCliErrorRecord -Result $result -Command 'check' -TargetObject $PlanPath -Fallback (Get-RdsPlanHostError -Report $report -Command 'check')
    }
    $rows = @()
    if ($null -ne $report) {
        $rows = @(ConvertTo-RdsPlanCheckResult -Report $report -PlanPath $PlanPath)
    }
    [pscustomobject]@{
        Rows  = $rows
        Error = $errorRecord
    }
}

function Invoke-RdsPlanValidateBatch {
    # `rdsplan validate --format json` for a batch of plan files: one result per file, or
    # one ErrorRecord when the whole call failed. Throws when node or the CLI cannot run.
    param(
        [string[]]$Batch
    )
    $cliArguments = [System.Collections.Generic.List[string]]::new()
    $cliArguments.Add('validate')
    $cliArguments.Add('--format')
    $cliArguments.Add('json')
    $cliArguments.Add('--')
    $cliArguments.AddRange($Batch)
    $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
    $reports = $null
    if ($result.ExitCode -eq 0 -or $result.ExitCode -eq 2) {
        try {
            $reports = @(ConvertFrom-RdsPlanCliJson -Result $result -Command 'validate' -TargetObject $Batch[0] | ForEach-Object { $_ })
        }
        catch {
            $reports = $null
        }
    }
    if ($null -eq $reports -or $reports.Count -ne $Batch.Count) {
        return (New-RdsPlanCliErrorRecord -Result $result -Command 'validate' -TargetObject $Batch[0])
    }
    for ($i = 0; $i -lt $Batch.Count; $i++) {
        $report = $reports[$i]
        $diagnostics = [System.Collections.Generic.List[object]]::new()
        foreach ($d in @(Get-RdsPlanProperty $report 'diagnostics')) {
            if ($null -eq $d) {
                continue
            }
            $diagnostics.Add([pscustomobject]@{
                    PSTypeName = 'RdsPlan.Diagnostic'
                    Line       = Get-RdsPlanProperty $d 'line'
                    Column     = Get-RdsPlanProperty $d 'column'
                    Pointer    = Get-RdsPlanProperty $d 'pointer'
                    Severity   = Get-RdsPlanProperty $d 'severity'
                    Code       = Get-RdsPlanProperty $d 'code'
                    Message    = Get-RdsPlanProperty $d 'message'
                })
        }
        [pscustomobject]@{
            PSTypeName  = 'RdsPlan.ValidationResult'
            Path        = $Batch[$i]
            Valid       = [bool](Get-RdsPlanProperty $report 'valid')
            Steps       = Get-RdsPlanProperty $report 'steps'
            Diagnostics = $diagnostics.ToArray()
        }
    }
}

#endregion

#region public functions

function Test-RdsPlan {
    <#
    .SYNOPSIS
        Validates rdsplan plans (schema and policy rules) and returns one result per plan.
    .DESCRIPTION
        Runs `rdsplan validate --format json` and returns one object per plan file with
        Path, Valid, Steps (steps after preset expansion) and Diagnostics (Line, Column,
        Pointer, Severity, Code, Message). An invalid plan is a result with Valid = $false,
        not an error. Paths are literal (no wildcards) and relative to the current location.
        Plans are validated in batches, so a long pipeline starts node only a few times.
    .PARAMETER Path
        One or more plan files. Accepts strings from the pipeline, and objects with a Path
        or FullName property (for example the output of Get-ChildItem).
    .EXAMPLE
        Get-ChildItem .\plans\*.json | Test-RdsPlan | Where-Object { -not $_.Valid }

        Lists the plans that do not validate.
    .EXAMPLE
        (Test-RdsPlan -Path .\plans\reset-rdsh01.json).Diagnostics |
            ForEach-Object { '{0}:{1} {2} {3}' -f $_.Line, $_.Column, $_.Pointer, $_.Message }

        Prints every diagnostic of one plan with its position and JSON pointer.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.ValidationResult
    .NOTES
        Needs Node.js (RDSPLAN_NODE or node on PATH) and rdsplan.mjs (RDSPLAN_CLI or the
        package's dist/rdsplan.mjs).
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.ValidationResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path
    )
    begin {
        $pending = [System.Collections.Generic.List[string]]::new()
    }
    process {
        foreach ($item in $Path) {
            try {
                $pending.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'))
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            if ($pending.Count -ge $script:ValidateBatchSize) {
                $batch = $pending.ToArray()
                $pending.Clear()
                $results = $null
                try {
                    $results = @(Invoke-RdsPlanValidateBatch -Batch $batch)
                }
                catch {
                    $PSCmdlet.ThrowTerminatingError($_)
                }
                foreach ($one in $results) {
                    if ($one -is [System.Management.Automation.ErrorRecord]) {
                        $PSCmdlet.WriteError($one)
                    }
                    else {
                        $one
                    }
                }
            }
        }
    }
    end {
        if ($pending.Count -gt 0) {
            $results = $null
            try {
                $results = @(Invoke-RdsPlanValidateBatch -Batch $pending.ToArray())
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            foreach ($one in $results) {
                if ($one -is [System.Management.Automation.ErrorRecord]) {
                    $PSCmdlet.WriteError($one)
                }
                else {
                    $one
                }
            }
        }
    }
}

function Get-RdsPlanReview {
    <#
    .SYNOPSIS
        Returns the review of a plan: the dry run a change board approves, with the approval token.
    .DESCRIPTION
        Runs `rdsplan review`. Text, markdown and html come back as one string; json comes
        back as an object (schemas/review.schema.json) whose ApprovalToken property is the
        token Invoke-RdsPlan needs. With -OutFile the review is written to that file (html
        and json as the CLI writes them) and the file is returned.
        An invalid plan is a non-terminating error carrying the CLI's diagnostics.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER Format
        text (default), markdown, json or html.
    .PARAMETER OutFile
        Write the review to this file instead of returning it; returns a FileInfo.
    .EXAMPLE
        $review = Get-RdsPlanReview -Path .\plans\reset-rdsh01.json -Format json
        $review.ApprovalToken

        Gets the approval token of a plan.
    .EXAMPLE
        Get-RdsPlanReview -Path .\plans\reset-rdsh01.json -Format markdown -OutFile .\CHG0012345.md

        Writes the review for the change ticket.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        System.String, System.Management.Automation.PSCustomObject (json), System.IO.FileInfo (-OutFile)
    #>
    [CmdletBinding()]
    [OutputType([string], [System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path,

        [ValidateSet('text', 'markdown', 'json', 'html')]
        [string]$Format = 'text',

        [string]$OutFile
    )
    process {
        foreach ($item in $Path) {
            try {
                $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'
                $outPath = $null
                if (-not [string]::IsNullOrEmpty($OutFile)) {
                    $outPath = Resolve-RdsPlanFileSystemPath -LiteralPath $OutFile -What 'OutFile'
                }
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            $cliArguments = [System.Collections.Generic.List[string]]::new()
            $cliArguments.Add('review')
            $cliArguments.Add('--format')
            $cliArguments.Add($Format)
            if ($null -ne $outPath) {
                $cliArguments.Add('--out')
                $cliArguments.Add($outPath)
            }
            $cliArguments.Add('--')
            $cliArguments.Add($planPath)
            try {
                $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if ($result.ExitCode -ne 0) {
                $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'review' -TargetObject $planPath))
                continue
            }
            if ($null -ne $outPath) {
                [System.IO.FileInfo]::new($outPath)
            }
            elseif ($Format -eq 'json') {
                $review = $null
                try {
                    $review = ConvertFrom-RdsPlanCliJson -Result $result -Command 'review' -TargetObject $planPath
                }
                catch {
                    $PSCmdlet.WriteError($_)
                    continue
                }
                $review
            }
            else {
                $result.StdOut
            }
        }
    }
}

function Export-RdsPlanScript {
    <#
    .SYNOPSIS
        Renders a plan into its Windows PowerShell script (UTF-8 with BOM, CRLF).
    .DESCRIPTION
        Runs `rdsplan render --out`. The script is checked by rdsplan before it is written;
        returns the written file. Use -Platform sim for a script that runs against the
        simulated host instead of Windows.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER OutFile
        The .ps1 file to write.
    .PARAMETER Platform
        windows (default) or sim.
    .EXAMPLE
        Export-RdsPlanScript -Path .\plans\reset-rdsh01.json -OutFile .\reset-rdsh01.ps1

        Writes the script a change board approved the review of.
    .EXAMPLE
        Export-RdsPlanScript -Path .\plans\reset-rdsh01.json -OutFile .\reset-sim.ps1 -Platform sim | Test-RdsPlanScript

        Renders the simulated-host script and verifies it.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        System.IO.FileInfo
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string]$Path,

        [Parameter(Mandatory = $true, Position = 1)]
        [string]$OutFile,

        [ValidateSet('windows', 'sim')]
        [string]$Platform = 'windows'
    )
    process {
        try {
            $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $Path -What 'plan path'
            $outPath = Resolve-RdsPlanFileSystemPath -LiteralPath $OutFile -What 'OutFile'
        }
        catch {
            $PSCmdlet.WriteError($_)
            return
        }
        $cliArguments = @('render', '--platform', $Platform, '--out', $outPath, '--', $planPath)
        try {
            $result = Invoke-RdsPlanCli -ArgumentList $cliArguments
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'render' -TargetObject $planPath))
            return
        }
        if (-not [string]::IsNullOrEmpty($result.StdErr)) {
            Write-Verbose $result.StdErr
        }
        [System.IO.FileInfo]::new($outPath)
    }
}

function Test-RdsPlanScript {
    <#
    .SYNOPSIS
        Verifies a PowerShell script (rendered by rdsplan or hand-edited).
    .DESCRIPTION
        Runs `rdsplan verify --format json`: syntax errors, PowerShell 7-only syntax,
        non-literal step arguments and tampering against the header hash. Returns Path, Ok
        and Findings (Line, Column, Severity, Code, Message). A script with findings is a
        result with Ok = $false, not an error.
    .PARAMETER Path
        The script file(s). Accepts pipeline input by value and by the Path or FullName property.
    .EXAMPLE
        Test-RdsPlanScript -Path .\reset-rdsh01.ps1

        Checks one script before it is handed to operations.
    .EXAMPLE
        Get-ChildItem .\scripts\*.ps1 | Test-RdsPlanScript | Where-Object { -not $_.Ok } | ForEach-Object { $_.Findings }

        Lists the findings of every script that fails verification.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.ScriptVerification
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.ScriptVerification')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path
    )
    process {
        foreach ($item in $Path) {
            try {
                $scriptPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'script path'
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            try {
                $result = Invoke-RdsPlanCli -ArgumentList @('verify', '--format', 'json', '--', $scriptPath)
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if ($result.ExitCode -ne 0 -and $result.ExitCode -ne 1) {
                $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'verify' -TargetObject $scriptPath))
                continue
            }
            $report = $null
            try {
                $report = ConvertFrom-RdsPlanCliJson -Result $result -Command 'verify' -TargetObject $scriptPath
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            $findings = [System.Collections.Generic.List[object]]::new()
            foreach ($f in @(Get-RdsPlanProperty $report 'findings')) {
                if ($null -eq $f) {
                    continue
                }
                $findings.Add([pscustomobject]@{
                        PSTypeName = 'RdsPlan.ScriptFinding'
                        Line       = Get-RdsPlanProperty $f 'line'
                        Column     = Get-RdsPlanProperty $f 'column'
                        Severity   = Get-RdsPlanProperty $f 'severity'
                        Code       = Get-RdsPlanProperty $f 'code'
                        Message    = Get-RdsPlanProperty $f 'message'
                    })
            }
            [pscustomobject]@{
                PSTypeName = 'RdsPlan.ScriptVerification'
                Path       = $scriptPath
                Ok         = [bool](Get-RdsPlanProperty $report 'ok')
                Findings   = $findings.ToArray()
            }
        }
    }
}

function Invoke-RdsPlanCheck {
    <#
    .SYNOPSIS
        Live what-if of a plan on its targets (read-only): one result per step per host.
    .DESCRIPTION
        Runs `rdsplan check --format json` and returns one object per step per host with
        Host, StepId, Action, Status (unchanged, wouldChange, skipped, failed ...), Target,
        Before, After and Message. Changes pending (exit code 3) is the normal outcome of a
        plan that has not run yet and is not an error; a failed check (exit 1) or an invalid
        plan or usage (exit 2) is a terminating error whose message is the CLI's, written
        after the step objects that were reported. Nothing depends on $LASTEXITCODE.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER Target
        Check only these targets of the plan (default: all of them).
    .PARAMETER Simulate
        Check against the simulated host instead of Windows: a state file (one target) or a
        folder of <host>.json files.
    .PARAMETER Records
        Folder that holds runs/ and simulated backups (default: the CLI's).
    .PARAMETER TimeoutSeconds
        Seconds before a host's run is killed (default: the plan's timeoutSeconds).
    .PARAMETER ThrottleLimit
        Hosts checked at once (default 16).
    .EXAMPLE
        Invoke-RdsPlanCheck -Path .\plans\reset-rdsh01.json -Target rdsh01 | Where-Object Status -eq 'wouldChange'

        Shows what would change on rdsh01.
    .EXAMPLE
        Invoke-RdsPlanCheck -Path .\plans\reset-rdsh01.json -Simulate .\rehearsal\state.json

        Rehearses the check against a simulated host.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.CheckResult
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.CheckResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path,

        [ValidateNotNullOrEmpty()]
        [string[]]$Target,

        [ValidateNotNullOrEmpty()]
        [string]$Simulate,

        [ValidateNotNullOrEmpty()]
        [string]$Records,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds,

        [ValidateRange(1, 1024)]
        [int]$ThrottleLimit
    )
    process {
        foreach ($item in $Path) {
            $outcome = $null
            try {
                $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'
                $outcome = Invoke-RdsPlanCheckCore -PlanPath $planPath -Target $Target -Simulate $Simulate -Records $Records -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            foreach ($row in $outcome.Rows) {
                $row
            }
            if ($null -ne $outcome.Error) {
                $PSCmdlet.ThrowTerminatingError($outcome.Error)
            }
        }
    }
}

function Invoke-RdsPlan {
    <#
    .SYNOPSIS
        Applies a plan exactly as approved, on its targets or the simulated host.
    .DESCRIPTION
        Runs `rdsplan apply --format json --approve <token>`. rdsplan refuses a token that is
        not the plan's current approval token (the plan, the tool or the script changed since
        the review): that is a terminating PermissionDenied error and nothing runs. Returns one
        object per host with Host, ExitCode, Status, Record (the run record folder, for
        Undo-RdsPlanRun and show-run), Error and Counts. A failed run (exit 1) writes the host
        objects and then a terminating error with the CLI's message.

        ConfirmImpact is High: PowerShell asks before applying unless -Confirm:$false is
        given (or $ConfirmPreference is None). In a non-interactive session pass
        -Confirm:$false. -WhatIf runs Invoke-RdsPlanCheck with the same targets instead and
        returns its step objects.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER ApprovalToken
        The token from the approved review (Get-RdsPlanReview -Format json).ApprovalToken,
        `sha256:` and 64 hex digits.
    .PARAMETER Target
        Apply only on these targets of the plan (default: all of them).
    .PARAMETER Simulate
        Apply to the simulated host instead of Windows: a state file (one target) or a folder
        of <host>.json files.
    .PARAMETER ExpectState
        A file with the output of `rdsplan check --format json` taken when the plan was
        approved; the apply is refused when a host changed since.
    .PARAMETER Records
        Folder that holds runs/ (default: the plan's backup folder on Windows, .\.rdsplan elsewhere).
    .PARAMETER TimeoutSeconds
        Seconds before a host's run is killed (default: the plan's timeoutSeconds).
    .PARAMETER ThrottleLimit
        Hosts run at once (default 16).
    .EXAMPLE
        $token = (Get-RdsPlanReview -Path .\plans\reset-rdsh01.json -Format json).ApprovalToken
        Invoke-RdsPlan -Path .\plans\reset-rdsh01.json -ApprovalToken $token -WhatIf

        Shows what the apply would change (a check), without changing anything.
    .EXAMPLE
        Invoke-RdsPlan -Path .\plans\reset-rdsh01.json -ApprovalToken $token -Target rdsh01 -Confirm:$false |
            Where-Object ExitCode -ne 0

        Applies the approved plan on rdsh01 without prompting and lists hosts that failed.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.ApplyResult (RdsPlan.CheckResult with -WhatIf)
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('RdsPlan.ApplyResult', 'RdsPlan.CheckResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string]$Path,

        [Parameter(Mandatory = $true)]
        [ValidatePattern('^sha256:[0-9a-fA-F]{64}$')]
        [string]$ApprovalToken,

        [ValidateNotNullOrEmpty()]
        [string[]]$Target,

        [ValidateNotNullOrEmpty()]
        [string]$Simulate,

        [ValidateNotNullOrEmpty()]
        [string]$ExpectState,

        [ValidateNotNullOrEmpty()]
        [string]$Records,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds,

        [ValidateRange(1, 1024)]
        [int]$ThrottleLimit
    )
    process {
        try {
            $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $Path -What 'plan path'
            $expectPath = $null
            if (-not [string]::IsNullOrEmpty($ExpectState)) {
                $expectPath = Resolve-RdsPlanFileSystemPath -LiteralPath $ExpectState -What 'ExpectState'
            }
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        $where = 'every target of the plan'
        if ($null -ne $Target -and $Target.Count -gt 0) {
            $where = $Target -join ', '
        }
        if (-not [string]::IsNullOrEmpty($Simulate)) {
            $where = '{0} (simulated host {1})' -f $where, $Simulate
        }
        $shouldTarget = '{0} on {1}' -f $planPath, $where
        $shouldAction = 'Apply plan approved as {0}' -f $ApprovalToken
        if (-not $PSCmdlet.ShouldProcess($shouldTarget, $shouldAction)) {
            if ($WhatIfPreference) {
                $outcome = $null
                try {
                    $outcome = Invoke-RdsPlanCheckCore -PlanPath $planPath -Target $Target -Simulate $Simulate -Records $Records -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
                }
                catch {
                    $PSCmdlet.ThrowTerminatingError($_)
                }
                foreach ($row in $outcome.Rows) {
                    $row
                }
                if ($null -ne $outcome.Error) {
                    $PSCmdlet.ThrowTerminatingError($outcome.Error)
                }
            }
            return
        }

        $cliArguments = [System.Collections.Generic.List[string]]::new()
        $cliArguments.Add('apply')
        $cliArguments.Add('--format')
        $cliArguments.Add('json')
        $cliArguments.Add('--approve')
        $cliArguments.Add($ApprovalToken)
        try {
            Add-RdsPlanRunArgument -List $cliArguments -Target $Target -Simulate $Simulate -Records $Records -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
            if ($null -ne $expectPath) {
                $cliArguments.Add('--expect-state')
                $cliArguments.Add($expectPath)
            }
            $cliArguments.Add('--')
            $cliArguments.Add($planPath)
            $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }

        $report = $null
        if (-not [string]::IsNullOrWhiteSpace($result.StdOut)) {
            try {
                $report = ConvertFrom-Json -InputObject $result.StdOut
            }
            catch {
                $report = $null
            }
        }
        if ($null -ne $report) {
            foreach ($hostRun in @(Get-RdsPlanProperty $report 'hosts')) {
                if ($null -eq $hostRun) {
                    continue
                }
                $summary = Get-RdsPlanProperty $hostRun 'summary'
                $hostError = Get-RdsPlanProperty $hostRun 'error'
                $status = Get-RdsPlanProperty $summary 'status'
                if ($null -eq $status) {
                    $status = 'failed'
                    if ($null -eq $hostError) {
                        $status = 'incomplete'
                    }
                }
                [pscustomobject]@{
                    PSTypeName = 'RdsPlan.ApplyResult'
                    Host       = Get-RdsPlanProperty $hostRun 'host'
                    ExitCode   = Get-RdsPlanProperty $hostRun 'exitCode'
                    Status     = $status
                    Record     = Get-RdsPlanProperty $hostRun 'record'
                    Error      = $hostError
                    Counts     = Get-RdsPlanProperty $summary 'counts' -NoEnumerate
                    RunId      = Get-RdsPlanProperty $summary 'runId'
                    PlanPath   = $planPath
                }
            }
        }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.ThrowTerminatingError((New-RdsPlanCliErrorRecord -Result $result -Command 'apply' -TargetObject $planPath -Fallback (Get-RdsPlanHostError -Report $report -Command 'apply')))
        }
        if ($null -eq $report) {
            $PSCmdlet.ThrowTerminatingError((New-RdsPlanErrorRecord -Message ('rdsplan apply succeeded but did not print JSON: {0}' -f $result.StdOut) -ErrorId 'RdsPlan.BadOutput' -Category InvalidResult -TargetObject $planPath -ExitCode 0))
        }
    }
}

function Undo-RdsPlanRun {
    <#
    .SYNOPSIS
        Reverses a recorded run (values, keys, SDDL, start modes), newest change first.
    .DESCRIPTION
        Runs `rdsplan undo <run record folder> --approve <token>` and returns its report lines.
        An undo is approved like an apply: -WhatIf runs `rdsplan undo --dry-run`, which verifies
        the record and returns what would be restored and the undo's approval token; -Approve
        passes that token. rdsplan refuses a record whose manifest, journal or backups do not
        verify, a run already undone, and a wrong token. ConfirmImpact is High: PowerShell asks
        first unless -Confirm:$false is given. A failure is a terminating error with the CLI's
        message.
    .PARAMETER Path
        The run record folder (Record of Invoke-RdsPlan, Path of Get-RdsPlanRun). Accepts
        pipeline input by value and by the Path or FullName property.
    .PARAMETER Approve
        The undo's approval token (sha256:...), as -WhatIf printed it after review.
    .PARAMETER Simulate
        Undo on the simulated host: the state file the run used (required for a simulated run).
    .PARAMETER TimeoutSeconds
        Seconds before the undo is killed (default 1800).
    .EXAMPLE
        Get-RdsPlanRun -Records .\.rdsplan | Where-Object Plan -eq 'reset-grace-period-rdsh01' | Undo-RdsPlanRun -WhatIf

        Shows what undoing those runs would restore, and each undo's approval token.
    .EXAMPLE
        Undo-RdsPlanRun -Path 'C:\ProgramData\rdsplan\backups\runs\20261123T070933853Z-reset-rdsh01-rdsh01-3f9a1c2e' -Approve 'sha256:...' -Confirm:$false

        Undoes one run with the token its reviewed dry run printed, without prompting.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        System.String
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path,

        [ValidatePattern('^sha256:[0-9a-f]{64}$')]
        [string]$Approve,

        [ValidateNotNullOrEmpty()]
        [string]$Simulate,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds
    )
    process {
        foreach ($item in $Path) {
            try {
                $recordPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'run record folder'
                $simulatePath = $null
                if (-not [string]::IsNullOrEmpty($Simulate)) {
                    $simulatePath = Resolve-RdsPlanFileSystemPath -LiteralPath $Simulate -What 'Simulate'
                }
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            $cliArguments = [System.Collections.Generic.List[string]]::new()
            $cliArguments.Add('undo')
            if ($PSCmdlet.ShouldProcess($recordPath, 'Undo the recorded run')) {
                if (-not [string]::IsNullOrEmpty($Approve)) {
                    $cliArguments.Add('--approve')
                    $cliArguments.Add($Approve)
                }
                if ($TimeoutSeconds -gt 0) {
                    $cliArguments.Add('--timeout')
                    $cliArguments.Add([string]$TimeoutSeconds)
                }
            }
            elseif ($WhatIfPreference) {
                $cliArguments.Add('--dry-run')
            }
            else {
                continue
            }
            # The dry run verifies the record against the same host state as the undo.
            if ($null -ne $simulatePath) {
                $cliArguments.Add('--simulate')
                $cliArguments.Add($simulatePath)
            }
            $cliArguments.Add('--')
            $cliArguments.Add($recordPath)
            try {
                $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if (-not [string]::IsNullOrEmpty($result.StdOut)) {
                $result.StdOut -split '\r?\n'
            }
            if ($result.ExitCode -ne 0) {
                $PSCmdlet.ThrowTerminatingError((New-RdsPlanCliErrorRecord -Result $result -Command 'undo' -TargetObject $recordPath))
            }
            if (-not [string]::IsNullOrEmpty($result.StdErr)) {
                Write-Warning $result.StdErr
            }
        }
    }
}

function Get-RdsPlanRun {
    <#
    .SYNOPSIS
        Lists the recorded runs, oldest first.
    .DESCRIPTION
        Runs `rdsplan runs --format json` and returns one object per run record with Path
        (the record folder), RunId, StartedAt, Plan, Host, Mode, Status and ExitCode. Pipe
        them to Undo-RdsPlanRun.
    .PARAMETER Records
        The folder that holds runs/ (default: .rdsplan in the current location).
    .EXAMPLE
        Get-RdsPlanRun | Where-Object Status -ne 'succeeded'

        Lists the runs that did not succeed.
    .EXAMPLE
        Get-RdsPlanRun -Records 'C:\ProgramData\rdsplan\backups' | Where-Object Host -eq 'rdsh01'

        Lists the runs on rdsh01 recorded in the Windows default folder.
    .OUTPUTS
        RdsPlan.RunRecord
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.RunRecord')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Records
    )
    try {
        if ([string]::IsNullOrEmpty($Records)) {
            $recordsPath = Resolve-RdsPlanFileSystemPath -LiteralPath '.rdsplan' -What 'Records'
        }
        else {
            $recordsPath = Resolve-RdsPlanFileSystemPath -LiteralPath $Records -What 'Records'
        }
        $result = Invoke-RdsPlanCli -ArgumentList @('runs', '--format', 'json', '--records', $recordsPath)
        if ($result.ExitCode -ne 0) {
            throw (New-RdsPlanCliErrorRecord -Result $result -Command 'runs' -TargetObject $recordsPath)
        }
        $rows = ConvertFrom-RdsPlanCliJson -Result $result -Command 'runs' -TargetObject $recordsPath
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    foreach ($row in @($rows)) {
        if ($null -eq $row) {
            continue
        }
        [pscustomobject]@{
            PSTypeName = 'RdsPlan.RunRecord'
            Path       = Get-RdsPlanProperty $row 'dir'
            RunId      = Get-RdsPlanProperty $row 'runId'
            StartedAt  = ConvertTo-RdsPlanDate (Get-RdsPlanProperty $row 'startedAt')
            Plan       = Get-RdsPlanProperty $row 'plan'
            Host       = Get-RdsPlanProperty $row 'host'
            Mode       = Get-RdsPlanProperty $row 'mode'
            Status     = Get-RdsPlanProperty $row 'status'
            ExitCode   = Get-RdsPlanProperty $row 'exitCode'
        }
    }
}

#endregion

Export-ModuleMember -Function @(
    'Test-RdsPlan'
    'Get-RdsPlanReview'
    'Export-RdsPlanScript'
    'Test-RdsPlanScript'
    'Invoke-RdsPlanCheck'
    'Invoke-RdsPlan'
    'Undo-RdsPlanRun'
    'Get-RdsPlanRun'
)
