# rdsplan platform (simulated Windows): the Win32_TerminalServiceSetting provider and the grace
# period timebomb that TermService reads when it starts (Sim.Services.ps1 calls Sync-RdsSimTimebomb).
#
# Win32_TerminalServiceSetting reads the registry (policy key first, as Windows does), except
# GetGracePeriodDays, which returns the value TermService read when it last started
# (DOMAIN.md): deleting the L$RTMTIMEBOMB value resets the days to 120 only after TermService
# restarts (Restart-RdsService, Start-RdsService, or a simulated reboot).

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
