function Undo-RdsPlanRun {
    <#
    .SYNOPSIS
        Reverses a recorded run (values, keys, SDDL, start modes), newest change first.
    .DESCRIPTION
        Runs `rdsplan undo <run record folder> --approve <token>` and returns one
        RdsPlan.UndoResult per host: Host, Status, ExitCode, Restored (steps put back), Error
        (the failing step, its action and message), Message, RunId, UndoOf (the run undone) and
        Record (the undo's own record folder, for show-run).
        An undo is approved like an apply: -WhatIf runs `rdsplan undo --dry-run`, which verifies
        the record and returns an RdsPlan.UndoPreview: Path, ApprovalToken and Review (what
        would be restored and what changed since the run); -Approve passes that token. rdsplan refuses a record whose manifest, journal or backups do not
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
        $preview = Undo-RdsPlanRun -Path $run.Record -WhatIf
        Undo-RdsPlanRun -Path $run.Record -Approve $preview.ApprovalToken -Confirm:$false | Where-Object Status -ne 'succeeded'

        Reviews an undo, then runs it with the token of that review and lists a host where it failed.
    .EXAMPLE
        Undo-RdsPlanRun -Path '.\.rdsplan\runs\20261123T070933853Z-reset-rdsh01-rdsh01-3f9a1c2e' -Approve 'sha256:...' -Confirm:$false

        Undoes one run with the token its reviewed dry run printed, without prompting.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.UndoResult (RdsPlan.UndoPreview with -WhatIf)
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('RdsPlan.UndoResult', 'RdsPlan.UndoPreview')]
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
            $lines = @()
            if (-not [string]::IsNullOrEmpty($result.StdOut)) {
                $lines = @($result.StdOut -split '\r?\n')
            }
            if ($result.ExitCode -eq 0 -or -not $WhatIfPreference) {
                try {
                    ConvertTo-RdsPlanUndoResult -Line $lines -Path $recordPath -ExitCode $result.ExitCode -DryRun:$WhatIfPreference
                }
                catch {
                    $PSCmdlet.ThrowTerminatingError($_)
                }
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
