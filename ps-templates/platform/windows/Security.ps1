# rdsplan platform (Windows): registry key security (owner, DACL, SDDL) and token privileges.
#
# The sequence is DOMAIN.md "Taking ownership": SIDs only (never localized names),
# OpenSubKey with TakeOwnership / ChangePermissions, SetAccessControl, and the SDDL of
# Owner, Group and Access as the backup and restore format.
# The embedded C# must compile for .NET Framework 4.x (Windows PowerShell 5.1, C# 5) and
# .NET 8+ (PowerShell 7): it is compiled by a Roslyn check in CI.

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
        $security = [System.Security.AccessControl.RegistrySecurity]::new()
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
    $owner = [System.Security.Principal.SecurityIdentifier]::new($Sid)
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::TakeOwnership)
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        $security = [System.Security.AccessControl.RegistrySecurity]::new()
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
    $trustee = [System.Security.Principal.SecurityIdentifier]::new($Sid)
    $registryRights = [System.Security.AccessControl.RegistryRights]$Rights
    $keyRights = [System.Security.AccessControl.RegistryRights]::ChangePermissions -bor [System.Security.AccessControl.RegistryRights]::ReadPermissions
    $key = Open-RdsRegistryKey -Path $Path -View $View -Rights $keyRights
    if ($null -eq $key) { throw "registry key not found ($Path)" }
    try {
        $security = $key.GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access)
        $rule = [System.Security.AccessControl.RegistryAccessRule]::new(
            $trustee,
            $registryRights,
            [System.Security.AccessControl.InheritanceFlags]::ContainerInherit,
            [System.Security.AccessControl.PropagationFlags]::None,
            [System.Security.AccessControl.AccessControlType]::Allow)
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
        private const int ERROR_NOT_ALL_ASSIGNED = 1300;

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
        private static extern bool AdjustTokenPrivileges(IntPtr tokenHandle, bool disableAllPrivileges, ref TOKEN_PRIVILEGES newState, uint bufferLength, IntPtr previousState, IntPtr returnLength);

        public static void Set(string name, bool enable)
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
                if (!AdjustTokenPrivileges(token, false, ref state, 0, IntPtr.Zero, IntPtr.Zero))
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "AdjustTokenPrivileges failed for privilege " + name);
                }
                // AdjustTokenPrivileges can succeed without granting anything.
                int error = Marshal.GetLastWin32Error();
                if (enable && error == ERROR_NOT_ALL_ASSIGNED)
                {
                    throw new InvalidOperationException("privilege " + name + " is not held by this account");
                }
            }
            finally
            {
                CloseHandle(token);
            }
        }
    }
}
'@

function Set-RdsPrivilegeState {
    <#
    .SYNOPSIS
    Enables or disables a privilege in this process's token (compiles the helper type once).
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
    if (-not ([System.Management.Automation.PSTypeName]'RdsPlan.TokenPrivilege').Type) {
        Add-Type -TypeDefinition $script:RdsTokenPrivilegeSource -Language CSharp
    }
    try {
        [RdsPlan.TokenPrivilege]::Set($Name, $Enable)
    }
    catch {
        throw (Get-RdsExceptionMessage -ErrorRecord $_)
    }
}

function Enable-RdsPrivilege {
    <#
    .SYNOPSIS
    Enables a privilege the account holds; throws "privilege X is not held by this account" otherwise.
    .PARAMETER Name
    The privilege, e.g. 'SeTakeOwnershipPrivilege' or 'SeRestorePrivilege'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    Set-RdsPrivilegeState -Name $Name -Enable $true
}

function Disable-RdsPrivilege {
    <#
    .SYNOPSIS
    Disables a privilege in this process's token.
    .PARAMETER Name
    The privilege name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    Set-RdsPrivilegeState -Name $Name -Enable $false
}
