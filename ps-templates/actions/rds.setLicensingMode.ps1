# rdsplan action: rds.setLicensingMode
# Mode 'PerUser' (4) or 'PerDevice' (2). Via 'wmi': Win32_TerminalServiceSetting ChangeMode;
# via 'policy': REG_DWORD LicensingMode under
# HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services. Undo: the previous mode
# (via 'wmi', a mode ChangeMode refuses, such as 5 'not configured', by restoring the local
# RCM\Licensing Core value it came from).
# Parameters: Mode, Via.

$script:RdsLicensingCoreKey = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'

Register-RdsAction -Name 'rds.setLicensingMode' -Test 'Test-RdsLicensingModeStep' -Set 'Set-RdsLicensingModeStep' -Undo 'Undo-RdsLicensingModeStep'

# Converts 'PerUser' / 'PerDevice' to the LicensingType number (4 / 2).
function ConvertTo-RdsLicensingType {
    param([Parameter(Mandatory)] [string] $Mode)
    switch -CaseSensitive ($Mode) {
        'PerUser' { return 4 }
        'PerDevice' { return 2 }
        default { throw "unknown licensing mode '$Mode' (PerUser or PerDevice)" }
    }
}

# Returns @{ Type = <number or $null>; Value = <policy value or $null>; Warning = '' } for a Via.
function Get-RdsCurrentLicensingMode {
    param([Parameter(Mandatory)] [string] $Via)
    if ($Via -eq 'policy') {
        $value = Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'LicensingMode' -View 'Default'
        $type = $null
        if ($null -ne $value -and [string]$value.Type -eq 'DWord') { $type = [long]$value.Data }
        $warning = ''
        if ([bool](Get-RdsHostIdentity).IsDomainJoined) {
            $warning = 'the host is domain-joined: a Group Policy may overwrite the local policy value at the next refresh'
        }
        return @{ Type = $type; Value = $value; Warning = $warning }
    }
    $setting = Get-RdsTerminalServiceSetting
    $warning = ''
    if ([long]$setting.PolicySourceLicensingType -eq 1) {
        $warning = 'the licensing mode is set by Group Policy, which takes precedence over this setting'
    }
    return @{ Type = [long]$setting.LicensingType; Value = $null; Warning = $warning }
}

# Test of rds.setLicensingMode: desired when the mode already matches.
function Test-RdsLicensingModeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $via = [string](Get-RdsParameter -Parameters $Parameters -Name 'Via' -Default 'wmi')
    $mode = [string]$Parameters.Mode
    $wanted = ConvertTo-RdsLicensingType -Mode $mode
    $current = Get-RdsCurrentLicensingMode -Via $via
    $target = 'Win32_TerminalServiceSetting licensing mode'
    if ($via -eq 'policy') { $target = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services\LicensingMode' }
    return @{
        InDesiredState = ($null -ne $current.Type -and [long]$current.Type -eq $wanted); Target = $target
        Operation = 'Set licensing mode to ' + $mode + ' (' + $wanted + ')'; Before = @{ LicensingType = $current.Type; Via = $via }
        After = @{ LicensingType = [long]$wanted; Via = $via }; Message = [string]$current.Warning
    }
}

# Set of rds.setLicensingMode: ChangeMode or the policy value.
function Set-RdsLicensingModeStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $via = [string](Get-RdsParameter -Parameters $Parameters -Name 'Via' -Default 'wmi')
    $wanted = ConvertTo-RdsLicensingType -Mode ([string]$Parameters.Mode)
    $previous = Get-RdsCurrentLicensingMode -Via $via
    # The local value ChangeMode writes: its undo puts it back as it was when ChangeMode cannot
    # (5 'not configured', the default of a fresh session host, is refused with 87).
    $previousLocal = $null
    if ($via -ne 'policy') { $previousLocal = Get-RdsRegistryValue -Path $script:RdsLicensingCoreKey -Name 'LicensingMode' -View 'Default' }
    if ($via -eq 'policy') {
        Set-RdsRegistryValue -Path 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'LicensingMode' -Type 'DWord' -Data ([long]$wanted) -View 'Default'
    } else { Set-RdsLicensingType -Type $wanted }
    $after = Get-RdsCurrentLicensingMode -Via $via
    return @{
        After = @{ LicensingType = $after.Type; Via = $via }; Backup = $null
        Undo = @{ Via = $via; LicensingType = $previous.Type; Previous = $previous.Value; PreviousLocal = $previousLocal }
        Message = [string]$after.Warning
    }
}

# Undo of rds.setLicensingMode: restores the previous mode (or policy value, or its absence).
function Undo-RdsLicensingModeStep {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
    if ([string]$Entry.Via -eq 'policy') {
        $path = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
        if ($null -ne $Entry.Previous) {
            Set-RdsRegistryValue -Path $path -Name 'LicensingMode' -Type ([string]$Entry.Previous.Type) -Data $Entry.Previous.Data -View 'Default'
        } elseif ($null -ne (Get-RdsRegistryValue -Path $path -Name 'LicensingMode' -View 'Default')) {
            Remove-RdsRegistryValue -Path $path -Name 'LicensingMode' -View 'Default'
        }
        return
    }
    $type = [int]$Entry.LicensingType
    if (@(0, 1, 2, 4) -contains $type) {
        Set-RdsLicensingType -Type $type
        return
    }
    # ChangeMode accepts only 0, 1, 2, 4: another previous mode (5, not configured) is the local
    # registry value as it was (or its absence).
    $core = $script:RdsLicensingCoreKey
    $local = $null
    if ($Entry.Contains('PreviousLocal')) { $local = $Entry['PreviousLocal'] } else { $local = @{ Name = 'LicensingMode'; Type = 'DWord'; Data = [long]$type } }
    Invoke-RdsRegistryWrite -Path $core -View 'Default' -Write {
        if ($null -ne $local) { Set-RdsRegistryValue -Path $core -Name 'LicensingMode' -Type ([string]$local.Type) -Data $local.Data -View 'Default' }
        elseif ($null -ne (Get-RdsRegistryValue -Path $core -Name 'LicensingMode' -View 'Default')) {
            Remove-RdsRegistryValue -Path $core -Name 'LicensingMode' -View 'Default'
        }
    }
}
