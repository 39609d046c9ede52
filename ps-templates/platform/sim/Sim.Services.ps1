# rdsplan platform (simulated Windows): services and the Win32_TerminalServiceSetting provider.
#
# Services: name, display name, start mode, status and dependencies (ServicesDependedOn;
# dependents are derived). The start mode lives in the registry like on Windows
# (HKLM\SYSTEM\CurrentControlSet\Services\<name>: Start 0..4, DelayedAutostart 1), so a plan
# that edits Start directly is seen by Get-RdsService; the services table of the state file
# is written there when the state is loaded and refreshed from there when it is saved.
# Stopping a service with running dependents needs -Force (which stops them first);
# starting a service starts what it depends on; a Disabled service cannot start;
# Restart-RdsService restarts the dependents it had to stop (as Restart-Service does).
#
# Win32_TerminalServiceSetting reads the registry (policy key first, as Windows does), except
# GetGracePeriodDays, which returns the value TermService read when it last started
# (DOMAIN.md): deleting the L$RTMTIMEBOMB value resets the days to 120 only after TermService
# restarts (Restart-RdsService, Start-RdsService, or a simulated reboot).

$script:RdsSimServicesKey = 'HKLM\SYSTEM\CurrentControlSet\Services'
$script:RdsSimGracePeriodKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
$script:RdsSimLicensingCoreKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'
$script:RdsSimLicenseServersKey = 'HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers'
$script:RdsSimTerminalServicesPolicyKey = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'

function Find-RdsSimService {
    <#
    .SYNOPSIS
    Returns a simulated service by name (case-insensitive), or $null.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Name
    The service name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Name
    )
    if ($Name -ne '' -and $State.Services.Contains($Name)) { return $State.Services[$Name] }
    return $null
}

function Get-RdsSimExistingService {
    <#
    .SYNOPSIS
    Returns a simulated service; throws "service <name> not found" when it does not exist.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Name
    The service name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $service = Find-RdsSimService -State $State -Name $Name
    if ($null -eq $service) { throw "service $Name not found" }
    return $service
}

function Set-RdsSimServiceStartModeValue {
    <#
    .SYNOPSIS
    Writes a start mode to the service's registry key (Start; DelayedAutostart for automatic modes), as the service control manager does.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Name
    The service name.
    .PARAMETER StartMode
    Boot, System, Automatic, AutomaticDelayedStart, Manual or Disabled.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] [string] $StartMode
    )
    $path = $script:RdsSimServicesKey + '\' + $Name
    $start = @{ Boot = 0; System = 1; Automatic = 2; AutomaticDelayedStart = 2; Manual = 3; Disabled = 4 }[$StartMode]
    Set-RdsSimValueUnchecked -State $State -Path $path -Name 'Start' -Type 'DWord' -Data ([long]$start)
    if ($StartMode -eq 'AutomaticDelayedStart') {
        Set-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart' -Type 'DWord' -Data ([long]1)
    }
    elseif ($StartMode -eq 'Automatic' -and $null -ne (Get-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart')) {
        Set-RdsSimValueUnchecked -State $State -Path $path -Name 'DelayedAutostart' -Type 'DWord' -Data ([long]0)
    }
}

function Get-RdsSimServiceStartMode {
    <#
    .SYNOPSIS
    Returns a service's start mode from its registry key (Start, DelayedAutostart), else from the services table.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Service
    The service.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [hashtable] $Service
    )
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

function Get-RdsSimDependentService {
    <#
    .SYNOPSIS
    Returns the services that depend directly on a service, sorted by name.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Service
    The service.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [hashtable] $Service
    )
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

function Get-RdsSimServiceLabel {
    <#
    .SYNOPSIS
    Returns "Display Name (name)" as Windows PowerShell names a service in messages.
    .PARAMETER Service
    The service.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Service
    )
    return ($Service.DisplayName + ' (' + $Service.Name + ')')
}

function Start-RdsSimServiceInternal {
    <#
    .SYNOPSIS
    Starts a service after the services it depends on; returns $false when it (or a dependency) cannot start.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Service
    The service.
    .PARAMETER Visiting
    Names on the current dependency path (cycle guard).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [hashtable] $Service,
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [System.Collections.Generic.List[string]] $Visiting
    )
    if ($Service.Status -eq 'Running') { return $true }
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

function Stop-RdsSimServiceInternal {
    <#
    .SYNOPSIS
    Stops a service (with -Force its running dependents first, deepest first); returns the services it stopped.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Service
    The service.
    .PARAMETER Force
    Stops running dependents too (else their presence is an error).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [Parameter(Mandatory = $true)] [hashtable] $Service,
        [switch] $Force
    )
    $stopped = [System.Collections.Generic.List[hashtable]]::new()
    if ($Service.Status -eq 'Stopped') { return , $stopped }
    $running = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($dependent in (Get-RdsSimDependentService -State $State -Service $Service)) {
        if ($dependent.Status -ne 'Stopped') { $running.Add($dependent) }
    }
    if ($running.Count -gt 0 -and -not $Force) {
        throw ("Cannot stop service '" + (Get-RdsSimServiceLabel -Service $Service) + "' because it has dependent services. It can only be stopped if the Force flag is set.")
    }
    foreach ($dependent in $running) {
        $stopped.AddRange((Stop-RdsSimServiceInternal -State $State -Service $dependent -Force))
    }
    $Service.Status = 'Stopped'
    $stopped.Add($Service)
    return , $stopped
}

function Get-RdsSimTimebombData {
    <#
    .SYNOPSIS
    Returns the data (hex) of the L$RTMTIMEBOMB (or L$GracePeriodTimeBomb) value in RCM\GracePeriod, or $null.
    .PARAMETER State
    The in-memory simulated host.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State
    )
    $key = Get-RdsSimKey -State $State -Physical $script:RdsSimGracePeriodKey
    if ($null -eq $key) { return $null }
    foreach ($value in $key.ValueList) {
        if ($value.Name.StartsWith('L$RTMTIMEBOMB', [System.StringComparison]::OrdinalIgnoreCase) -or $value.Name.StartsWith('L$GracePeriodTimeBomb', [System.StringComparison]::OrdinalIgnoreCase)) {
            return [string]$value.Data
        }
    }
    return $null
}

function Sync-RdsSimTimebomb {
    <#
    .SYNOPSIS
    Keeps timebombGraceDays with the timebomb value it belongs to (DOMAIN.md: re-importing an old value brings back its expiry).
    .DESCRIPTION
    The state's timebombDays maps each timebomb blob seen (its hex data) to its days.
    With -Learn (loading a state) the present blob takes the state's timebombGraceDays; otherwise
    a blob seen before (written back by a rollback or an import) brings its days back, and a new
    one is remembered with the current days.
    .PARAMETER State
    The in-memory simulated host.
    .PARAMETER Learn
    The state file's timebombGraceDays describes the present blob (hand-written states).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State,
        [switch] $Learn
    )
    $data = Get-RdsSimTimebombData -State $State
    if ($null -eq $data) { return }
    # Keyed by the blob's hex data itself (no hash: a cold SHA256 costs ~0.1 s per run).
    $history = $State.TerminalServices.timebombHistory
    if (-not $Learn -and $history.Contains($data)) {
        $State.TerminalServices.timebombGraceDays = [long]$history[$data]
    }
    else {
        $history[$data] = [long]$State.TerminalServices.timebombGraceDays
    }
}

function Update-RdsSimGraceCache {
    <#
    .SYNOPSIS
    TermService starting: re-reads the grace period (the L$RTMTIMEBOMB value present: its days; absent: a new 120-day grace period).
    .PARAMETER State
    The in-memory simulated host.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $State
    )
    # The days follow the blob: a blob written back after a reset stands for its old expiry.
    Sync-RdsSimTimebomb -State $State
    if ($null -ne (Get-RdsSimTimebombData -State $State)) {
        $State.TerminalServices.graceDays = $State.TerminalServices.timebombGraceDays
    }
    else {
        $State.TerminalServices.graceDays = [long]120
        $State.TerminalServices.timebombGraceDays = [long]120
        $State.TerminalServices.graceDaysThrows = $false
    }
}

function Get-RdsService {
    <#
    .SYNOPSIS
    Returns @{ Name; StartMode; Status; DependentServices; ServicesDependedOn } of a simulated service, or $null when it does not exist.
    .PARAMETER Name
    The service name.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
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
        Name               = $service.Name
        StartMode          = Get-RdsSimServiceStartMode -State $state -Service $service
        Status             = $service.Status
        DependentServices  = $dependents.ToArray()
        ServicesDependedOn = $dependedOn.ToArray()
    }
}

function Set-RdsServiceStartMode {
    <#
    .SYNOPSIS
    Sets a simulated service's start mode (written to its registry key, as the service control manager does).
    .PARAMETER Name
    The service name.
    .PARAMETER StartMode
    Automatic, AutomaticDelayedStart, Manual or Disabled.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] [ValidateSet('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')] [string] $StartMode
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsServiceStartMode' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    foreach ($known in @('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')) {
        if ($known -eq $StartMode) { $StartMode = $known }
    }
    $service.StartMode = $StartMode
    Set-RdsSimServiceStartModeValue -State $state -Name $service.Name -StartMode $StartMode
}

function Start-RdsService {
    <#
    .SYNOPSIS
    Starts a simulated service (and the services it depends on); a Disabled service cannot start.
    .PARAMETER Name
    The service name.
    .PARAMETER Force
    Unused for start (kept for a uniform signature).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [switch] $Force
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Start-RdsService' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    if (-not (Start-RdsSimServiceInternal -State $state -Service $service -Visiting ([System.Collections.Generic.List[string]]::new()))) {
        throw ("Service '" + (Get-RdsSimServiceLabel -Service $service) + "' cannot be started due to the following error: Cannot start service " + $service.Name + " on computer '.'.")
    }
}

function Stop-RdsService {
    <#
    .SYNOPSIS
    Stops a simulated service; with running dependents only with -Force (which stops them first).
    .PARAMETER Name
    The service name.
    .PARAMETER Force
    Stops dependent services too.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [switch] $Force
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Stop-RdsService' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    [void](Stop-RdsSimServiceInternal -State $state -Service $service -Force:$Force)
}

function Restart-RdsService {
    <#
    .SYNOPSIS
    Restarts a simulated service: stop (with -Force also its running dependents), start, then start the dependents it stopped.
    .PARAMETER Name
    The service name.
    .PARAMETER Force
    Restarts even when dependent services must stop.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [switch] $Force
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Restart-RdsService' -Name $Name -Mutating
    $service = Get-RdsSimExistingService -State $state -Name $Name
    $stopped = Stop-RdsSimServiceInternal -State $state -Service $service -Force:$Force
    $stopped.Reverse()
    if (-not ($stopped.Contains($service))) { $stopped.Insert(0, $service) }
    foreach ($member in $stopped) {
        if (-not (Start-RdsSimServiceInternal -State $state -Service $member -Visiting ([System.Collections.Generic.List[string]]::new()))) {
            throw ("Service '" + (Get-RdsSimServiceLabel -Service $member) + "' cannot be started due to the following error: Cannot start service " + $member.Name + " on computer '.'.")
        }
    }
}

function Get-RdsTerminalServiceSetting {
    <#
    .SYNOPSIS
    Returns @{ LicensingType; SpecifiedLicenseServers; PolicySourceLicensingType; PolicySourceConfiguredLicenseServers } of the simulated host.
    .DESCRIPTION
    Read from the registry like Win32_TerminalServiceSetting: the policy key's LicensingMode
    and LicenseServers (comma-separated) win over RCM\Licensing Core LicensingMode and
    TermService\Parameters\LicenseServers SpecifiedLicenseServers (policy source 1, else 0).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsTerminalServiceSetting'
    $licensingType = [long]5
    $typeSource = [long]0
    $policyMode = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimTerminalServicesPolicyKey -Name 'LicensingMode'
    $localMode = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicensingCoreKey -Name 'LicensingMode'
    if ($null -ne $policyMode -and $policyMode.Type -eq 'DWord') {
        $licensingType = [long]$policyMode.Data
        $typeSource = [long]1
    }
    elseif ($null -ne $localMode -and $localMode.Type -eq 'DWord') {
        $licensingType = [long]$localMode.Data
    }
    $servers = [System.Collections.Generic.List[string]]::new()
    $serverSource = [long]0
    $policyServers = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimTerminalServicesPolicyKey -Name 'LicenseServers'
    $localServers = Get-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicenseServersKey -Name 'SpecifiedLicenseServers'
    if ($null -ne $policyServers -and ($policyServers.Type -eq 'String' -or $policyServers.Type -eq 'ExpandString')) {
        $serverSource = [long]1
        foreach ($part in ([string]$policyServers.Data).Split(',')) {
            if ($part.Trim() -ne '') { $servers.Add($part.Trim()) }
        }
    }
    elseif ($null -ne $localServers -and $localServers.Type -eq 'MultiString') {
        foreach ($server in $localServers.Data) {
            if ($server -ne '') { $servers.Add($server) }
        }
    }
    return @{
        LicensingType                        = $licensingType
        SpecifiedLicenseServers              = $servers.ToArray()
        PolicySourceLicensingType            = $typeSource
        PolicySourceConfiguredLicenseServers = $serverSource
    }
}

function Get-RdsGracePeriodDays {
    <#
    .SYNOPSIS
    Returns the grace period days left as TermService read them at its last start, or $null where WMI would throw 0x80070002 (terminalServices.graceDaysThrows).
    #>
    [CmdletBinding()]
    param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsGracePeriodDays'
    if ($state.TerminalServices.graceDaysThrows) { return $null }
    return [int]$state.TerminalServices.graceDays
}

function Set-RdsSpecifiedLicenseServer {
    <#
    .SYNOPSIS
    Sets the specified license server list (TermService\Parameters\LicenseServers SpecifiedLicenseServers; an empty list empties it).
    .PARAMETER Server
    The license servers.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [string[]] $Server
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsSpecifiedLicenseServer' -Name ($Server -join ',') -Mutating
    Set-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicenseServersKey -Name 'SpecifiedLicenseServers' -Type 'MultiString' -Data ([string[]]$Server)
}

function Set-RdsLicensingType {
    <#
    .SYNOPSIS
    Sets the licensing mode like ChangeMode (RCM\Licensing Core LicensingMode): 0, 1, 2 (per device) or 4 (per user).
    .PARAMETER Type
    The LicensingType value.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [int] $Type
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsLicensingType' -Name ([string]$Type) -Mutating
    if (@(0, 1, 2, 4) -notcontains $Type) {
        throw ('Win32_TerminalServiceSetting.ChangeMode returned 87 (LicensingType ' + $Type + ': Invalid parameter)')
    }
    Set-RdsSimValueUnchecked -State $state -Path $script:RdsSimLicensingCoreKey -Name 'LicensingMode' -Type 'DWord' -Data ([long]$Type)
}
