function Get-RdsPlanHostError {
    # What failed, from a check/apply report, for when the CLI printed nothing on stderr.
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
        foreach ($failure in @(Get-RdsPlanStepFailure -Step @(Get-RdsPlanProperty $hostRun 'steps'))) {
            $lines.Add(('{0}: {1}' -f $hostName, $failure))
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
