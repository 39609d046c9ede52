# Sim.RegFile.ps1: reg.exe export / import of the simulated host. The .reg file format
# (UTF-16LE, BOM, reg-file value syntax, wrapping), exact round trips for every value type,
# the 32-bit view, and the failures reg.exe reports.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimRegFileImport.ps1')

    function Get-SimTestTree {
        # A key's values and subkeys, recursively, through the platform API only (what a round trip must give back).
        param([string] $Path, [string] $View)
        $values = [System.Collections.Generic.List[object]]::new()
        foreach ($name in @(Get-RdsRegistryValueName -Path $Path -View $View)) { $values.Add((Get-RdsRegistryValue -Path $Path -Name $name -View $View)) }
        $subkeys = [System.Collections.Generic.List[object]]::new()
        foreach ($sub in @(Get-RdsRegistrySubkeyName -Path $Path -View $View)) { $subkeys.Add(@{ name = $sub; tree = (Get-SimTestTree -Path ($Path + '\' + $sub) -View $View) }) }
        return @{ values = $values.ToArray(); subkeys = $subkeys.ToArray() }
    }

    function Read-SimTestRegFile {
        # The text of a .reg file as reg.exe writes it: UTF-16LE after a two-byte BOM.
        param([string] $Path)
        $bytes = [System.IO.File]::ReadAllBytes($Path)
        return [System.Text.Encoding]::Unicode.GetString($bytes, 2, $bytes.Length - 2)
    }
}

Describe 'reg.exe export and import' {
    Context 'every value type, exported, deleted and imported again' {
        BeforeAll {
            $key = 'HKLM\SOFTWARE\Contoso\Types'
            $longBinary = -join @(foreach ($i in 0..99) { $hex = '{0:x2}' -f ($i * 7 + 3); $hex.Substring($hex.Length - 2) })
            $unicode = 'Gr' + [char]0x00FC + [char]0x00DF + 'e ' + [char]0x20AC
            # Every value type, with the edge cases of each (quotes, backslashes, empty, max, non-ASCII, NUL).
            $values = @(
                @{ Name = ''; Type = 'String'; Data = 'default "value"' },
                @{ Name = 'Plain'; Type = 'String'; Data = 'C:\Program Files\Contoso\' },
                @{ Name = 'Quote "and" \ backslash'; Type = 'String'; Data = 'x"y\"z' },
                @{ Name = 'Empty'; Type = 'String'; Data = '' },
                @{ Name = 'Unicode'; Type = 'String'; Data = $unicode },
                @{ Name = 'Lines'; Type = 'String'; Data = ('line1' + [char]13 + [char]10 + 'line2') },
                @{ Name = 'Expand'; Type = 'ExpandString'; Data = '%SystemRoot%\System32\lserver.exe' },
                @{ Name = 'ExpandEmpty'; Type = 'ExpandString'; Data = '' },
                @{ Name = 'Multi'; Type = 'MultiString'; Data = [string[]]@('ls1.contoso.com', 'ls2.contoso.com') },
                @{ Name = 'MultiGaps'; Type = 'MultiString'; Data = [string[]]@('a', '', 'b') },
                @{ Name = 'MultiOneEmpty'; Type = 'MultiString'; Data = [string[]]@('') },
                @{ Name = 'MultiEmpty'; Type = 'MultiString'; Data = [string[]]@() },
                @{ Name = 'DwordZero'; Type = 'DWord'; Data = 0 },
                @{ Name = 'DwordTen'; Type = 'DWord'; Data = 10 },
                @{ Name = 'DwordMax'; Type = 'DWord'; Data = 4294967295 },
                @{ Name = 'QwordZero'; Type = 'QWord'; Data = '0' },
                @{ Name = 'QwordMax'; Type = 'QWord'; Data = '18446744073709551615' },
                @{ Name = 'BinaryEmpty'; Type = 'Binary'; Data = '' },
                @{ Name = 'BinaryLong'; Type = 'Binary'; Data = $longBinary },
                @{ Name = 'Raw'; Type = 'None'; Data = '00ff' }
            )
            $statePath = Get-SimTestStatePath -Name 'types.json'
            $regFile = Get-SimTestStatePath -Name 'types.reg'
            Initialize-RdsPlatform -Option $statePath
            foreach ($value in $values) { Set-RdsRegistryValue -Path $key -Name $value.Name -Type $value.Type -Data $value.Data -View 'Default' }
            Set-RdsRegistryValue -Path ($key + '\Sub\Deeper') -Name 'Level' -Type 'DWord' -Data 3 -View 'Default'
            Set-RdsRegistryValue -Path ($key + '\Another') -Name 'Flag' -Type 'Binary' -Data '01' -View 'Default'
            $before = Get-SimTestTree -Path $key -View 'Default'
            Export-RdsRegistryKey -Path $key -View 'Default' -File $regFile
            Remove-RdsRegistryKey -Path $key -View 'Default' -Recurse
            $gone = Test-RdsRegistryKey -Path $key -View 'Default'
            Import-RdsSimRegFile -File $regFile -View 'Default'
            $after = Get-SimTestTree -Path $key -View 'Default'
            $same = (ConvertTo-RdsJson -InputObject $before) -ceq (ConvertTo-RdsJson -InputObject $after)
            $multiEmptyIsArray = (Get-RdsRegistryValue -Path $key -Name 'MultiEmpty' -View 'Default').Data -is [string[]]
            $dwordIsLong = (Get-RdsRegistryValue -Path $key -Name 'DwordMax' -View 'Default').Data -is [long]
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'keeps the canonical form of every type' {
            $byName = @{}
            foreach ($value in $before.values) { $byName[$value.Name] = $value }
            ConvertTo-SimTestJson -InputObject $byName[''] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = ''; Type = 'String'; Data = 'default "value"' })
            $byName.Unicode.Data | Should -BeExactly $unicode
            $byName.Lines.Data | Should -BeExactly "line1`r`nline2"
            ConvertTo-SimTestJson -InputObject $byName.MultiGaps | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'MultiGaps'; Type = 'MultiString'; Data = @('a', '', 'b') })
            ConvertTo-SimTestJson -InputObject $byName.MultiOneEmpty.Data | Should -BeExactly '[""]'
            ConvertTo-SimTestJson -InputObject $byName.MultiEmpty.Data | Should -BeExactly '[]'
            $byName.DwordMax.Data | Should -Be 4294967295
            $byName.QwordMax.Data | Should -BeExactly '18446744073709551615'
            $byName.BinaryLong.Data | Should -BeExactly $longBinary
            ConvertTo-SimTestJson -InputObject $byName.Raw | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'Raw'; Type = 'None'; Data = '00ff' })
            $multiEmptyIsArray | Should -BeExactly $true
            $dwordIsLong | Should -BeExactly $true
        }

        It 'gives the tree back exactly (values, types, data, order, subkeys)' {
            $gone | Should -BeExactly $false
            ConvertTo-SimTestJson -InputObject $after | Should -BeExactly (ConvertTo-SimTestJson -InputObject $before)
            $same | Should -BeExactly $true
            $before.values | Should -HaveCount 20
            ($before.subkeys | ForEach-Object { $_.name }) -join ',' | Should -BeExactly 'Another,Sub'
        }

        It 'writes what reg.exe writes: UTF-16LE with BOM, CRLF, version 5.00, reg-file value syntax' {
            $bytes = [System.IO.File]::ReadAllBytes($regFile)
            '{0:x2}{1:x2}' -f $bytes[0], $bytes[1] | Should -BeExactly 'fffe'
            $text = Read-SimTestRegFile -Path $regFile
            $lines = $text -split "`r`n"
            $text.Contains("`n") | Should -BeTrue
            $text | Should -Not -MatchExactly '[^\r]\n'
            $lines[0] | Should -BeExactly 'Windows Registry Editor Version 5.00'
            $lines[1] | Should -BeExactly ''
            $lines[2] | Should -BeExactly '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Types]'
            $expectedLines = @(
                '@="default \"value\""'
                '"Plain"="C:\\Program Files\\Contoso\\"'
                '"Quote \"and\" \\ backslash"="x\"y\\\"z"'
                '"Empty"=""'
                ('"Unicode"="' + $unicode + '"')
                '"Lines"=hex(1):6c,00,69,00,6e,00,65,00,31,00,0d,00,0a,00,6c,00,69,00,6e,00,65,00,\'
                '"ExpandEmpty"=hex(2):00,00'
                '"MultiGaps"=hex(7):61,00,00,00,00,00,62,00,00,00,00,00'
                '"MultiEmpty"=hex(7):00,00'
                '"DwordZero"=dword:00000000'
                '"DwordTen"=dword:0000000a'
                '"DwordMax"=dword:ffffffff'
                '"QwordZero"=hex(b):00,00,00,00,00,00,00,00'
                '"QwordMax"=hex(b):ff,ff,ff,ff,ff,ff,ff,ff'
                '"BinaryEmpty"=hex:'
                '"Raw"=hex(0):00,ff'
            )
            foreach ($line in $expectedLines) { $lines -ccontains $line | Should -BeTrue -Because "the file has the line $line" }
        }

        It 'wraps long hex data as regedit does' {
            # The first line until its count reaches 80 (the 17-character prefix leaves room for
            # 21 bytes), continuation lines of 25 bytes.
            $lines = (Read-SimTestRegFile -Path $regFile) -split "`r`n"
            $start = [System.Array]::FindIndex([string[]]$lines, [System.Predicate[string]] { param($line) $line.StartsWith('"BinaryLong"=hex:', [System.StringComparison]::Ordinal) })
            $hexBytes = @(for ($i = 0; $i -lt $longBinary.Length; $i += 2) { $longBinary.Substring($i, 2) })
            $chunks = [System.Collections.Generic.List[object]]::new()
            $chunks.Add(@($hexBytes[0..20]))
            for ($i = 21; $i -lt $hexBytes.Count; $i += 25) { $chunks.Add(@($hexBytes[$i..([System.Math]::Min($i + 24, $hexBytes.Count - 1))])) }
            ($chunks | ForEach-Object { $_.Count }) -join ',' | Should -BeExactly '21,25,25,25,4'
            $expected = for ($i = 0; $i -lt $chunks.Count; $i++) {
                $prefix = '  '
                if ($i -eq 0) { $prefix = '"BinaryLong"=hex:' }
                $suffix = ''
                if ($i -lt $chunks.Count - 1) { $suffix = ',\' }
                $prefix + ($chunks[$i] -join ',') + $suffix
            }
            $start | Should -BeGreaterOrEqual 0
            ConvertTo-SimTestJson -InputObject @($lines[$start..($start + $chunks.Count - 1)]) | Should -BeExactly (ConvertTo-SimTestJson -InputObject @($expected))
            $continuations = @($lines | Where-Object { $_.StartsWith('  ') })
            $continuations.Count | Should -BeGreaterOrEqual 4
            foreach ($line in $continuations) { $line.Length | Should -BeLessOrEqual 80 -Because $line }
        }

        It 'writes the exported key first, then subkeys depth-first, sorted; each section ends with a blank line' {
            $text = Read-SimTestRegFile -Path $regFile
            $sections = @(($text -split "`r`n") | Where-Object { $_.StartsWith('[') })
            ConvertTo-SimTestJson -InputObject $sections | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(
                    '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Types]'
                    '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Types\Another]'
                    '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Types\Sub]'
                    '[HKEY_LOCAL_MACHINE\SOFTWARE\Contoso\Types\Sub\Deeper]'
                ))
            $text.EndsWith("`"Level`"=dword:00000003`r`n`r`n", [System.StringComparison]::Ordinal) | Should -BeTrue
        }

        It 'saves the imported values in canonical form' {
            ConvertTo-SimTestJson -InputObject (Get-SimTestStateValue -State $state -Path $key -Name 'QwordMax') | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ name = 'QwordMax'; type = 'QWord'; data = '18446744073709551615' })
            ConvertTo-SimTestJson -InputObject (Get-SimTestStateValue -State $state -Path $key -Name 'MultiEmpty') | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ name = 'MultiEmpty'; type = 'MultiString'; data = @() })
            (Get-SimTestStateValue -State $state -Path ($key + '\Sub\Deeper') -Name 'Level').data | Should -Be 3
        }
    }

    It 'exports one small key of the default host exactly (golden text)' {
        $statePath = Get-SimTestStatePath -Name 'small.json'
        $file = Get-SimTestStatePath -Name 'small.reg'
        Initialize-RdsPlatform -Option $statePath
        Export-RdsRegistryKey -Path 'HKLM\SYSTEM\CurrentControlSet\Services\TermService\Parameters' -View 'Default' -File $file
        Complete-RdsPlatform
        Read-SimTestRegFile -Path $file | Should -BeExactly (@(
                'Windows Registry Editor Version 5.00'
                ''
                '[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\TermService\Parameters]'
                '"ServiceDll"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,\'
                '  74,00,25,00,5c,00,53,00,79,00,73,00,74,00,65,00,6d,00,33,00,32,00,5c,00,74,\'
                '  00,65,00,72,00,6d,00,73,00,72,00,76,00,2e,00,64,00,6c,00,6c,00,00,00'
                ''
                '[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\TermService\Parameters\LicenseServers]'
                '"SpecifiedLicenseServers"=hex(7):00,00'
                ''
                ''
            ) -join "`r`n")
        # An export changes nothing on the host.
        $state = Read-SimTestState -Path $statePath
        ConvertTo-SimTestJson -InputObject $state.callLog | Should -BeExactly '[]'
    }
}

Describe 'reg.exe failures, the 32-bit view, hand-written files' {
    Context 'export of a missing key, import of a missing or invalid file, import into the locked GracePeriod key' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'failures.json'
            $grace = Get-SimTestStatePath -Name 'grace.reg'
            $bad = Get-SimTestStatePath -Name 'bad.reg'
            [System.IO.File]::WriteAllText($bad, "REGEDIT4`r`n`r`n[HKEY_LOCAL_MACHINE\SOFTWARE\X]`r`n")
            $syntax = Get-SimTestStatePath -Name 'syntax.reg'
            [System.IO.File]::WriteAllText($syntax, "Windows Registry Editor Version 5.00`r`n`r`n[HKEY_LOCAL_MACHINE\SOFTWARE\X]`r`n`"a`"=dword:zz`r`n")
            Initialize-RdsPlatform -Option $statePath
            $steps = @{}
            $steps.ExportMissing = Invoke-SimTestStep { Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Nope' -View 'Default' -File (Get-SimTestStatePath -Name 'nope.reg') }
            $steps.ExportGrace = Invoke-SimTestStep { Export-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default' -File $grace }
            $steps.ImportLocked = Invoke-SimTestStep { Import-RdsSimRegFile -File $grace -View 'Default' }
            $steps.ImportMissing = Invoke-SimTestStep { Import-RdsSimRegFile -File (Get-SimTestStatePath -Name 'missing.reg') -View 'Default' }
            $steps.ImportRegedit4 = Invoke-SimTestStep { Import-RdsSimRegFile -File $bad -View 'Default' }
            $steps.ImportSyntax = Invoke-SimTestStep { Import-RdsSimRegFile -File $syntax -View 'Default' }
            $steps.SyntaxChangedNothing = Invoke-SimTestStep { Test-RdsRegistryKey -Path 'HKLM\SOFTWARE\X' -View 'Default' }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'an export of a missing key fails as reg.exe does' {
            ConvertTo-SimTestJson -InputObject $steps.ExportMissing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    Ok    = $false
                    Error = 'reg.exe export failed with exit code 1: ERROR: The system was unable to find the specified registry key or value. (HKLM\SOFTWARE\Nope)'
                })
            [System.IO.File]::Exists((Get-SimTestStatePath -Name 'nope.reg')) | Should -BeFalse
        }

        It 'Administrators can read (and so export) the locked key, but not import into it' {
            $steps.ExportGrace.Ok | Should -BeTrue
            ConvertTo-SimTestJson -InputObject $steps.ImportLocked | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'reg.exe import failed with exit code 1: ERROR: Error accessing the registry. (' + $grace + ')' })
            Get-SimTestStateValue -State $state -Path $SimGracePeriodPath -Name $SimTimebombName | Should -Not -BeNullOrEmpty
            (Read-SimTestRegFile -Path $grace).Contains('"' + $SimTimebombName + '"=hex:') | Should -BeTrue
        }

        It 'an import of a missing file, a REGEDIT4 file or a file with a syntax error fails and changes nothing' {
            $steps.ImportMissing.Ok | Should -BeFalse
            $steps.ImportMissing.Error | Should -MatchExactly '^reg\.exe import failed with exit code 1: ERROR: Error opening the file\.'
            $steps.ImportRegedit4.Ok | Should -BeFalse
            $steps.ImportRegedit4.Error | Should -MatchExactly '^reg\.exe import failed with exit code 1: ERROR: The specified file is not a registry script\.'
            ConvertTo-SimTestJson -InputObject $steps.ImportSyntax | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'reg.exe import failed with exit code 1: ERROR: Invalid syntax in line 4. (' + $syntax + ')' })
            ConvertTo-SimTestJson -InputObject $steps.SyntaxChangedNothing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $false })
            Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\X' | Should -Be $null
        }
    }

    It 'after the ownership dance the exported timebomb imports back (the old expiry returns)' {
        $statePath = Get-SimTestStatePath -Name 'reimport.json'
        $grace = Get-SimTestStatePath -Name 'grace2.reg'
        Initialize-RdsPlatform -Option $statePath
        $before = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Export-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default' -File $grace
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        $removed = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Import-RdsSimRegFile -File $grace -View 'Default'
        $restored = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $removed | Should -Be $null
        (ConvertTo-RdsJson -InputObject $restored) -ceq (ConvertTo-RdsJson -InputObject $before) | Should -BeTrue
        (Get-SimTestStateValue -State $state -Path $SimGracePeriodPath -Name $SimTimebombName).data | Should -BeExactly $before.Data
    }

    It '32-bit view: HKLM\SOFTWARE\X is HKLM\SOFTWARE\WOW6432Node\X; exports name the paths of the view' {
        $statePath = Get-SimTestStatePath -Name 'wow.json'
        $file = Get-SimTestStatePath -Name 'wow.reg'
        $license = 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000'
        Initialize-RdsPlatform -Option $statePath
        Set-RdsRegistryValue -Path $license -Name 'ClientLicense' -Type 'Binary' -Data 'abcd' -View '32'
        $in64 = Get-RdsRegistryValue -Path 'HKLM\SOFTWARE\WOW6432Node\Microsoft\MSLicensing\Store\LICENSE000' -Name 'ClientLicense' -View '64'
        $native = (Get-RdsRegistryValue -Path $license -Name 'ClientLicense' -View 'Default').Data.Substring(0, 4)
        $software32 = @(Get-RdsRegistrySubkeyName -Path 'HKLM\SOFTWARE' -View '32')
        $system32 = Test-RdsRegistryKey -Path $SimGracePeriodPath -View '32'
        Export-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View '32' -File $file
        Remove-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View '32' -Recurse
        $native64Kept = Test-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing' -View '64'
        Import-RdsSimRegFile -File $file -View '32'
        $back = Get-RdsRegistryValue -Path $license -Name 'ClientLicense' -View '32'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        ConvertTo-SimTestJson -InputObject $in64 | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'ClientLicense'; Type = 'Binary'; Data = 'abcd' })
        $native | Should -BeExactly '3082'
        ConvertTo-SimTestJson -InputObject $software32 | Should -BeExactly '["Microsoft"]'
        $system32 | Should -BeExactly $true
        $native64Kept | Should -BeExactly $true
        ConvertTo-SimTestJson -InputObject $back | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'ClientLicense'; Type = 'Binary'; Data = 'abcd' })
        $text = Read-SimTestRegFile -Path $file
        $text.Contains("[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000]`r`n`"ClientLicense`"=hex:ab,cd`r`n") | Should -BeTrue
        $text | Should -Not -BeLikeExactly '*WOW6432Node*'
        Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\WOW6432Node\Microsoft\MSLicensing\Store\LICENSE000' | Should -Not -BeNullOrEmpty
    }

    It 'the kinds .NET does not map export as hex(5), hex(6), hex(8), hex(9), hex(a) and import back exactly (reg.exe handles every kind)' {
        $statePath = Get-SimTestStatePath -Name 'rawkinds.json'
        $file = Get-SimTestStatePath -Name 'rawkinds.reg'
        $system = 'HKLM\HARDWARE\DESCRIPTION\System'
        $raw = @(
            @{ name = 'BigEndian'; type = 'DWordBigEndian'; data = '0000000a' }
            @{ name = 'SymbolicLinkValue'; type = 'Link'; data = '5c0052000000' }
            @{ name = 'Resources'; type = 'ResourceList'; data = '01000000' }
            @{ name = 'Configuration Data'; type = 'FullResourceDescriptor'; data = '0100000000000000' }
            @{ name = 'Requirements'; type = 'ResourceRequirementsList'; data = '20000000' }
        )
        Write-SimTestState -Path $statePath -State @{ registry = @{ $system = @{ values = $raw } } }
        Initialize-RdsPlatform -Option $statePath
        Export-RdsRegistryKey -Path $system -View 'Default' -File $file
        foreach ($value in $raw) { Remove-RdsRegistryValue -Path $system -Name $value.name -View 'Default' }
        $emptied = @(Get-RdsRegistryValueName -Path $system -View 'Default')
        Import-RdsSimRegFile -File $file -View 'Default'
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        (Read-SimTestRegFile -Path $file) | Should -BeExactly ((@(
                    'Windows Registry Editor Version 5.00'
                    ''
                    '[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System]'
                    '"BigEndian"=hex(5):00,00,00,0a'
                    '"SymbolicLinkValue"=hex(6):5c,00,52,00,00,00'
                    '"Resources"=hex(8):01,00,00,00'
                    '"Configuration Data"=hex(9):01,00,00,00,00,00,00,00'
                    '"Requirements"=hex(a):20,00,00,00'
                    ''
                    ''
                ) -join "`r`n"))
        $emptied.Length | Should -Be 0
        ConvertTo-SimTestJson -InputObject (Get-SimTestStateKey -State $state -Path $system).values | Should -BeExactly (ConvertTo-SimTestJson -InputObject $raw)
    }

    It 'a hand-written .reg file (UTF-8, LF, deletions, hex(4), wrapped) imports' {
        $statePath = Get-SimTestStatePath -Name 'hand.json'
        $file = Get-SimTestStatePath -Name 'hand.reg'
        $hardwareId = 'HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID'
        [System.IO.File]::WriteAllText($file, (@(
                    'Windows Registry Editor Version 5.00'
                    ''
                    '; a comment'
                    '[-HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\MSLicensing\Store]'
                    ''
                    '[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\MSLicensing\HardwareID]'
                    '"ClientHWID"=-'
                    '"Little"=hex(4):0a,00,00,00'
                    '"Wrapped"=hex:01,02,\'
                    '   03'
                    ''
                ) -join "`n"))
        Initialize-RdsPlatform -Option $statePath
        Import-RdsSimRegFile -File $file -View 'Default'
        $store = Test-RdsRegistryKey -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store' -View 'Default'
        $names = @(Get-RdsRegistryValueName -Path $hardwareId -View 'Default')
        $little = Get-RdsRegistryValue -Path $hardwareId -Name 'Little' -View 'Default'
        $wrapped = (Get-RdsRegistryValue -Path $hardwareId -Name 'Wrapped' -View 'Default').Data
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $store | Should -BeExactly $false
        ConvertTo-SimTestJson -InputObject $names | Should -BeExactly '["Little","Wrapped"]'
        ConvertTo-SimTestJson -InputObject $little | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'Little'; Type = 'DWord'; Data = 10 })
        $wrapped | Should -BeExactly '010203'
        Get-SimTestStateKey -State $state -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000' | Should -Be $null
        Get-SimTestStateValue -State $state -Path $hardwareId -Name 'ClientHWID' | Should -Be $null
    }
}
