# rdsplan action: service.stop
# Stops a service (Force: also its dependent services); desired when it is already Stopped.
# Undo starts it again, and the dependent services that were running before. Each stop and
# start waits for the service within the runtime's time limit (runtime/Services.ps1).
# Parameters: Name, Force.

Register-RdsAction -Name 'service.stop' -Test 'Test-RdsServiceStopStep' -Set 'Set-RdsServiceStopStep' -Undo 'Undo-RdsServiceStopStep'

# Test of service.stop: desired when the service is Stopped.
function Test-RdsServiceStopStep {
    param([hashtable] $Parameters, [hashtable] $Context)
    return Get-RdsServiceControlTest -Parameters $Parameters -Operation 'Stop' -Status 'Stopped'
}

# Set of service.stop: stops the service and waits until it is stopped; the undo entry lists the dependents that were running, in start order.
function Set-RdsServiceStopStep {
    param([hashtable] $Parameters, [hashtable] $Context, [System.Collections.IDictionary] $Test)
    $name = [string]$Parameters.Name
    $running = [System.Collections.Generic.List[string]]::new()
    foreach ($dependent in @(Get-RdsActiveServiceDependent -Name $name)) { $running.Insert(0, [string]$dependent) }
    Invoke-RdsServiceStop -Name $name -Force:([bool](Get-RdsParameter -Parameters $Parameters -Name 'Force' -Default $false))
    return Get-RdsServiceControlResult -Name $name -Undo @{ Name = $name; Dependents = $running.ToArray() }
}

# Undo of service.stop: starts the service and the dependents that were running (at the end of the run when the service is Disabled by then: its start-mode undo comes later).
function Undo-RdsServiceStopStep {
    param([System.Collections.IDictionary] $Entry, [hashtable] $Context)
    $service = Get-RdsService -Name ([string]$Entry.Name)
    $final = ($Entry.Contains('Final') -and [bool]$Entry['Final'])
    # (As the finalizer, a service still Disabled fails below with the service's own message.)
    if (-not $final -and $null -ne $service -and [string]$service.StartMode -eq 'Disabled') {
        # Disabled by an earlier step of the plan (rds.disableLicensingService sets the start
        # mode, then stops): undone in reverse, the stop comes first and a Disabled service
        # cannot start. The start-mode undo comes next; the start waits for the end of the run.
        $key = [string]$Context.CurrentStepId
        if ($key -eq '') { $key = 'start:' + [string]$Entry.Name }
        Register-RdsFinalizer -Context $Context -Key $key -Function 'Undo-RdsServiceStopStep' -Entry @{ Name = [string]$Entry.Name; Dependents = @($Entry.Dependents); Final = $true } -Action 'service.stop' -Description ('started ' + [string]$Entry.Name + ' again after its start mode was restored')
        return
    }
    Invoke-RdsServiceStart -Name ([string]$Entry.Name)
    foreach ($dependent in @($Entry.Dependents)) { if ($null -ne $dependent) { Invoke-RdsServiceStart -Name ([string]$dependent) } }
}
