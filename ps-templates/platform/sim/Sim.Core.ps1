# rdsplan platform (simulated Windows): state file, lifecycle, host identity, host lock,
# reboot, call counters and fault injection.
#
# The simulated platform implements exactly the functions of the platform API
# (ps-templates/README.md) over a JSON state file, so the real generated script runs against a
# fake Windows host in the tests and in `rdsplan ... --simulate state.json` rehearsals.
# State format: ps-templates/platform/sim/README.md and schemas/sim-state.schema.json.
# Needs ConvertTo-RdsJson from runtime/Json.ps1 (saving) and only the cmdlets of the
# README's "Cmdlet surface". Internal helpers are named *-RdsSim*.

$script:RdsSim = $null
$script:RdsSimLock = $null
$script:RdsSimSddlCache = @{}

# Returns the in-memory simulated host; throws when Initialize-RdsPlatform has not run.
function Get-RdsSimState {
    [CmdletBinding()] param()
    if ($null -eq $script:RdsSim) { throw 'the simulated platform is not initialized (Initialize-RdsPlatform -Option <state file>)' }
    return $script:RdsSim
}

# Returns a new hashtable with ordinal, case-insensitive keys (registry and service names).
function New-RdsSimDictionary {
    [CmdletBinding()] param()
    return [System.Collections.Hashtable]::new([System.StringComparer]::OrdinalIgnoreCase)
}

# Converts the output of ConvertFrom-Json (PSCustomObject, arrays) into hashtables and arrays.
function ConvertFrom-RdsSimJsonNode {
    param([Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Node)
    if ($null -eq $Node) { return $null }
    if ($Node -is [System.Management.Automation.PSCustomObject]) {
        $table = New-RdsSimDictionary
        foreach ($property in $Node.PSObject.Properties) { $table[[string]$property.Name] = ConvertFrom-RdsSimJsonNode -Node $property.Value }
        return $table
    }
    if ($Node -is [string]) { return $Node }
    if ($Node -is [System.Collections.IDictionary]) {
        $table = New-RdsSimDictionary
        foreach ($entry in $Node.GetEnumerator()) { $table[[string]$entry.Key] = ConvertFrom-RdsSimJsonNode -Node $entry.Value }
        return $table
    }
    if ($Node -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Node) { $list.Add((ConvertFrom-RdsSimJsonNode -Node $item)) }
        return , $list.ToArray()
    }
    if ($Node -is [datetime]) { return $Node.ToString('yyyy-MM-ddTHH:mm:ss.FFFFFFFK', [System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Node -is [int] -or $Node -is [long] -or $Node -is [int16] -or $Node -is [byte]) { return [long]$Node }
    if ($Node -is [decimal] -or $Node -is [double]) {
        if ([System.Math]::Floor([double]$Node) -eq [double]$Node -and [System.Math]::Abs([double]$Node) -lt 9.2e18) { return [long]$Node }
        return [double]$Node
    }
    return $Node
}

# Returns $Table[$Name], or $Default when the table is $null or has no such key.
function Get-RdsSimMember {
    param([Parameter(Mandatory)] [AllowNull()] [object] $Table, [Parameter(Mandatory)] [string] $Name, [AllowNull()] [object] $Default = $null)
    if ($null -eq $Table -or -not ($Table -is [System.Collections.IDictionary])) { return $Default }
    if (-not $Table.Contains($Name)) { return $Default }
    $value = $Table[$Name]
    if ($null -eq $value) { return $Default }
    return , $value
}

# Returns $Table[$Name] as an array (absent or $null: an empty one; a single object: one element).
function Get-RdsSimList {
    param([Parameter(Mandatory)] [AllowNull()] [object] $Table, [Parameter(Mandatory)] [string] $Name)
    $value = Get-RdsSimMember -Table $Table -Name $Name
    if ($null -eq $value) { return , [object[]]@() }
    if ($value -is [System.Collections.IDictionary] -or $value -is [string]) { return , [object[]]@(, $value) }
    return , [object[]]$value
}

# Returns a value as string[] ($null -> empty array, a scalar -> one element).
function ConvertTo-RdsSimStringArray {
    param([Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Value)
    $list = [System.Collections.Generic.List[string]]::new()
    if ($null -ne $Value) {
        if ($Value -is [string]) { $list.Add($Value) }
        else {
            foreach ($item in $Value) {
                if ($null -eq $item) { throw 'a list contains null' }
                $list.Add([string]$item)
            }
        }
    }
    return , $list.ToArray()
}

# Returns the built-in simulated host as a state document (the JSON state file's structure).
function New-RdsSimDefaultState {
    [CmdletBinding()] param(
        [ValidateSet('InGracePeriod', 'FreshlyReset', 'Expired', 'KeyAbsent')] [string] $GracePeriod = 'InGracePeriod',
        [ValidateSet('Elevated', 'NotElevated')] [string] $Token = 'Elevated',
        [ValidateRange(0, 86400)] [int] $TermServiceStopPendingSeconds = 0,
        [ValidateSet('SessionHost', 'LicenseServer')] [string] $Role = 'SessionHost'
    )
    # Realistic security descriptors. Inherited ACEs carry ID; 'CIIO ... CO' is the CREATOR OWNER entry.
    $hive = 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)'
    $inherited = 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)'
    $system = 'O:SYG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)'
    $timebomb = '01000000d08c9ddf0115d1118c7a00c04fc297eb01000000b45a1a93fdbe49f0c71c273ec85f2b3d16a53c8de6ac5c4239e282d3f3aef3cd0000000002660000c0000000100000004b6f2c5d3e1a09f8'
    $graceDays = 21
    if ($GracePeriod -eq 'FreshlyReset') {
        $timebomb = New-RdsSimTimebombData -Generation 1
        $graceDays = 120
    } elseif ($GracePeriod -ne 'InGracePeriod') { $graceDays = 0 }
    $registry = @{}
    $addKey = {
        param([string]$Path, [string]$Sddl, [object[]]$Values)
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($value in $Values) { $list.Add($value) }
        $registry[$Path] = @{ sddl = $Sddl; values = $list.ToArray() }
    }
    $v = {
        param([string]$Name, [string]$Type, [object]$Data)
        return @{ name = $Name; type = $Type; data = $Data }
    }
    $cert = '308201a63082014fa003020102021000e1b2c3d4e5f60718293a4b5c6d7e8f300d06092a864886f70d01010505003015311330110603550403130a5244534830312d434552'
    & $addKey 'HKLM\SOFTWARE' $hive @()
    & $addKey 'HKLM\SOFTWARE\Microsoft' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Microsoft\MSLicensing' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID' $inherited @((& $v 'ClientHWID' 'Binary' '0200030ab1c2d3e4f5061728394a5b6c7d8e'))
    & $addKey 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000' $inherited @(
        (& $v 'ClientLicense' 'Binary' '3082036e06092a864886f70d010702a082035f3082035b020101310b300906052b0e03021a0500'),
        (& $v 'CompanyName' 'Binary' '4d006900630072006f0073006f0066007400200043006f00720070006f0072006100740069006f006e000000'),
        (& $v 'LicenseScope' 'Binary' '4d006900630072006f0073006f00660074000000'),
        (& $v 'ProductID' 'Binary' '410003000000'))
    & $addKey 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE001' $inherited @(
        (& $v 'ClientLicense' 'Binary' '3082037106092a864886f70d010702a08203623082035e020101310b300906052b0e03021a0500'),
        (& $v 'CompanyName' 'Binary' '4d006900630072006f0073006f0066007400200043006f00720070006f0072006100740069006f006e000000'),
        (& $v 'LicenseScope' 'Binary' '4d006900630072006f0073006f00660074000000'),
        (& $v 'ProductID' 'Binary' '410006000000'))
    & $addKey 'HKLM\SOFTWARE\Policies' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Policies\Microsoft' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT' $inherited @()
    & $addKey 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' $inherited @()
    & $addKey 'HKLM\SOFTWARE\WOW6432Node' $inherited @()
    & $addKey 'HKLM\SOFTWARE\WOW6432Node\Microsoft' $inherited @()
    # What Windows holds that .NET is in the way of (DOMAIN.md "Windows behaviours a faithful test
    # must reproduce"): an agent's key whose installer appended a deny entry after the allow
    # entries (not canonical: RegistrySecurity.AddAccessRule refuses to change it), and the
    # hardware description with a REG_FULL_RESOURCE_DESCRIPTOR (.NET reads no data from it).
    & $addKey 'HKLM\SOFTWARE\Fabrikam\RdsAgent' 'O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(D;CI;KW;;;NU)' @((& $v 'Mode' 'DWord' 1))
    & $addKey 'HKLM\HARDWARE\DESCRIPTION\System' 'O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;KR;;;BA)(A;CI;KR;;;BU)' @(
        (& $v 'Identifier' 'String' 'AT/AT COMPATIBLE'),
        (& $v 'Configuration Data' 'FullResourceDescriptor' 'ffffffffffffffff0000000000000000'))
    & $addKey 'HKLM\SYSTEM' $hive @()
    & $addKey 'HKLM\SYSTEM\CurrentControlSet' $system @()
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Control' $system @()
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server' $system @(
        (& $v 'fDenyTSConnections' 'DWord' 0),
        (& $v 'ProductVersion' 'String' '5.1'))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM' $system @(
        (& $v 'Certificate' 'Binary' ('0100000001000000' + $cert)),
        (& $v 'X509 Certificate' 'Binary' ('0200000001000000' + $cert)),
        (& $v 'X509 Certificate ID' 'Binary' '0300000001000000a1b2c3d4e5f60718293a4b5c6d7e8f90'),
        (& $v 'X509 Certificate2' 'Binary' ('0200000002000000' + $cert)))
    if ($GracePeriod -ne 'KeyAbsent') {
        & $addKey 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod' $script:RdsSimGracePeriodSddl @(
            (& $v $script:RdsSimTimebombName 'Binary' $timebomb))
    }
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' $system @(
        (& $v 'LicensingMode' 'DWord' 5))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services' $system @()
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog' $system @(
        (& $v 'DisplayName' 'String' 'Windows Event Log'),
        (& $v 'ImagePath' 'ExpandString' '%SystemRoot%\System32\svchost.exe -k LocalServiceNetworkRestricted -p'),
        (& $v 'ObjectName' 'String' 'NT AUTHORITY\LocalService'),
        (& $v 'Start' 'DWord' 2),
        (& $v 'Type' 'DWord' 32))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\RpcSs' $system @(
        (& $v 'DisplayName' 'String' 'Remote Procedure Call (RPC)'),
        (& $v 'ImagePath' 'ExpandString' '%SystemRoot%\system32\svchost.exe -k rpcss -p'),
        (& $v 'ObjectName' 'String' 'NT AUTHORITY\NetworkService'),
        (& $v 'Start' 'DWord' 2),
        (& $v 'Type' 'DWord' 32))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\TermService' $system @(
        (& $v 'DependOnService' 'MultiString' @('RPCSS')),
        (& $v 'DisplayName' 'String' 'Remote Desktop Services'),
        (& $v 'ImagePath' 'ExpandString' '%SystemRoot%\System32\svchost.exe -k NetworkService'),
        (& $v 'ObjectName' 'String' 'NT Authority\NetworkService'),
        (& $v 'Start' 'DWord' 3),
        (& $v 'Type' 'DWord' 32))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters' $system @(
        (& $v 'ServiceDll' 'ExpandString' '%SystemRoot%\System32\termsrv.dll'))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers' $system @(
        (& $v 'SpecifiedLicenseServers' 'MultiString' @()))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing' $system @(
        (& $v 'DependOnService' 'MultiString' @('RPCSS', 'EventLog')),
        (& $v 'DisplayName' 'String' 'Remote Desktop Licensing'),
        (& $v 'ImagePath' 'ExpandString' '%SystemRoot%\system32\lserver.exe'),
        (& $v 'ObjectName' 'String' 'NT Authority\NetworkService'),
        (& $v 'Start' 'DWord' 2),
        (& $v 'Type' 'DWord' 16))
    & $addKey 'HKLM\SYSTEM\CurrentControlSet\Services\UmRdpService' $system @(
        (& $v 'DependOnService' 'MultiString' @('TermService', 'RDPDR')),
        (& $v 'DisplayName' 'String' 'Remote Desktop Services UserMode Port Redirector'),
        (& $v 'ImagePath' 'ExpandString' '%SystemRoot%\System32\svchost.exe -k LocalSystemNetworkRestricted -p'),
        (& $v 'ObjectName' 'String' 'localSystem'),
        (& $v 'Start' 'DWord' 3),
        (& $v 'Type' 'DWord' 32))
    & $addKey 'HKCU\Software' 'O:S-1-5-21-1004336348-1177238915-682003330-500G:S-1-5-21-1004336348-1177238915-682003330-513D:PAI(A;CI;KA;;;S-1-5-21-1004336348-1177238915-682003330-500)(A;CI;KA;;;SY)(A;CI;KA;;;BA)' @()

    $user = 'S-1-5-21-1004336348-1177238915-682003330-500'
    $document = @{
        format           = 'rdsplan-sim-state/1'
        host             = @{
            computerName = 'RDSH01'; userName = 'CONTOSO\Administrator'; isDomainJoined = $true; rebootPending = $false; rebootCount = 0
        }
        token            = @{
            user       = $user
            groups     = @(
                'S-1-5-21-1004336348-1177238915-682003330-513',
                'S-1-5-21-1004336348-1177238915-682003330-512',
                'S-1-1-0',
                'S-1-5-32-544',
                'S-1-5-32-545',
                'S-1-5-32-555',
                'S-1-5-4',
                'S-1-2-1',
                'S-1-5-11',
                'S-1-5-15',
                'S-1-2-0',
                'S-1-16-12288')
            privileges = @{
                SeBackupPrivilege = @{ held = $true; enabled = $false }; SeRestorePrivilege = @{ held = $true; enabled = $false }
                SeShutdownPrivilege = @{ held = $true; enabled = $false }; SeTakeOwnershipPrivilege = @{ held = $true; enabled = $false }
            }
        }
        registry         = $registry
        services         = @{
            EventLog          = @{ displayName = 'Windows Event Log'; startMode = 'Automatic'; status = 'Running'; servicesDependedOn = @() }
            RpcSs             = @{ displayName = 'Remote Procedure Call (RPC)'; startMode = 'Automatic'; status = 'Running'; servicesDependedOn = @() }
            TermService       = @{ displayName = 'Remote Desktop Services'; startMode = 'Manual'; status = 'Running'; servicesDependedOn = @('RPCSS') }
            TermServLicensing = @{ displayName = 'Remote Desktop Licensing'; startMode = 'Automatic'; status = 'Running'; servicesDependedOn = @('RPCSS', 'EventLog') }
            UmRdpService      = @{ displayName = 'Remote Desktop Services UserMode Port Redirector'; startMode = 'Manual'; status = 'Running'; servicesDependedOn = @('TermService') }
        }
        terminalServices = @{
            graceDays = $graceDays; timebombGraceDays = $graceDays; graceDaysThrows = ($graceDays -eq 0)
        }
        faults           = @()
    }
    if ($Token -eq 'NotElevated') {
        $document.token.groups = @($document.token.groups | Where-Object { $_ -ne 'S-1-5-32-544' -and $_ -ne 'S-1-16-12288' }) + @('S-1-16-8192')
        $document.token.privileges = @{ SeShutdownPrivilege = @{ held = $true; enabled = $false } }
    }
    if ($TermServiceStopPendingSeconds -gt 0) { $document.services.TermService.stopPendingSeconds = $TermServiceStopPendingSeconds }
    if ($Role -eq 'LicenseServer') {
        $document.host.computerName = 'RDLS01'
        # No RD Session Host role: Remote Desktop for administration only (LicensingType 1).
        $registry['HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'].values = @((& $v 'LicensingMode' 'DWord' 1))
        $document.licenseServer = New-RdsSimDefaultLicenseServer
    }
    return $document
}

# Builds the in-memory simulated host from a state document (hashtables as read from JSON).
function Import-RdsSimStateDocument {
    param([Parameter(Mandatory)] [hashtable] $Document, [Parameter(Mandatory)] [string] $StatePath)
    $format = Get-RdsSimMember -Table $Document -Name 'format' -Default 'rdsplan-sim-state/1'
    if ($format -ne 'rdsplan-sim-state/1') { throw "unsupported state format '$format' (expected 'rdsplan-sim-state/1')" }
    # A state that names its role takes every member it leaves out from that role's built-in host.
    $role = [string](Get-RdsSimMember -Table $Document -Name 'role' -Default '')
    if ($role -ne '') {
        if (@('sessionHost', 'licenseServer') -cnotcontains $role) { throw "role: 'sessionHost' or 'licenseServer', not '$role'" }
        $builtIn = ConvertFrom-RdsSimJsonNode -Node (New-RdsSimDefaultState -Role ($role.Substring(0, 1).ToUpperInvariant() + $role.Substring(1)))
        foreach ($name in @($builtIn.Keys)) { if (-not $Document.Contains($name)) { $Document[$name] = $builtIn[$name] } }
    }

    $hostDoc = Get-RdsSimMember -Table $Document -Name 'host' -Default @{}
    $simHost = @{
        computerName           = [string](Get-RdsSimMember -Table $hostDoc -Name 'computerName' -Default 'RDSH01')
        userName               = [string](Get-RdsSimMember -Table $hostDoc -Name 'userName' -Default 'CONTOSO\Administrator')
        isDomainJoined         = [bool](Get-RdsSimMember -Table $hostDoc -Name 'isDomainJoined' -Default $true)
        rebootPending          = [bool](Get-RdsSimMember -Table $hostDoc -Name 'rebootPending' -Default $false)
        rebootCount            = [long](Get-RdsSimMember -Table $hostDoc -Name 'rebootCount' -Default 0)
        lastRebootDelaySeconds = Get-RdsSimMember -Table $hostDoc -Name 'lastRebootDelaySeconds'
        is64BitProcess         = [bool](Get-RdsSimMember -Table $hostDoc -Name 'is64BitProcess' -Default $true)
        is64BitOperatingSystem = [bool](Get-RdsSimMember -Table $hostDoc -Name 'is64BitOperatingSystem' -Default $true)
    }

    $tokenDoc = Get-RdsSimMember -Table $Document -Name 'token'
    if ($null -eq $tokenDoc) { $tokenDoc = (ConvertFrom-RdsSimJsonNode -Node (New-RdsSimDefaultState)).token }
    $tokenUser = ConvertTo-RdsSimSid -Sid ([string](Get-RdsSimMember -Table $tokenDoc -Name 'user' -Default 'S-1-5-21-1004336348-1177238915-682003330-500'))
    $groups = [System.Collections.Generic.List[string]]::new()
    foreach ($group in (ConvertTo-RdsSimStringArray -Value (Get-RdsSimMember -Table $tokenDoc -Name 'groups' -Default @('S-1-5-32-544')))) {
        $groups.Add((ConvertTo-RdsSimSid -Sid $group))
    }
    $privileges = New-RdsSimDictionary
    $privilegeDoc = Get-RdsSimMember -Table $tokenDoc -Name 'privileges' -Default @{}
    foreach ($entry in $privilegeDoc.GetEnumerator()) {
        $held = [bool](Get-RdsSimMember -Table $entry.Value -Name 'held' -Default $false)
        $enabled = [bool](Get-RdsSimMember -Table $entry.Value -Name 'enabled' -Default $false)
        $privileges[[string]$entry.Key] = @{ held = $held; enabled = ($held -and $enabled) }
    }
    $token = @{ user = $tokenUser; groups = $groups; privileges = $privileges }

    $state = @{
        StatePath = $StatePath; Host = $simHost; Token = $token; RegKeys = New-RdsSimDictionary; Services = New-RdsSimDictionary
        TerminalServices = @{}; Faults = [System.Collections.Generic.List[hashtable]]::new(); Calls = New-RdsSimDictionary
        CallLog = [System.Collections.Generic.List[hashtable]]::new(); LoadedText = $null; LockHeld = $false; LockReleased = $false
        LockRefused = $false; Folders = $null; Role = $role; LicenseServer = $null; Events = @()
    }

    # Registry: parents before children; a missing parent is created with inherited security.
    $registryDoc = Get-RdsSimMember -Table $Document -Name 'registry' -Default @{}
    $paths = [System.Collections.Generic.List[string]]::new()
    foreach ($entry in $registryDoc.GetEnumerator()) { $paths.Add([string]$entry.Key) }
    $pathArray = $paths.ToArray()
    $depths = [int[]]::new($pathArray.Length)
    for ($i = 0; $i -lt $pathArray.Length; $i++) { $depths[$i] = $pathArray[$i].Split('\').Length * 100000 + $i }
    [System.Array]::Sort($depths, $pathArray)
    foreach ($rawPath in $pathArray) {
        $keyDoc = $registryDoc[$rawPath]
        $path = ConvertTo-RdsSimRegistryPath -Path $rawPath
        if ($path.IndexOf('\') -lt 0) { throw "registry: a hive root cannot be listed ($rawPath)" }
        $parentKey = Add-RdsSimMissingKey -State $state -Path $path.Substring(0, $path.LastIndexOf('\'))
        $path = $parentKey.Path + $path.Substring($path.LastIndexOf('\'))
        if ($state.RegKeys.Contains($path)) { throw "registry: key listed twice ($rawPath)" }
        $sddl = [string](Get-RdsSimMember -Table $keyDoc -Name 'sddl' -Default '')
        if ($sddl -eq '') {
            $parentSddl = $parentKey.Sddl
            if ($parentKey.Contains('IsRoot')) { $parentSddl = $null }
            $sddl = Get-RdsSimInheritedSddl -State $state -ParentSddl $parentSddl -Loading
        } else { [void](Get-RdsSimParsedSddl -Sddl $sddl) }
        $values = [System.Collections.Generic.List[hashtable]]::new()
        $valueDocs = Get-RdsSimMember -Table $keyDoc -Name 'values' -Default @()
        foreach ($valueDoc in $valueDocs) {
            $name = [string](Get-RdsSimMember -Table $valueDoc -Name 'name' -Default '')
            $type = ConvertTo-RdsSimValueType -Type ([string](Get-RdsSimMember -Table $valueDoc -Name 'type' -Default ''))
            $data = $null
            if ($valueDoc.Contains('data')) { $data = $valueDoc['data'] }
            $canonical = ConvertTo-RdsSimCanonicalData -Type $type -Data $data -Target ($path + '\' + $name)
            foreach ($existing in $values) {
                if ([string]::Equals($existing.Name, $name, [System.StringComparison]::OrdinalIgnoreCase)) { throw "registry: value '$name' listed twice ($path)" }
            }
            $values.Add(@{ Name = $name; Type = $type; Data = $canonical })
        }
        $state.RegKeys[$path] = @{ Path = $path; Sddl = $sddl; ValueList = $values }
    }

    # Services: the table is authoritative at load; its start modes are written to the
    # registry (HKLM\SYSTEM\CurrentControlSet\Services\<name> Start/DelayedAutostart), which
    # is authoritative afterwards (Get-RdsService reads it back).
    $servicesDoc = Get-RdsSimMember -Table $Document -Name 'services' -Default @{}
    foreach ($entry in $servicesDoc.GetEnumerator()) {
        $name = [string]$entry.Key
        $serviceDoc = $entry.Value
        $startMode = [string](Get-RdsSimMember -Table $serviceDoc -Name 'startMode' -Default 'Manual')
        if (@('Boot', 'System', 'Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled') -notcontains $startMode) { throw "services: invalid startMode '$startMode' ($name)" }
        $status = [string](Get-RdsSimMember -Table $serviceDoc -Name 'status' -Default 'Stopped')
        if (@('Running', 'Stopped', 'StartPending', 'StopPending', 'Paused') -notcontains $status) { throw "services: invalid status '$status' ($name)" }
        $stopPending = Get-RdsSimMember -Table $serviceDoc -Name 'stopPendingSeconds' -Default ([long]0)
        if (-not ($stopPending -is [long]) -or $stopPending -lt 0) { throw "services: stopPendingSeconds is a whole number of seconds, 0 or more ($name)" }
        $state.Services[$name] = @{
            Name = $name; DisplayName = [string](Get-RdsSimMember -Table $serviceDoc -Name 'displayName' -Default $name); StartMode = $startMode
            Status = $status
            ServicesDependedOn = ConvertTo-RdsSimStringArray -Value (Get-RdsSimMember -Table $serviceDoc -Name 'servicesDependedOn' -Default @())
            StopPendingSeconds = [long]$stopPending; PendingSeconds = [long]$stopPending
        }
        Set-RdsSimServiceStartModeValue -State $state -Name $name -StartMode $startMode
    }

    $tsDoc = Get-RdsSimMember -Table $Document -Name 'terminalServices' -Default @{}
    $state.TerminalServices = @{
        graceDays         = [long](Get-RdsSimMember -Table $tsDoc -Name 'graceDays' -Default 120)
        timebombGraceDays = [long](Get-RdsSimMember -Table $tsDoc -Name 'timebombGraceDays' -Default (Get-RdsSimMember -Table $tsDoc -Name 'graceDays' -Default 120))
        graceDaysThrows   = [bool](Get-RdsSimMember -Table $tsDoc -Name 'graceDaysThrows' -Default $false)
        sessions          = @(foreach ($session in (Get-RdsSimMember -Table $tsDoc -Name 'sessions' -Default @())) {
                $entry = @{ id = [int]$session.id; station = [string](Get-RdsSimMember -Table $session -Name 'station' -Default ''); state = [string]$session.state; user = [string]$session.user }
                $ends = Get-RdsSimMember -Table $session -Name 'endsAfterReads' -Default $null
                if ($null -ne $ends) { $entry.endsAfterReads = [int]$ends }
                $entry
            })
        connectivity      = New-RdsSimDictionary
    }
    $connectivityDoc = Get-RdsSimMember -Table $tsDoc -Name 'connectivity' -Default @{}
    foreach ($server in @($connectivityDoc.Keys)) { $state.TerminalServices.connectivity[[string]$server] = [long]$connectivityDoc[$server] }
    $state.Events = Get-RdsSimList -Table $Document -Name 'events'
    $state.TerminalServices.timebombHistory = [ordered]@{}
    $historyDoc = Get-RdsSimMember -Table $Document -Name 'timebombDays' -Default @{}
    if (-not ($historyDoc -is [System.Collections.IDictionary])) { throw 'timebombDays: an object of sha256 -> days' }
    foreach ($hash in @($historyDoc.Keys)) { $state.TerminalServices.timebombHistory[[string]$hash] = [long]$historyDoc[$hash] }

    $faultDocs = Get-RdsSimMember -Table $Document -Name 'faults' -Default @()
    foreach ($faultDoc in $faultDocs) {
        if (-not ($faultDoc -is [System.Collections.IDictionary])) { throw 'faults: each fault is an object' }
        $call = [string](Get-RdsSimMember -Table $faultDoc -Name 'call' -Default '')
        if ($call -eq '') { throw 'faults: a fault needs "call" (a platform function name or "*")' }
        $errorKind = [string](Get-RdsSimMember -Table $faultDoc -Name 'error' -Default 'Failed')
        if (@('Failed', 'AccessDenied', 'NotFound') -notcontains $errorKind) { throw "faults: invalid error '$errorKind' (Failed, AccessDenied, NotFound)" }
        $nth = Get-RdsSimMember -Table $faultDoc -Name 'nth'
        if ($null -ne $nth) { $nth = [long]$nth; if ($nth -lt 1) { throw 'faults: nth counts from 1' } }
        $fault = @{
            call = $call; nth = $nth; path = Get-RdsSimMember -Table $faultDoc -Name 'path'; name = Get-RdsSimMember -Table $faultDoc -Name 'name'
            error = $errorKind; message = Get-RdsSimMember -Table $faultDoc -Name 'message'; seen = [long]0; fired = [long]0
        }
        if ($null -ne $fault.path) { $fault.path = [string]$fault.path }
        $state.Faults.Add($fault)
    }
    $state.Folders = Import-RdsSimFolderTable -Document $Document
    $state.LicenseServer = Import-RdsSimLicenseServer -Document $Document
    Sync-RdsSimTimebomb -State $state -Learn
    return $state
}

# Returns the state document (hashtables and arrays, saved as JSON) of the in-memory host.
function Export-RdsSimStateDocument {
    param([Parameter(Mandatory)] [hashtable] $State)
    Sync-RdsSimTimebomb -State $State
    $registry = @{}
    foreach ($key in $State.RegKeys.Values) {
        $values = [System.Collections.Generic.List[object]]::new()
        foreach ($value in $key.ValueList) {
            $data = $value.Data
            if ($value.Type -eq 'MultiString') { $data = [string[]]$data }
            $values.Add(@{ name = $value.Name; type = $value.Type; data = $data })
        }
        $registry[$key.Path] = @{ sddl = $key.Sddl; values = $values.ToArray() }
    }
    $services = @{}
    foreach ($service in $State.Services.Values) {
        $services[$service.Name] = @{
            displayName = $service.DisplayName; startMode = Get-RdsSimServiceStartMode -State $State -Service $service; status = $service.Status
            servicesDependedOn = [string[]]$service.ServicesDependedOn
        }
        if ($service.StopPendingSeconds -gt 0) { $services[$service.Name].stopPendingSeconds = $service.StopPendingSeconds }
    }
    $privileges = @{}
    foreach ($entry in $State.Token.privileges.GetEnumerator()) {
        $privileges[[string]$entry.Key] = @{ held = $entry.Value.held; enabled = $entry.Value.enabled }
    }
    $faults = [System.Collections.Generic.List[object]]::new()
    foreach ($fault in $State.Faults) {
        $faultDoc = @{ call = $fault.call; error = $fault.error; fired = $fault.fired }
        foreach ($optional in @('nth', 'path', 'name', 'message')) { if ($null -ne $fault[$optional]) { $faultDoc[$optional] = $fault[$optional] } }
        $faults.Add($faultDoc)
    }
    $calls = @{}
    foreach ($entry in $State.Calls.GetEnumerator()) { $calls[[string]$entry.Key] = $entry.Value }
    $simHost = @{
        computerName = $State.Host.computerName; userName = $State.Host.userName; isDomainJoined = $State.Host.isDomainJoined
        rebootPending = $State.Host.rebootPending; rebootCount = $State.Host.rebootCount
    }
    if ($null -ne $State.Host.lastRebootDelaySeconds) { $simHost.lastRebootDelaySeconds = $State.Host.lastRebootDelaySeconds }
    # A 32-bit process or OS (WOW64, Get-RdsProcessBitness) is saved; the usual 64-bit host is not spelled out.
    foreach ($bitness in @('is64BitProcess', 'is64BitOperatingSystem')) { if (-not $State.Host[$bitness]) { $simHost[$bitness] = $false } }
    $document = @{
        format           = 'rdsplan-sim-state/1'
        host             = $simHost
        token            = @{ user = $State.Token.user; groups = $State.Token.groups.ToArray(); privileges = $privileges }
        registry         = $registry
        services         = $services
        terminalServices = @{
            graceDays = $State.TerminalServices.graceDays; timebombGraceDays = $State.TerminalServices.timebombGraceDays
            graceDaysThrows = $State.TerminalServices.graceDaysThrows
        }
        timebombDays     = $State.TerminalServices.timebombHistory
        faults           = $faults.ToArray()
        calls            = $calls
        callLog          = $State.CallLog.ToArray()
    }
    # Signed-in users are saved while there are any (a state without them reads as none).
    if (@($State.TerminalServices.sessions).Count -gt 0) { $document.terminalServices.sessions = @($State.TerminalServices.sessions) }
    if ($State.TerminalServices.connectivity.Count -gt 0) {
        $connectivity = @{}
        foreach ($entry in $State.TerminalServices.connectivity.GetEnumerator()) { $connectivity[[string]$entry.Key] = $entry.Value }
        $document.terminalServices.connectivity = $connectivity
    }
    if ($State.Events.Length -gt 0) { $document.events = $State.Events }
    if ($State.Role -ne '') { $document.role = $State.Role }
    if ($null -ne $State.LicenseServer) { $document.licenseServer = $State.LicenseServer }
    # Only a host that knows of folders (Sim.Host.ps1) saves them.
    if ($State.Folders.Count -gt 0) {
        $folders = @{}
        foreach ($entry in $State.Folders.GetEnumerator()) { $folders[[string]$entry.Key] = @{ sddl = [string]$entry.Value } }
        $document.folders = $folders
    }
    return $document
}

# Indents compact JSON (as written by ConvertTo-RdsJson) with two spaces per level.
function Format-RdsSimJson {
    param([Parameter(Mandatory)] [string] $Json)
    $builder = [System.Text.StringBuilder]::new($Json.Length * 2)
    $indent = 0
    $tokens = [regex]::Matches($Json, '"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^"{}\[\],:]+')
    $count = $tokens.Count
    for ($i = 0; $i -lt $count; $i++) {
        $token = $tokens[$i].Value
        if ($token -eq '{' -or $token -eq '[') {
            $close = ']'
            if ($token -eq '{') { $close = '}' }
            if ($i + 1 -lt $count -and $tokens[$i + 1].Value -eq $close) {
                [void]$builder.Append($token).Append($close)
                $i++
            } else {
                $indent++
                [void]$builder.Append($token).Append("`n").Append(' ', 2 * $indent)
            }
        } elseif ($token -eq '}' -or $token -eq ']') {
            $indent--
            [void]$builder.Append("`n").Append(' ', 2 * $indent).Append($token)
        } elseif ($token -eq ',') { [void]$builder.Append(",`n").Append(' ', 2 * $indent) } elseif ($token -eq ':') {
            [void]$builder.Append(': ')
        } else { [void]$builder.Append($token) }
    }
    [void]$builder.Append("`n")
    return $builder.ToString()
}

# Writes a text file atomically: a temporary file beside it, then a rename over the target.
function Write-RdsSimFileAtomic {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    $temporary = $Path + '.' + [System.Guid]::NewGuid().ToString('N') + '.tmp'
    try {
        [System.IO.File]::WriteAllText($temporary, $Text, [System.Text.UTF8Encoding]::new($false))
        if ([System.IO.File]::Exists($Path)) { [System.IO.File]::Replace($temporary, $Path, [NullString]::Value) }
        else { [System.IO.File]::Move($temporary, $Path) }
    } finally { if ([System.IO.File]::Exists($temporary)) { [System.IO.File]::Delete($temporary) } }
}

# Completes a pending simulated reboot: services left StopPending are stopped, automatic services run, disabled ones are stopped, TermService re-reads the grace period.
function Invoke-RdsSimBoot {
    param([Parameter(Mandatory)] [hashtable] $State)
    foreach ($service in $State.Services.Values) {
        # A service that hung in StopPending is gone after the restart.
        if ($service.Status -eq 'StopPending') { $service.Status = 'Stopped' }
        $mode = Get-RdsSimServiceStartMode -State $State -Service $service
        if (@('Boot', 'System', 'Automatic', 'AutomaticDelayedStart') -contains $mode) { $service.Status = 'Running' }
        if ($mode -eq 'Disabled') { $service.Status = 'Stopped' }
    }
    $termService = $State.Services['TermService']
    if ($null -ne $termService -and $termService.Status -eq 'Running') { Update-RdsSimGraceCache -State $State }
    $State.Host.rebootPending = $false
}

# Loads the simulated host from its state file (the default host when the file does not exist) and completes a pending reboot.
function Read-RdsSimStateFile {
    param([Parameter(Mandatory)] [string] $StatePath)
    $document = $null
    $text = $null
    if ([System.IO.File]::Exists($StatePath)) {
        try {
            $text = [System.IO.File]::ReadAllText($StatePath)
            $document = ConvertFrom-RdsSimJsonNode -Node (ConvertFrom-Json -InputObject $text)
            if (-not ($document -is [hashtable])) { throw 'the file does not hold a JSON object' }
        } catch { throw ('invalid simulated host state file: ' + $_.Exception.Message + ' (' + $StatePath + ')') }
    } else {
        $directory = [System.IO.Path]::GetDirectoryName($StatePath)
        if (-not [System.IO.Directory]::Exists($directory)) { throw "the state file's folder does not exist ($StatePath)" }
        $document = ConvertFrom-RdsSimJsonNode -Node (New-RdsSimDefaultState)
    }
    try { $state = Import-RdsSimStateDocument -Document $document -StatePath $StatePath }
    catch { throw ('invalid simulated host state: ' + $_.Exception.Message + ' (' + $StatePath + ')') }
    if ($state.Host.rebootPending) { Invoke-RdsSimBoot -State $state }
    $state.LoadedText = $text
    return $state
}

# Loads the simulated Windows host from a JSON state file (the built-in default host when the file does not exist).
function Initialize-RdsPlatform {
    [CmdletBinding()] param([AllowEmptyString()] [AllowNull()] [string] $Option = '')
    if ([string]::IsNullOrEmpty($Option)) { throw [System.ArgumentException]::new('the simulated platform needs a state file') }
    $statePath = [System.IO.Path]::GetFullPath($Option)
    $script:RdsSimSddlCache = @{}
    $state = Read-RdsSimStateFile -StatePath $statePath
    $script:RdsSim = $state
}

# Saves the simulated host to its state file (sorted keys, indented JSON, written atomically).
function Complete-RdsPlatform {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Complete-RdsPlatform'
    # A run that took the host lock saved when it released it (another run may hold the
    # lock by now); a run refused the lock never saves (it would overwrite the holder's work).
    if ($state.LockHeld -or -not ($state.LockReleased -or $state.LockRefused)) { Save-RdsSimState -State $state }
}

# Writes the simulated host to its state file (sorted keys, indented, atomically).
function Save-RdsSimState {
    param([Parameter(Mandatory)] [hashtable] $State)
    $json = ConvertTo-RdsJson -InputObject (Export-RdsSimStateDocument -State $State)
    $text = Format-RdsSimJson -Json $json
    Write-RdsSimFileAtomic -Path $State.StatePath -Text $text
    $State.LoadedText = $text
}

# Counts a platform call and fires a matching fault from the state's "faults" list.
function Register-RdsSimCall {
    param([Parameter(Mandatory)] [string] $Call, [AllowEmptyString()] [string] $Path = '', [AllowEmptyString()] [string] $Name = '', [switch] $Mutating)
    $state = Get-RdsSimState
    $count = [long](Get-RdsSimMember -Table $state.Calls -Name $Call -Default ([long]0))
    $state.Calls[$Call] = $count + 1
    if ($Mutating) {
        $all = [long](Get-RdsSimMember -Table $state.Calls -Name '*' -Default ([long]0))
        $state.Calls['*'] = $all + 1
        $state.CallLog.Add(@{ call = $Call; path = $Path; name = $Name })
    }
    foreach ($fault in $state.Faults) {
        $callMatches = [string]::Equals($fault.call, $Call, [System.StringComparison]::OrdinalIgnoreCase) -or ($fault.call -eq '*' -and $Mutating)
        if (-not $callMatches) { continue }
        if ($null -ne $fault.path -and -not [string]::Equals([string]$fault.path, $Path, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if ($null -ne $fault.name -and -not [string]::Equals([string]$fault.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $fault.seen = $fault.seen + 1
        if ($null -ne $fault.nth -and $fault.nth -ne $fault.seen) { continue }
        $fault.fired = $fault.fired + 1
        $target = $Path
        if ($target -eq '') { $target = $Name }
        if ($target -eq '') { $target = $Call }
        if ($null -ne $fault.message) { throw ([string]$fault.message) }
        switch ($fault.error) {
            'AccessDenied' {
                if ($Call -like '*-RdsRegistry*') { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $target) }
                throw (Get-RdsSimMessage -Id 'AccessDenied' -Target $target)
            }
            'NotFound' { throw (Get-RdsSimMessage -Id 'NotFound' -Target $target) }
            default { throw ('simulated failure of ' + $Call + ' (' + $target + ')') }
        }
    }
}

# Returns the error message the simulated platform throws, in the Windows platform's form '<Windows message> (<target>)'.
function Get-RdsSimMessage {
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Target)
    $text = switch ($Id) {
        'RegistryAccess' { 'Requested registry access is not allowed.' }
        'AccessDenied' { 'Access is denied.' }
        'NotFound' { 'The system cannot find the file specified.' }
        'KeyNotFound' { 'registry key not found' }
        'ValueNotFound' { 'No value exists with that name.' }
        'InvalidOwner' { 'The security identifier is not allowed to be the owner of this object.' }
        'NotAllAssigned' { 'Not all privileges or groups referenced are assigned to the caller.' }
        default { $Id }
    }
    return ($text + ' (' + $Target + ')')
}

# Returns @{ ComputerName; UserName; IsDomainJoined } of the simulated host.
function Get-RdsHostIdentity {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsHostIdentity'
    return @{
        ComputerName = $state.Host.computerName; UserName = $state.Host.userName; IsDomainJoined = $state.Host.isDomainJoined
    }
}

# Creates the lock file with FileMode.CreateNew and returns its open stream; $null when it exists already.
function Open-RdsSimLockFile {
    param([Parameter(Mandatory)] [string] $Path)
    try { return [System.IO.File]::Open($Path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::Read) }
    catch {
        if ([System.IO.File]::Exists($Path)) { return $null }
        throw ('cannot create the host lock file: ' + $_.Exception.Message + ' (' + $Path + ')')
    }
}

# Returns $true when a lock file names a process that no longer runs (processId, and processStart against a reused id).
function Test-RdsSimLockAbandoned {
    param([Parameter(Mandatory)] [string] $Path)
    $holder = $null
    try { $holder = ConvertFrom-RdsSimJsonNode -Node (ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($Path))) }
    catch { return $false }
    $processId = Get-RdsSimMember -Table $holder -Name 'processId'
    if (-not ($processId -is [long]) -or $processId -le 0 -or $processId -gt [int]::MaxValue) { return $false }
    $process = $null
    try { $process = [System.Diagnostics.Process]::GetProcessById([int]$processId) }
    catch { return $true }
    try {
        if ($process.HasExited) { return $true }
        $recorded = [string](Get-RdsSimMember -Table $holder -Name 'processStart' -Default '')
        if ($recorded -eq '') { return $false }
        $started = [System.DateTime]::Parse($recorded, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
        # Another process under a reused id started at another time.
        return ([System.Math]::Abs(($process.StartTime.ToUniversalTime() - $started.ToUniversalTime()).TotalSeconds) -gt 2)
    } catch { return $false } finally { $process.Dispose() }
}

# Takes the simulated host's lock, the file '<state file>.lock' (FileMode.CreateNew, held until Unlock-RdsHost); returns @{ Status; Lock } as the Windows platform does.
function Lock-RdsHost {
    param([Parameter(Mandatory)] [string] $Name)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Lock-RdsHost' -Name $Name
    $lockPath = $state.StatePath + '.lock'
    $createGlobal = Get-RdsSimMember -Table $state.Token.privileges -Name 'SeCreateGlobalPrivilege'
    if (-not (Test-RdsSimElevatedToken -State $state) -and -not ($null -ne $createGlobal -and $createGlobal.held)) {
        $state.LockRefused = $true
        throw ("Access to the path 'Global\rdsplan-" + $Name + "' is denied.")
    }
    $status = 'Acquired'
    $stream = Open-RdsSimLockFile -Path $lockPath
    if ($null -eq $stream -and (Test-RdsSimLockAbandoned -Path $lockPath)) {
        [System.IO.File]::Delete($lockPath)
        $stream = Open-RdsSimLockFile -Path $lockPath
        $status = 'Abandoned'
    }
    if ($null -eq $stream) {
        $state.LockRefused = $true
        return @{ Status = 'Held'; Lock = $lockPath }
    }
    $current = [System.Diagnostics.Process]::GetCurrentProcess()
    $started = $current.StartTime.ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
    $content = ConvertTo-RdsJson -InputObject @{ name = $Name; processId = $current.Id; processStart = $started; user = $state.Host.userName }
    $current.Dispose()
    $bytes = [System.Text.Encoding]::ASCII.GetBytes($content + "`n")
    $stream.Write($bytes, 0, $bytes.Length)
    $stream.Flush()
    $script:RdsSimLock = @{ Name = $Name; Path = $lockPath; Stream = $stream }
    # The state was loaded before the lock: when another run saved it since, work on its
    # result (counters of this run kept).
    $text = $null
    if ([System.IO.File]::Exists($state.StatePath)) { $text = [System.IO.File]::ReadAllText($state.StatePath) }
    if (-not [string]::Equals($text, $state.LoadedText, [System.StringComparison]::Ordinal)) {
        try { $fresh = Read-RdsSimStateFile -StatePath $state.StatePath }
        catch {
            Unlock-RdsHost -Name $Name
            throw
        }
        $fresh.Calls = $state.Calls
        $fresh.CallLog = $state.CallLog
        $fresh.LockRefused = $state.LockRefused
        $state = $fresh
        $script:RdsSim = $fresh
    }
    $state.LockHeld = $true
    return @{ Status = $status; Lock = $lockPath }
}

# Saves the simulated host and releases the lock taken by Lock-RdsHost (closes and deletes the lock file).
function Unlock-RdsHost {
    param([Parameter(Mandatory)] [string] $Name)
    $lock = $script:RdsSimLock
    if ($null -eq $lock) { return }
    $state = $script:RdsSim
    try {
        if ($null -ne $state -and $state.LockHeld) {
            Register-RdsSimCall -Call 'Unlock-RdsHost' -Name $Name
            # Saved while the lock is still held: the next run loads this run's result.
            Save-RdsSimState -State $state
            $state.LockHeld = $false
            $state.LockReleased = $true
        }
    } finally {
        $script:RdsSimLock = $null
        try { $lock.Stream.Dispose() }
        finally { [System.IO.File]::Delete($lock.Path) }
    }
}

# Records a restart of the simulated host (rebootPending, rebootCount); the next Initialize-RdsPlatform completes it.
function Restart-RdsHost {
    param([Parameter(Mandatory)] [int] $DelaySeconds)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Restart-RdsHost' -Mutating
    $privilege = Get-RdsSimMember -Table $state.Token.privileges -Name 'SeShutdownPrivilege'
    if ($null -eq $privilege -or -not $privilege.held) {
        throw ('shutdown.exe failed with exit code 5: ' + $state.Host.computerName + ': Access is denied.(5)')
    }
    if ($DelaySeconds -lt 0 -or $DelaySeconds -gt 315360000) { throw ('shutdown.exe failed with exit code 87: The parameter is incorrect.(87)') }
    $state.Host.rebootPending = $true
    $state.Host.rebootCount = $state.Host.rebootCount + 1
    $state.Host.lastRebootDelaySeconds = [long]$DelaySeconds
}
