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
