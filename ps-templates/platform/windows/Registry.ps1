# rdsplan platform (Windows): registry values and keys, reg.exe export.
#
# Uses [Microsoft.Win32.RegistryKey]::OpenBaseKey(hive, view), never the PowerShell registry
# provider (which expands REG_EXPAND_SZ, hides value kinds and treats '*' as a wildcard).
# Value data in the canonical form of ps-templates/README.md: DWord -> [long],
# QWord -> decimal string, Binary and None -> lowercase hex, MultiString -> string[]; a kind
# .NET does not map (RegistryValueKind.Unknown) reads as Type 'Unknown' without data.
# Tested under Pester (Registry.Tests.ps1 beside this file) with fake RegistryKey objects in
# place of Open-RdsRegistryHive's and Invoke-RdsNativeCommand's results.

# Opens the hive of a normalized path in a registry view; returns @{ Base; SubPath }.
function Open-RdsRegistryBaseKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $separator = $Path.IndexOf('\')
    $rootName = $Path
    $subPath = ''
    if ($separator -ge 0) {
        $rootName = $Path.Substring(0, $separator)
        $subPath = $Path.Substring($separator + 1)
    }
    $hive = $null
    switch -CaseSensitive ($rootName) {
        'HKLM' { $hive = [Microsoft.Win32.RegistryHive]::LocalMachine }
        'HKCU' { $hive = [Microsoft.Win32.RegistryHive]::CurrentUser }
        'HKU' { $hive = [Microsoft.Win32.RegistryHive]::Users }
        'HKCR' { $hive = [Microsoft.Win32.RegistryHive]::ClassesRoot }
        default { throw "unsupported registry root '$rootName' ($Path)" }
    }
    $registryView = [Microsoft.Win32.RegistryView]::Default
    switch -CaseSensitive ($View) {
        '64' { $registryView = [Microsoft.Win32.RegistryView]::Registry64 }
        '32' { $registryView = [Microsoft.Win32.RegistryView]::Registry32 }
        'Default' { $registryView = [Microsoft.Win32.RegistryView]::Default }
        default { throw "unsupported registry view '$View' ($Path)" }
    }
    return @{ Base = (Open-RdsRegistryHive -Hive $hive -View $registryView); SubPath = $subPath }
}

# Opens a hive root in a registry view (RegistryKey.OpenBaseKey: the one call that reaches the registry itself).
function Open-RdsRegistryHive {
    param([Parameter(Mandatory)] [Microsoft.Win32.RegistryHive] $Hive, [Parameter(Mandatory)] [Microsoft.Win32.RegistryView] $View)
    return [Microsoft.Win32.RegistryKey]::OpenBaseKey($Hive, $View)
}

# Opens a registry key with the given rights; $null when it does not exist.
function Open-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View,
        [System.Security.AccessControl.RegistryRights] $Rights = [System.Security.AccessControl.RegistryRights]::ReadKey, [switch] $Create)
    $opened = Open-RdsRegistryBaseKey -Path $Path -View $View
    $base = $opened.Base
    try {
        if ($Create) { return $base.CreateSubKey($opened.SubPath, [Microsoft.Win32.RegistryKeyPermissionCheck]::ReadWriteSubTree) }
        $check = [Microsoft.Win32.RegistryKeyPermissionCheck]::ReadSubTree
        if (($Rights -band [System.Security.AccessControl.RegistryRights]::ReadKey) -ne $Rights) {
            $check = [Microsoft.Win32.RegistryKeyPermissionCheck]::ReadWriteSubTree
        }
        return $base.OpenSubKey($opened.SubPath, $check, $Rights)
    } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')') } finally { $base.Dispose() }
}

# Returns $true when the registry key exists.
function Test-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    # Looked up in the parent's subkey list: a key whose DACL denies reading (GracePeriod
    # before ownership is taken) still exists.
    $separator = $Path.LastIndexOf('\')
    if ($separator -lt 0) { return $true }
    $parent = Open-RdsRegistryKey -Path $Path.Substring(0, $separator) -View $View
    if ($null -eq $parent) { return $false }
    try {
        $leaf = $Path.Substring($separator + 1)
        foreach ($name in $parent.GetSubKeyNames()) {
            if ([string]::Equals($name, $leaf, [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
        }
        return $false
    } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')') } finally { $parent.Dispose() }
}

# Returns a value as @{ Name; Type; Data } in canonical form, or $null when the value or key is absent.
function Get-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View
    if ($null -eq $key) { return $null }
    try {
        $exists = $false
        foreach ($valueName in $key.GetValueNames()) {
            if ([string]::Equals($valueName, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
                $exists = $true
                $Name = $valueName
                break
            }
        }
        if (-not $exists) { return $null }
        $kind = $key.GetValueKind($Name)
        $raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        $type = ''
        $data = $null
        switch ($kind) {
            ([Microsoft.Win32.RegistryValueKind]::String) {
                $type = 'String'
                $data = [string]$raw
            }
            ([Microsoft.Win32.RegistryValueKind]::ExpandString) {
                $type = 'ExpandString'
                $data = [string]$raw
            }
            ([Microsoft.Win32.RegistryValueKind]::MultiString) {
                $type = 'MultiString'
                $data = [string[]]@($raw)
            }
            ([Microsoft.Win32.RegistryValueKind]::DWord) {
                $type = 'DWord'
                $data = [long][System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int]$raw), 0)
            }
            ([Microsoft.Win32.RegistryValueKind]::QWord) {
                $type = 'QWord'
                $data = [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([long]$raw), 0).ToString([System.Globalization.CultureInfo]::InvariantCulture)
            }
            ([Microsoft.Win32.RegistryValueKind]::Binary) {
                $type = 'Binary'
                $data = ConvertTo-RdsHexString -Bytes ([byte[]]@($raw))
            }
            ([Microsoft.Win32.RegistryValueKind]::None) {
                # REG_NONE: GetValue returns its bytes, SetValue(..., None) writes them back.
                $type = 'None'
                if ($null -eq $raw) { $raw = [byte[]]@() }
                $data = ConvertTo-RdsHexString -Bytes ([byte[]]@($raw))
            }
            default {
                # RegistryValueKind.Unknown: REG_DWORD_BIG_ENDIAN, REG_LINK and the resource lists.
                # GetValue returns nothing for most of them and SetValue can write none of them.
                $type = 'Unknown'
                $data = $null
            }
        }
        return @{ Name = $Name; Type = $type; Data = $data }
    } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + '\' + $Name + ')') } finally { $key.Dispose() }
}

# Returns @{ Is64BitProcess; Is64BitOperatingSystem } of this PowerShell process (a 32-bit process on 64-bit Windows sees the WOW64 registry view).
function Get-RdsProcessBitness {
    [CmdletBinding()] param()
    return @{ Is64BitProcess = [System.Environment]::Is64BitProcess; Is64BitOperatingSystem = [System.Environment]::Is64BitOperatingSystem }
}

# Returns the value names of a key ('' is the default value); nothing when the key is absent.
function Get-RdsRegistryValueName {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View
    if ($null -eq $key) { return }
    try { $names = $key.GetValueNames() }
    catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')') }
    finally { $key.Dispose() }
    return $names
}

# Returns the subkey names of a key; nothing when the key is absent.
function Get-RdsRegistrySubkeyName {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View
    if ($null -eq $key) { return }
    try { $names = $key.GetSubKeyNames() }
    catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')') }
    finally { $key.Dispose() }
    return $names
}

# Writes a value from canonical data, creating the key when missing.
function Set-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary', 'None')] [string] $Type,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data, [Parameter(Mandatory)] [string] $View)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $kind = [Microsoft.Win32.RegistryValueKind]::$Type
    $value = $null
    switch -CaseSensitive ($Type) {
        'String' { $value = [string]$Data }
        'ExpandString' { $value = [string]$Data }
        'MultiString' { $value = [string[]]@($Data) }
        'DWord' { $value = [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Data), 0) }
        'QWord' { $value = [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]::Parse([string]$Data, $invariant)), 0) }
        default { $value = ConvertFrom-RdsHexString -Hex ([string]$Data) }
    }
    $key = Open-RdsRegistryKey -Path $Path -View $View -Create
    try { $key.SetValue($Name, $value, $kind) }
    catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + '\' + $Name + ')') }
    finally { $key.Dispose() }
}

# Converts a hex string without separators to a byte array.
function ConvertFrom-RdsHexString {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Hex)
    if (($Hex.Length % 2) -ne 0 -or $Hex -notmatch '\A[0-9a-fA-F]*\z') { throw "invalid binary data '$Hex': expected hex digits without separators" }
    $bytes = [byte[]]::new($Hex.Length / 2)
    for ($i = 0; $i -lt $bytes.Length; $i++) { $bytes[$i] = [System.Convert]::ToByte($Hex.Substring($i * 2, 2), 16) }
    return , $bytes
}

# Deletes a value; throws when it does not exist.
function Remove-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::ReadKey -bor [System.Security.AccessControl.RegistryRights]::SetValue)
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try { $key.DeleteValue($Name, $true) }
    catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + '\' + $Name + ')') }
    finally { $key.Dispose() }
}

# Creates a key (and missing parents); does nothing when it exists.
function New-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View -Create
    $key.Dispose()
}

# Deletes a key; with -Recurse also its subkeys, else throws when it has subkeys.
function Remove-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [switch] $Recurse)
    $separator = $Path.LastIndexOf('\')
    if ($separator -lt 0 -or $Path.IndexOf('\') -eq $separator) { throw "refusing to delete a hive root or top-level key ($Path)" }
    $parentPath = $Path.Substring(0, $separator)
    $leaf = $Path.Substring($separator + 1)
    $parent = Open-RdsRegistryKey -Path $parentPath -View $View -Rights ([System.Security.AccessControl.RegistryRights]::ReadKey -bor [System.Security.AccessControl.RegistryRights]::CreateSubKey)
    if ($null -eq $parent) { throw "registry key not found ($Path)" }
    try {
        if ($Recurse) { $parent.DeleteSubKeyTree($leaf, $true) }
        else { $parent.DeleteSubKey($leaf, $true) }
    } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')') } finally { $parent.Dispose() }
}

# Returns the reg.exe view switch for a view ('/reg:64', '/reg:32' or nothing).
function Get-RdsRegExeArgument {
    param([Parameter(Mandatory)] [string] $View)
    if ($View -eq '64') { return @('/reg:64') }
    if ($View -eq '32') { return @('/reg:32') }
    return @()
}

# Exports a key with reg.exe export ... /y (UTF-16LE .reg file).
function Export-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $File)
    $arguments = @('export', $Path, $File, '/y') + @(Get-RdsRegExeArgument -View $View)
    $result = Invoke-RdsNativeCommand -FilePath 'reg.exe' -ArgumentList $arguments
    if ($result.ExitCode -ne 0) { throw ('reg.exe export failed with exit code ' + $result.ExitCode + ': ' + $result.Output + ' (' + $Path + ')') }
}
