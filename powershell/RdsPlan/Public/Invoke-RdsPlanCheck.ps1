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
