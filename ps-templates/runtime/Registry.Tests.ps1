# The runtime's registry helpers (Registry.ps1): SDDL reading and semantic comparison, grant
# checks, canonical order, comparison and canonical form of registry data; the helpers over the
# platform API with the platform calls mocked (privileges put back as they were, the fallback
# for a DACL AddAccessRule refuses, values that could not be restored, the WOW64 refusal); and
# the registry actions over the simulated Windows of platform/sim (DOMAIN.md "Windows
# behaviours a faithful test must reproduce").
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

    # Stand-ins for the platform API the helpers call (each test mocks what it uses).
    function Get-RdsRegistrySddl { param([string] $Path, [string] $View) throw 'not mocked' }
    function Set-RdsRegistrySddl { param([string] $Path, [string] $View, [string] $Sddl) throw 'not mocked' }
    function Set-RdsRegistryOwner { param([string] $Path, [string] $View, [string] $Sid) throw 'not mocked' }
    function Add-RdsRegistryAccessRule { param([string] $Path, [string] $View, [string] $Sid, [string] $Rights) throw 'not mocked' }
    function Enable-RdsPrivilege { param([string] $Name) throw 'not mocked' }
    function Disable-RdsPrivilege { param([string] $Name) throw 'not mocked' }
    function Get-RdsProcessBitness { throw 'not mocked' }
    function Get-RdsRegistryValue { param([string] $Path, [AllowEmptyString()] [string] $Name, [string] $View) throw 'not mocked' }
    function Get-RdsRegistryValueName { param([string] $Path, [string] $View) throw 'not mocked' }
    function Get-RdsRegistrySubkeyName { param([string] $Path, [string] $View) throw 'not mocked' }

    $Unrestorable = "refusing to delete or overwrite value 'Configuration Data' (HKLM\HARDWARE\DESCRIPTION\System): it is of a kind .NET cannot read or write (REG_LINK, a resource list or REG_DWORD_BIG_ENDIAN), so it could not be restored exactly; back the key up with reg.exe export and change it by hand"
}

Describe 'ConvertFrom-RdsSddl' {
    It 'owner <Name>' -ForEach @(
        @{ Name = 'alias NS'; Sddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Expected = 'S-1-5-20' }
        @{ Name = 'as a literal SID'; Sddl = 'O:S-1-5-21-1-2-3-500G:SYD:(A;;KA;;;SY)'; Expected = 'S-1-5-21-1-2-3-500' }
        @{ Name = 'without group'; Sddl = 'O:BAD:(A;;KA;;;SY)'; Expected = 'S-1-5-32-544' }
    ) {
        (ConvertFrom-RdsSddl -Sddl $Sddl).Owner | Should -BeExactly $Expected
    }

    It 'group, DACL protection and each entry: type, flag tokens, mask, SID, inherited' {
        $parsed = ConvertFrom-RdsSddl -Sddl 'O:BAG:S-1-5-21-1-2-3-513D:PAI(D;OICI;KW;;;WD)(A;CIIOID;GA;;;CO)(A;;0x20019;;;S-1-5-32-545)'
        $parsed.Group | Should -BeExactly 'S-1-5-21-1-2-3-513'
        $parsed.DaclPresent | Should -BeTrue
        $parsed.DaclProtected | Should -BeTrue
        $parsed.DaclFlags | Should -BeExactly 'PAI'
        ConvertTo-RdsTestJson @($parsed.Aces | ForEach-Object { @{ Type = $_.Type; FlagList = $_.FlagList; Mask = $_.Mask; Sid = $_.Sid; Inherited = $_.Inherited } }) | Should -BeExactly (ConvertTo-RdsTestJson @(
                @{ Type = 'D'; FlagList = @('OI', 'CI'); Mask = 0x20006; Sid = 'S-1-1-0'; Inherited = $false }
                @{ Type = 'A'; FlagList = @('CI', 'IO', 'ID'); Mask = 0xF003F; Sid = 'S-1-3-0'; Inherited = $true }
                @{ Type = 'A'; FlagList = @(); Mask = 0x20019; Sid = 'S-1-5-32-545'; Inherited = $false }
            ))
        (ConvertFrom-RdsSddl -Sddl 'O:BAG:SYD:AI(A;CIID;KA;;;BA)').DaclProtected | Should -BeFalse
        (ConvertFrom-RdsSddl -Sddl 'O:BAG:SYD:NO_ACCESS_CONTROL').DaclProtected | Should -BeFalse
        (ConvertFrom-RdsSddl -Sddl 'O:BAG:SY').DaclPresent | Should -BeFalse
    }
}

Describe 'Compare-RdsSddl and Test-RdsSddlEquivalent: the security descriptor, not its text' {
    It 'equivalent: <Name>' -ForEach @(
        @{ Name = 'D:P( reads back D:PAI( (SetSecurityInfo adds auto-inherited)'; Expected = 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)'; Actual = 'O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)' }
        @{ Name = 'full SIDs read back as aliases'; Expected = 'O:S-1-5-32-544G:S-1-5-18D:PAI(A;CI;KA;;;S-1-5-32-544)'; Actual = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)' }
        @{ Name = 'inherited entries derived again, in another order'; Expected = 'O:BAG:SYD:AI(A;CI;KR;;;BU)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)'; Actual = 'O:BAG:SYD:AI(A;CI;KR;;;BU)(A;CIID;KA;;;BA)(A;CIID;KR;;;AC)' }
        @{ Name = 'explicit entries of one kind in another order'; Expected = 'O:BAG:SYD:PAI(D;CI;KW;;;WD)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:BAG:SYD:PAI(D;CI;KW;;;WD)(A;CI;KR;;;BA)(A;CI;KA;;;SY)' }
        @{ Name = 'two entries for one trustee and the merged entry'; Expected = 'O:BAG:SYD:PAI(A;CI;KR;;;BA)(A;CI;0x6;;;BA)'; Actual = 'O:BAG:SYD:PAI(A;CI;0x2001f;;;BA)' }
        @{ Name = 'generic rights and the key rights they map to; flag order'; Expected = 'O:BAG:SYD:PAI(A;CIOI;GA;;;SY)'; Actual = 'O:BAG:SYD:PAI(A;OICI;KA;;;SY)' }
        @{ Name = 'AR and an entry that grants nothing'; Expected = 'O:BAG:SYD:PARAI(A;CI;KA;;;SY)(A;CI;0x0;;;WD)'; Actual = 'O:BAG:SYD:PAI(A;CI;KA;;;SY)' }
        @{ Name = 'a DACL not in canonical order, in the same order'; Expected = 'O:BAG:SYD:P(A;CI;KA;;;BA)(D;CI;KW;;;WD)'; Actual = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(D;CI;KW;;;WD)' }
    ) {
        @(Compare-RdsSddl -Expected $Expected -Actual $Actual) | Should -BeNullOrEmpty
        Test-RdsSddlEquivalent -Expected $Expected -Actual $Actual | Should -BeExactly $true
    }

    It 'different: <Name>' -ForEach @(
        @{ Name = 'owner'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Differences = @('owner: expected S-1-5-20, found S-1-5-32-544') }
        @{ Name = 'group'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:NSG:BAD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Differences = @('group: expected S-1-5-18, found S-1-5-32-544') }
        @{ Name = 'protection'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:NSG:SYD:AI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Differences = @('DACL: expected protected (P), found not protected (inherits)') }
        @{ Name = 'a grant left behind'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KA;;;BA)'; Differences = @('explicit entry with other rights: expected (A;CI;0x20019;;;S-1-5-32-544), found (A;CI;0xf003f;;;S-1-5-32-544)') }
        @{ Name = 'an entry missing, one not expected'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KR;;;BA)(A;;KA;;;SY)'; Differences = @('explicit entry missing: (A;CI;0xf003f;;;S-1-5-18)', 'explicit entry not expected: (A;;0xf003f;;;S-1-5-18)') }
        @{ Name = 'an inherited entry is no explicit one'; Expected = 'O:BAG:SYD:AI(A;CI;KA;;;BA)'; Actual = 'O:BAG:SYD:AI(A;CIID;KA;;;BA)'; Differences = @('explicit entry missing: (A;CI;0xf003f;;;S-1-5-32-544)') }
        @{ Name = 'a DACL not in canonical order, reordered'; Expected = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(D;CI;KW;;;WD)'; Actual = 'O:BAG:SYD:PAI(D;CI;KW;;;WD)(A;CI;KA;;;BA)'; Differences = @('explicit entries (not in canonical order, so compared in order): expected (A;CI;0xf003f;;;S-1-5-32-544)(D;CI;0x20006;;;S-1-1-0), found (D;CI;0x20006;;;S-1-1-0)(A;CI;0xf003f;;;S-1-5-32-544)') }
        @{ Name = 'no DACL'; Expected = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Actual = 'O:NSG:SY'; Differences = @('DACL: expected one, found none') }
    ) {
        ConvertTo-RdsTestJson @(Compare-RdsSddl -Expected $Expected -Actual $Actual) | Should -BeExactly (ConvertTo-RdsTestJson $Differences)
        Test-RdsSddlEquivalent -Expected $Expected -Actual $Actual | Should -BeExactly $false
    }
}

Describe 'Test-RdsSddlCanonical: the DACLs RegistrySecurity.AddAccessRule can change' {
    It '<Name>: <Expected>' -ForEach @(
        @{ Name = 'deny, allow, inherited'; Sddl = 'O:BAG:SYD:AI(D;CI;KW;;;WD)(A;CI;KA;;;BA)(D;CIID;KA;;;AN)(A;CIID;KR;;;BU)'; Expected = $true }
        @{ Name = 'GracePeriod'; Sddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Expected = $true }
        @{ Name = 'no DACL, an empty one'; Sddl = 'O:BAG:SYD:PAI'; Expected = $true }
        @{ Name = 'allow before deny'; Sddl = 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(D;CI;KW;;;WD)'; Expected = $false }
        @{ Name = 'explicit after inherited'; Sddl = 'O:BAG:SYD:AI(A;CIID;KR;;;BU)(A;CI;KA;;;BA)'; Expected = $false }
        @{ Name = 'an audit entry in the DACL'; Sddl = 'O:BAG:SYD:PAI(AU;SA;KA;;;WD)'; Expected = $false }
    ) {
        Test-RdsSddlCanonical -Sddl $Sddl | Should -BeExactly $Expected
    }
}

Describe 'Test-RdsSddlGrant' {
    It '<Name>' -ForEach @(
        @{ Name = 'read-only grant does not satisfy FullControl'; Sddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KR;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'FullControl'; Expected = $false }
        @{ Name = 'KR satisfies ReadKey'; Sddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KR;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'ReadKey'; Expected = $true }
        @{ Name = 'hex mask and literal SID'; Sddl = 'O:BAG:SYD:(A;CI;0xf003f;;;S-1-5-21-1-2-3-500)'; Sid = 'S-1-5-21-1-2-3-500'; Rights = 'FullControl'; Expected = $true }
        @{ Name = 'inherited ACE counts'; Sddl = 'O:BAG:SYD:AI(A;CIID;KA;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'FullControl'; Expected = $true }
        @{ Name = 'inherit-only ACE does not count'; Sddl = 'O:BAG:SYD:(A;CIIO;KA;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'FullControl'; Expected = $false }
        @{ Name = 'deny ACE does not grant'; Sddl = 'O:BAG:SYD:(D;CI;KA;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'ReadKey'; Expected = $false }
        @{ Name = 'generic all'; Sddl = 'O:BAG:SYD:(A;CI;GA;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'FullControl'; Expected = $true }
        @{ Name = 'letter rights combine'; Sddl = 'O:BAG:SYD:(A;CI;CCDCLCSWRPSDRCWDWO;;;BA)'; Sid = 'S-1-5-32-544'; Rights = 'ReadKey, SetValue, TakeOwnership'; Expected = $true }
        @{ Name = 'right names in any case'; Sddl = 'O:BAG:SYD:(A;CI;KR;;;BA)'; Sid = 'ba'; Rights = 'readkey,QUERYVALUES'; Expected = $true }
    ) {
        $granted = Test-RdsSddlGrant -Sddl $Sddl -Sid $Sid -Rights $Rights
        $granted | Should -BeOfType [bool]
        $granted | Should -Be $Expected
    }

    It 'unknown right names fail' {
        $thrown = { Test-RdsSddlGrant -Sddl 'O:BAD:' -Sid 'S-1-5-32-544' -Rights 'Everything' } | Should -Throw -ExpectedMessage "unknown registry right 'Everything'" -PassThru
        $thrown.Exception.Message | Should -BeExactly "unknown registry right 'Everything'"
    }
}

Describe 'Test-RdsRegistryDataEqual' {
    It '<Name>' -ForEach @(
        @{ Name = 'DWord equality across integer types'; Type = 'DWord'; Left = { [long]4 }; Right = { [int]4 }; Expected = $true }
        @{ Name = 'QWord equality on decimal strings'; Type = 'QWord'; Left = { '18446744073709551615' }; Right = { ConvertTo-RdsCanonicalData -Type 'QWord' -Data '018446744073709551615' }; Expected = $true }
        @{ Name = 'Binary ignores hex case'; Type = 'Binary'; Left = { '00aa' }; Right = { '00AA' }; Expected = $true }
        @{ Name = 'String is case-sensitive'; Type = 'String'; Left = { 'a' }; Right = { 'A' }; Expected = $false }
        @{ Name = 'MultiString is element-wise and ordered'; Type = 'MultiString'; Left = { , @('a', 'b') }; Right = { , @('b', 'a') }; Expected = $false }
        @{ Name = 'MultiString single element'; Type = 'MultiString'; Left = { , @('a') }; Right = { 'a' }; Expected = $true }
    ) {
        $equal = Test-RdsRegistryDataEqual -Type $Type -Left (& $Left) -Right (& $Right)
        $equal | Should -BeOfType [bool]
        $equal | Should -Be $Expected
    }
}

Describe 'ConvertTo-RdsCanonicalData' {
    It 'canonical DWord rejects out-of-range data' {
        $thrown = { ConvertTo-RdsCanonicalData -Type 'DWord' -Data 4294967296 } | Should -Throw -ExpectedMessage 'DWord data 4294967296 is outside 0..4294967295' -PassThru
        $thrown.Exception.Message | Should -BeExactly 'DWord data 4294967296 is outside 0..4294967295'
    }

    It 'canonical MultiString keeps one element as an array' {
        ConvertTo-RdsJson -InputObject (ConvertTo-RdsCanonicalData -Type 'MultiString' -Data @('x')) | Should -BeExactly '["x"]'
    }
}

Describe 'Invoke-RdsWithSecurityPrivilege: each privilege back as it was (AdjustTokenPrivileges PreviousState)' {
    It 'disables only what it enabled: a privilege already enabled (a SYSTEM token) stays enabled' {
        Mock Enable-RdsPrivilege { $Name -eq 'SeTakeOwnershipPrivilege' }
        Mock Disable-RdsPrivilege
        $ran = Invoke-RdsWithSecurityPrivilege -ScriptBlock { 'work' }
        $ran | Should -BeExactly 'work'
        Should -Invoke Enable-RdsPrivilege -ParameterFilter { $Name -eq 'SeTakeOwnershipPrivilege' }
        Should -Invoke Enable-RdsPrivilege -ParameterFilter { $Name -eq 'SeRestorePrivilege' }
        Should -Invoke Disable-RdsPrivilege -Times 1 -Exactly -ParameterFilter { $Name -eq 'SeRestorePrivilege' }
        Should -Invoke Disable-RdsPrivilege -Times 0 -Exactly -ParameterFilter { $Name -eq 'SeTakeOwnershipPrivilege' }
    }

    It 'both were disabled: both are disabled again, newest first, also when the work fails' {
        $script:disabled = [System.Collections.Generic.List[string]]::new()
        Mock Enable-RdsPrivilege { $false }
        Mock Disable-RdsPrivilege { $script:disabled.Add($Name) }
        { Invoke-RdsWithSecurityPrivilege -ScriptBlock { throw 'boom' } } | Should -Throw -ExpectedMessage 'boom'
        $script:disabled.ToArray() | Should -BeExactly @('SeRestorePrivilege', 'SeTakeOwnershipPrivilege')
    }

    It 'nested calls: the inner one leaves the privileges to the outer one' {
        $script:enabled = [System.Collections.Generic.HashSet[string]]::new()
        Mock Enable-RdsPrivilege { -not $script:enabled.Add($Name) }
        Mock Disable-RdsPrivilege { [void]$script:enabled.Remove($Name) }
        $inside = Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            Invoke-RdsWithSecurityPrivilege -ScriptBlock { }
            $script:enabled.Count
        }
        $inside | Should -Be 2
        $script:enabled.Count | Should -Be 0
        Should -Invoke Disable-RdsPrivilege -Times 2 -Exactly
    }
}

Describe 'Restore-RdsRegistrySecurity: the read-back is compared as a security descriptor' {
    BeforeEach {
        $script:stored = 'O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)(A;CI;KA;;;BA)'
        Mock Enable-RdsPrivilege { $false }
        Mock Disable-RdsPrivilege
        Mock Get-RdsRegistrySddl { $script:stored }
        Mock Set-RdsRegistryOwner
    }

    It 'a DACL written as D:P( that reads back as D:PAI( (as Windows writes it) is restored' {
        Mock Set-RdsRegistrySddl { $script:stored = $Sddl.Replace('D:P(', 'D:PAI(') }
        Restore-RdsRegistrySecurity -Path 'HKLM\SOFTWARE\Contoso\Locked' -View 'Default' -Sddl 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
        $script:stored | Should -BeExactly 'O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
        Should -Invoke Set-RdsRegistrySddl -Times 1 -Exactly -ParameterFilter { $Sddl -ceq 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)' }
    }

    It 'an equivalent descriptor is left alone (nothing written, no privilege enabled)' {
        Mock Set-RdsRegistrySddl
        Restore-RdsRegistrySecurity -Path 'HKLM\SOFTWARE\Contoso\Locked' -View 'Default' -Sddl 'O:S-1-5-32-544G:S-1-5-18D:P(A;CI;KA;;;S-1-5-32-544)(A;CI;RC;;;S-1-5-32-544)(A;CI;KA;;;SY)'
        Should -Invoke Set-RdsRegistrySddl -Times 0 -Exactly
        Should -Invoke Enable-RdsPrivilege -Times 0 -Exactly
    }

    It 'a read-back that differs is still a failure, with what differs' {
        Mock Set-RdsRegistrySddl { $script:stored = 'O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)' }
        $thrown = { Restore-RdsRegistrySecurity -Path 'HKLM\SOFTWARE\Contoso\Locked' -View 'Default' -Sddl 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)' } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -BeExactly 'the security descriptor read back differs from the one restored: owner: expected S-1-5-18, found S-1-5-32-544 (restored O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA), read back O:BAG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)) (HKLM\SOFTWARE\Contoso\Locked)'
        Should -Invoke Disable-RdsPrivilege -Times 2 -Exactly
    }
}

Describe 'Grant-RdsRegistryAccess: AddAccessRule, or raw SDDL for a DACL it refuses' {
    BeforeEach {
        Mock Add-RdsRegistryAccessRule
        Mock Set-RdsRegistrySddl
    }

    It 'a DACL in canonical order goes through Add-RdsRegistryAccessRule' {
        Mock Get-RdsRegistrySddl { 'O:BAG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)' }
        Grant-RdsRegistryAccess -Path 'HKLM\SOFTWARE\X' -View '64' -Sid 'S-1-5-32-544' -Rights 'FullControl'
        Should -Invoke Add-RdsRegistryAccessRule -Times 1 -Exactly -ParameterFilter { $Path -eq 'HKLM\SOFTWARE\X' -and $View -eq '64' -and $Sid -eq 'S-1-5-32-544' -and $Rights -eq 'FullControl' }
        Should -Invoke Set-RdsRegistrySddl -Times 0 -Exactly
    }

    It 'a DACL not in canonical order gets the allow entry first, the others in their order, written as SDDL' {
        Mock Get-RdsRegistrySddl { 'O:BAG:SYD:PAI(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)' }
        Grant-RdsRegistryAccess -Path 'HKLM\SOFTWARE\X' -View '64' -Sid 'BA' -Rights 'ReadKey, SetValue'
        Should -Invoke Add-RdsRegistryAccessRule -Times 0 -Exactly
        Should -Invoke Set-RdsRegistrySddl -Times 1 -Exactly -ParameterFilter { $Path -eq 'HKLM\SOFTWARE\X' -and $View -eq '64' -and $Sddl -ceq 'O:BAG:SYD:PAI(A;CI;0x2001b;;;S-1-5-32-544)(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)' }
    }
}

Describe 'values of a kind .NET cannot read (Type Unknown) are not deleted or overwritten' {
    It 'Assert-RdsRegistryValueRestorable passes absent and readable values and refuses Unknown ones' {
        { Assert-RdsRegistryValueRestorable -Path 'HKLM\X' -Value $null } | Should -Not -Throw
        { Assert-RdsRegistryValueRestorable -Path 'HKLM\X' -Value @{ Name = 'n'; Type = 'None'; Data = '00' } } | Should -Not -Throw
        $thrown = { Assert-RdsRegistryValueRestorable -Path 'HKLM\HARDWARE\DESCRIPTION\System' -Value @{ Name = 'Configuration Data'; Type = 'Unknown'; Data = $null } } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -BeExactly $Unrestorable
    }

    It 'Get-RdsRegistryValueList (the undo data of deleteValue, snapshots) and Assert-RdsRegistryTreeRestorable refuse such a value' {
        Mock Get-RdsRegistryValueName { if ($Path -like '*\System') { 'Identifier'; 'Configuration Data' } }
        Mock Get-RdsRegistryValue { if ($Name -eq 'Identifier') { @{ Name = 'Identifier'; Type = 'String'; Data = 'AT/AT COMPATIBLE' } } else { @{ Name = $Name; Type = 'Unknown'; Data = $null } } }
        Mock Get-RdsRegistrySubkeyName { if ($Path -ceq 'HKLM\HARDWARE\DESCRIPTION') { 'System' } }
        Mock Get-RdsRegistrySddl { 'O:SYG:SYD:AI(A;CIID;KA;;;SY)' }
        (Get-RdsRegistryValueList -Path 'HKLM\HARDWARE\DESCRIPTION\System' -View 'Default' -Filter { param($n) $n -eq 'Identifier' }).Length | Should -Be 1
        { Get-RdsRegistryValueList -Path 'HKLM\HARDWARE\DESCRIPTION\System' -View 'Default' } | Should -Throw -ExpectedMessage $Unrestorable
        { Assert-RdsRegistryTreeRestorable -Path 'HKLM\HARDWARE\DESCRIPTION' -View 'Default' } | Should -Throw -ExpectedMessage $Unrestorable
        { Get-RdsRegistryKeySnapshot -Path 'HKLM\HARDWARE\DESCRIPTION' -View 'Default' } | Should -Throw -ExpectedMessage $Unrestorable
    }
}

Describe 'Assert-RdsNativeRegistryView: no run in a 32-bit PowerShell on 64-bit Windows' {
    It '<Name>' -ForEach @(
        @{ Name = '64-bit process, 64-bit Windows'; Process = $true; System = $true; Throws = $false }
        @{ Name = '32-bit process, 32-bit Windows (one view only)'; Process = $false; System = $false; Throws = $false }
        @{ Name = '32-bit process, 64-bit Windows (WOW64)'; Process = $false; System = $true; Throws = $true }
    ) {
        Mock Get-RdsProcessBitness { @{ Is64BitProcess = $Process; Is64BitOperatingSystem = $System } }
        if ($Throws) {
            { Assert-RdsNativeRegistryView } | Should -Throw -ExpectedMessage 'this is a 32-bit PowerShell on 64-bit Windows: its registry view Default is the 32-bit view (WOW6432Node) and its reg.exe the 32-bit one; run the script with 64-bit PowerShell (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe or a 64-bit pwsh)'
        }
        else {
            { Assert-RdsNativeRegistryView } | Should -Not -Throw
        }
    }
}

Describe 'registry actions on the simulated host: what Windows does that the text of a plan does not show' {
    BeforeAll {
        # The default host saved by an empty plan, edited by each test: the state file the plan runs on.
        function New-TestSimState {
            param([string] $Name, [scriptblock] $Edit)
            $path = Join-Path $TestDrive $Name
            $seed = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $path
            if ($seed.ExitCode -ne 0) { throw "seeding $Name failed" }
            $state = Read-RdsTestSimState -Path $path
            $state.Remove('calls')
            $state.Remove('callLog')
            & $Edit $state
            [System.IO.File]::WriteAllText($path, (ConvertTo-Json -InputObject $state -Depth 64))
            return $path
        }
        $Agent = 'HKLM\SOFTWARE\Fabrikam\RdsAgent'
        $Skip = @{ Skip = $true; Reason = 'test key' }
        $OwnershipSteps = @(
            New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Deferred -Parameters @{ Path = $Agent; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
            New-RdsTestStep -StepId 'set' -Action 'registry.setValue' -DependsOn 'own' -Parameters @{ Path = $Agent; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 2 }
            New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'own' -Parameters @{ Path = $Agent; View = 'Default'; FromStep = 'own' }
        )
    }

    It 'a DACL not in canonical order (AddAccessRule refuses it): the grant is written as raw SDDL, the change made, the DACL put back as it was' {
        # Everyone may not write; the allow for Administrators comes before that deny (not canonical).
        $original = 'O:SYG:SYD:PAI(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)'
        $statePath = New-TestSimState -Name 'agent.json' -Edit { param($s) $s.registry[$Agent] = @{ sddl = $original; values = @(@{ name = 'Mode'; type = 'DWord'; data = 1 }) } }
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps $OwnershipSteps
        $r.Error | Should -BeNullOrEmpty
        @($r.Steps | Where-Object { $_.status -eq 'failed' } | ForEach-Object { $_.message }) | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('own:changed', 'set:changed', 'restore:changed')
        # The grant went first, so the deny after it does not take the write away again.
        $r.Steps[0].after.Sddl | Should -BeExactly 'O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CI;KR;;;BA)(D;CI;KW;;;WD)(A;CI;KA;;;SY)'
        $state = Read-RdsTestSimState -Path $statePath
        $key = $state.registry[$Agent]
        $key.sddl | Should -BeExactly $original
        ConvertTo-RdsTestJson $key.values | Should -BeExactly (ConvertTo-RdsTestJson @(@{ data = 2; name = 'Mode'; type = 'DWord' }))
        $state.callLog.call | Should -BeExactly @('Set-RdsRegistryOwner', 'Set-RdsRegistrySddl', 'Set-RdsRegistryValue', 'Set-RdsRegistryOwner', 'Set-RdsRegistrySddl')
    }

    It 'a DACL written as D:P( reads back as D:PAI(: the restore succeeds, the ACL equals the original semantically and reads back with AI as Windows does' {
        $original = 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
        $statePath = New-TestSimState -Name 'protected.json' -Edit { param($s) $s.registry[$Agent] = @{ sddl = $original; values = @(@{ name = 'Mode'; type = 'DWord'; data = 1 }) } }
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps $OwnershipSteps
        @($r.Steps | Where-Object { $_.status -eq 'failed' } | ForEach-Object { $_.message }) | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('own:changed', 'set:changed', 'restore:changed')
        $r.Summary.status | Should -BeExactly 'succeeded'
        $sddl = (Read-RdsTestSimState -Path $statePath).registry[$Agent].sddl
        $sddl | Should -BeExactly 'O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)'
        Test-RdsSddlEquivalent -Expected $original -Actual $sddl | Should -BeExactly $true
    }

    It 'privileges that were enabled before the run (a SYSTEM service) stay enabled; the others are disabled again' {
        $statePath = New-TestSimState -Name 'system.json' -Edit { param($s) $s.token.privileges.SeTakeOwnershipPrivilege.enabled = $true }
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps @(New-RdsTestGraceResetStep -MustExist $true)
        $r.Statuses | Should -BeExactly @('grace.export:changed', 'grace.own:changed', 'grace.delete:changed', 'grace.restore:changed')
        $privileges = (Read-RdsTestSimState -Path $statePath).token.privileges
        ConvertTo-RdsTestJson $privileges.SeTakeOwnershipPrivilege | Should -BeExactly '{"enabled":true,"held":true}'
        ConvertTo-RdsTestJson $privileges.SeRestorePrivilege | Should -BeExactly '{"enabled":false,"held":true}'
    }

    It 'a value of a kind .NET cannot read is neither overwritten nor deleted (alone, with its key or as a subkey); check mode says so too' {
        $system = 'HKLM\HARDWARE\DESCRIPTION\System'
        $statePath = New-TestSimState -Name 'hardware.json' -Edit { param($s) $s.registry[$system] = @{ values = @(@{ name = 'Configuration Data'; type = 'FullResourceDescriptor'; data = '0100000000000000' }) } }
        $steps = @(
            New-RdsTestStep -StepId 'overwrite' -Action 'registry.setValue' -Parameters @{ Path = $system; View = 'Default'; Name = 'Configuration Data'; Type = 'Binary'; Data = '00' }
            New-RdsTestStep -StepId 'value' -Action 'registry.deleteValue' -Parameters @{ Path = $system; View = 'Default'; Name = 'Configuration Data' }
            New-RdsTestStep -StepId 'key' -Action 'registry.deleteKey' -Parameters @{ Path = 'HKLM\HARDWARE\DESCRIPTION'; View = 'Default'; Recurse = $true }
            New-RdsTestStep -StepId 'subkeys' -Action 'registry.deleteSubkeys' -Parameters @{ Path = 'HKLM\HARDWARE\DESCRIPTION'; View = 'Default'; NamePattern = 'Sys*' }
        )
        $check = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps $steps -OnError 'continue' -CheckMode
        $apply = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps $steps -OnError 'continue'
        $refusal = "refusing to delete or overwrite value 'Configuration Data' (HKLM\HARDWARE\DESCRIPTION\System): it is of a kind .NET cannot read or write (REG_LINK, a resource list or REG_DWORD_BIG_ENDIAN), so it could not be restored exactly; back the key up with reg.exe export and change it by hand"
        foreach ($run in @($check, $apply)) {
            $run.Statuses | Should -BeExactly @('overwrite:failed', 'value:failed', 'key:failed', 'subkeys:failed')
            @($run.Steps | ForEach-Object { $_.message } | Select-Object -Unique) | Should -BeExactly @($refusal)
        }
        $state = Read-RdsTestSimState -Path $statePath
        ConvertTo-RdsTestJson $state.registry[$system].values | Should -BeExactly (ConvertTo-RdsTestJson @(@{ data = '0100000000000000'; name = 'Configuration Data'; type = 'FullResourceDescriptor' }))
        @($state.callLog) | Should -BeNullOrEmpty
    }

    It 'a 32-bit PowerShell on 64-bit Windows is refused before anything is read or changed (its Default view would be WOW6432Node)' {
        $statePath = New-TestSimState -Name 'wow64.json' -Edit { param($s) $s.host.is64BitProcess = $false }
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $statePath -Steps @(
            New-RdsTestStep -StepId 'set' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 2 }
        )
        $r.ExitCode | Should -Be 4
        $r.Steps | Should -BeNullOrEmpty
        $r.Summary.status | Should -BeExactly 'refused'
        $r.Summary.message | Should -BeExactly 'refused: this is a 32-bit PowerShell on 64-bit Windows: its registry view Default is the 32-bit view (WOW6432Node) and its reg.exe the 32-bit one; run the script with 64-bit PowerShell (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe or a 64-bit pwsh)'
        $state = Read-RdsTestSimState -Path $statePath
        $state.registry.Contains('HKLM\SOFTWARE\Contoso') | Should -BeFalse
        $state.registry.Contains('HKLM\SOFTWARE\WOW6432Node\Contoso') | Should -BeFalse
        ConvertTo-RdsTestJson $state.calls | Should -BeExactly '{"Complete-RdsPlatform":1,"Get-RdsProcessBitness":1}'
    }
}
