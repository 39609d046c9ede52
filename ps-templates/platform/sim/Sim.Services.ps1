# rdsplan platform (simulated Windows): services (Win32_TerminalServiceSetting and the timebomb
# are in Sim.TerminalServices.ps1).
#
# Services: name, display name, start mode, status and dependencies (ServicesDependedOn;
# dependents are derived). The start mode lives in the registry like on Windows
# (HKLM\SYSTEM\CurrentControlSet\Services\<name>: Start 0..4, DelayedAutostart 1), so a plan
# that edits Start directly is seen by Get-RdsService; the services table of the state file
# is written there when the state is loaded and refreshed from there when it is saved.
# Stopping a service with running dependents needs -Force (which stops them first);
# starting a service starts what it depends on; a Disabled service cannot start.
# Start and stop are requests, as ServiceController.Start/Stop on Windows: a service with
# stopPendingSeconds stays StopPending for that long (simulated time: Wait-RdsServiceStatus
# lets it pass, up to its timeout), and a StopPending service can neither start nor take
# another stop. With -Force the running dependents stop first and each gets at most 30 s,
# as ServiceController.Stop waits for them (System.ServiceProcess.TimeoutException after).

$script:RdsSimServicesKey = 'HKLM\SYSTEM\CurrentControlSet\Services'
$script:RdsSimGracePeriodKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
$script:RdsSimLicensingCoreKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'
$script:RdsSimLicenseServersKey = 'HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers'
$script:RdsSimTerminalServicesPolicyKey = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'

# Returns a simulated service by name (case-insensitive), or $null.
function Find-RdsSimService {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name)
    if ($Name -ne '' -and $State.Services.Contains($Name)) { return $State.Services[$Name] }
    return $null
}

# Returns a simulated service; throws "service <name> not found" when it does not exist.
function Get-RdsSimExistingService {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Name)
    $service = Find-RdsSimService -State $State -Name $Name
    if ($null -eq $service) { throw "service $Name not found" }
    return $service
}

# Writes a start mode to the service's registry key (Start; DelayedAutostart for automatic modes), as the service control manager does.
function Set-RdsSimServiceStartModeValue {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $StartMode)
    $path = $script:RdsSimServicesKey + '\' + $Name
    $start = @{ Boot = 0; System = 1; Automatic = 2; AutomaticDelayedStart = 2; Manual = 3; Disabled = 4 }[$StartMode]
    Set-RdsSimValueUnchecked -State $State -Path $path -Name 'Start' -Type 'DWord' -Data ([long]$start)
    if ($StartMode -eq 'AutomaticDelayedStart') {
        Set-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart' -Type 'DWord' -Data ([long]1)
    } elseif ($StartMode -eq 'Automatic' -and $null -ne (Get-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart')) {
        Set-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart' -Type 'DWord' -Data ([long]0)
    }
}

# Returns a service's start mode from its registry key (Start, DelayedAutostart), else from the services table.
function Get-RdsSimServiceStartMode {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Service)
    $path = $script:RdsSimServicesKey + '\' + $Service.Name
    $start = Get-RdsSimValueUnchecked -State $State -Path $path -Name 'Start'
    if ($null -eq $start -or $start.Type -ne 'DWord' -or $start.Data -gt 4) { return $Service.StartMode }
    $mode = @('Boot', 'System', 'Automatic', 'Manual', 'Disabled')[[int]$start.Data]
    if ($mode -eq 'Automatic') {
        $delayed = Get-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart'
        if ($null -ne $delayed -and $delayed.Type -eq 'DWord' -and $delayed.Data -eq 1) { $mode = 'AutomaticDelayedStart' }
    }
    return $mode
}

# Returns the services that depend directly on a service, sorted by name.
function Get-RdsSimDependentService {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Service)
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($other in $State.Services.Values) {
        foreach ($dependency in $other.ServicesDependedOn) {
            if ([string]::Equals($dependency, $Service.Name, [System.StringComparison]::OrdinalIgnoreCase)) {
                $names.Add($other.Name)
                break
            }
        }
    }
    $names.Sort([System.StringComparer]::OrdinalIgnoreCase)
    $result = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($name in $names) { $result.Add($State.Services[$name]) }
    return , $result.ToArray()
}

# Returns "Display Name (name)" as Windows PowerShell names a service in messages.
function Get-RdsSimServiceLabel {
    param([Parameter(Mandatory)] [hashtable] $Service)
    return ($Service.DisplayName + ' (' + $Service.Name + ')')
}

# Starts a service after the services it depends on; returns $false when it (or a dependency) cannot start.
function Start-RdsSimServiceInternal {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Service,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.List[string]] $Visiting)
    if ($Service.Status -eq 'Running') { return $true }
    if ($Service.Status -eq 'StopPending') { return $false }
    if ((Get-RdsSimServiceStartMode -State $State -Service $Service) -eq 'Disabled') { return $false }
    if ($Visiting.Contains($Service.Name)) { return $false }
    $Visiting.Add($Service.Name)
    foreach ($dependencyName in $Service.ServicesDependedOn) {
        $dependency = Find-RdsSimService -State $State -Name $dependencyName
        if ($null -eq $dependency) { return $false }
        if (-not (Start-RdsSimServiceInternal -State $State -Service $dependency -Visiting $Visiting)) { return $false }
    }
    [void]$Visiting.Remove($Service.Name)
    $Service.Status = 'Running'
    if ($Service.Name -eq 'TermService') { Update-RdsSimGraceCache -State $State }
    return $true
}

# Returns what ServiceController.Start throws when a service cannot start: "Cannot start service <name> on computer '.'.".
function Get-RdsSimStartFailure {
    param([Parameter(Mandatory)] [hashtable] $Service)
    return ('Cannot start service ' + $Service.Name + " on computer '.'.")
}

# Asks a service to stop (with -Force its running dependents first, deepest first, 30 s each).
function Stop-RdsSimServiceInternal {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Service, [switch] $Force)
    if ($Service.Status -eq 'Stopped') { return }
    if ($Service.Status -eq 'StopPending') { throw ('Cannot stop ' + $Service.Name + " service on computer '.'.") }
    $running = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($dependent in (Get-RdsSimDependentService -State $State -Service $Service)) {
        if ($dependent.Status -ne 'Stopped') { $running.Add($dependent) }
    }
    if ($running.Count -gt 0 -and -not $Force) {
        throw ("Cannot stop service '" + (Get-RdsSimServiceLabel -Service $Service) + "' because it has dependent services. It can only be stopped if the Force flag is set.")
    }
    foreach ($dependent in $running) {
        Stop-RdsSimServiceInternal -State $State -Service $dependent -Force
        if (-not (Wait-RdsSimServiceStop -Service $dependent -Seconds 30)) { throw 'Time out has expired and the operation has not been completed.' }
    }
    $Service.Status = 'Stopped'
    if ($Service.Name -eq 'TermService') { Clear-RdsSimSession -State $State }
    if ($Service.StopPendingSeconds -gt 0) {
        $Service.Status = 'StopPending'
        $Service.PendingSeconds = $Service.StopPendingSeconds
    }
}

# Lets simulated time pass for a StopPending service (at most -Seconds); returns $true when it is Stopped then.
function Wait-RdsSimServiceStop {
    param([Parameter(Mandatory)] [hashtable] $Service, [Parameter(Mandatory)] [long] $Seconds)
    if ($Service.Status -eq 'StopPending') {
        if ($Service.PendingSeconds -gt $Seconds) {
            $Service.PendingSeconds = $Service.PendingSeconds - $Seconds
            return $false
        }
        $Service.Status = 'Stopped'
        $Service.PendingSeconds = $Service.StopPendingSeconds
    }
    return ($Service.Status -eq 'Stopped')
}

# Returns @{ Name; StartMode; Status; DependentServices; ServicesDependedOn } of a simulated service, or $null when it does not exist.
function Get-RdsService {
    param([Parameter(Mandatory)] [string] $Name)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsService' -Name $Name
    $service = Find-RdsSimService -State $state -Name $Name
    if ($null -eq $service) { return $null }
    $dependents = [System.Collections.Generic.List[string]]::new()
    foreach ($dependent in (Get-RdsSimDependentService -State $state -Service $service)) { $dependents.Add($dependent.Name) }
    $dependedOn = [System.Collections.Generic.List[string]]::new()
    foreach ($dependencyName in $service.ServicesDependedOn) {
        $dependency = Find-RdsSimService -State $state -Name $dependencyName
        if ($null -eq $dependency) { $dependedOn.Add($dependencyName) } else { $dependedOn.Add($dependency.Name) }
    }
    return @{
        Name = $service.Name; StartMode = Get-RdsSimServiceStartMode -State $state -Service $service; Status = $service.Status
        DependentServices = $dependents.ToArray(); ServicesDependedOn = $dependedOn.ToArray()
    }
}

# Sets a simulated service's start mode (written to its registry key, as the service control manager does).
function Set-RdsServiceStartMode {
    param([Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')] [string] $StartMode)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsServiceStartMode' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    foreach ($known in @('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')) { if ($known -eq $StartMode) { $StartMode = $known } }
    $service.StartMode = $StartMode
    Set-RdsSimServiceStartModeValue -State $state -Name $service.Name -StartMode $StartMode
}

# Starts a simulated service (and the services it depends on); a Disabled or StopPending service cannot start; nothing when it runs.
function Start-RdsService {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Start-RdsService' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    if (-not (Start-RdsSimServiceInternal -State $state -Service $service -Visiting ([System.Collections.Generic.List[string]]::new()))) {
        throw (Get-RdsSimStartFailure -Service $service)
    }
}

# Asks a simulated service to stop (StopPending for its stopPendingSeconds); with running dependents only with -Force (which stops them first); nothing when it is stopped.
function Stop-RdsService {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Stop-RdsService' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    Stop-RdsSimServiceInternal -State $state -Service $service -Force:$Force
}

# Waits at most -TimeoutSeconds (simulated time) for a simulated service to reach a status; returns whether it did.
function Wait-RdsServiceStatus {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [ValidateSet('Running', 'Stopped')] [string] $Status,
        [Parameter(Mandatory)] [int] $TimeoutSeconds)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Wait-RdsServiceStatus' -Name $Name
    $service = Get-RdsSimExistingService -State $state -Name $Name
    if ($Status -eq 'Stopped') { return (Wait-RdsSimServiceStop -Service $service -Seconds $TimeoutSeconds) }
    return ($service.Status -eq $Status)
}
