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
    # No separator (a hive root): $subPath stays $null, returned as ''.
    $rootName, $subPath = $Path.Split([char[]]'\', 2)
    $hive = switch -CaseSensitive ($rootName) {
        'HKLM' { [Microsoft.Win32.RegistryHive]::LocalMachine }
        'HKCU' { [Microsoft.Win32.RegistryHive]::CurrentUser }
        'HKU' { [Microsoft.Win32.RegistryHive]::Users }
        'HKCR' { [Microsoft.Win32.RegistryHive]::ClassesRoot }
        default { throw "unsupported registry root '$rootName' ($Path)" }
    }
    $registryView = switch -CaseSensitive ($View) {
        '64' { [Microsoft.Win32.RegistryView]::Registry64 }
        '32' { [Microsoft.Win32.RegistryView]::Registry32 }
        'Default' { [Microsoft.Win32.RegistryView]::Default }
        default { throw "unsupported registry view '$View' ($Path)" }
    }
    return @{ Base = (Open-RdsRegistryHive -Hive $hive -View $registryView); SubPath = [string]$subPath }
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

# Opens a key as Open-RdsRegistryKey does (-Parent: the parent of Path), runs Action on it as $key and disposes it; nothing when it is absent, or with -Required throws "registry key not found (<Path>)"; a failure names Target.
function Use-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [scriptblock] $Action, [string] $Target = $Path,
        [System.Security.AccessControl.RegistryRights] $Rights = [System.Security.AccessControl.RegistryRights]::ReadKey, [switch] $Create, [switch] $Parent, [switch] $Required)
    # Action runs in a child scope of this function: it sees $key, and the caller's variables
    # whose names differ from these parameters.
    $open = $Path
    if ($Parent) { $open = $Path.Substring(0, $Path.LastIndexOf('\')) }
    $key = Open-RdsRegistryKey -Path $open -View $View -Rights $Rights -Create:$Create
    if ($null -eq $key -and $Required) { throw "registry key not found ($Path)" }
    if ($null -eq $key) { return }
    try { & $Action } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Target + ')') } finally { $key.Dispose() }
}

# Returns $true when the registry key exists.
function Test-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    # Looked up in the parent's subkey list: a key whose DACL denies reading (GracePeriod
    # before ownership is taken) still exists.
    $separator = $Path.LastIndexOf('\')
    if ($separator -lt 0) { return $true }
    $leaf = $Path.Substring($separator + 1)
    # A missing parent returns nothing: $false.
    return [bool](Use-RdsRegistryKey -Path $Path -View $View -Parent -Action {
            @($key.GetSubKeyNames() | Where-Object { [string]::Equals($_, $leaf, [System.StringComparison]::OrdinalIgnoreCase) }).Count -gt 0
        })
}

# Returns a value as @{ Name; Type; Data } in canonical form, or $null when the value or key is absent.
function Get-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string] $View)
    $key = Open-RdsRegistryKey -Path $Path -View $View
    if ($null -eq $key) { return $null }
    try {
        # Value names compare case-insensitively; the value is read by its stored name.
        $stored = @($key.GetValueNames() | Where-Object { [string]::Equals($_, $Name, [System.StringComparison]::OrdinalIgnoreCase) })
        if ($stored.Count -eq 0) { return $null }
        $Name = $stored[0]
        $kind = $key.GetValueKind($Name)
        $raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        # The canonical type is the RegistryValueKind's name.
        $type = [string]$kind
        $data = $null
        switch -CaseSensitive ($type) {
            'String' { $data = [string]$raw }
            'ExpandString' { $data = [string]$raw }
            'MultiString' { $data = [string[]]@($raw) }
            'DWord' { $data = [long][System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int]$raw), 0) }
            # [string] of an unsigned number is culture-independent.
            'QWord' { $data = [string][System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([long]$raw), 0) }
            'Binary' { $data = ConvertTo-RdsHexString -Bytes ([byte[]]@($raw)) }
            'None' {
                # REG_NONE: GetValue returns its bytes, SetValue(..., None) writes them back.
                if ($null -eq $raw) { $raw = [byte[]]@() }
                $data = ConvertTo-RdsHexString -Bytes ([byte[]]@($raw))
            }
            # RegistryValueKind.Unknown: REG_DWORD_BIG_ENDIAN, REG_LINK and the resource lists.
            # GetValue returns nothing for most of them and SetValue can write none of them.
            default { $type = 'Unknown' }
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
    Use-RdsRegistryKey -Path $Path -View $View -Action { $key.GetValueNames() }
}

# Returns the subkey names of a key; nothing when the key is absent.
function Get-RdsRegistrySubkeyName {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    Use-RdsRegistryKey -Path $Path -View $View -Action { $key.GetSubKeyNames() }
}

# Writes a value from canonical data, creating the key when missing.
function Set-RdsRegistryValue {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory)] [ValidateSet('String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary', 'None')] [string] $Type,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data, [Parameter(Mandatory)] [string] $View)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $kind = [Microsoft.Win32.RegistryValueKind]::$Type
    switch -CaseSensitive ($Type) {
        'String' { $value = [string]$Data }
        'ExpandString' { $value = [string]$Data }
        'MultiString' { $value = [string[]]@($Data) }
        'DWord' { $value = [System.BitConverter]::ToInt32([System.BitConverter]::GetBytes([uint32]$Data), 0) }
        'QWord' { $value = [System.BitConverter]::ToInt64([System.BitConverter]::GetBytes([uint64]::Parse([string]$Data, $invariant)), 0) }
        default { $value = ConvertFrom-RdsHexString -Hex ([string]$Data) }
    }
    Use-RdsRegistryKey -Path $Path -View $View -Create -Target ($Path + '\' + $Name) -Action { $key.SetValue($Name, $value, $kind) }
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
    $rights = [System.Security.AccessControl.RegistryRights]::ReadKey -bor [System.Security.AccessControl.RegistryRights]::SetValue
    Use-RdsRegistryKey -Path $Path -View $View -Rights $rights -Required -Target ($Path + '\' + $Name) -Action { $key.DeleteValue($Name, $true) }
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
    $leaf = $Path.Substring($separator + 1)
    $rights = [System.Security.AccessControl.RegistryRights]::ReadKey -bor [System.Security.AccessControl.RegistryRights]::CreateSubKey
    Use-RdsRegistryKey -Path $Path -View $View -Rights $rights -Parent -Required -Action {
        if ($Recurse) { $key.DeleteSubKeyTree($leaf, $true) } else { $key.DeleteSubKey($leaf, $true) }
    }
}

# Exports a key with reg.exe export ... /y (UTF-16LE .reg file).
function Export-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $File)
    $arguments = @('export', $Path, $File, '/y')
    # The view switch: /reg:64 or /reg:32, none for the default view.
    if ($View -eq '64' -or $View -eq '32') { $arguments += '/reg:' + $View }
    $result = Invoke-RdsNativeCommand -FilePath 'reg.exe' -ArgumentList $arguments
    if ($result.ExitCode -ne 0) { throw ('reg.exe export failed with exit code ' + $result.ExitCode + ': ' + $result.Output + ' (' + $Path + ')') }
}
