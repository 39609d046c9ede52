# rdsplan action: service.setStartMode
# Sets a service's start mode (Automatic, AutomaticDelayedStart, Manual, Disabled).
# A missing service fails the step ("service X not found", Get-RdsRequiredService in
# runtime/Services.ps1). Undo: the previous start mode.
# Parameters: Name, StartMode.

Register-RdsAction -Name 'service.setStartMode' -Test 'Test-RdsServiceStartModeStep' -Set 'Set-RdsServiceStartModeStep' -Undo 'Undo-RdsServiceStartModeStep'

# Test of service.setStartMode: desired when the start mode already matches.
function Test-RdsServiceStartModeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $name = [string]$Parameters.Name
    $startMode = [string]$Parameters.StartMode
    $service = Get-RdsRequiredService -Name $name
    return @{
        InDesiredState = ([string]$service.StartMode -eq $startMode); Target = 'service ' + $name; Operation = 'Set start mode to ' + $startMode
        Before = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        After = @{ StartMode = $startMode; Status = [string]$service.Status }
    }
}

# Set of service.setStartMode: sets the start mode; the undo entry keeps the previous one.
function Set-RdsServiceStartModeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $name = [string]$Parameters.Name
    $previous = Get-RdsRequiredService -Name $name
    Set-RdsServiceStartMode -Name $name -StartMode ([string]$Parameters.StartMode)
    $after = Get-RdsRequiredService -Name $name
    return @{
        After = @{ StartMode = [string]$after.StartMode; Status = [string]$after.Status }; Backup = $null
        Undo = @{ Name = $name; StartMode = [string]$previous.StartMode }; Message = ''
    }
}

# Undo of service.setStartMode: restores the previous start mode.
function Undo-RdsServiceStartModeStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    $startMode = [string]$Entry.StartMode
    if (@('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled') -notcontains $startMode) {
        throw ('cannot restore start mode ' + $startMode + ' of service ' + [string]$Entry.Name)
    }
    Set-RdsServiceStartMode -Name ([string]$Entry.Name) -StartMode $startMode
}
