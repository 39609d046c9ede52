# rdsplan platform (Windows): services.
#
# Start modes: Win32_Service.StartMode plus the DelayedAutostart registry
# value (present on every version, unlike Win32_Service.DelayedAutoStart on 2016+).
# Delayed start is set with 'sc.exe config <name> start= delayed-auto' (Set-Service in 5.1
# has no AutomaticDelayedStart and setting Automatic does not clear delayed start).

# Returns @{ Name; StartMode; Status; DependentServices; ServicesDependedOn }, or $null when the service does not exist.
function Get-RdsService {
    param([Parameter(Mandatory)] [string] $Name)
    # The Win32_Service instance, the name escaped for WQL.
    $cim = Get-CimInstance -ClassName 'Win32_Service' -Filter ("Name='" + $Name.Replace('\', '\\').Replace("'", "\'") + "'")
    if ($null -eq $cim) { return $null }
    $startMode = [string]$cim.StartMode
    if ($startMode -ceq 'Auto') {
        $startMode = 'Automatic'
        $delayed = Get-RdsRegistryValue -Path ('HKLM\SYSTEM\CurrentControlSet\Services\' + [string]$cim.Name) -Name 'DelayedAutostart' -View 'Default'
        if ($null -ne $delayed -and $delayed.Type -eq 'DWord' -and [long]$delayed.Data -eq 1) { $startMode = 'AutomaticDelayedStart' }
    }
    $status = ([string]$cim.State).Replace(' ', '')
    switch -CaseSensitive ($status) {
        'ContinuePending' { $status = 'StartPending' }
        'PausePending' { $status = 'Paused' }
    }
    $service = Get-Service -Name ([System.Management.Automation.WildcardPattern]::Escape([string]$cim.Name))
    $dependents = [string[]]@($service.DependentServices | ForEach-Object { [string]$_.Name })
    $dependedOn = [string[]]@($service.ServicesDependedOn | ForEach-Object { [string]$_.Name })
    return @{ Name = [string]$cim.Name; StartMode = $startMode; Status = $status; DependentServices = $dependents; ServicesDependedOn = $dependedOn }
}

# Returns the ServiceController of a service; throws "service X not found" when it does not exist.
function Get-RdsExistingService {
    param([Parameter(Mandatory)] [string] $Name)
    $service = Get-Service -Name ([System.Management.Automation.WildcardPattern]::Escape($Name)) -ErrorAction SilentlyContinue
    if ($null -eq $service) { throw "service $Name not found" }
    return $service
}

# Sets a service's start mode: Automatic, AutomaticDelayedStart, Manual or Disabled.
function Set-RdsServiceStartMode {
    param([Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')] [string] $StartMode)
    $service = Get-RdsExistingService -Name $Name
    switch -CaseSensitive ($StartMode) {
        'Manual' { Set-Service -InputObject $service -StartupType 'Manual' }
        'Disabled' { Set-Service -InputObject $service -StartupType 'Disabled' }
        default {
            # sc.exe: 'auto' also clears a delayed start; 'delayed-auto' sets it. Note the
            # separate 'start=' argument (space after '=').
            $value = 'auto'
            if ($StartMode -eq 'AutomaticDelayedStart') { $value = 'delayed-auto' }
            $result = Invoke-RdsNativeCommand -FilePath 'sc.exe' -ArgumentList @('config', $Name, 'start=', $value)
            if ($result.ExitCode -ne 0) {
                throw ('sc.exe config failed with exit code ' + $result.ExitCode + ': ' + $result.Output + ' (service ' + $Name + ')')
            }
        }
    }
}

# Asks the service control manager to start a service (which starts what it depends on) and returns without waiting; nothing when it runs.
function Start-RdsService {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $service = Get-RdsExistingService -Name $Name
    if ([string]$service.Status -eq 'Running') { return }
    $service.Start()
}

# Asks the service control manager to stop a service (with -Force its running dependents first) and returns without waiting for it; nothing when it is stopped.
function Stop-RdsService {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $service = Get-RdsExistingService -Name $Name
    if ([string]$service.Status -eq 'Stopped') { return }
    # Without -Force, running dependents fail it with Stop-Service's message (ServiceController.Stop would stop them).
    $running = @($service.DependentServices | Where-Object { [string]$_.Status -ne 'Stopped' })
    if ($running.Count -gt 0 -and -not $Force) {
        throw ("Cannot stop service '" + [string]$service.DisplayName + ' (' + [string]$service.Name + ")' because it has dependent services. It can only be stopped if the Force flag is set.")
    }
    $service.Stop()
}

# Waits at most -TimeoutSeconds for a service to reach a status; returns whether it did.
function Wait-RdsServiceStatus {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [ValidateSet('Running', 'Stopped')] [string] $Status,
        [Parameter(Mandatory)] [int] $TimeoutSeconds)
    $service = Get-RdsExistingService -Name $Name
    try { $service.WaitForStatus($Status, [System.TimeSpan]::FromSeconds($TimeoutSeconds)) } catch {
        if (Test-RdsWrappedException -ErrorRecord $_ -Type ([System.ServiceProcess.TimeoutException])) { return $false }
        throw
    }
    return $true
}
