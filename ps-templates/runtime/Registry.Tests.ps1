# The runtime's registry helpers (Registry.ps1) that need no platform: SDDL reading, grant
# checks, comparison and canonical form of registry data.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
}

Describe 'ConvertFrom-RdsSddl' {
    It 'owner <Name>' -ForEach @(
        @{ Name = 'alias NS'; Sddl = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)'; Expected = 'S-1-5-20' }
        @{ Name = 'as a literal SID'; Sddl = 'O:S-1-5-21-1-2-3-500G:SYD:(A;;KA;;;SY)'; Expected = 'S-1-5-21-1-2-3-500' }
        @{ Name = 'without group'; Sddl = 'O:BAD:(A;;KA;;;SY)'; Expected = 'S-1-5-32-544' }
    ) {
        (ConvertFrom-RdsSddl -Sddl $Sddl).Owner | Should -BeExactly $Expected
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
