# platform/windows/Security.ps1 under Pester on any OS: the rights each security call opens
# a key with, the sections it reads and writes, what Windows reads back (AI added), the
# InvalidOperationException AddAccessRule throws on a DACL not in canonical order, and the
# token privileges: Add-Type once, AdjustTokenPrivileges' last error and PreviousState read as
# documented. RegistryKey and RegistrySecurity are faked
# (test/support/pester/WindowsRegistryFake.ps1); the .NET constructors (RegistrySecurity,
# SecurityIdentifier, RegistryAccessRule) and the compiled P/Invoke are never called.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime', 'platform/windows') { . $file }
    . (Join-Path $PSScriptRoot '../../../test/support/pester/WindowsRegistryFake.ps1')

    $Key = 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\GracePeriod'
    $Grace = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'
    $AllSections = 'Access, Owner, Group'
}

Describe 'key security through RegistryKey and RegistrySecurity' {
    BeforeEach {
        $registry = New-FakeRegistry
        Mock Open-RdsRegistryHive { New-FakeRegistryBaseKey -Registry $registry -Hive $Hive -View $View }
        Mock New-RdsRegistrySecurity { New-FakeRegistrySecurity }
        Mock ConvertTo-RdsSecurityIdentifier { [pscustomobject]@{ Value = $Sid } }
        Mock New-RdsRegistryAccessRule { [pscustomobject]@{ Sid = $Sid; Rights = [string]$Rights } }
    }

    It 'Get-RdsRegistrySddl opens with ReadPermissions and reads Owner, Group and Access' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl $Grace)
        Get-RdsRegistrySddl -Path $Key -View 'Default' | Should -BeExactly $Grace
        $registry.Opened[0].Rights | Should -BeExactly 'ReadPermissions'
        $registry.Opened[0].Check | Should -BeExactly 'ReadSubTree'
        { Get-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Missing' -View 'Default' } | Should -Throw -ExpectedMessage 'registry key not found (HKLM\SOFTWARE\Missing)'
    }

    It 'Set-RdsRegistrySddl writes Owner, Group and Access from the SDDL (ChangePermissions, TakeOwnership, ReadPermissions); Windows reads D:P( back as D:PAI(' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl 'O:BAG:SYD:PAI(A;CI;KA;;;BA)')
        Set-RdsRegistrySddl -Path $Key -View 'Default' -Sddl 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
        $registry.Opened[0].Rights | Should -BeExactly 'ReadPermissions, ChangePermissions, TakeOwnership'
        $registry.Opened[0].Check | Should -BeExactly 'ReadWriteSubTree'
        $registry.Tree[$Key].Writes[0].Security.Sections | Should -BeExactly $AllSections
        Get-RdsRegistrySddl -Path $Key -View 'Default' | Should -BeExactly 'O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
    }

    It 'Set-RdsRegistrySddl: an SDDL .NET refuses, or a failing write, fails with the path' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl $Grace)
        { Set-RdsRegistrySddl -Path $Key -View 'Default' -Sddl 'O:BA' } | Should -Throw -ExpectedMessage "The SDDL form of a security descriptor object is invalid. ($Key)"
        { Set-RdsRegistrySddl -Path 'HKLM\SOFTWARE\Missing' -View 'Default' -Sddl $Grace } | Should -Throw -ExpectedMessage 'registry key not found (HKLM\SOFTWARE\Missing)'
    }

    It 'Set-RdsRegistryOwner opens with TakeOwnership and writes only the owner (a new RegistrySecurity with SetOwner)' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl $Grace)
        Set-RdsRegistryOwner -Path $Key -View 'Default' -Sid 'S-1-5-32-544'
        $registry.Opened[0].Rights | Should -BeExactly 'TakeOwnership'
        Should -Invoke ConvertTo-RdsSecurityIdentifier -ParameterFilter { $Sid -ceq 'S-1-5-32-544' }
        $registry.Tree[$Key].Sddl | Should -BeExactly 'O:S-1-5-32-544G:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'
    }

    It 'Add-RdsRegistryAccessRule: an allow rule (ContainerInherit) on the Access section, opened with ChangePermissions and ReadPermissions' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl 'O:BAG:SYD:PAI(A;CI;KA;;;NS)')
        Add-RdsRegistryAccessRule -Path $Key -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'
        $registry.Opened[0].Rights | Should -BeExactly 'ReadPermissions, ChangePermissions'
        Should -Invoke New-RdsRegistryAccessRule -ParameterFilter { $Sid -ceq 'S-1-5-32-544' -and $Rights -eq [System.Security.AccessControl.RegistryRights]::FullControl }
        $registry.Tree[$Key].Writes[0].Security.Sections | Should -BeExactly 'Access'
        $registry.Tree[$Key].Sddl | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;FullControl;;;S-1-5-32-544)'
    }

    It 'Add-RdsRegistryAccessRule on a DACL not in canonical order fails with the .NET message and the path, and writes nothing' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Sddl 'O:BAG:SYD:PAI(A;CI;KR;;;BA)(D;CI;KW;;;WD)' -Canonical $false)
        { Add-RdsRegistryAccessRule -Path $Key -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl' } | Should -Throw -ExpectedMessage "This access control list is not in canonical form and therefore cannot be modified. ($Key)"
        $registry.Tree[$Key].Writes.Count | Should -Be 0
        $registry.Disposed.Value | Should -Be 2
    }

    It 'Add-RdsRegistryAccessRule: rights that are not a RegistryRights name fail before the key is opened' {
        { Add-RdsRegistryAccessRule -Path $Key -View 'Default' -Sid 'S-1-5-32-544' -Rights 'Everything' } | Should -Throw -ExpectedMessage 'Cannot convert value "Everything" to type "System.Security.AccessControl.RegistryRights"*'
        $registry.Opened.Count | Should -Be 0
    }
}

Describe 'token privileges: AdjustTokenPrivileges through the compiled helper' {
    BeforeEach {
        Mock Add-Type
    }

    It 'the helper type is compiled from the embedded C# (Add-Type, C#) when it is not loaded' {
        Mock Invoke-RdsTokenPrivilegeAdjustment { , [uint32[]]@(0, 1, 0) }
        [void](Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege')
        Should -Invoke Add-Type -Times 1 -Exactly -ParameterFilter { $Language -eq 'CSharp' -and $TypeDefinition -ceq $script:RdsTokenPrivilegeSource -and $TypeDefinition.Contains('AdjustTokenPrivileges') }
    }

    It 'Enable-RdsPrivilege returns <Expected> when PreviousState is <Case>' -ForEach @(
        @{ Case = 'the privilege, disabled (it was enabled now)'; Result = @(0, 1, 0); Expected = $false }
        @{ Case = 'empty (nothing changed: it was enabled already)'; Result = @(0, 0, 0); Expected = $true }
        @{ Case = 'the privilege, enabled'; Result = @(0, 1, 2); Expected = $true }
        @{ Case = 'the privilege, enabled by default and enabled'; Result = @(0, 1, 3); Expected = $true }
    ) {
        Mock Invoke-RdsTokenPrivilegeAdjustment { , [uint32[]]$Result }
        $previous = Enable-RdsPrivilege -Name 'SeRestorePrivilege'
        $previous | Should -BeOfType [bool]
        $previous | Should -BeExactly $Expected
        Should -Invoke Invoke-RdsTokenPrivilegeAdjustment -Times 1 -Exactly -ParameterFilter { $Name -ceq 'SeRestorePrivilege' -and $Enable -eq $true }
    }

    It 'a privilege the token does not hold: success with ERROR_NOT_ALL_ASSIGNED (1300) fails Enable, not Disable' {
        Mock Invoke-RdsTokenPrivilegeAdjustment { , [uint32[]]@(1300, 0, 0) }
        { Enable-RdsPrivilege -Name 'SeRestorePrivilege' } | Should -Throw -ExpectedMessage 'Not all privileges or groups referenced are assigned to the caller. (SeRestorePrivilege)'
        Disable-RdsPrivilege -Name 'SeRestorePrivilege' | Should -BeNullOrEmpty
        Should -Invoke Invoke-RdsTokenPrivilegeAdjustment -Times 1 -Exactly -ParameterFilter { $Enable -eq $false }
    }

    It 'a failing call (OpenProcessToken, LookupPrivilegeValue, AdjustTokenPrivileges) throws its Win32 message without the "Exception calling" wrapper' {
        Mock Invoke-RdsTokenPrivilegeAdjustment { throw [System.ComponentModel.Win32Exception]::new(5, 'OpenProcessToken failed for privilege SeRestorePrivilege') }
        { Enable-RdsPrivilege -Name 'SeRestorePrivilege' } | Should -Throw -ExpectedMessage 'OpenProcessToken failed for privilege SeRestorePrivilege'
    }
}
