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

# Returns the SDDL (Owner, Group, Access) of a registry key.
function Get-RdsRegistrySddl {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    Use-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::ReadPermissions) -Required -Action {
        $key.GetAccessControl($script:RdsSecuritySections).GetSecurityDescriptorSddlForm($script:RdsSecuritySections)
    }
}

# Replaces the owner, group and DACL of a registry key from SDDL.
function Set-RdsRegistrySddl {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $Sddl)
    $rights = [System.Security.AccessControl.RegistryRights]::ChangePermissions -bor [System.Security.AccessControl.RegistryRights]::TakeOwnership -bor [System.Security.AccessControl.RegistryRights]::ReadPermissions
    Use-RdsRegistryKey -Path $Path -View $View -Rights $rights -Required -Action {
        $security = New-RdsRegistrySecurity
        $security.SetSecurityDescriptorSddlForm($Sddl, $script:RdsSecuritySections)
        $key.SetAccessControl($security)
    }
}

# Makes a SID the owner of a registry key (needs SeTakeOwnershipPrivilege enabled).
function Set-RdsRegistryOwner {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $Sid)
    $owner = ConvertTo-RdsSecurityIdentifier -Sid $Sid
    Use-RdsRegistryKey -Path $Path -View $View -Rights ([System.Security.AccessControl.RegistryRights]::TakeOwnership) -Required -Action {
        # A new RegistrySecurity with only the owner set: SetAccessControl writes only the owner.
        $security = New-RdsRegistrySecurity
        $security.SetOwner($owner)
        $key.SetAccessControl($security)
    }
}

# Adds an Allow rule for a SID to a registry key's DACL (this key and its subkeys).
function Add-RdsRegistryAccessRule {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $Sid,
        [Parameter(Mandatory)] [string] $Rights)
    $rule = New-RdsRegistryAccessRule -Sid $Sid -Rights ([System.Security.AccessControl.RegistryRights]$Rights)
    $keyRights = [System.Security.AccessControl.RegistryRights]::ChangePermissions -bor [System.Security.AccessControl.RegistryRights]::ReadPermissions
    Use-RdsRegistryKey -Path $Path -View $View -Rights $keyRights -Required -Action {
        $security = $key.GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access)
        $security.AddAccessRule($rule)
        $key.SetAccessControl($security)
    }
}

# Returns a new, empty RegistrySecurity (.NET; Windows only).
function New-RdsRegistrySecurity {
    [CmdletBinding()] param()
    return [System.Security.AccessControl.RegistrySecurity]::new()
}

# Returns the SecurityIdentifier of a SID string (.NET; Windows only; throws on anything but a SID).
function ConvertTo-RdsSecurityIdentifier {
    param([Parameter(Mandatory)] [string] $Sid)
    return [System.Security.Principal.SecurityIdentifier]::new($Sid)
}

# Returns an Allow RegistryAccessRule for a SID that applies to the key and its subkeys (ContainerInherit; .NET; Windows only).
function New-RdsRegistryAccessRule {
    param([Parameter(Mandatory)] [string] $Sid, [Parameter(Mandatory)] [System.Security.AccessControl.RegistryRights] $Rights)
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
namespace RdsPlan {
    public static class TokenPrivilege {
        private const uint TOKEN_QUERY = 0x0008;
        private const uint TOKEN_ADJUST_PRIVILEGES = 0x0020;
        private const uint SE_PRIVILEGE_ENABLED = 0x00000002;
        [StructLayout(LayoutKind.Sequential)] private struct LUID { public uint LowPart; public int HighPart; }
        [StructLayout(LayoutKind.Sequential)]
        private struct TOKEN_PRIVILEGES { public uint PrivilegeCount; public LUID Luid; public uint Attributes; }
        [DllImport("kernel32.dll")] private static extern IntPtr GetCurrentProcess();
        [DllImport("kernel32.dll", SetLastError = true)] private static extern bool CloseHandle(IntPtr handle);
        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool OpenProcessToken(IntPtr processHandle, uint desiredAccess, out IntPtr tokenHandle);
        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool LookupPrivilegeValue(string systemName, string name, out LUID luid);
        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool AdjustTokenPrivileges(IntPtr tokenHandle, bool disableAllPrivileges, ref TOKEN_PRIVILEGES newState, uint bufferLength, ref TOKEN_PRIVILEGES previousState, out uint returnLength);
        // Enables or disables one privilege of this process's token. Returns { GetLastError()
        // after the call (1300 ERROR_NOT_ALL_ASSIGNED: not held), PreviousState.PrivilegeCount
        // (0: the state did not change), PreviousState's attributes of the privilege }.
        public static uint[] Adjust(string name, bool enable) {
            IntPtr token;
            if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, out token))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "OpenProcessToken failed for privilege " + name);
            try {
                LUID luid;
                if (!LookupPrivilegeValue(null, name, out luid))
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "unknown privilege " + name);
                TOKEN_PRIVILEGES state = new TOKEN_PRIVILEGES { PrivilegeCount = 1, Luid = luid, Attributes = enable ? SE_PRIVILEGE_ENABLED : 0 };
                TOKEN_PRIVILEGES previous = new TOKEN_PRIVILEGES();
                uint returnLength;
                if (!AdjustTokenPrivileges(token, false, ref state, (uint)Marshal.SizeOf(typeof(TOKEN_PRIVILEGES)), ref previous, out returnLength))
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "AdjustTokenPrivileges failed for privilege " + name);
                uint error = (uint)Marshal.GetLastWin32Error();
                return new uint[] { error, previous.PrivilegeCount, previous.Attributes };
            } finally { CloseHandle(token); }
        }
    }
}
'@

# Calls the compiled AdjustTokenPrivileges helper; returns @(last error, PreviousState count, PreviousState attributes).
function Invoke-RdsTokenPrivilegeAdjustment {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [bool] $Enable)
    return , ([RdsPlan.TokenPrivilege]::Adjust($Name, $Enable))
}

# Enables or disables a privilege in this process's token (compiles the helper type once); returns whether it was enabled before.
function Set-RdsPrivilegeState {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [bool] $Enable)
    if (-not ([System.Management.Automation.PSTypeName]'RdsPlan.TokenPrivilege').Type) {
        Add-Type -TypeDefinition $script:RdsTokenPrivilegeSource -Language CSharp
    }
    try { $result = Invoke-RdsTokenPrivilegeAdjustment -Name $Name -Enable $Enable } catch { throw (Get-RdsExceptionMessage -ErrorRecord $_) }
    if ($Enable -and [long]$result[0] -eq 1300) { throw ('Not all privileges or groups referenced are assigned to the caller. (' + $Name + ')') }
    if ([long]$result[1] -eq 0) { return $Enable }
    return (([long]$result[2] -band 2) -ne 0)
}

# Enables a privilege the account holds; returns whether it was enabled before (throws ERROR_NOT_ALL_ASSIGNED's message when not held).
function Enable-RdsPrivilege {
    param([Parameter(Mandatory)] [string] $Name)
    return (Set-RdsPrivilegeState -Name $Name -Enable $true)
}

# Disables a privilege in this process's token (nothing happens when it is not held).
function Disable-RdsPrivilege {
    param([Parameter(Mandatory)] [string] $Name)
    [void](Set-RdsPrivilegeState -Name $Name -Enable $false)
}
