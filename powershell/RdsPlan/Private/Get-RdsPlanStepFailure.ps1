function Get-RdsPlanStepFailure {
    # "stepId (action) failed: message" for each failed step of a check report or run record.
    param([AllowNull()][object[]]$Step)
    foreach ($one in @($Step)) {
        if ($null -ne $one -and (Get-RdsPlanProperty $one 'status') -eq 'failed') {
            '{0} ({1}) failed: {2}' -f (Get-RdsPlanProperty $one 'stepId'), (Get-RdsPlanProperty $one 'action'), (Get-RdsPlanProperty $one 'message')
        }
    }
}
