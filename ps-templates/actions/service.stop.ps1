# rdsplan action: service.stop
# Stops a service (Force: also its dependent services); desired when it is already Stopped.
# Undo starts it again, and the dependent services that were running before. Each stop and
# start waits for the service within the runtime's time limit (runtime/Services.ps1).
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
    $service = Get-RdsRequiredService -Name $name
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
    Set of service.stop: stops the service and waits until it is stopped; the undo entry lists the dependents that were running, in start order.
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
    $running = [System.Collections.Generic.List[string]]::new()
    foreach ($dependent in @(Get-RdsActiveServiceDependent -Name $name)) { $running.Insert(0, [string]$dependent) }
    Invoke-RdsServiceStop -Name $name -Force:$force
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
    Undo of service.stop: starts the service and the dependents that were running (at the end of the run when the service is Disabled by then: its start-mode undo comes later).
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
    foreach ($dependent in @($Entry.Dependents)) {
        if ($null -eq $dependent) { continue }
        Invoke-RdsServiceStart -Name ([string]$dependent)
    }
}
