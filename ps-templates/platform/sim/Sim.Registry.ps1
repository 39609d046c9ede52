# rdsplan platform (simulated Windows): registry keys and values.
#
# Keys live in one flat, case-insensitive table of 64-bit-view paths ('HKLM\SOFTWARE\X'),
# each with its SDDL and an ordered list of values @{ Name; Type; Data } in canonical form.
# The 32-bit view redirects HKLM\SOFTWARE\X to HKLM\SOFTWARE\WOW6432Node\X (as WOW64 does;
# the shared keys of real Windows are not modelled); the Default view is the process's own: the
# 32-bit view when the state's host says its process is 32-bit on a 64-bit OS. Hive roots (HKLM,
# HKCU, HKU, HKCR) always exist, hold no values and allow no subkeys to be created directly
# below them. Besides the canonical types, the state may hold values of the kinds .NET does not
# map (DWordBigEndian, Link, ResourceList, FullResourceDescriptor, ResourceRequirementsList,
# raw bytes as hex): reg.exe exports them exactly, the platform API reads them as .NET does
# (Type 'Unknown', no data) and cannot write them.
# Every public function opens keys with the rights the Windows platform asks for, so access
# denials happen where they would on Windows.

# The kinds .NET's RegistryValueKind does not name (GetValueKind: Unknown), by REG_* number:
# REG_DWORD_BIG_ENDIAN 5, REG_LINK 6, REG_RESOURCE_LIST 8, REG_FULL_RESOURCE_DESCRIPTOR 9,
# REG_RESOURCE_REQUIREMENTS_LIST 10.
$script:RdsSimRawValueTypes = @('DWordBigEndian', 'Link', 'ResourceList', 'FullResourceDescriptor', 'ResourceRequirementsList')
$script:RdsSimRawValueKinds = @{ DWordBigEndian = 5; Link = 6; ResourceList = 8; FullResourceDescriptor = 9; ResourceRequirementsList = 10 }

# Validates a registry path and returns it with a short root ('HKEY_LOCAL_MACHINE\X' -> 'HKLM\X').
function ConvertTo-RdsSimRegistryPath {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Path)
    $parts = $Path.Split('\')
    $root = $parts[0].ToUpperInvariant()
    switch -CaseSensitive ($root) {
        'HKEY_LOCAL_MACHINE' { $root = 'HKLM' }
        'HKEY_CURRENT_USER' { $root = 'HKCU' }
        'HKEY_USERS' { $root = 'HKU' }
        'HKEY_CLASSES_ROOT' { $root = 'HKCR' }
    }
    if (@('HKLM', 'HKCU', 'HKU', 'HKCR') -cnotcontains $root) { throw "unsupported registry root '$($parts[0])' ($Path)" }
    for ($i = 1; $i -lt $parts.Length; $i++) { if ($parts[$i].Length -eq 0) { throw "invalid registry path: empty key name ($Path)" } }
    $parts[0] = $root
    return ($parts -join '\')
}

# Returns the 64-bit-view path of a key seen in a view (32: HKLM\SOFTWARE\X -> HKLM\SOFTWARE\WOW6432Node\X).
function Resolve-RdsSimRegistryPath {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $normalized = ConvertTo-RdsSimRegistryPath -Path $Path
    # WOW64: a 32-bit process's Default view is the 32-bit view; a 32-bit OS has one view only.
    $simHost = $null
    if ($null -ne $script:RdsSim) { $simHost = $script:RdsSim.Host }
    if ($View -eq 'Default' -and $null -ne $simHost -and $simHost.is64BitOperatingSystem -and -not $simHost.is64BitProcess) { $View = '32' }
    if ($null -ne $simHost -and -not $simHost.is64BitOperatingSystem) { return $normalized }
    if ($View -ne '32') { return $normalized }
    $parts = [System.Collections.Generic.List[string]]::new([string[]]$normalized.Split('\'))
    if ($parts[0] -eq 'HKLM' -and $parts.Count -ge 2 -and $parts[1] -eq 'SOFTWARE') {
        if ($parts.Count -eq 2 -or $parts[2] -ne 'WOW6432Node') { $parts.Insert(2, 'WOW6432Node') }
    }
    return ($parts.ToArray() -join '\')
}

# Returns a key of the simulated registry (@{ Path; Sddl; ValueList }, roots with IsRoot) or $null.
function Get-RdsSimKey {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical)
    if ($Physical.IndexOf('\') -lt 0) {
        return @{ Path = $Physical; Sddl = $script:RdsSimRootSddl; ValueList = [System.Collections.Generic.List[hashtable]]::new(); IsRoot = $true }
    }
    if ($State.RegKeys.Contains($Physical)) { return $State.RegKeys[$Physical] }
    return $null
}

# Returns the SDDL of a key (the root SDDL for a hive root), $null when the key does not exist.
function Get-RdsSimKeySddl {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Path)
    $key = Get-RdsSimKey -State $State -Physical $Path
    if ($null -eq $key) { return $null }
    return $key.Sddl
}

# Returns the stored paths of a key's direct subkeys, sorted as Windows enumerates them.
function Get-RdsSimSubkeyPath {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical)
    $prefix = $Physical + '\'
    $children = [System.Collections.Generic.List[string]]::new()
    foreach ($path in $State.RegKeys.Keys) {
        if ($path.Length -gt $prefix.Length -and $path.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase) -and $path.IndexOf('\', $prefix.Length) -lt 0) {
            $children.Add($State.RegKeys[$path].Path)
        }
    }
    $children.Sort([System.StringComparer]::OrdinalIgnoreCase)
    return , $children.ToArray()
}

# Returns the stored paths of a key and all its descendants, parents first, siblings sorted.
function Get-RdsSimSubtreePath {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical)
    $result = [System.Collections.Generic.List[string]]::new()
    $key = $State.RegKeys[$Physical]
    $result.Add($key.Path)
    foreach ($child in (Get-RdsSimSubkeyPath -State $State -Physical $key.Path)) {
        $result.AddRange([string[]](Get-RdsSimSubtreePath -State $State -Physical $child))
    }
    return , $result.ToArray()
}

# Creates a key and its missing parents without access checks (state loading, service and WMI writes); returns the key.
function Add-RdsSimMissingKey {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Path)
    $existing = Get-RdsSimKey -State $State -Physical $Path
    if ($null -ne $existing) { return $existing }
    $separator = $Path.LastIndexOf('\')
    $parent = Add-RdsSimMissingKey -State $State -Path $Path.Substring(0, $separator)
    $storedPath = $parent.Path + '\' + $Path.Substring($separator + 1)
    $parentSddl = $parent.Sddl
    if ($parent.Contains('IsRoot')) { $parentSddl = $null }
    $key = @{
        Path = $storedPath; Sddl = Get-RdsSimInheritedSddl -State $State -ParentSddl $parentSddl -Loading
        ValueList = [System.Collections.Generic.List[hashtable]]::new()
    }
    $State.RegKeys[$storedPath] = $key
    return $key
}

# Returns a key, creating it and its missing parents as the token would (KEY_CREATE_SUB_KEY on each parent).
function New-RdsSimKeyChecked {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical, [Parameter(Mandatory)] [string] $Target)
    $existing = Get-RdsSimKey -State $State -Physical $Physical
    if ($null -ne $existing) { return $existing }
    $separator = $Physical.LastIndexOf('\')
    $parent = New-RdsSimKeyChecked -State $State -Physical $Physical.Substring(0, $separator) -Target $Target
    if ($parent.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Target) }
    Assert-RdsSimKeyAccess -State $State -Key $parent -Desired $script:RdsSimKeyCreateSubKey -Target $Target
    $storedPath = $parent.Path + '\' + $Physical.Substring($separator + 1)
    $key = @{
        Path = $storedPath; Sddl = Get-RdsSimInheritedSddl -State $State -ParentSddl $parent.Sddl
        ValueList = [System.Collections.Generic.List[hashtable]]::new()
    }
    $State.RegKeys[$storedPath] = $key
    return $key
}

# Returns the canonical spelling of a value type (String, ExpandString, MultiString, DWord, QWord, Binary, None, or a kind .NET does not map).
function ConvertTo-RdsSimValueType {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Type)
    foreach ($known in @('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary', 'None') + $script:RdsSimRawValueTypes) {
        if ([string]::Equals($known, $Type, [System.StringComparison]::OrdinalIgnoreCase)) { return $known }
    }
    throw ("invalid registry value type '$Type' (String, ExpandString, MultiString, DWord, QWord, Binary, None, " + ($script:RdsSimRawValueTypes -join ', ') + ')')
}

# Validates value data and returns it in canonical form (string; string[]; [long] 0..4294967295; decimal string; lowercase hex).
function ConvertTo-RdsSimCanonicalData {
    param([Parameter(Mandatory)] [string] $Type, [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data,
        [Parameter(Mandatory)] [string] $Target)
    $invalid = "invalid $Type data ($Target)"
    $isList = ($null -ne $Data -and -not ($Data -is [string]) -and $Data -is [System.Collections.IEnumerable])
    switch -CaseSensitive ($Type) {
        'MultiString' {
            $list = [System.Collections.Generic.List[string]]::new()
            if ($null -ne $Data) {
                foreach ($item in $Data) {
                    if ($null -eq $item -or $item -is [System.Collections.IDictionary]) { throw $invalid }
                    $list.Add([string]$item)
                }
            }
            return , $list.ToArray()
        }
        'DWord' {
            if ($null -eq $Data -or $isList -or $Data -is [bool]) { throw $invalid }
            $text = [string]$Data
            if ($Data -is [double] -or $Data -is [decimal] -or $Data -is [single]) { $text = $Data.ToString([System.Globalization.CultureInfo]::InvariantCulture) }
            if ($text -notmatch '\A[0-9]{1,10}\z') { throw $invalid }
            $number = [long]$text
            if ($number -gt 4294967295) { throw $invalid }
            return $number
        }
        'QWord' {
            if ($null -eq $Data -or $isList -or $Data -is [bool]) { throw $invalid }
            $text = [string]$Data
            $parsed = [uint64]0
            if ($text -notmatch '\A[0-9]{1,20}\z' -or -not [uint64]::TryParse($text, [System.Globalization.NumberStyles]::None, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$parsed)) { throw $invalid }
            return $parsed.ToString([System.Globalization.CultureInfo]::InvariantCulture)
        }
        { $_ -ceq 'Binary' -or $_ -ceq 'None' -or $script:RdsSimRawValueTypes -ccontains $_ }
        {
            if ($null -eq $Data) { return '' }
            if ($Data -is [byte[]]) { return (ConvertTo-RdsSimHex -Bytes $Data) }
            if ($isList) { throw $invalid }
            $text = [string]$Data
            if (($text.Length % 2) -ne 0 -or $text -notmatch '\A[0-9a-fA-F]*\z') { throw $invalid }
            return $text.ToLowerInvariant()
        }
        default {
            if ($isList) { throw $invalid }
            if ($null -eq $Data) { return '' }
            return [string]$Data
        }
    }
}

# Returns bytes as lowercase hex without separators.
function ConvertTo-RdsSimHex {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [byte[]] $Bytes)
    if ($Bytes.Length -eq 0) { return '' }
    return [System.BitConverter]::ToString($Bytes).Replace('-', '').ToLowerInvariant()
}

# Returns the bytes of a hex string without separators.
function ConvertFrom-RdsSimHex {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Hex)
    $bytes = [byte[]]::new($Hex.Length / 2)
    for ($i = 0; $i -lt $bytes.Length; $i++) { $bytes[$i] = [System.Convert]::ToByte($Hex.Substring($i * 2, 2), 16) }
    return , $bytes
}

# Returns the value of a key with that name (case-insensitive), or $null.
function Find-RdsSimValue {
    param([Parameter(Mandatory)] [hashtable] $Key, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name)
    foreach ($value in $Key.ValueList) { if ([string]::Equals($value.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return $value } }
    return $null
}

# Returns a copy of a value as the platform returns it: @{ Name; Type; Data } (a kind .NET does not map: Type 'Unknown', Data $null, as GetValueKind and GetValue give it).
function Copy-RdsSimValue {
    param([Parameter(Mandatory)] [hashtable] $Value)
    if ($script:RdsSimRawValueTypes -ccontains $Value.Type) { return @{ Name = $Value.Name; Type = 'Unknown'; Data = $null } }
    $data = $Value.Data
    if ($Value.Type -eq 'MultiString') { $data = [string[]]$data.Clone() }
    return @{ Name = $Value.Name; Type = $Value.Type; Data = $data }
}

# Writes canonical data to a key's value (replacing it in place or appending it).
function Set-RdsSimValueData {
    param([Parameter(Mandatory)] [hashtable] $Key, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string] $Type,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data)
    $existing = Find-RdsSimValue -Key $Key -Name $Name
    if ($null -ne $existing) {
        $existing.Type = $Type
        $existing.Data = $Data
    } else { $Key.ValueList.Add(@{ Name = $Name; Type = $Type; Data = $Data }) }
}

# Writes a value without access checks (the service control manager and WMI provider, which run as SYSTEM).
function Set-RdsSimValueUnchecked {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string] $Type,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data)
    $key = Add-RdsSimMissingKey -State $State -Path $Path
    $canonical = ConvertTo-RdsSimCanonicalData -Type $Type -Data $Data -Target ($Path + '\' + $Name)
    Set-RdsSimValueData -Key $key -Name $Name -Type $Type -Data $canonical
}

# Reads a stored value without access checks; $null when the key or value is absent.
function Get-RdsSimValueUnchecked {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name)
    $key = Get-RdsSimKey -State $State -Physical $Path
    if ($null -eq $key) { return $null }
    return (Find-RdsSimValue -Key $key -Name $Name)
}

# Returns $true when the simulated registry key exists (throws when it exists but cannot be read).
function Test-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Test-RdsRegistryKey' -Path $Path
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { return $false }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeyRead -Target $Path
    return $true
}

# Returns a simulated value as @{ Name; Type; Data } in canonical form, or $null when the value or key is absent.
function Get-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsRegistryValue' -Path $Path -Name $Name
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { return $null }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeyRead -Target $Path
    $value = Find-RdsSimValue -Key $key -Name $Name
    if ($null -eq $value) { return $null }
    return (Copy-RdsSimValue -Value $value)
}

# Returns @{ Is64BitProcess; Is64BitOperatingSystem } of the simulated host's process (state: host.is64BitProcess, host.is64BitOperatingSystem).
function Get-RdsProcessBitness {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsProcessBitness'
    return @{ Is64BitProcess = [bool]$state.Host.is64BitProcess; Is64BitOperatingSystem = [bool]$state.Host.is64BitOperatingSystem }
}

# Returns the value names of a simulated key in creation order ('' is the default value); nothing when the key is absent.
function Get-RdsRegistryValueName {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsRegistryValueName' -Path $Path
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { return }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeyRead -Target $Path
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($value in $key.ValueList) { $names.Add($value.Name) }
    return $names.ToArray()
}

# Returns the subkey names of a simulated key, sorted; nothing when the key is absent.
function Get-RdsRegistrySubkeyName {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsRegistrySubkeyName' -Path $Path
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { return }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeyRead -Target $Path
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($child in (Get-RdsSimSubkeyPath -State $state -Physical $key.Path)) { $names.Add($child.Substring($child.LastIndexOf('\') + 1)) }
    return $names.ToArray()
}

# Writes a simulated value from canonical data, creating the key when missing.
function Set-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary', 'None')] [string] $Type,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data,
        [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsRegistryValue' -Path $Path -Name $Name -Mutating
    $canonicalType = ConvertTo-RdsSimValueType -Type $Type
    $canonical = ConvertTo-RdsSimCanonicalData -Type $canonicalType -Data $Data -Target ($Path + '\' + $Name)
    $key = New-RdsSimKeyChecked -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View) -Target $Path
    if ($key.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired ($script:RdsSimKeyRead -bor $script:RdsSimKeyWrite) -Target $Path
    Set-RdsSimValueData -Key $key -Name $Name -Type $canonicalType -Data $canonical
}

# Deletes a simulated value; throws when the key or the value does not exist.
function Remove-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Remove-RdsRegistryValue' -Path $Path -Name $Name -Mutating
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired ($script:RdsSimKeyRead -bor $script:RdsSimKeySetValue) -Target $Path
    $value = Find-RdsSimValue -Key $key -Name $Name
    if ($null -eq $value) { throw (Get-RdsSimMessage -Id 'ValueNotFound' -Target ($Path + '\' + $Name)) }
    [void]$key.ValueList.Remove($value)
}

# Creates a simulated key (and missing parents); an existing key is only opened (read/write).
function New-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'New-RdsRegistryKey' -Path $Path -Mutating
    $key = New-RdsSimKeyChecked -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View) -Target $Path
    if ($key.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired ($script:RdsSimKeyRead -bor $script:RdsSimKeyWrite) -Target $Path
}

# Deletes a simulated key; with -Recurse also its subkeys, else throws when it has subkeys.
function Remove-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View, [switch] $Recurse)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Remove-RdsRegistryKey' -Path $Path -Mutating
    $physical = Resolve-RdsSimRegistryPath -Path $Path -View $View
    $separator = $physical.LastIndexOf('\')
    if ($separator -lt 0 -or $physical.IndexOf('\') -eq $separator) { throw "refusing to delete a hive root or top-level key ($Path)" }
    $parent = Get-RdsSimKey -State $state -Physical $physical.Substring(0, $separator)
    if ($null -eq $parent) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $parent -Desired ($script:RdsSimKeyRead -bor $script:RdsSimKeyCreateSubKey) -Target $Path
    $key = Get-RdsSimKey -State $state -Physical $physical
    if ($null -eq $key) { throw ('Cannot delete a subkey tree because the subkey does not exist. (' + $Path + ')') }
    $tree = Get-RdsSimSubtreePath -State $state -Physical $key.Path
    if ($tree.Length -gt 1 -and -not $Recurse) {
        throw ('Registry key has subkeys and recursive removes are not supported by this method. (' + $Path + ')')
    }
    foreach ($member in $tree) { Assert-RdsSimKeyAccess -State $state -Key $state.RegKeys[$member] -Desired $script:RdsSimDelete -Target $Path }
    foreach ($member in $tree) { $state.RegKeys.Remove($member) }
}
