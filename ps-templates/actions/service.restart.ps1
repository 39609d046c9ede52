# rdsplan action: service.restart
# Restarts a service (Force: also when dependents must stop, e.g. TermService/UmRdpService,
# which start again afterwards), each stop and start within the runtime's time limit
# (runtime/Services.ps1). Never in desired state: the renderer decides when it runs (RunWhen
# 'changed'). No undo.
# Parameters: Name, Force.

Register-RdsAction -Name 'service.restart' -Test 'Test-RdsServiceRestartStep' -Set 'Set-RdsServiceRestartStep' -Undo 'Undo-RdsServiceRestartStep'

function Test-RdsServiceRestartStep {
    <#
    .SYNOPSIS
    Test of service.restart: never in desired state (fails when the service does not exist).
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
        InDesiredState = $false
        Target         = 'service ' + $name
        Operation      = 'Restart'
        Before         = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        After          = @{ StartMode = [string]$service.StartMode; Status = 'Running' }
    }
}

function Set-RdsServiceRestartStep {
    <#
    .SYNOPSIS
    Set of service.restart: restarts the service and the dependents it stopped (Invoke-RdsServiceRestart).
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
    Invoke-RdsServiceRestart -Name $name -Force:$force
    $service = Get-RdsService -Name $name
    return @{
        After   = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        Backup  = $null
        Undo    = $null
        Message = ''
    }
}

function Undo-RdsServiceRestartStep {
    <#
    .SYNOPSIS
    Undo of service.restart: nothing to undo.
    .PARAMETER Entry
    The journal entry.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [object] $Entry,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
}
