# rdsplan action: service.restart
# Restarts a service (Force: also when dependents must stop, e.g. TermService/UmRdpService,
# which start again afterwards), each stop and start within the runtime's time limit
# (runtime/Services.ps1). Never in desired state: the renderer decides when it runs (RunWhen
# 'changed'). No undo.
# Parameters: Name, Force.

Register-RdsAction -Name 'service.restart' -Test 'Test-RdsServiceRestartStep' -Set 'Set-RdsServiceRestartStep' -Undo 'Undo-RdsNothingStep'

# Test of service.restart: never in desired state (fails when the service does not exist).
function Test-RdsServiceRestartStep {
    param([hashtable] $Parameters, [hashtable] $Context)
    return Get-RdsServiceControlTest -Parameters $Parameters -Operation 'Restart' -Status 'Running' -NeverDesired
}

# Set of service.restart: restarts the service and the dependents it stopped (Invoke-RdsServiceRestart).
function Set-RdsServiceRestartStep {
    param([hashtable] $Parameters, [hashtable] $Context, [System.Collections.IDictionary] $Test)
    $name = [string]$Parameters.Name
    Invoke-RdsServiceRestart -Name $name -Force:([bool](Get-RdsParameter -Parameters $Parameters -Name 'Force' -Default $false))
    return Get-RdsServiceControlResult -Name $name -Undo $null
}
