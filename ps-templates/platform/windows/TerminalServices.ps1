# rdsplan platform (Windows): the Terminal Services WMI provider (Win32_TerminalServiceSetting,
# root\cimv2\TerminalServices). Thin calls: errors are Invoke-CimMethod's own CimExceptions,
# classified by the runtime (Get-RdsErrorCode); out-parameters exist only when Windows filled
# them in, so they are read through PSObject.Properties (Get-RdsPropertyValue: strict mode).

# Returns the Win32_TerminalServiceSetting instance (root\cimv2\TerminalServices).
function Get-RdsTerminalServiceSettingInstance {
    [CmdletBinding()] param()
    $instance = Get-CimInstance -Namespace 'root\cimv2\TerminalServices' -ClassName 'Win32_TerminalServiceSetting'
    if ($null -eq $instance) { throw 'Win32_TerminalServiceSetting not found (root\cimv2\TerminalServices): is the Remote Desktop Session Host role installed?' }
    return $instance
}

# Calls a Win32_TerminalServiceSetting method; throws when ReturnValue is not 0.
function Invoke-RdsTerminalServiceMethod {
    param([Parameter(Mandatory)] [string] $MethodName, [hashtable] $Arguments = @{})
    $instance = Get-RdsTerminalServiceSettingInstance
    $result = Invoke-CimMethod -InputObject $instance -MethodName $MethodName -Arguments $Arguments
    $returnValue = Get-RdsPropertyValue -InputObject $result -Name 'ReturnValue'
    if ($null -ne $returnValue -and [long]$returnValue -ne 0) { throw ('Win32_TerminalServiceSetting.' + $MethodName + ' returned ' + $returnValue) }
    return $result
}

# Returns @{ LicensingType; SpecifiedLicenseServers; PolicySourceLicensingType; PolicySourceConfiguredLicenseServers }.
function Get-RdsTerminalServiceSetting {
    [CmdletBinding()] param()
    $instance = Get-RdsTerminalServiceSettingInstance
    $list = Get-RdsPropertyValue -InputObject (Invoke-RdsTerminalServiceMethod -MethodName 'GetSpecifiedLicenseServerList') -Name 'SpecifiedLSList'
    $servers = [string[]]@()
    if ($null -ne $list) { $servers = [string[]]@($list) }
    return @{
        LicensingType = [long]$instance.LicensingType; SpecifiedLicenseServers = $servers
        PolicySourceLicensingType = [long]$instance.PolicySourceLicensingType
        PolicySourceConfiguredLicenseServers = [long]$instance.PolicySourceConfiguredLicenseServers
    }
}

# Returns GetGracePeriodDays' DaysLeft ($null when absent); throws what Invoke-CimMethod throws (0x80070002 after expiry on 2022).
function Get-RdsGracePeriodDays {
    [CmdletBinding()] param()
    return (Get-RdsPropertyValue -InputObject (Invoke-RdsTerminalServiceMethod -MethodName 'GetGracePeriodDays') -Name 'DaysLeft')
}

# Sets the specified license server list (SetSpecifiedLicenseServerList; an empty list empties it).
function Set-RdsSpecifiedLicenseServer {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Server)
    if ($Server.Length -eq 0) { [void](Invoke-RdsTerminalServiceMethod -MethodName 'EmptySpecifiedLicenseServerList') }
    else { [void](Invoke-RdsTerminalServiceMethod -MethodName 'SetSpecifiedLicenseServerList' -Arguments @{ SpecifiedLSList = [string[]]$Server }) }
}

# Sets the licensing mode with ChangeMode (2 per device, 4 per user).
function Set-RdsLicensingType {
    param([Parameter(Mandatory)] [int] $Type)
    [void](Invoke-RdsTerminalServiceMethod -MethodName 'ChangeMode' -Arguments @{ LicensingType = [uint32]$Type })
}

# Returns GetTStoLSConnectivityStatus' TStoLSConnectivityStatus for a license server as [long] ($null when absent); 9 and 11 mean valid, 6 not connectable.
function Get-RdsLicenseServerConnectivity {
    [CmdletBinding()] param([Parameter(Mandatory)] [string] $Server)
    $status = Get-RdsPropertyValue -InputObject (Invoke-RdsTerminalServiceMethod -MethodName 'GetTStoLSConnectivityStatus' -Arguments @{ ServerName = $Server }) -Name 'TStoLSConnectivityStatus'
    if ($null -eq $status) { return $null }
    return [long]$status
}
