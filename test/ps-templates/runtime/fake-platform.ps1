# A tiny in-memory platform for the runtime tests (not the simulated Windows of
# platform/sim/): registry keys with values and an SDDL string, services, a privilege set,
# a lock flag, and a call log. A test sets $script:Fake* before New-RdsPlanContext;
# Complete-RdsPlatform prints the final state as one '@@fake ' line.
# $script:FakeFail['<Function>|<arg>'] = 'message' makes that call throw.

$script:FakeKeys = @{}
$script:FakeServices = @{}
$script:FakePrivileges = [System.Collections.Generic.List[string]]::new()
$script:FakeHeldPrivileges = @('SeTakeOwnershipPrivilege', 'SeRestorePrivilege')
$script:FakeLockTaken = $false
$script:FakeLockedByOther = $false
$script:FakeFail = @{}
$script:FakeCalls = [System.Collections.Generic.List[string]]::new()
$script:FakeRebooted = -1
$script:FakeGraceDays = 42
$script:FakeTs = @{ LicensingType = 5; SpecifiedLicenseServers = @(); PolicySourceLicensingType = 0; PolicySourceConfiguredLicenseServers = 0 }

function Invoke-FakeCall([string]$Name, [string]$Arg) {
    $script:FakeCalls.Add($Name + '|' + $Arg)
    if ($script:FakeFail.ContainsKey($Name + '|' + $Arg)) { throw $script:FakeFail[$Name + '|' + $Arg] }
}
function Add-FakeKey([string]$Path, [string]$Sddl = 'O:NSG:SYD:(A;CI;KR;;;BA)(A;CI;KA;;;NS)') {
    if (-not $script:FakeKeys.ContainsKey($Path)) { $script:FakeKeys[$Path] = @{ Values = [ordered]@{}; Sddl = $Sddl } }
    $parent = $Path.Substring(0, [Math]::Max(0, $Path.LastIndexOf('\')))
    if ($parent.Contains('\') -and -not $script:FakeKeys.ContainsKey($parent)) { Add-FakeKey -Path $parent -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)' }
}
function Set-FakeValue([string]$Path, [string]$Name, [string]$Type, $Data) {
    Add-FakeKey -Path $Path
    $script:FakeKeys[$Path].Values[$Name] = @{ Name = $Name; Type = $Type; Data = $Data }
}
function Get-FakeKey([string]$Path) {
    if (-not $script:FakeKeys.ContainsKey($Path)) { throw "The system cannot find the file specified. ($Path)" }
    return $script:FakeKeys[$Path]
}
function Initialize-RdsPlatform([AllowEmptyString()][string]$Option) { Invoke-FakeCall 'Initialize-RdsPlatform' $Option }
function Complete-RdsPlatform {
    Invoke-FakeCall 'Complete-RdsPlatform' ''
    Write-Host ('@@fake ' + (ConvertTo-RdsJson -InputObject ([ordered]@{ keys = $script:FakeKeys; services = $script:FakeServices; privileges = $script:FakePrivileges.ToArray(); lock = $script:FakeLockTaken; calls = $script:FakeCalls.ToArray() })))
}
function Get-RdsHostIdentity { return @{ ComputerName = 'FAKEHOST'; UserName = 'FAKE\admin'; IsDomainJoined = $false } }
function Lock-RdsHost([string]$Name) {
    Invoke-FakeCall 'Lock-RdsHost' $Name
    if ($script:FakeLockedByOther -or $script:FakeLockTaken) { throw 'Another rdsplan run holds the host lock' }
    $script:FakeLockTaken = $true
}
function Unlock-RdsHost([string]$Name) { Invoke-FakeCall 'Unlock-RdsHost' $Name; $script:FakeLockTaken = $false }
function Test-RdsRegistryKey([string]$Path, [string]$View) { return $script:FakeKeys.ContainsKey($Path) }
function Get-RdsRegistryValue([string]$Path, [AllowEmptyString()][string]$Name, [string]$View) {
    Invoke-FakeCall 'Get-RdsRegistryValue' ($Path + '\' + $Name)
    if (-not $script:FakeKeys.ContainsKey($Path)) { return $null }
    $values = $script:FakeKeys[$Path].Values
    if (-not $values.Contains($Name)) { return $null }
    $v = $values[$Name]
    return @{ Name = $v.Name; Type = $v.Type; Data = $v.Data }
}
function Get-RdsRegistryValueName([string]$Path, [string]$View) {
    if (-not $script:FakeKeys.ContainsKey($Path)) { return }
    return [string[]]@($script:FakeKeys[$Path].Values.Keys)
}
function Get-RdsRegistrySubkeyName([string]$Path, [string]$View) {
    $prefix = $Path + '\'
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($k in $script:FakeKeys.Keys) {
        if ($k.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase) -and -not $k.Substring($prefix.Length).Contains('\')) { $names.Add($k.Substring($prefix.Length)) }
    }
    $names.Sort([System.StringComparer]::Ordinal)
    return $names.ToArray()
}
function Set-RdsRegistryValue([string]$Path, [AllowEmptyString()][string]$Name, [string]$Type, [AllowNull()][AllowEmptyCollection()]$Data, [string]$View) {
    Invoke-FakeCall 'Set-RdsRegistryValue' ($Path + '\' + $Name)
    if ($script:FakeKeys.ContainsKey($Path) -and $script:FakeKeys[$Path].Sddl.StartsWith('O:NS')) { throw "Access is denied. ($Path)" }
    if (-not $script:FakeKeys.ContainsKey($Path)) { Add-FakeKey -Path $Path -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)' }
    Set-FakeValue -Path $Path -Name $Name -Type $Type -Data $Data
}
function Remove-RdsRegistryValue([string]$Path, [AllowEmptyString()][string]$Name, [string]$View) {
    Invoke-FakeCall 'Remove-RdsRegistryValue' ($Path + '\' + $Name)
    $key = Get-FakeKey $Path
    if ($key.Sddl.StartsWith('O:NS')) { throw "Access is denied. ($Path)" }
    if (-not $key.Values.Contains($Name)) { throw "value not found ($Path\$Name)" }
    $key.Values.Remove($Name)
}
function New-RdsRegistryKey([string]$Path, [string]$View) { Invoke-FakeCall 'New-RdsRegistryKey' $Path; Add-FakeKey -Path $Path -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)' }
function Remove-RdsRegistryKey([string]$Path, [string]$View, [switch]$Recurse) {
    Invoke-FakeCall 'Remove-RdsRegistryKey' $Path
    [void](Get-FakeKey $Path)
    $children = @(Get-RdsRegistrySubkeyName -Path $Path -View $View)
    if ($children.Length -gt 0 -and -not $Recurse) { throw "Registry key has subkeys ($Path)" }
    foreach ($k in @($script:FakeKeys.Keys)) {
        if ($k -eq $Path -or $k.StartsWith($Path + '\', [System.StringComparison]::OrdinalIgnoreCase)) { $script:FakeKeys.Remove($k) }
    }
}
function Export-RdsRegistryKey([string]$Path, [string]$View, [string]$File) {
    Invoke-FakeCall 'Export-RdsRegistryKey' $Path
    [System.IO.File]::WriteAllText($File, 'Windows Registry Editor Version 5.00' + "`r`n[" + $Path + "]`r`n")
}
function Import-RdsRegistryFile([string]$File, [string]$View) { Invoke-FakeCall 'Import-RdsRegistryFile' $File }
function Get-RdsRegistrySddl([string]$Path, [string]$View) { Invoke-FakeCall 'Get-RdsRegistrySddl' $Path; return (Get-FakeKey $Path).Sddl }
function Set-RdsRegistrySddl([string]$Path, [string]$View, [string]$Sddl) {
    Invoke-FakeCall 'Set-RdsRegistrySddl' $Path
    if (-not $script:FakePrivileges.Contains('SeRestorePrivilege')) { throw "A required privilege is not held by the client. ($Path)" }
    (Get-FakeKey $Path).Sddl = $Sddl
}
function Set-RdsRegistryOwner([string]$Path, [string]$View, [string]$Sid) {
    Invoke-FakeCall 'Set-RdsRegistryOwner' $Path
    if (-not $script:FakePrivileges.Contains('SeTakeOwnershipPrivilege')) { throw "Access is denied. ($Path)" }
    $key = Get-FakeKey $Path
    $key.Sddl = [regex]::Replace($key.Sddl, '\AO:[^G]+', 'O:' + $Sid)
}
function Add-RdsRegistryAccessRule([string]$Path, [string]$View, [string]$Sid, [string]$Rights) {
    Invoke-FakeCall 'Add-RdsRegistryAccessRule' $Path
    $key = Get-FakeKey $Path
    $code = 'KR'
    if ($Rights -eq 'FullControl') { $code = 'KA' }
    $key.Sddl = $key.Sddl + '(A;CI;' + $code + ';;;' + $Sid + ')'
}
function Enable-RdsPrivilege([string]$Name) {
    Invoke-FakeCall 'Enable-RdsPrivilege' $Name
    if ($script:FakeHeldPrivileges -notcontains $Name) { throw "privilege $Name is not held by this account" }
    if (-not $script:FakePrivileges.Contains($Name)) { $script:FakePrivileges.Add($Name) }
}
function Disable-RdsPrivilege([string]$Name) { Invoke-FakeCall 'Disable-RdsPrivilege' $Name; [void]$script:FakePrivileges.Remove($Name) }
function Get-RdsService([string]$Name) {
    if (-not $script:FakeServices.ContainsKey($Name)) { return $null }
    $s = $script:FakeServices[$Name]
    return @{ Name = $Name; StartMode = $s.StartMode; Status = $s.Status; DependentServices = [string[]]@(); ServicesDependedOn = [string[]]@() }
}
function Set-RdsServiceStartMode([string]$Name, [string]$StartMode) { Invoke-FakeCall 'Set-RdsServiceStartMode' $Name; $script:FakeServices[$Name].StartMode = $StartMode }
function Start-RdsService([string]$Name, [switch]$Force) { Invoke-FakeCall 'Start-RdsService' $Name; $script:FakeServices[$Name].Status = 'Running' }
function Stop-RdsService([string]$Name, [switch]$Force) { Invoke-FakeCall 'Stop-RdsService' $Name; $script:FakeServices[$Name].Status = 'Stopped' }
function Restart-RdsService([string]$Name, [switch]$Force) { Invoke-FakeCall 'Restart-RdsService' $Name; $script:FakeServices[$Name].Status = 'Running' }
function Get-RdsTerminalServiceSetting { return $script:FakeTs }
function Get-RdsGracePeriodDays { Invoke-FakeCall 'Get-RdsGracePeriodDays' ''; return $script:FakeGraceDays }
function Set-RdsSpecifiedLicenseServer([AllowEmptyCollection()][string[]]$Server) { Invoke-FakeCall 'Set-RdsSpecifiedLicenseServer' ($Server -join ','); $script:FakeTs.SpecifiedLicenseServers = $Server }
function Set-RdsLicensingType([int]$Type) { Invoke-FakeCall 'Set-RdsLicensingType' ([string]$Type); $script:FakeTs.LicensingType = $Type }
function Restart-RdsHost([int]$DelaySeconds) { Invoke-FakeCall 'Restart-RdsHost' ([string]$DelaySeconds); $script:FakeRebooted = $DelaySeconds }
