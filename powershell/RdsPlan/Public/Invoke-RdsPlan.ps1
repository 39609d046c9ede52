function Invoke-RdsPlan {
    <#
    .SYNOPSIS
        Applies a plan exactly as approved, on its targets or the simulated host.
    .DESCRIPTION
        Runs `rdsplan apply --format json --approve <token>`. rdsplan refuses a token that is
        not the plan's current approval token (the plan, the tool or the script changed since
        the review): that is a terminating PermissionDenied error and nothing runs. Returns one
        object per host with Host, ExitCode, Status, Record (the run record folder, for
        Undo-RdsPlanRun and show-run), Error and Counts. Error names what failed on that host:
        the failing step, its action and message (from the host's run record), or why the host
        could not run. A failed run (exit 1) writes the host objects and then a terminating
        error with the CLI's message.

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
        $failures = [System.Collections.Generic.List[string]]::new()
        if ($null -ne $report) {
            foreach ($hostRun in @(Get-RdsPlanProperty $report 'hosts')) {
                if ($null -eq $hostRun) {
                    continue
                }
                $hostName = Get-RdsPlanProperty $hostRun 'host'
                $summary = Get-RdsPlanProperty $hostRun 'summary'
                $record = Get-RdsPlanProperty $hostRun 'record'
                $hostError = Get-RdsPlanProperty $hostRun 'error'
                $status = Get-RdsPlanProperty $summary 'status'
                if ($null -eq $status) {
                    $status = 'failed'
                    if ($null -eq $hostError) {
                        $status = 'incomplete'
                    }
                }
                if ($null -eq $hostError -and $status -ne 'succeeded') {
                    $hostError = Get-RdsPlanRunFailure -Record $record -Summary $summary
                }
                if (-not [string]::IsNullOrEmpty($hostError)) {
                    $failures.Add(('{0}: {1}' -f $hostName, $hostError))
                }
                [pscustomobject]@{
                    PSTypeName = 'RdsPlan.ApplyResult'
                    Host       = $hostName
                    ExitCode   = Get-RdsPlanProperty $hostRun 'exitCode'
                    Status     = $status
                    Record     = $record
                    Error      = $hostError
                    Counts     = Get-RdsPlanProperty $summary 'counts' -NoEnumerate
                    RunId      = Get-RdsPlanProperty $summary 'runId'
                    PlanPath   = $planPath
                }
            }
        }
        $fallback = ''
        if ($failures.Count -gt 0) {
            $fallback = 'rdsplan apply failed: {0}' -f ($failures.ToArray() -join '; ')
        }
        if ($result.ExitCode -ne 0) {
            $PSCmdlet.ThrowTerminatingError((New-RdsPlanCliErrorRecord -Result $result -Command 'apply' -TargetObject $planPath -Fallback $fallback))
        }
        if ($null -eq $report) {
            $PSCmdlet.ThrowTerminatingError((New-RdsPlanErrorRecord -Message ('rdsplan apply succeeded but did not print JSON: {0}' -f $result.StdOut) -ErrorId 'RdsPlan.BadOutput' -Category InvalidResult -TargetObject $planPath -ExitCode 0))
        }
    }
}
