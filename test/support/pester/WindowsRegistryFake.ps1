<#
.SYNOPSIS
    Fake .NET registry objects for the Pester tests of ps-templates/platform/windows, which run on
    Linux where Microsoft.Win32.RegistryKey, RegistrySecurity and SecurityIdentifier only throw.
.DESCRIPTION
    Dot-source it in BeforeAll after loading the runtime and platform/windows layers:
        . (Join-Path $PSScriptRoot '../../../test/support/pester/WindowsRegistryFake.ps1')
    New-FakeRegistry returns an in-memory registry (keys by path, case-insensitive). A test
    mocks the platform's one hive-opening call with it:
        Mock Open-RdsRegistryHive { New-FakeRegistryBaseKey -Registry $registry -Hive $Hive -View $View }
    and every RegistryKey method the platform calls runs on fake keys that behave as the .NET
    documentation says: OpenSubKey returns $null for a missing key and throws SecurityException
    "Requested registry access is not allowed." for a denied one; GetValueKind returns None for
    REG_NONE and Unknown for REG_DWORD_BIG_ENDIAN, REG_LINK and the resource lists; GetValue
    returns DWORD as [int] and QWORD as [long] (negative above 2^31 / 2^63), byte[] for binary,
    REG_NONE and REG_DWORD_BIG_ENDIAN, the default for REG_LINK and the resource lists, and
    expands REG_EXPAND_SZ unless DoNotExpandEnvironmentNames; DeleteValue and DeleteSubKey throw
    the .NET exceptions; GetAccessControl/SetAccessControl keep the key's SDDL, and
    SetAccessControl stores a DACL as SetSecurityInfo does: auto-inherited (D:P( reads back
    D:PAI(); AddAccessRule on a key marked not canonical throws InvalidOperationException "This
    access control list is not in canonical form and therefore cannot be modified.".
#>

# An empty fake registry: @{ Tree (path -> key data); Opened (OpenSubKey/CreateSubKey calls); Disposed (count) }.
function New-FakeRegistry {
    [CmdletBinding()]
    param()
    return @{
        Tree     = [System.Collections.Hashtable]::new([System.StringComparer]::OrdinalIgnoreCase)
        Opened   = [System.Collections.Generic.List[hashtable]]::new()
        Disposed = [ref]0
        Bases    = [System.Collections.Generic.List[hashtable]]::new()
    }
}

# Adds a key (and its missing parents) with an SDDL; -Canonical $false marks a DACL AddAccessRule refuses; -Denied makes OpenSubKey throw.
function Add-FakeRegistryKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Registry,
        [Parameter(Mandatory = $true)] [string] $Path,
        [string] $Sddl = 'O:BAG:SYD:AI(A;CIID;KA;;;BA)',
        [bool] $Canonical = $true,
        [switch] $Denied
    )
    $separator = $Path.LastIndexOf('\')
    if ($separator -gt 0 -and $Path.Substring(0, $separator).Contains('\') -and -not $Registry.Tree.ContainsKey($Path.Substring(0, $separator))) {
        [void](Add-FakeRegistryKey -Registry $Registry -Path $Path.Substring(0, $separator))
    }
    if (-not $Registry.Tree.ContainsKey($Path)) {
        $Registry.Tree[$Path] = @{ Path = $Path; Named = [ordered]@{}; Sddl = $Sddl; Canonical = $Canonical; Denied = [bool]$Denied; Writes = [System.Collections.Generic.List[object]]::new() }
    }
    return $Registry.Tree[$Path]
}

# Stores a value as Windows holds it: its REG_* type number and the .NET object GetValue gives back.
function Set-FakeRegistryValue {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Registry,
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Name,
        [Parameter(Mandatory = $true)] [int] $RegType,
        [AllowNull()] [object] $Raw
    )
    $key = Add-FakeRegistryKey -Registry $Registry -Path $Path
    $key.Named[$Name] = @{ Name = $Name; RegType = $RegType; Raw = $Raw }
}

# The fake hive root Open-RdsRegistryHive returns (records the hive and view it was opened with).
function New-FakeRegistryBaseKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Registry,
        [Parameter(Mandatory = $true)] [object] $Hive,
        [Parameter(Mandatory = $true)] [object] $View
    )
    $root = @{ 'LocalMachine' = 'HKLM'; 'CurrentUser' = 'HKCU'; 'Users' = 'HKU'; 'ClassesRoot' = 'HKCR' }[[string]$Hive]
    $Registry.Bases.Add(@{ Hive = [string]$Hive; View = [string]$View })
    $base = [pscustomobject]@{ Registry = $Registry; Root = $root }
    $base | Add-Member -MemberType ScriptMethod -Name OpenSubKey -Value {
        param($SubPath, $Check, $Rights)
        $path = $this.Root + '\' + $SubPath
        $this.Registry.Opened.Add(@{ Path = $path; Check = [string]$Check; Rights = [string]$Rights; Create = $false })
        if (-not $this.Registry.Tree.ContainsKey($path)) { return $null }
        if ($this.Registry.Tree[$path].Denied) { throw [System.Security.SecurityException]::new('Requested registry access is not allowed.') }
        return (New-FakeRegistryKey -Registry $this.Registry -Path $path)
    }
    $base | Add-Member -MemberType ScriptMethod -Name CreateSubKey -Value {
        param($SubPath, $Check)
        $path = $this.Root + '\' + $SubPath
        $this.Registry.Opened.Add(@{ Path = $path; Check = [string]$Check; Rights = ''; Create = $true })
        [void](Add-FakeRegistryKey -Registry $this.Registry -Path $path)
        return (New-FakeRegistryKey -Registry $this.Registry -Path $path)
    }
    $base | Add-Member -MemberType ScriptMethod -Name Dispose -Value { $this.Registry.Disposed.Value++ }
    return $base
}

# An open fake key: the RegistryKey methods platform/windows calls.
function New-FakeRegistryKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Registry,
        [Parameter(Mandatory = $true)] [string] $Path
    )
    $key = [pscustomobject]@{ Registry = $Registry; Data = $Registry.Tree[$Path] }
    $key | Add-Member -MemberType ScriptMethod -Name Dispose -Value { $this.Registry.Disposed.Value++ }
    $key | Add-Member -MemberType ScriptMethod -Name GetValueNames -Value { return [string[]]@($this.Data.Named.Keys) }
    $key | Add-Member -MemberType ScriptMethod -Name GetSubKeyNames -Value {
        $prefix = $this.Data.Path + '\'
        $names = foreach ($path in $this.Registry.Tree.Keys) {
            if ($path.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase) -and -not $path.Substring($prefix.Length).Contains('\')) { $path.Substring($prefix.Length) }
        }
        return [string[]]@($names | Sort-Object)
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetValueKind -Value {
        param($Name)
        $value = $this.Data.Named[$Name]
        switch ($value.RegType) {
            0 { return [Microsoft.Win32.RegistryValueKind]::None }
            1 { return [Microsoft.Win32.RegistryValueKind]::String }
            2 { return [Microsoft.Win32.RegistryValueKind]::ExpandString }
            3 { return [Microsoft.Win32.RegistryValueKind]::Binary }
            4 { return [Microsoft.Win32.RegistryValueKind]::DWord }
            7 { return [Microsoft.Win32.RegistryValueKind]::MultiString }
            11 { return [Microsoft.Win32.RegistryValueKind]::QWord }
            default { return [Microsoft.Win32.RegistryValueKind]::Unknown }
        }
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
        param($Name, $Default, $Options)
        $value = $this.Data.Named[$Name]
        if (@(6, 8, 9, 10) -contains $value.RegType) { return $Default }
        if ($value.RegType -eq 2 -and [string]$Options -ne 'DoNotExpandEnvironmentNames') { return ([string]$value.Raw).Replace('%SystemRoot%', 'C:\Windows') }
        if ($value.Raw -is [array]) { return , $value.Raw }
        return $value.Raw
    }
    $key | Add-Member -MemberType ScriptMethod -Name SetValue -Value {
        param($Name, $Value, $Kind)
        $this.Data.Writes.Add(@{ Name = $Name; Value = $Value; Kind = [string]$Kind })
    }
    $key | Add-Member -MemberType ScriptMethod -Name DeleteValue -Value {
        param($Name, $ThrowOnMissing)
        if (-not $this.Data.Named.Contains($Name)) { throw [System.ArgumentException]::new('No value exists with that name.') }
        $this.Data.Named.Remove($Name)
    }
    $key | Add-Member -MemberType ScriptMethod -Name DeleteSubKey -Value {
        param($Name, $ThrowOnMissing)
        $path = $this.Data.Path + '\' + $Name
        if (-not $this.Registry.Tree.ContainsKey($path)) { throw [System.ArgumentException]::new('Cannot delete a subkey tree because the subkey does not exist.') }
        foreach ($other in $this.Registry.Tree.Keys) {
            if ($other.StartsWith($path + '\', [System.StringComparison]::OrdinalIgnoreCase)) { throw [System.InvalidOperationException]::new('Registry key has subkeys and recursive removes are not supported by this method.') }
        }
        $this.Registry.Tree.Remove($path)
    }
    $key | Add-Member -MemberType ScriptMethod -Name DeleteSubKeyTree -Value {
        param($Name, $ThrowOnMissing)
        $path = $this.Data.Path + '\' + $Name
        if (-not $this.Registry.Tree.ContainsKey($path)) { throw [System.ArgumentException]::new('Cannot delete a subkey tree because the subkey does not exist.') }
        foreach ($other in @($this.Registry.Tree.Keys)) {
            if ($other -eq $path -or $other.StartsWith($path + '\', [System.StringComparison]::OrdinalIgnoreCase)) { $this.Registry.Tree.Remove($other) }
        }
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetAccessControl -Value {
        param($Sections)
        $security = New-FakeRegistrySecurity
        $security.Sddl = $this.Data.Sddl
        $security.Canonical = $this.Data.Canonical
        $security.Sections = [string]$Sections
        return $security
    }
    $key | Add-Member -MemberType ScriptMethod -Name SetAccessControl -Value {
        param($Security)
        $this.Data.Writes.Add(@{ Security = $Security })
        if ($null -ne $Security.Owner) {
            $this.Data.Sddl = [regex]::Replace($this.Data.Sddl, '\AO:[^:]+?(?=G:|D:|\z)', 'O:' + $Security.Owner)
            return
        }
        # SetSecurityInfo imposes the inheritance model: the DACL reads back auto-inherited.
        $this.Data.Sddl = $Security.Sddl.Replace('D:P(', 'D:PAI(').Replace('D:(', 'D:AI(')
    }
    return $key
}

# A fake RegistrySecurity: SDDL in and out, SetOwner, AddAccessRule (refused when not canonical).
function New-FakeRegistrySecurity {
    [CmdletBinding()]
    param()
    $security = [pscustomobject]@{ Sddl = $null; Owner = $null; Canonical = $true; Sections = ''; Rules = [System.Collections.Generic.List[object]]::new() }
    $security | Add-Member -MemberType ScriptMethod -Name GetSecurityDescriptorSddlForm -Value { param($Sections) return $this.Sddl }
    $security | Add-Member -MemberType ScriptMethod -Name SetSecurityDescriptorSddlForm -Value {
        param($Sddl, $Sections)
        if (-not $Sddl.Contains('D:')) { throw [System.ArgumentException]::new('The SDDL form of a security descriptor object is invalid.') }
        $this.Sddl = $Sddl
        $this.Sections = [string]$Sections
    }
    $security | Add-Member -MemberType ScriptMethod -Name SetOwner -Value { param($Sid) $this.Owner = $Sid.Value }
    $security | Add-Member -MemberType ScriptMethod -Name AddAccessRule -Value {
        param($Rule)
        if (-not $this.Canonical) { throw [System.InvalidOperationException]::new('This access control list is not in canonical form and therefore cannot be modified.') }
        $this.Rules.Add($Rule)
        $this.Sddl = $this.Sddl + '(A;CI;' + $Rule.Rights + ';;;' + $Rule.Sid + ')'
    }
    return $security
}
