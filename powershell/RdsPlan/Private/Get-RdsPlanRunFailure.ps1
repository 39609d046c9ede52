function Get-RdsPlanRunFailure {
    # Why a host's run did not succeed, for its result object: the failed steps of its run record, else the record's error, else the summary's message.
    param([AllowNull()][string]$Record, [AllowNull()][object]$Summary)
    $runRecord = Get-RdsPlanRunRecord -Record $Record
    $failed = @(Get-RdsPlanStepFailure -Step @(Get-RdsPlanProperty $runRecord 'steps'))
    if ($failed.Count -gt 0) {
        return ($failed -join '; ')
    }
    $recordError = Get-RdsPlanProperty $runRecord 'error'
    if ($null -ne $recordError) {
        return [string]$recordError
    }
    $message = Get-RdsPlanProperty $Summary 'message'
    if ($null -ne $message) {
        return [string]$message
    }
    return $null
}
