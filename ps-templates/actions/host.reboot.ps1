# rdsplan action: host.reboot
# Requests a restart. Never in desired state; Set only marks the context (the restart
# happens in Complete-RdsPlan after the summary, never mid-plan, never in check mode or
# after a failure, and only when options.reboot is 'ifRequired' or 'always').
# Parameters: DelaySeconds.

Register-RdsAction -Name 'host.reboot' -Test 'Test-RdsHostRebootStep' -Set 'Set-RdsHostRebootStep' -Undo 'Undo-RdsNothingStep'

# Test of host.reboot: never in desired state.
function Test-RdsHostRebootStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $delay = [int](Get-RdsParameter -Parameters $Parameters -Name 'DelaySeconds' -Default 0)
    return @{
        InDesiredState = $false; Target = $Context.HostName; Operation = 'Restart the computer after the plan (delay ' + $delay + ' s)'
        Before = @{ RebootRequested = [bool]$Context.RebootRequested }; After = @{ RebootRequested = $true; DelaySeconds = $delay }
    }
}

# Set of host.reboot: marks the run as needing a restart at the end.
function Set-RdsHostRebootStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $delay = [int](Get-RdsParameter -Parameters $Parameters -Name 'DelaySeconds' -Default 0)
    Request-RdsReboot -Context $Context -DelaySeconds $delay
    $message = 'restart requested; it happens after the plan completes'
    if ($Context.Reboot -eq 'never') { $message = "restart requested, but options.reboot is 'never': restart the host yourself" }
    return @{ After = @{ RebootRequested = $true; DelaySeconds = $delay }; Backup = $null; Undo = $null; Message = $message }
}
