# For the tests of platform/sim/Sim.RegFile.ps1: reading a .reg file back into the simulated
# registry as reg.exe import does, to prove an export round-trips. The product never imports a
# .reg file, so this is not part of the platform. Dot-source it after the sim's templates.
#
# Import-RdsSimRegFile parses the export format (also [-KEY] deletions, "name"=- and
# hex(1)/hex(4), UTF-8 files) and applies it like reg.exe import: key by key, subject to access
# checks, stopping at the first failure (what was applied before stays applied).

# Parses a .reg file (version 5.00) into operations: @{ Op = 'Key'|'DeleteKey'|'Value'|'DeleteValue'; Path; Name; Type; Data }.
function Read-RdsSimRegFile {
    param([Parameter(Mandatory = $true)] [string] $File)
    $prefix = 'reg.exe import failed with exit code 1: '
    if (-not [System.IO.File]::Exists($File)) {
        throw ($prefix + 'ERROR: Error opening the file. There may be a disk or file system error. (' + $File + ')')
    }
    $raw = [System.IO.File]::ReadAllBytes($File)
    $text = ''
    if ($raw.Length -ge 2 -and $raw[0] -eq 0xFF -and $raw[1] -eq 0xFE) {
        $text = [System.Text.Encoding]::Unicode.GetString($raw, 2, $raw.Length - 2)
    }
    elseif ($raw.Length -ge 3 -and $raw[0] -eq 0xEF -and $raw[1] -eq 0xBB -and $raw[2] -eq 0xBF) {
        $text = [System.Text.Encoding]::UTF8.GetString($raw, 3, $raw.Length - 3)
    }
    else {
        $text = [System.Text.Encoding]::UTF8.GetString($raw)
    }
    $lines = $text.Replace("`r`n", "`n").Split("`n")
    $notScript = $prefix + 'ERROR: The specified file is not a registry script. You can only import binary registry files from within the registry editor. (' + $File + ')'
    $index = 0
    while ($index -lt $lines.Length -and $lines[$index].Trim() -eq '') { $index++ }
    if ($index -ge $lines.Length -or $lines[$index].Trim() -cne 'Windows Registry Editor Version 5.00') { throw $notScript }
    $index++
    $operations = [System.Collections.Generic.List[hashtable]]::new()
    $currentKey = $null
    $unicode = [System.Text.Encoding]::Unicode
    while ($index -lt $lines.Length) {
        $lineNumber = $index + 1
        $line = $lines[$index].TrimEnd()
        $index++
        $syntax = $prefix + 'ERROR: Invalid syntax in line ' + $lineNumber + '. (' + $File + ')'
        if ($line.Trim() -eq '' -or $line.TrimStart().StartsWith(';', [System.StringComparison]::Ordinal)) { continue }
        if ($line.StartsWith('[', [System.StringComparison]::Ordinal)) {
            $close = $line.LastIndexOf(']')
            if ($close -lt 0) { throw $syntax }
            $keyText = $line.Substring(1, $close - 1)
            $delete = $keyText.StartsWith('-', [System.StringComparison]::Ordinal)
            if ($delete) { $keyText = $keyText.Substring(1) }
            try {
                $keyPath = ConvertTo-RdsSimRegFileRoot -Path $keyText
            }
            catch {
                throw $syntax
            }
            if ($delete) {
                $operations.Add(@{ Op = 'DeleteKey'; Path = $keyPath })
                $currentKey = $null
            }
            else {
                $operations.Add(@{ Op = 'Key'; Path = $keyPath })
                $currentKey = $keyPath
            }
            continue
        }
        if ($null -eq $currentKey) { throw $syntax }
        # The value name.
        $name = ''
        $position = 0
        if ($line.StartsWith('@=', [System.StringComparison]::Ordinal)) {
            $position = 1
        }
        elseif ($line.StartsWith('"', [System.StringComparison]::Ordinal)) {
            $nameBuilder = [System.Text.StringBuilder]::new()
            $position = 1
            $closed = $false
            while ($position -lt $line.Length) {
                $ch = $line[$position]
                if ($ch -eq [char]'\' -and $position + 1 -lt $line.Length) {
                    [void]$nameBuilder.Append($line[$position + 1])
                    $position += 2
                    continue
                }
                if ($ch -eq [char]'"') {
                    $closed = $true
                    $position++
                    break
                }
                [void]$nameBuilder.Append($ch)
                $position++
            }
            if (-not $closed) { throw $syntax }
            $name = $nameBuilder.ToString()
        }
        else {
            throw $syntax
        }
        if ($position -ge $line.Length -or $line[$position] -ne [char]'=') { throw $syntax }
        $data = $line.Substring($position + 1)
        if ($data -eq '-') {
            $operations.Add(@{ Op = 'DeleteValue'; Path = $currentKey; Name = $name })
            continue
        }
        if ($data.StartsWith('"', [System.StringComparison]::Ordinal)) {
            if ($data.Length -lt 2 -or -not $data.EndsWith('"', [System.StringComparison]::Ordinal)) { throw $syntax }
            $inner = $data.Substring(1, $data.Length - 2)
            $valueBuilder = [System.Text.StringBuilder]::new()
            for ($c = 0; $c -lt $inner.Length; $c++) {
                if ($inner[$c] -eq [char]'\' -and $c + 1 -lt $inner.Length) {
                    $c++
                }
                elseif ($inner[$c] -eq [char]'"') {
                    throw $syntax
                }
                [void]$valueBuilder.Append($inner[$c])
            }
            $operations.Add(@{ Op = 'Value'; Path = $currentKey; Name = $name; Type = 'String'; Data = $valueBuilder.ToString() })
            continue
        }
        if ($data -cmatch '\Adword:([0-9a-fA-F]{8})\z') {
            $operations.Add(@{ Op = 'Value'; Path = $currentKey; Name = $name; Type = 'DWord'; Data = [System.Convert]::ToInt64($Matches[1], 16) })
            continue
        }
        if ($data -cmatch '\Ahex(\(([0-9a-fA-F]+)\))?:(.*)\z') {
            $kind = 3
            if ($Matches[2]) { $kind = [System.Convert]::ToInt32($Matches[2], 16) }
            $hexText = $Matches[3]
            while ($hexText.EndsWith('\', [System.StringComparison]::Ordinal)) {
                if ($index -ge $lines.Length) { throw $syntax }
                $hexText = $hexText.Substring(0, $hexText.Length - 1) + $lines[$index].Trim()
                $index++
            }
            $hexText = $hexText.Replace(' ', '').Replace("`t", '')
            $byteList = [System.Collections.Generic.List[byte]]::new()
            if ($hexText -ne '') {
                foreach ($part in $hexText.Split(',')) {
                    if ($part -notmatch '\A[0-9a-fA-F]{2}\z') { throw $syntax }
                    $byteList.Add([System.Convert]::ToByte($part, 16))
                }
            }
            $bytes = $byteList.ToArray()
            $type = ''
            $value = $null
            switch ($kind) {
                0
                {
                    $type = 'None'
                    $value = ConvertTo-RdsSimHex -Bytes $bytes
                }
                { $_ -eq 1 -or $_ -eq 2 }
                {
                    if (($bytes.Length % 2) -ne 0) { throw $syntax }
                    $type = 'String'
                    if ($kind -eq 2) { $type = 'ExpandString' }
                    $value = $unicode.GetString($bytes)
                    if ($value.Length -gt 0 -and [int]$value[$value.Length - 1] -eq 0) { $value = $value.Substring(0, $value.Length - 1) }
                }
                3
                {
                    $type = 'Binary'
                    $value = ConvertTo-RdsSimHex -Bytes $bytes
                }
                4
                {
                    if ($bytes.Length -ne 4) { throw $syntax }
                    $type = 'DWord'
                    $value = [long][System.BitConverter]::ToUInt32($bytes, 0)
                }
                7
                {
                    if (($bytes.Length % 2) -ne 0) { throw $syntax }
                    $type = 'MultiString'
                    # Ordinal only: culture comparisons ignore NUL ("`0" -eq '' is $true), and 5.1's
                    # .NET Framework has no String.EndsWith(char).
                    $joined = $unicode.GetString($bytes)
                    if ($joined.Length -gt 0 -and [int]$joined[$joined.Length - 1] -eq 0) { $joined = $joined.Substring(0, $joined.Length - 1) }
                    if ($joined.Length -eq 0) {
                        $value = [string[]]@()
                    }
                    else {
                        if ($joined.Length -gt 0 -and [int]$joined[$joined.Length - 1] -eq 0) { $joined = $joined.Substring(0, $joined.Length - 1) }
                        $value = [string[]]$joined.Split([char]0)
                    }
                }
                { @(5, 6, 8, 9, 10) -contains $_ }
                {
                    foreach ($entry in $script:RdsSimRawValueKinds.GetEnumerator()) {
                        if ([int]$entry.Value -eq $kind) { $type = [string]$entry.Key }
                    }
                    $value = ConvertTo-RdsSimHex -Bytes $bytes
                }
                11
                {
                    if ($bytes.Length -ne 8) { throw $syntax }
                    $type = 'QWord'
                    $value = [System.BitConverter]::ToUInt64($bytes, 0).ToString([System.Globalization.CultureInfo]::InvariantCulture)
                }
                default
                {
                    throw $syntax
                }
            }
            $operations.Add(@{ Op = 'Value'; Path = $currentKey; Name = $name; Type = $type; Data = $value })
            continue
        }
        throw $syntax
    }
    return , $operations.ToArray()
}

# Imports a .reg file into the simulated registry as reg.exe import does.
function Import-RdsSimRegFile {
    param([Parameter(Mandatory = $true)] [string] $File, [Parameter(Mandatory = $true)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Import-RdsSimRegFile' -Path $File -Mutating
    $operations = Read-RdsSimRegFile -File $File
    $accessError = 'reg.exe import failed with exit code 1: ERROR: Error accessing the registry. (' + $File + ')'
    foreach ($operation in $operations) {
        $physical = Resolve-RdsSimRegistryPath -Path $operation.Path -View $View
        try {
            switch -CaseSensitive ($operation.Op) {
                'Key'
                {
                    $key = New-RdsSimKeyChecked -State $state -Physical $physical -Target $operation.Path
                    if ($key.Contains('IsRoot')) { throw 'root' }
                }
                'DeleteKey'
                {
                    $key = Get-RdsSimKey -State $state -Physical $physical
                    if ($null -ne $key -and -not $key.Contains('IsRoot')) {
                        $tree = Get-RdsSimSubtreePath -State $state -Physical $key.Path
                        foreach ($member in $tree) {
                            Assert-RdsSimKeyAccess -State $state -Key $state.RegKeys[$member] -Desired $script:RdsSimDelete -Target $operation.Path
                        }
                        foreach ($member in $tree) { $state.RegKeys.Remove($member) }
                    }
                }
                'Value'
                {
                    $key = Get-RdsSimKey -State $state -Physical $physical
                    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeySetValue -Target $operation.Path
                    $canonical = ConvertTo-RdsSimCanonicalData -Type $operation.Type -Data $operation.Data -Target ($operation.Path + '\' + $operation.Name)
                    Set-RdsSimValueData -Key $key -Name $operation.Name -Type $operation.Type -Data $canonical
                }
                'DeleteValue'
                {
                    $key = Get-RdsSimKey -State $state -Physical $physical
                    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimKeySetValue -Target $operation.Path
                    $value = Find-RdsSimValue -Key $key -Name $operation.Name
                    if ($null -ne $value) { [void]$key.ValueList.Remove($value) }
                }
            }
        }
        catch {
            throw $accessError
        }
    }
}
