# platform/windows/Registry.ps1 under Pester on any OS: the hive and view each path opens,
# the rights each call opens a key with, value kinds to canonical data and back, the errors
# Windows gives, and reg.exe's arguments, exit codes and messages. RegistryKey is faked
# (test/support/pester/WindowsRegistryFake.ps1) after its documented behaviour; only
# RegistryKey.OpenBaseKey (Open-RdsRegistryHive) is never called.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime', 'platform/windows') { . $file }
    . (Join-Path $PSScriptRoot '../../../test/support/pester/WindowsRegistryFake.ps1')

    $Key = 'HKLM\SOFTWARE\Contoso'
    $ReadKey = [string][System.Security.AccessControl.RegistryRights]::ReadKey
}

Describe 'Open-RdsRegistryBaseKey: the hive and view of a normalized path' {
    BeforeEach {
        $registry = New-FakeRegistry
        Mock Open-RdsRegistryHive { New-FakeRegistryBaseKey -Registry $registry -Hive $Hive -View $View }
    }

    It '<Path> in view <View> opens <Hive> in <Expected>' -ForEach @(
        @{ Path = 'HKLM\SYSTEM\CurrentControlSet'; View = '64'; Hive = 'LocalMachine'; Expected = 'Registry64'; SubPath = 'SYSTEM\CurrentControlSet' }
        @{ Path = 'HKCU\Software'; View = '32'; Hive = 'CurrentUser'; Expected = 'Registry32'; SubPath = 'Software' }
        @{ Path = 'HKU\S-1-5-18'; View = 'Default'; Hive = 'Users'; Expected = 'Default'; SubPath = 'S-1-5-18' }
        @{ Path = 'HKCR'; View = 'Default'; Hive = 'ClassesRoot'; Expected = 'Default'; SubPath = '' }
    ) {
        $opened = Open-RdsRegistryBaseKey -Path $Path -View $View
        $opened.SubPath | Should -BeExactly $SubPath
        ConvertTo-Json -Compress -InputObject $registry.Bases[0] | Should -BeExactly (ConvertTo-Json -Compress -InputObject @{ Hive = $Hive; View = $Expected })
    }

    It 'refuses another root or view, naming the path, before opening anything' {
        { Open-RdsRegistryBaseKey -Path 'HKEY_LOCAL_MACHINE\SOFTWARE' -View '64' } | Should -Throw -ExpectedMessage "unsupported registry root 'HKEY_LOCAL_MACHINE' (HKEY_LOCAL_MACHINE\SOFTWARE)"
        { Open-RdsRegistryBaseKey -Path 'hklm\SOFTWARE' -View '64' } | Should -Throw -ExpectedMessage "unsupported registry root 'hklm' (hklm\SOFTWARE)"
        { Open-RdsRegistryBaseKey -Path 'HKLM\SOFTWARE' -View 'Native' } | Should -Throw -ExpectedMessage "unsupported registry view 'Native' (HKLM\SOFTWARE)"
        Should -Invoke Open-RdsRegistryHive -Times 0 -Exactly
    }
}

Describe 'registry keys and values through RegistryKey' {
    BeforeEach {
        $registry = New-FakeRegistry
        Mock Open-RdsRegistryHive { New-FakeRegistryBaseKey -Registry $registry -Hive $Hive -View $View }
    }

    It 'Open-RdsRegistryKey: read rights open ReadSubTree, other rights ReadWriteSubTree, -Create CreateSubKey; the hive root is always disposed' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key)
        (Open-RdsRegistryKey -Path $Key -View '64').Dispose()
        (Open-RdsRegistryKey -Path $Key -View '64' -Rights ([System.Security.AccessControl.RegistryRights]::ReadPermissions)).Dispose()
        (Open-RdsRegistryKey -Path $Key -View '64' -Rights ([System.Security.AccessControl.RegistryRights]::TakeOwnership)).Dispose()
        (Open-RdsRegistryKey -Path ($Key + '\New') -View '64' -Create).Dispose()
        Open-RdsRegistryKey -Path 'HKLM\SOFTWARE\Missing' -View '64' | Should -Be $null
        ConvertTo-Json -Compress -InputObject @($registry.Opened | ForEach-Object { $_.Check + '|' + $_.Rights + '|' + $_.Create }) | Should -BeExactly (ConvertTo-Json -Compress -InputObject @(
                "ReadSubTree|$ReadKey|False"
                'ReadSubTree|ReadPermissions|False'
                'ReadWriteSubTree|TakeOwnership|False'
                'ReadWriteSubTree||True'
                "ReadSubTree|$ReadKey|False"
            ))
        $registry.Disposed.Value | Should -Be 9
        $registry.Tree.ContainsKey($Key + '\New') | Should -BeTrue
    }

    It 'a denied key fails with the .NET message and the path' {
        [void](Add-FakeRegistryKey -Registry $registry -Path $Key -Denied)
        { Open-RdsRegistryKey -Path $Key -View '64' } | Should -Throw -ExpectedMessage "Requested registry access is not allowed. ($Key)"
        $registry.Disposed.Value | Should -Be 1
    }

    It 'Test-RdsRegistryKey looks the key up in its parent (a key only its owner may read still exists), case-insensitively' {
        [void](Add-FakeRegistryKey -Registry $registry -Path ($Key + '\GracePeriod') -Denied)
        Test-RdsRegistryKey -Path ($Key + '\graceperiod') -View '64' | Should -BeExactly $true
        Test-RdsRegistryKey -Path ($Key + '\Other') -View '64' | Should -BeExactly $false
        Test-RdsRegistryKey -Path 'HKLM\SOFTWARE\Missing\Child' -View '64' | Should -BeExactly $false
        Test-RdsRegistryKey -Path 'HKLM' -View '64' | Should -BeExactly $true
    }

    It 'Get-RdsRegistryValue of a <Name> value gives <Type> data in canonical form' -ForEach @(
        @{ Name = 'REG_SZ'; RegType = 1; Raw = 'text'; Type = 'String'; Data = 'text' }
        @{ Name = 'REG_EXPAND_SZ (not expanded)'; RegType = 2; Raw = '%SystemRoot%\System32'; Type = 'ExpandString'; Data = '%SystemRoot%\System32' }
        @{ Name = 'REG_MULTI_SZ'; RegType = 7; Raw = [string[]]@('a', '', 'b'); Type = 'MultiString'; Data = @('a', '', 'b') }
        @{ Name = 'REG_DWORD above 2^31 (an [int] from .NET)'; RegType = 4; Raw = [int]-1; Type = 'DWord'; Data = 4294967295 }
        @{ Name = 'REG_QWORD above 2^63 (a [long] from .NET)'; RegType = 11; Raw = [long]-1; Type = 'QWord'; Data = '18446744073709551615' }
        @{ Name = 'REG_BINARY'; RegType = 3; Raw = [byte[]]@(0x0a, 0xff); Type = 'Binary'; Data = '0aff' }
        @{ Name = 'REG_NONE'; RegType = 0; Raw = [byte[]]@(1, 2); Type = 'None'; Data = '0102' }
        @{ Name = 'REG_NONE, empty'; RegType = 0; Raw = [byte[]]@(); Type = 'None'; Data = '' }
        @{ Name = 'REG_DWORD_BIG_ENDIAN (bytes, kind Unknown)'; RegType = 5; Raw = [byte[]]@(0, 0, 0, 10); Type = 'Unknown'; Data = $null }
        @{ Name = 'REG_LINK'; RegType = 6; Raw = [byte[]]@(0x5c, 0); Type = 'Unknown'; Data = $null }
        @{ Name = 'REG_RESOURCE_LIST'; RegType = 8; Raw = [byte[]]@(1); Type = 'Unknown'; Data = $null }
        @{ Name = 'REG_FULL_RESOURCE_DESCRIPTOR'; RegType = 9; Raw = [byte[]]@(1); Type = 'Unknown'; Data = $null }
        @{ Name = 'REG_RESOURCE_REQUIREMENTS_LIST'; RegType = 10; Raw = [byte[]]@(1); Type = 'Unknown'; Data = $null }
    ) {
        Set-FakeRegistryValue -Registry $registry -Path $Key -Name 'Value' -RegType $RegType -Raw $Raw
        $value = Get-RdsRegistryValue -Path $Key -Name 'VALUE' -View '64'
        ConvertTo-Json -Compress -Depth 5 -InputObject ([ordered]@{ Name = $value.Name; Type = $value.Type; Data = $value.Data }) | Should -BeExactly (ConvertTo-Json -Compress -Depth 5 -InputObject ([ordered]@{ Name = 'Value'; Type = $Type; Data = $Data }))
        $registry.Disposed.Value | Should -Be 2
    }

    It 'Get-RdsRegistryValue: $null for a missing value or key; names and subkeys, nothing for a missing key' {
        Set-FakeRegistryValue -Registry $registry -Path $Key -Name '' -RegType 1 -Raw 'default'
        Set-FakeRegistryValue -Registry $registry -Path $Key -Name 'b' -RegType 4 -Raw ([int]1)
        [void](Add-FakeRegistryKey -Registry $registry -Path ($Key + '\Sub'))
        Get-RdsRegistryValue -Path $Key -Name 'missing' -View '64' | Should -Be $null
        Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\Missing' -Name 'b' -View '64' | Should -Be $null
        ConvertTo-Json -Compress -InputObject @(Get-RdsRegistryValueName -Path $Key -View '64') | Should -BeExactly '["","b"]'
        ConvertTo-Json -Compress -InputObject @(Get-RdsRegistrySubkeyName -Path $Key -View '64') | Should -BeExactly '["Sub"]'
        @(Get-RdsRegistryValueName -Path 'HKLM\SOFTWARE\Missing' -View '64').Length | Should -Be 0
        @(Get-RdsRegistrySubkeyName -Path 'HKLM\SOFTWARE\Missing' -View '64').Length | Should -Be 0
    }

    It 'Set-RdsRegistryValue writes <Type> <Shown> as SetValue(name, <Expected>, <Kind>), creating the key' -ForEach @(
        @{ Type = 'String'; Data = 'x'; Shown = 'x'; Expected = 'System.String x'; Kind = 'String' }
        @{ Type = 'ExpandString'; Data = '%SystemRoot%'; Shown = '%SystemRoot%'; Expected = 'System.String %SystemRoot%'; Kind = 'ExpandString' }
        @{ Type = 'MultiString'; Data = @('a', 'b'); Shown = 'a,b'; Expected = 'System.String[] a b'; Kind = 'MultiString' }
        @{ Type = 'DWord'; Data = [long]4294967295; Shown = '4294967295'; Expected = 'System.Int32 -1'; Kind = 'DWord' }
        @{ Type = 'QWord'; Data = '18446744073709551615'; Shown = '2^64-1'; Expected = 'System.Int64 -1'; Kind = 'QWord' }
        @{ Type = 'Binary'; Data = '0AFF'; Shown = '0AFF'; Expected = 'System.Byte[] 10 255'; Kind = 'Binary' }
        @{ Type = 'None'; Data = '0102'; Shown = '0102'; Expected = 'System.Byte[] 1 2'; Kind = 'None' }
    ) {
        Set-RdsRegistryValue -Path ($Key + '\New') -Name 'v' -Type $Type -Data $Data -View '64'
        $write = $registry.Tree[$Key + '\New'].Writes[0]
        ($write.Value.GetType().FullName + ' ' + (@($write.Value) -join ' ')) | Should -BeExactly $Expected
        $write.Kind | Should -BeExactly $Kind
        $registry.Opened[0].Create | Should -BeTrue
    }

    It 'Set-RdsRegistryValue refuses data that is not hex for Binary, and cannot write the kind Unknown' {
        { Set-RdsRegistryValue -Path $Key -Name 'v' -Type 'Binary' -Data '0g' -View '64' } | Should -Throw -ExpectedMessage "invalid binary data '0g': expected hex digits without separators"
        { Set-RdsRegistryValue -Path $Key -Name 'v' -Type 'Unknown' -Data $null -View '64' } | Should -Throw -ExpectedMessage '*"Unknown" does not belong to the set*'
        $registry.Opened.Count | Should -Be 0
    }

    It 'Remove-RdsRegistryValue: missing key and missing value fail with the path (and the .NET message)' {
        Set-FakeRegistryValue -Registry $registry -Path $Key -Name 'a' -RegType 4 -Raw ([int]1)
        { Remove-RdsRegistryValue -Path 'HKLM\SOFTWARE\Missing' -Name 'a' -View '64' } | Should -Throw -ExpectedMessage 'registry key not found (HKLM\SOFTWARE\Missing)'
        { Remove-RdsRegistryValue -Path $Key -Name 'b' -View '64' } | Should -Throw -ExpectedMessage "No value exists with that name. ($Key\b)"
        Remove-RdsRegistryValue -Path $Key -Name 'a' -View '64'
        $registry.Tree[$Key].Named.Count | Should -Be 0
        $registry.Opened[-1].Rights | Should -BeExactly 'SetValue, ReadKey'
    }

    It 'New-RdsRegistryKey creates the key and its missing parents (CreateSubKey, ReadWriteSubTree) and closes it' {
        New-RdsRegistryKey -Path ($Key + '\A\B') -View '32'
        $registry.Tree.ContainsKey($Key + '\A\B') | Should -BeTrue
        $registry.Opened[0].Create | Should -BeTrue
        $registry.Opened[0].Check | Should -BeExactly 'ReadWriteSubTree'
        $registry.Bases[0].View | Should -BeExactly 'Registry32'
        $registry.Disposed.Value | Should -Be 2
    }

    It 'Remove-RdsRegistryKey: never a hive root or top-level key; subkeys need -Recurse; the parent is opened with CreateSubKey' {
        [void](Add-FakeRegistryKey -Registry $registry -Path ($Key + '\Tree\Leaf'))
        { Remove-RdsRegistryKey -Path 'HKLM\SOFTWARE' -View '64' -Recurse } | Should -Throw -ExpectedMessage 'refusing to delete a hive root or top-level key (HKLM\SOFTWARE)'
        { Remove-RdsRegistryKey -Path 'HKLM' -View '64' } | Should -Throw -ExpectedMessage 'refusing to delete a hive root or top-level key (HKLM)'
        { Remove-RdsRegistryKey -Path ($Key + '\Tree') -View '64' } | Should -Throw -ExpectedMessage "Registry key has subkeys and recursive removes are not supported by this method. ($Key\Tree)"
        { Remove-RdsRegistryKey -Path ($Key + '\Nope') -View '64' } | Should -Throw -ExpectedMessage "Cannot delete a subkey tree because the subkey does not exist. ($Key\Nope)"
        Remove-RdsRegistryKey -Path ($Key + '\Tree') -View '64' -Recurse
        $registry.Tree.ContainsKey($Key + '\Tree\Leaf') | Should -BeFalse
        $registry.Tree.ContainsKey($Key) | Should -BeTrue
        $registry.Opened[-1].Rights | Should -BeExactly 'CreateSubKey, ReadKey'
    }

    It 'Get-RdsProcessBitness reports this process and OS as .NET sees them' {
        $bitness = Get-RdsProcessBitness
        $bitness.Is64BitProcess | Should -BeExactly ([System.Environment]::Is64BitProcess)
        $bitness.Is64BitOperatingSystem | Should -BeExactly ([System.Environment]::Is64BitOperatingSystem)
    }
}

Describe 'reg.exe export and import through Invoke-RdsNativeCommand' {
    It 'export: the arguments one by one (/reg:64, /reg:32, none for Default); exit 0 is success' {
        Mock Invoke-RdsNativeCommand { @{ ExitCode = 0; Output = 'The operation completed successfully.' } }
        Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View '64' -File 'C:\backups\a b.reg'
        Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View '32' -File 'C:\backups\c.reg'
        Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View 'Default' -File 'C:\backups\d.reg'
        Should -Invoke Invoke-RdsNativeCommand -Times 1 -Exactly -ParameterFilter { $FilePath -ceq 'reg.exe' -and ($ArgumentList -join '|') -ceq 'export|HKLM\SOFTWARE\Microsoft\MSLicensing|C:\backups\a b.reg|/y|/reg:64' }
        Should -Invoke Invoke-RdsNativeCommand -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -ceq 'export|HKLM\SOFTWARE\Microsoft\MSLicensing|C:\backups\c.reg|/y|/reg:32' }
        Should -Invoke Invoke-RdsNativeCommand -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join '|') -ceq 'export|HKLM\SOFTWARE\Microsoft\MSLicensing|C:\backups\d.reg|/y' }
    }

    It 'export of a missing key: exit 1 and reg.exe''s message, with the key' {
        Mock Invoke-RdsNativeCommand { @{ ExitCode = 1; Output = 'ERROR: The system was unable to find the specified registry key or value.' } }
        { Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Missing' -View 'Default' -File 'C:\b.reg' } | Should -Throw -ExpectedMessage 'reg.exe export failed with exit code 1: ERROR: The system was unable to find the specified registry key or value. (HKLM\SOFTWARE\Missing)'
    }
}
