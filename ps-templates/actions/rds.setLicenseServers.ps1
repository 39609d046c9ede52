# rdsplan action: rds.setLicenseServers
# Via 'wmi': Win32_TerminalServiceSetting Get/SetSpecifiedLicenseServerList.
# Via 'policy': REG_SZ LicenseServers (comma-separated) under
# HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services (a domain GPO may overwrite it).
# Comparison is order- and case-insensitive. Undo: the previous list (or absent policy value).
# Parameters: Servers (string[]), Via ('wmi' | 'policy').

Register-RdsAction -Name 'rds.setLicenseServers' -Test 'Test-RdsLicenseServerStep' -Set 'Set-RdsLicenseServerStep' -Undo 'Undo-RdsLicenseServerStep'

# Returns @{ Servers = string[]; Value = <policy value or $null>; PolicyWarning = '' } for a Via.
function Get-RdsCurrentLicenseServer {
    param([Parameter(Mandatory)] [string] $Via)
    if ($Via -eq 'policy') {
        $value = Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'LicenseServers' -View 'Default'
        $servers = [string[]]@()
        if ($null -ne $value) { $servers = [string[]]@(([string]$value.Data).Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' }) }
        $warning = ''
        if ([bool](Get-RdsHostIdentity).IsDomainJoined) {
            $warning = 'the host is domain-joined: a Group Policy may overwrite the local policy value at the next refresh'
        }
        return @{ Servers = $servers; Value = $value; PolicyWarning = $warning }
    }
    $setting = Get-RdsTerminalServiceSetting
    $warning = ''
    if ([long]$setting.PolicySourceConfiguredLicenseServers -eq 1) {
        $warning = 'the license servers are set by Group Policy, which takes precedence over this setting'
    }
    return @{ Servers = [string[]]@($setting.SpecifiedLicenseServers); Value = $null; PolicyWarning = $warning }
}

# Compares two server lists ignoring order, case and duplicates.
function Test-RdsServerSetEqual {
    [CmdletBinding()] param([AllowNull()] [AllowEmptyCollection()] [string[]] $Left, [AllowNull()] [AllowEmptyCollection()] [string[]] $Right)
    $a = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    $b = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($item in @($Left)) { if ($null -ne $item) { [void]$a.Add($item) } }
    foreach ($item in @($Right)) { if ($null -ne $item) { [void]$b.Add($item) } }
    return $a.SetEquals($b)
}

# Test of rds.setLicenseServers: desired when the configured servers equal Servers (as a set).
function Test-RdsLicenseServerStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $via = [string](Get-RdsParameter -Parameters $Parameters -Name 'Via' -Default 'wmi')
    $servers = [string[]]@(Get-RdsParameter -Parameters $Parameters -Name 'Servers' -Default @())
    $current = Get-RdsCurrentLicenseServer -Via $via
    $target = 'Win32_TerminalServiceSetting specified license servers'
    if ($via -eq 'policy') { $target = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services\LicenseServers' }
    return @{
        InDesiredState = (Test-RdsServerSetEqual -Left $current.Servers -Right $servers); Target = $target
        Operation = 'Set license servers to ' + [string]::Join(',', $servers); Before = @{ Servers = $current.Servers; Via = $via }
        After = @{ Servers = $servers; Via = $via }; Message = [string]$current.PolicyWarning
    }
}

# Set of rds.setLicenseServers: writes the list through WMI or the policy value.
function Set-RdsLicenseServerStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $via = [string](Get-RdsParameter -Parameters $Parameters -Name 'Via' -Default 'wmi')
    $servers = [string[]]@(Get-RdsParameter -Parameters $Parameters -Name 'Servers' -Default @())
    $previous = Get-RdsCurrentLicenseServer -Via $via
    if ($via -eq 'policy') {
        Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'LicenseServers' -Type 'String' -Data ([string]::Join(',', $servers)) -View 'Default'
    } else { Set-RdsSpecifiedLicenseServer -Server $servers }
    $after = Get-RdsCurrentLicenseServer -Via $via
    return @{
        After = @{ Servers = $after.Servers; Via = $via }; Backup = $null
        Undo = @{ Via = $via; Servers = $previous.Servers; Previous = $previous.Value }; Message = [string]$after.PolicyWarning
    }
}

# Undo of rds.setLicenseServers: puts the previous list (or policy value, or its absence) back.
function Undo-RdsLicenseServerStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    if ([string]$Entry.Via -eq 'policy') {
        $path = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
        if ($null -ne $Entry.Previous) {
            Set-RdsRegistryValue -Path $path -Name 'LicenseServers' -Type ([string]$Entry.Previous.Type) -Data $Entry.Previous.Data -View 'Default'
        } elseif ($null -ne (Get-RdsRegistryValue -Path $path -Name 'LicenseServers' -View 'Default')) {
            Remove-RdsRegistryValue -Path $path -Name 'LicenseServers' -View 'Default'
        }
        return
    }
    Set-RdsSpecifiedLicenseServer -Server ([string[]]@($Entry.Servers | Where-Object { $null -ne $_ }))
}
