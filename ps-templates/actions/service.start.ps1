# rdsplan action: service.start
# Starts a service; desired when it is already Running. Undo stops it again. Each start and
# stop waits for the service within the runtime's time limit (runtime/Services.ps1).
# Parameters: Name, Force.

Register-RdsAction -Name 'service.start' -Test 'Test-RdsServiceStartStep' -Set 'Set-RdsServiceStartStep' -Undo 'Undo-RdsServiceStartStep'

function Test-RdsServiceStartStep {
    <#
    .SYNOPSIS
    Test of service.start: desired when the service is Running.
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
        InDesiredState = ([string]$service.Status -eq 'Running')
        Target         = 'service ' + $name
        Operation      = 'Start'
        Before         = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        After          = @{ StartMode = [string]$service.StartMode; Status = 'Running' }
    }
}

function Set-RdsServiceStartStep {
    <#
    .SYNOPSIS
    Set of service.start: starts the service and waits until it runs (Invoke-RdsServiceStart).
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
    Invoke-RdsServiceStart -Name $name
    $service = Get-RdsService -Name $name
    return @{
        After   = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        Backup  = $null
        Undo    = @{ Name = $name; Force = $force }
        Message = ''
    }
}

function Undo-RdsServiceStartStep {
    <#
    .SYNOPSIS
    Undo of service.start: stops the service and waits until it is stopped (Invoke-RdsServiceStop).
    .PARAMETER Entry
    @{ Name; Force }.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Entry,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    Invoke-RdsServiceStop -Name ([string]$Entry.Name) -Force:([bool]$Entry.Force)
}
