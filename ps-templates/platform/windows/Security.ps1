# rdsplan platform (Windows): registry key security (owner, DACL, SDDL) and token privileges.
#
# The sequence is DOMAIN.md "Taking ownership": SIDs only (never localized names),
# OpenSubKey with TakeOwnership / ChangePermissions, SetAccessControl, and the SDDL of
# Owner, Group and Access as the backup and restore format. What Windows does with a written
# descriptor (SetSecurityInfo adds AI, derives inherited entries again) and what AddAccessRule
# refuses (a DACL not in canonical order) is the runtime's to handle (runtime/Registry.ps1:
# Compare-RdsSddl, Grant-RdsRegistryAccess): these functions only make the calls.
# The embedded C# must compile for .NET Framework 4.x (Windows PowerShell 5.1, C# 5) and
# .NET 8+ (PowerShell 7): it is compiled by a Roslyn check in CI. Tested under Pester
# (Security.Tests.ps1 beside this file) with fake keys and security objects in place of the
# .NET ones, which exist only on Windows.

$script:RdsSecuritySections = [System.Security.AccessControl.AccessControlSections]::Owner -bor [System.Security.AccessControl.AccessControlSections]::Group -bor [System.Security.AccessControl.AccessControlSections]::Access

function Get-RdsRegistrySddl {
    <#
    .SYNOPSIS
    Returns the SDDL (Owner, Group, Access) of a registry key.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    '64', '32' or 'Default'.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View
    )
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::ReadPermissions)
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        $security = $key.GetAccessControl($script:RdsSecuritySections)
        return $security.GetSecurityDescriptorSddlForm($script:RdsSecuritySections)
    }
    catch {
        throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')')
    }
    finally {
        $key.Dispose()
    }
}

function Set-RdsRegistrySddl {
    <#
    .SYNOPSIS
    Replaces the owner, group and DACL of a registry key from SDDL.
    .DESCRIPTION
    Setting an owner that is not in the caller's token (e.g. NETWORK SERVICE) needs
    SeRestorePrivilege; the caller enables SeTakeOwnershipPrivilege and SeRestorePrivilege.
    The DACL may be in any order (RegistrySecurity refuses only to change one that is not
    canonical, not to write it). Windows reads it back in its own form (AI added).
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    '64', '32' or 'Default'.
    .PARAMETER Sddl
    The SDDL to apply (as returned by Get-RdsRegistrySddl).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [string] $Sddl
    )
    $rights = [System.Security.AccessControl.RegistryRights]::ChangePermissions -bor [System.Security.AccessControl.RegistryRights]::TakeOwnership -bor [System.Security.AccessControl.RegistryRights]::ReadPermissions
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights $rights
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        $security = New-RdsRegistrySecurity
        $security.SetSecurityDescriptorSddlForm($Sddl, $script:RdsSecuritySections)
        $key.SetAccessControl($security)
    }
    catch {
        throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')')
    }
    finally {
        $key.Dispose()
    }
}

function Set-RdsRegistryOwner {
    <#
    .SYNOPSIS
    Makes a SID the owner of a registry key (needs SeTakeOwnershipPrivilege enabled).
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    '64', '32' or 'Default'.
    .PARAMETER Sid
    The new owner's SID, e.g. 'S-1-5-32-544' (never a localized name).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [string] $Sid
    )
    $owner = ConvertTo-RdsSecurityIdentifier -Sid $Sid
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::TakeOwnership)
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        # A new RegistrySecurity with only the owner set: SetAccessControl writes only the owner.
        $security = New-RdsRegistrySecurity
        $security.SetOwner($owner)
        $key.SetAccessControl($security)
    }
    catch {
        throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')')
    }
    finally {
        $key.Dispose()
    }
}

function Add-RdsRegistryAccessRule {
    <#
    .SYNOPSIS
    Adds an Allow rule for a SID to a registry key's DACL (this key and its subkeys).
    .DESCRIPTION
    RegistrySecurity.AddAccessRule throws InvalidOperationException ("This access control list
    is not in canonical form and therefore cannot be modified.") when the DACL is not in
    canonical order; the runtime's Grant-RdsRegistryAccess does not call this function then.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    '64', '32' or 'Default'.
    .PARAMETER Sid
    The trustee's SID.
    .PARAMETER Rights
    A RegistryRights name, e.g. 'FullControl' or 'ReadKey'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [string] $Sid,
        [Parameter(Mandatory = $true)] [string] $Rights
    )
    $registryRights = [System.Security.AccessControl.RegistryRights]$Rights
    $rule = New-RdsRegistryAccessRule -Sid $Sid -Rights $registryRights
    $keyRights = [System.Security.AccessControl.RegistryRights]::ChangePermissions -bor [System.Security.AccessControl.RegistryRights]::ReadPermissions
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights $keyRights
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        $security = $key.GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access)
        $security.AddAccessRule($rule)
        $key.SetAccessControl($security)
    }
    catch {
        throw ((Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + $Path + ')')
    }
    finally {
        $key.Dispose()
    }
}

function New-RdsRegistrySecurity {
    <#
    .SYNOPSIS
    Returns a new, empty RegistrySecurity (.NET; Windows only).
    #>
    [CmdletBinding()]
    param()
    return [System.Security.AccessControl.RegistrySecurity]::new()
}

function ConvertTo-RdsSecurityIdentifier {
    <#
    .SYNOPSIS
    Returns the SecurityIdentifier of a SID string (.NET; Windows only; throws on anything but a SID).
    .PARAMETER Sid
    A SID string such as 'S-1-5-32-544'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Sid
    )
    return [System.Security.Principal.SecurityIdentifier]::new($Sid)
}

function New-RdsRegistryAccessRule {
    <#
    .SYNOPSIS
    Returns an Allow RegistryAccessRule for a SID that applies to the key and its subkeys (ContainerInherit; .NET; Windows only).
    .PARAMETER Sid
    The trustee's SID string.
    .PARAMETER Rights
    The rights.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Sid,
        [Parameter(Mandatory = $true)] [System.Security.AccessControl.RegistryRights] $Rights
    )
    return [System.Security.AccessControl.RegistryAccessRule]::new(
        (ConvertTo-RdsSecurityIdentifier -Sid $Sid),
        $Rights,
        [System.Security.AccessControl.InheritanceFlags]::ContainerInherit,
        [System.Security.AccessControl.PropagationFlags]::None,
        [System.Security.AccessControl.AccessControlType]::Allow)
}

$script:RdsTokenPrivilegeSource = @'
using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace RdsPlan
{
    public static class TokenPrivilege
    {
        private const uint TOKEN_QUERY = 0x0008;
        private const uint TOKEN_ADJUST_PRIVILEGES = 0x0020;
        private const uint SE_PRIVILEGE_ENABLED = 0x00000002;

        [StructLayout(LayoutKind.Sequential)]
        private struct LUID
        {
            public uint LowPart;
            public int HighPart;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct TOKEN_PRIVILEGES
        {
            public uint PrivilegeCount;
            public LUID Luid;
            public uint Attributes;
        }

        [DllImport("kernel32.dll")]
        private static extern IntPtr GetCurrentProcess();

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool CloseHandle(IntPtr handle);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool OpenProcessToken(IntPtr processHandle, uint desiredAccess, out IntPtr tokenHandle);

        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool LookupPrivilegeValue(string systemName, string name, out LUID luid);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool AdjustTokenPrivileges(IntPtr tokenHandle, bool disableAllPrivileges, ref TOKEN_PRIVILEGES newState, uint bufferLength, ref TOKEN_PRIVILEGES previousState, out uint returnLength);

        // Enables or disables one privilege of this process's token. Returns { GetLastError()
        // after the call (1300 ERROR_NOT_ALL_ASSIGNED: not held), PreviousState.PrivilegeCount
        // (0: the state did not change), PreviousState's attributes of the privilege }.
        public static uint[] Adjust(string name, bool enable)
        {
            IntPtr token;
            if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, out token))
            {
                throw new Win32Exception(Marshal.GetLastWin32Error(), "OpenProcessToken failed for privilege " + name);
            }
            try
            {
                LUID luid;
                if (!LookupPrivilegeValue(null, name, out luid))
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "unknown privilege " + name);
                }
                TOKEN_PRIVILEGES state = new TOKEN_PRIVILEGES();
                state.PrivilegeCount = 1;
                state.Luid = luid;
                state.Attributes = enable ? SE_PRIVILEGE_ENABLED : 0;
                TOKEN_PRIVILEGES previous = new TOKEN_PRIVILEGES();
                uint returnLength;
                if (!AdjustTokenPrivileges(token, false, ref state, (uint)Marshal.SizeOf(typeof(TOKEN_PRIVILEGES)), ref previous, out returnLength))
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "AdjustTokenPrivileges failed for privilege " + name);
                }
                uint error = (uint)Marshal.GetLastWin32Error();
                return new uint[] { error, previous.PrivilegeCount, previous.Attributes };
            }
            finally
            {
                CloseHandle(token);
            }
        }
    }
}
'@

function Invoke-RdsTokenPrivilegeAdjustment {
    <#
    .SYNOPSIS
    Calls the compiled AdjustTokenPrivileges helper; returns @(last error, PreviousState count, PreviousState attributes).
    .PARAMETER Name
    The privilege, e.g. 'SeTakeOwnershipPrivilege'.
    .PARAMETER Enable
    $true to enable, $false to disable.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] [bool] $Enable
    )
    return , ([RdsPlan.TokenPrivilege]::Adjust($Name, $Enable))
}

function Set-RdsPrivilegeState {
    <#
    .SYNOPSIS
    Enables or disables a privilege in this process's token (compiles the helper type once); returns whether it was enabled before.
    .DESCRIPTION
    AdjustTokenPrivileges succeeds without granting a privilege the token does not hold:
    GetLastError() is then ERROR_NOT_ALL_ASSIGNED (1300), an error when enabling. Its
    PreviousState lists only the privileges whose state changed: none means the privilege
    already was in the requested state.
    .PARAMETER Name
    The privilege, e.g. 'SeTakeOwnershipPrivilege'.
    .PARAMETER Enable
    $true to enable, $false to disable.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] [bool] $Enable
    )
    if (-not ([System.Management.Automation.PSTypeName]'RdsPlan.TokenPrivilege').Type) {
        Add-Type -TypeDefinition $script:RdsTokenPrivilegeSource -Language CSharp
    }
    try {
        $result = Invoke-RdsTokenPrivilegeAdjustment -Name $Name -Enable $Enable
    }
    catch {
        throw (Get-RdsExceptionMessage -ErrorRecord $_)
    }
    if ($Enable -and [long]$result[0] -eq 1300) {
        throw ('Not all privileges or groups referenced are assigned to the caller. (' + $Name + ')')
    }
    if ([long]$result[1] -eq 0) { return $Enable }
    return (([long]$result[2] -band 2) -ne 0)
}

function Enable-RdsPrivilege {
    <#
    .SYNOPSIS
    Enables a privilege the account holds; returns whether it was enabled before (throws ERROR_NOT_ALL_ASSIGNED's message when not held).
    .PARAMETER Name
    The privilege, e.g. 'SeTakeOwnershipPrivilege' or 'SeRestorePrivilege'.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    return (Set-RdsPrivilegeState -Name $Name -Enable $true)
}

function Disable-RdsPrivilege {
    <#
    .SYNOPSIS
    Disables a privilege in this process's token (nothing happens when it is not held).
    .PARAMETER Name
    The privilege name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    [void](Set-RdsPrivilegeState -Name $Name -Enable $false)
}
