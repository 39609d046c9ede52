# platform/windows/Folders.ps1: a folder's owner and access rules as the runtime reads them,
# and the folder created with its own protected DACL. Get-RdsDirectoryAcl is mocked with a
# stand-in of the DirectorySecurity that .NET returns (GetOwner, GetAccessRules with
# FileSystemAccessRule objects: SecurityIdentifier, FileSystemRights, AccessControlType,
# PropagationFlags, GENERIC_READ reading as a negative Int32). Not run here, as there are no
# ACLs on Linux: the .NET calls inside Get-RdsDirectoryAcl and New-RdsDirectoryWithSecurity
# (Directory.GetAccessControl/CreateDirectory(path, DirectorySecurity) in 5.1,
# FileSystemAclExtensions in 7).
BeforeAll {
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    . (Join-Path $PSScriptRoot 'Folders.ps1')

    function New-TestSid {
        # A SecurityIdentifier stand-in (its constructor needs Windows): what the layer reads of it, Value.
        param([string] $Sid)
        return [pscustomobject]@{ PSTypeName = 'System.Security.Principal.SecurityIdentifier'; Value = $Sid }
    }

    function New-TestRule {
        # A FileSystemAccessRule stand-in, with the .NET types of its members (the SID's stand-in aside).
        param([string] $Sid, [long] $Rights, [string] $Type = 'Allow', [string] $Propagation = 'None')
        return [pscustomobject]@{
            IdentityReference = New-TestSid -Sid $Sid
            # An Int32 enumeration holding any mask, generic rights too (a PowerShell cast would refuse those).
            FileSystemRights  = [System.Enum]::ToObject([System.Security.AccessControl.FileSystemRights], [int]$(if ($Rights -gt [int]::MaxValue) { $Rights - 4294967296 } else { $Rights }))
            AccessControlType = [System.Security.AccessControl.AccessControlType]$Type
            PropagationFlags  = [System.Security.AccessControl.PropagationFlags]$Propagation
        }
    }

    function New-TestAcl {
        # A DirectorySecurity stand-in: the owner and the rules; the arguments of each call are recorded.
        param([string] $Owner, [object[]] $Rules)
        $acl = [pscustomobject]@{ Owner = New-TestSid -Sid $Owner; Rules = $Rules; Calls = [System.Collections.Generic.List[string]]::new() }
        $acl | Add-Member -MemberType ScriptMethod -Name GetOwner -Value { param([type] $targetType) $this.Calls.Add('GetOwner ' + $targetType.FullName); return $this.Owner }
        $acl | Add-Member -MemberType ScriptMethod -Name GetAccessRules -Value {
            param([bool] $includeExplicit, [bool] $includeInherited, [type] $targetType)
            $this.Calls.Add('GetAccessRules ' + $includeExplicit + ' ' + $includeInherited + ' ' + $targetType.FullName)
            return $this.Rules
        }
        return $acl
    }
}

Describe 'Get-RdsDirectorySecurity' {
    It 'a missing folder: $null, no ACL read' {
        Mock Get-RdsDirectoryAcl
        Get-RdsDirectorySecurity -Path (Join-Path $TestDrive 'missing') | Should -Be $null
        Should -Invoke Get-RdsDirectoryAcl -Times 0 -Exactly
    }

    It 'an existing folder: the owner and every rule, explicit and inherited, as SIDs and access masks' {
        $folder = Join-Path $TestDrive 'backups'
        [void][System.IO.Directory]::CreateDirectory($folder)
        $acl = New-TestAcl -Owner 'S-1-5-32-544' -Rules @(
            New-TestRule -Sid 'S-1-5-18' -Rights 0x1F01FF
            New-TestRule -Sid 'S-1-5-32-545' -Rights 0x116
            New-TestRule -Sid 'S-1-3-0' -Rights 0x10000000 -Propagation 'InheritOnly'
            New-TestRule -Sid 'S-1-5-11' -Rights 0x80000000 -Propagation 'InheritOnly'
            New-TestRule -Sid 'S-1-1-0' -Rights 0x1F01FF -Type 'Deny' -Propagation 'NoPropagateInherit'
        )
        Mock Get-RdsDirectoryAcl { $acl }
        $security = Get-RdsDirectorySecurity -Path $folder

        $expected = @{ Owner = 'S-1-5-32-544'; Access = @(
                @{ Sid = 'S-1-5-18'; Allow = $true; Rights = 0x1F01FF; InheritOnly = $false }
                @{ Sid = 'S-1-5-32-545'; Allow = $true; Rights = 0x116; InheritOnly = $false }
                @{ Sid = 'S-1-3-0'; Allow = $true; Rights = 0x10000000; InheritOnly = $true }
                @{ Sid = 'S-1-5-11'; Allow = $true; Rights = 2147483648; InheritOnly = $true }
                @{ Sid = 'S-1-1-0'; Allow = $false; Rights = 0x1F01FF; InheritOnly = $false }
            )
        }
        (ConvertTo-Json -InputObject $security -Depth 5 -Compress) | Should -BeExactly (ConvertTo-Json -InputObject $expected -Depth 5 -Compress)
        $security.Access[3].Rights | Should -BeOfType ([long])
        Should -Invoke Get-RdsDirectoryAcl -ParameterFilter { $Path -eq $folder }
        @($acl.Calls) | Should -BeExactly @('GetAccessRules True True System.Security.Principal.SecurityIdentifier', 'GetOwner System.Security.Principal.SecurityIdentifier')
    }
}

Describe 'New-RdsProtectedDirectory' {
    It 'asks for the folder owned by Administrators, SYSTEM and Administrators full control for it and what is created inside, protected from C:\ProgramData' {
        Mock New-RdsDirectoryWithSecurity
        $folder = Join-Path $TestDrive 'rdsplan\backups'
        New-RdsProtectedDirectory -Path $folder
        Should -Invoke New-RdsDirectoryWithSecurity -Times 1 -Exactly -ParameterFilter { $Path -eq $folder -and $Sddl -ceq 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)' }
    }
}
