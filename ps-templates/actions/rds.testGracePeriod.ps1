# rdsplan action: rds.testGracePeriod (internal, read-only; the first step of rds.resetGracePeriod)
# Decides whether a grace-period reset is due: the desired state is "enough days left"
# (DOMAIN.md: TermService writes a fresh timebomb value when it starts, so "value absent" is
# never a lasting state). In desired state when GetGracePeriodDays answers at least
# MinimumDaysLeft; an expired grace period (0x80070002) counts as 0 days. The preset's reset
# steps depend on this step with RunWhen 'changed': a host with enough days skips them all and
# TermService is not restarted. When a reset is due the step reports wouldChange (check) or
# changed (apply) without touching the host; its definition says it changes the host (no
# -NoHostChange on its step call) because a due reset is a pending change of the host (check exits 3 even when only the restart would act).
# A days count that cannot be read fails the step, so nothing of the reset runs.
# Parameters: MinimumDaysLeft (days left below which a reset is due).

Register-RdsAction -Name 'rds.testGracePeriod' -Test 'Test-RdsGracePeriodDueStep' -Set 'Set-RdsGracePeriodDueStep' -Undo 'Undo-RdsNothingStep'

# Test of rds.testGracePeriod: in desired state when at least MinimumDaysLeft grace days are left (expired counts as 0).
function Test-RdsGracePeriodDueStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    if (-not $Parameters.ContainsKey('MinimumDaysLeft')) { throw 'internal error: rds.testGracePeriod needs MinimumDaysLeft' }
    $minimum = [int]$Parameters.MinimumDaysLeft
    $read = Read-RdsGracePeriodDays
    if ($null -eq $read.DaysLeft) { throw ('cannot tell whether a reset is due: GetGracePeriodDays failed: ' + $read.Error) }
    $days = [int]$read.DaysLeft
    $left = [string]$days + ' day(s) left'
    if ($read.Expired) { $left = 'the grace period has expired (GetGracePeriodDays: ' + (Format-RdsErrorCode -Code $read.ErrorCode) + '), counted as 0 days left' }
    $state = @{ DaysLeft = $days; Expired = [bool]$read.Expired; MinimumDaysLeft = $minimum }
    if ($days -ge $minimum) {
        return @{ InDesiredState = $true; Target = 'RD Session Host grace period'; Operation = 'Reset the grace period'; Before = $state; After = $state; Message = 'no reset due: ' + $left + ' (a reset is due below ' + $minimum + ')' }
    }
    return @{
        InDesiredState = $false; Target = 'RD Session Host grace period'; Operation = 'Reset the grace period (' + $left + ', fewer than ' + $minimum + ')'
        Before = $state; After = $state; Message = 'reset due: ' + $left + ', fewer than ' + $minimum
    }
}

# Set of rds.testGracePeriod: changes nothing; reports that the reset is due so that the steps depending on it run.
function Set-RdsGracePeriodDueStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    return @{ After = $Test.After; Backup = $null; Undo = $null; Message = [string]$Test.Message }
}
