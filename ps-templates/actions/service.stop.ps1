# rdsplan action: service.stop
# Stops a service (Force: also its dependent services); desired when it is already Stopped.
# Undo starts it again, and the dependent services that were running before.
# Parameters: Name, Force.

Register-RdsAction -Name 'service.stop' -Test 'Test-RdsServiceStopStep' -Set 'Set-RdsServiceStopStep' -Undo 'Undo-RdsServiceStopStep'

function Test-RdsServiceStopStep {
    <#
    .SYNOPSIS
    Test of service.stop: desired when the service is Stopped.
    .PARAMETER Parameters
    Name, Force.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    $name = [string]$Parameters.Name
    $service = Get-RdsService -Name $name
    if ($null -eq $service) { throw "service $name not found" }
    return @{
        InDesiredState = ([string]$service.Status -eq 'Stopped')
        Target         = 'service ' + $name
        Operation      = 'Stop'
        Before         = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        After          = @{ StartMode = [string]$service.StartMode; Status = 'Stopped' }
    }
}

function Set-RdsServiceStopStep {
    <#
    .SYNOPSIS
    Set of service.stop: stops the service; the undo entry lists the running dependents.
    .PARAMETER Parameters
    Name, Force.
    .PARAMETER Context
    The plan context.
    .PARAMETER Test
    The Test result.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Test
    )
    $name = [string]$Parameters.Name
    $force = [bool](Get-RdsParameter -Parameters $Parameters -Name 'Force' -Default $false)
    $service = Get-RdsService -Name $name
    $running = [System.Collections.Generic.List[string]]::new()
    foreach ($dependent in @($service.DependentServices)) {
        if ($null -eq $dependent) { continue }
        $state = Get-RdsService -Name ([string]$dependent)
        if ($null -ne $state -and [string]$state.Status -eq 'Running') { $running.Add([string]$dependent) }
    }
    Stop-RdsService -Name $name -Force:$force
    $after = Get-RdsService -Name $name
    return @{
        After   = @{ StartMode = [string]$after.StartMode; Status = [string]$after.Status }
        Backup  = $null
        Undo    = @{ Name = $name; Dependents = $running.ToArray() }
        Message = ''
    }
}

function Undo-RdsServiceStopStep {
    <#
    .SYNOPSIS
    Undo of service.stop: starts the service and the dependents that were running.
    .PARAMETER Entry
    @{ Name; Dependents }.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Entry,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    Start-RdsService -Name ([string]$Entry.Name)
    foreach ($dependent in @($Entry.Dependents)) {
        if ($null -eq $dependent) { continue }
        $state = Get-RdsService -Name ([string]$dependent)
        if ($null -ne $state -and [string]$state.Status -ne 'Running') { Start-RdsService -Name ([string]$dependent) }
    }
}
