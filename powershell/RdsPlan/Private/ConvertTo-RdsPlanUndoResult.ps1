function ConvertTo-RdsPlanUndoResult {
    # Objects from `rdsplan undo`: the dry run's review and token, or one result per undo record (read back with show-run, the CLI's JSON, not its text).
    param([string[]]$Line, [string]$Path, [int]$ExitCode, [switch]$DryRun)
    if ($DryRun) {
        $token = $null
        foreach ($one in $Line) {
            if ($one -match '^approval token: (sha256:[0-9a-f]{64})$') {
                $token = $Matches[1]
            }
        }
        return [pscustomobject]@{
            PSTypeName    = 'RdsPlan.UndoPreview'
            Path          = $Path
            ApprovalToken = $token
            Review        = (@($Line) -join [System.Environment]::NewLine).TrimEnd()
        }
    }
    $records = @($Line | Where-Object { $_ -match '^record: .' } | ForEach-Object { $_.Substring('record: '.Length) })
    if ($records.Count -eq 0 -and $ExitCode -ne 0) {
        # Refused or failed before anything ran: the caller's error says why.
        return
    }
    if ($records.Count -eq 0) {
        # Nothing was run (the run changed nothing): the CLI's sentence is the result.
        return [pscustomobject]@{
            PSTypeName = 'RdsPlan.UndoResult'
            Host       = $null
            Status     = 'nothingToUndo'
            ExitCode   = 0
            Restored   = 0
            Error      = $null
            Message    = (@($Line | Where-Object { -not [string]::IsNullOrWhiteSpace($_) }) -join ' ')
            RunId      = $null
            UndoOf     = $Path
            Record     = $null
        }
    }
    foreach ($record in $records) {
        $run = Get-RdsPlanRunRecord -Record $record
        if ($null -eq $run) {
            throw (New-RdsPlanErrorRecord -Message ("rdsplan undo wrote the record '{0}', but rdsplan show-run cannot read it" -f $record) -ErrorId 'RdsPlan.BadOutput' -Category InvalidResult -TargetObject $record)
        }
        $steps = @(Get-RdsPlanProperty $run 'steps')
        $status = Get-RdsPlanProperty $run 'status'
        if ((Get-RdsPlanProperty $run 'complete') -eq $false) {
            $status = 'incomplete'
        }
        $failed = @(Get-RdsPlanStepFailure -Step $steps)
        $runError = Get-RdsPlanProperty $run 'error'
        if ($failed.Count -gt 0) {
            $runError = $failed -join '; '
        }
        [pscustomobject]@{
            PSTypeName = 'RdsPlan.UndoResult'
            Host       = Get-RdsPlanProperty $run 'host'
            Status     = $status
            ExitCode   = Get-RdsPlanProperty $run 'exitCode'
            Restored   = @($steps | Where-Object { $null -ne $_ -and (Get-RdsPlanProperty $_ 'status') -eq 'rolledBack' }).Count
            Error      = $runError
            Message    = Get-RdsPlanProperty (Get-RdsPlanProperty $run 'summary') 'message'
            RunId      = Get-RdsPlanProperty $run 'runId'
            UndoOf     = Get-RdsPlanProperty (Get-RdsPlanProperty $run 'undoOf') 'runId'
            Record     = $record
        }
    }
}
