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
                Change     = [string]$hostError
                Plan       = $planName
                PlanPath   = $PlanPath
                RunId      = Get-RdsPlanProperty $Report 'runId'
            }
            continue
        }
        foreach ($step in $steps) {
            $status = Get-RdsPlanProperty $step 'status'
            $before = Get-RdsPlanProperty $step 'before' -NoEnumerate
            $after = Get-RdsPlanProperty $step 'after' -NoEnumerate
            $message = Get-RdsPlanProperty $step 'message'
            # A failed step's change is its failure: the message says why.
            $change = $message
            if ($status -ne 'failed') {
                $change = ConvertTo-RdsPlanChangeText -Before $before -After $after -Message $message
            }
            [pscustomobject]@{
                PSTypeName = 'RdsPlan.CheckResult'
                Host       = $hostName
                StepId     = Get-RdsPlanProperty $step 'stepId'
                Action     = Get-RdsPlanProperty $step 'action'
                Status     = $status
                Target     = Get-RdsPlanProperty $step 'target'
                Before     = $before
                After      = $after
                Message    = $message
                Change     = [string]$change
                Plan       = $planName
                PlanPath   = $PlanPath
                RunId      = Get-RdsPlanProperty $step 'runId'
            }
        }
    }
}
