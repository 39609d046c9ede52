# rdsplan action: rds.getGracePeriodDays (internal, read-only verification)
# Reads Win32_TerminalServiceSetting.GetGracePeriodDays after a reset. Always 'unchanged' with
# After = @{ DaysLeft = n } (0 when the grace period has expired: 0x80070002; $null when it
# cannot be read). It never fails and so never rolls a reset back: what it cannot read, or a
# reset that did not take (fewer than MinimumDaysLeft after the restart), is a warning in its
# message. The value is stale until TermService restarts: the renderer places this step after
# the restart; when the restart step (RestartStep) changed something in this run, the read is
# retried for a bounded time (runtime/Errors.ps1).
# Parameters: RestartStep (optional: the id of the TermService restart step),
# MinimumDaysLeft (optional: the reset's threshold, for the check after the restart).

Register-RdsAction -Name 'rds.getGracePeriodDays' -Test 'Test-RdsGracePeriodDaysStep' -Set 'Set-RdsReadOnlyStep' -Undo 'Undo-RdsNothingStep'

# Test of rds.getGracePeriodDays: reports the days left; always in desired state, never throws.
function Test-RdsGracePeriodDaysStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    try {
        $restartStep = [string](Get-RdsParameter -Parameters $Parameters -Name 'RestartStep' -Default '')
        $minimum = Get-RdsParameter -Parameters $Parameters -Name 'MinimumDaysLeft' -Default $null
        $restarted = ($restartStep -ne '' -and $Context.Steps.Contains($restartStep) -and [string]$Context.Steps[$restartStep] -eq 'changed')
        $read = Read-RdsGracePeriodDays -AfterRestart:$restarted
        $days = $read.DaysLeft
        $tries = ''
        if ($restarted -and $read.Attempts -gt 1) { $tries = ' (' + $read.Attempts + ' reads in ' + [long]($read.ElapsedMilliseconds / 1000) + ' s after the TermService restart)' }
        if ($null -eq $days) { $message = 'warning: GetGracePeriodDays could not be read: ' + $read.Error + $tries }
        elseif ($read.Expired -and $restarted) {
            $message = 'warning: the grace period still reads as expired after the TermService restart (GetGracePeriodDays: ' + (Format-RdsErrorCode -Code $read.ErrorCode) + ')' + $tries
        } elseif ($read.Expired) {
            $message = 'the grace period has expired (GetGracePeriodDays: ' + (Format-RdsErrorCode -Code $read.ErrorCode) + '); a reset takes effect when TermService restarts'
        } elseif ($restarted -and $null -ne $minimum -and [int]$days -lt [int]$minimum) {
            $message = 'warning: grace period days left after the TermService restart: ' + $days + ', fewer than ' + [int]$minimum + ': the reset did not take' + $tries
        } else { $message = 'grace period days left: ' + $days + $tries }
    } catch {
        $days = $null
        $message = 'warning: GetGracePeriodDays could not be read: ' + (Get-RdsExceptionMessage -ErrorRecord $_)
    }
    return @{
        InDesiredState = $true; Target = 'Win32_TerminalServiceSetting'; Operation = 'Read GetGracePeriodDays'; Before = $null
        After = @{ DaysLeft = $days }; Message = $message
    }
}
