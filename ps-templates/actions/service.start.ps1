# rdsplan action: service.start
# Starts a service; desired when it is already Running. Undo stops it again. Each start and
# stop waits for the service within the runtime's time limit (runtime/Services.ps1).
# Parameters: Name, Force.

Register-RdsAction -Name 'service.start' -Test 'Test-RdsServiceStartStep' -Set 'Set-RdsServiceStartStep' -Undo 'Undo-RdsServiceStartStep'

# Test of service.start: desired when the service is Running.
function Test-RdsServiceStartStep {
    param([hashtable] $Parameters, [hashtable] $Context)
    return Get-RdsServiceControlTest -Parameters $Parameters -Operation 'Start' -Status 'Running'
}

# Set of service.start: starts the service and waits until it runs; the undo entry keeps Force for the stop.
function Set-RdsServiceStartStep {
    param([hashtable] $Parameters, [hashtable] $Context, [System.Collections.IDictionary] $Test)
    $name = [string]$Parameters.Name
    Invoke-RdsServiceStart -Name $name
    return Get-RdsServiceControlResult -Name $name -Undo @{ Name = $name; Force = [bool](Get-RdsParameter -Parameters $Parameters -Name 'Force' -Default $false) }
}

# Undo of service.start: stops the service and waits until it is stopped.
function Undo-RdsServiceStartStep {
    param([System.Collections.IDictionary] $Entry, [hashtable] $Context)
    Invoke-RdsServiceStop -Name ([string]$Entry.Name) -Force:([bool]$Entry.Force)
}
