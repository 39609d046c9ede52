# rdsplan platform (simulated Windows): reg.exe export and import.
#
# Export-RdsRegistryKey writes what `reg.exe export <key> <file> /y` writes: UTF-16LE with a
# BOM, CRLF line ends, 'Windows Registry Editor Version 5.00', one [HKEY_...] section per key
# (the key, then its subkeys depth-first, sorted), values in reg-file syntax ("name"="text",
# @= for the default value, dword:0000000a, hex:, hex(0):, hex(2):, hex(7):, hex(b):, and
# hex(5)/hex(6)/hex(8)/hex(9)/hex(a) for the kinds .NET does not map; a
# String holding CR, LF or NUL as hex(1): so that it survives), hex lines wrapped at 80
# characters with ',\' continuations. Key names are the view's (logical) paths.
# Import-RdsRegistryFile parses that format (also [-KEY] deletions, "name"=- and hex(1)/hex(4),
# UTF-8 files) and applies it like reg.exe import: key by key, subject to access checks,
# stopping at the first failure (what was applied before stays applied).

function ConvertTo-RdsSimRegFileRoot {
    <#
    .SYNOPSIS
    Converts between short and long hive names ('HKLM\X' <-> 'HKEY_LOCAL_MACHINE\X').
    .PARAMETER Path
    The path.
    .PARAMETER Long
    Returns the long form (else the short one).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [switch] $Long
    )
    $normalized = ConvertTo-RdsSimRegistryPath -Path $Path
    if (-not $Long) { return $normalized }
    $separator = $normalized.IndexOf('\')
    $root = $normalized
    $rest = ''
    if ($separator -ge 0) {
        $root = $normalized.Substring(0, $separator)
        $rest = $normalized.Substring($separator)
    }
    $longRoot = @{ HKLM = 'HKEY_LOCAL_MACHINE'; HKCU = 'HKEY_CURRENT_USER'; HKU = 'HKEY_USERS'; HKCR = 'HKEY_CLASSES_ROOT' }[$root]
    return ($longRoot + $rest)
}

function Format-RdsSimRegFileHex {
    <#
    .SYNOPSIS
    Formats '<prefix>xx,xx,...' wrapped as regedit does (lines of at most 80 characters ending ',\', continuations indented by two spaces).
    .PARAMETER Prefix
    The line start, e.g. '"name"=hex(2):'.
    .PARAMETER Bytes
    The data.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Prefix,
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [byte[]] $Bytes
    )
    # regedit's rule: count the line (the first from its start, continuations from 5) plus
    # three characters per byte written with its comma; wrap once the count reaches 80. The
    # first line can so exceed 80 characters; continuation lines hold 25 bytes.
    $builder = [System.Text.StringBuilder]::new()
    $line = [System.Text.StringBuilder]::new($Prefix)
    $count = $Prefix.Length
    for ($i = 0; $i -lt $Bytes.Length; $i++) {
        [void]$line.Append($Bytes[$i].ToString('x2', [System.Globalization.CultureInfo]::InvariantCulture))
        if ($i -eq $Bytes.Length - 1) { break }
        [void]$line.Append(',')
        $count += 3
        if ($count -ge 80) {
            [void]$builder.Append($line.ToString()).Append("\`r`n")
            [void]$line.Clear().Append('  ')
            $count = 5
        }
    }
    [void]$builder.Append($line.ToString())
    return $builder.ToString()
}

function ConvertTo-RdsSimRegFileString {
    <#
    .SYNOPSIS
    Quotes a name or string for a .reg file ('\' -> '\\', '"' -> '\"').
    .PARAMETER Text
    The text.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Text
    )
    return ('"' + $Text.Replace('\', '\\').Replace('"', '\"') + '"')
}

function ConvertTo-RdsSimRegFileValue {
    <#
    .SYNOPSIS
    Returns the .reg line(s) of a value.
    .PARAMETER Value
    The stored value @{ Name; Type; Data }.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Value
    )
    $unicode = [System.Text.Encoding]::Unicode
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $name = '@'
    if ($Value.Name.Length -gt 0) { $name = ConvertTo-RdsSimRegFileString -Text $Value.Name }
    switch -CaseSensitive ($Value.Type) {
        'String'
        {
            $text = [string]$Value.Data
            if ($text.IndexOfAny([char[]]@([char]13, [char]10, [char]0)) -ge 0) {
                return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(1):') -Bytes $unicode.GetBytes($text + [char]0))
            }
            return ($name + '=' + (ConvertTo-RdsSimRegFileString -Text $text))
        }
        'ExpandString'
        {
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(2):') -Bytes $unicode.GetBytes([string]$Value.Data + [char]0))
        }
        'MultiString'
        {
            $joined = ''
            foreach ($item in $Value.Data) { $joined = $joined + $item + [char]0 }
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(7):') -Bytes $unicode.GetBytes($joined + [char]0))
        }
        'DWord'
        {
            return ($name + '=dword:' + ([long]$Value.Data).ToString('x8', $invariant))
        }
        'QWord'
        {
            $bytes = [System.BitConverter]::GetBytes([uint64]::Parse([string]$Value.Data, $invariant))
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(b):') -Bytes $bytes)
        }
        'Binary'
        {
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex:') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data)))
        }
        { $script:RdsSimRawValueTypes -ccontains $_ }
        {
            # reg.exe exports every kind exactly, also those .NET cannot read: hex(5), hex(6), hex(8), hex(9), hex(a).
            $kindText = ([int]$script:RdsSimRawValueKinds[$Value.Type]).ToString('x', $invariant)
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(' + $kindText + '):') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data)))
        }
        default
        {
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(0):') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data)))
        }
    }
}

function Export-RdsRegistryKey {
    <#
    .SYNOPSIS
    Exports a simulated key and its subkeys to a .reg file as reg.exe export ... /y does (UTF-16LE with BOM).
    .DESCRIPTION
    Fails like reg.exe when the key is missing ("ERROR: The system was unable to find the
    specified registry key or value.") or a key of the tree cannot be read ("ERROR: Access is denied.").
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    '64', '32' or 'Default'.
    .PARAMETER File
    The .reg file to write (overwritten).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [ValidateSet('64', '32', 'Default')] [string] $View,
        [Parameter(Mandatory = $true)] [string] $File
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Export-RdsRegistryKey' -Path $Path
    $logical = ConvertTo-RdsSimRegistryPath -Path $Path
    $physical = Resolve-RdsSimRegistryPath -Path $Path -View $View
    $key = Get-RdsSimKey -State $state -Physical $physical
    if ($null -eq $key -or $key.Contains('IsRoot')) {
        throw ('reg.exe export failed with exit code 1: ERROR: The system was unable to find the specified registry key or value. (' + $Path + ')')
    }
    $builder = [System.Text.StringBuilder]::new()
    [void]$builder.Append("Windows Registry Editor Version 5.00`r`n`r`n")
    foreach ($member in (Get-RdsSimSubtreePath -State $state -Physical $key.Path)) {
        $memberKey = $state.RegKeys[$member]
        if (((Get-RdsSimGrantedAccess -State $state -Sddl $memberKey.Sddl) -band $script:RdsSimKeyRead) -ne $script:RdsSimKeyRead) {
            throw ('reg.exe export failed with exit code 1: ERROR: Access is denied. (' + $Path + ')')
        }
        $logicalMember = $logical + $member.Substring($key.Path.Length)
        [void]$builder.Append('[').Append((ConvertTo-RdsSimRegFileRoot -Path $logicalMember -Long)).Append("]`r`n")
        foreach ($value in $memberKey.ValueList) {
            [void]$builder.Append((ConvertTo-RdsSimRegFileValue -Value $value)).Append("`r`n")
        }
        [void]$builder.Append("`r`n")
    }
    $unicode = [System.Text.Encoding]::Unicode
    $body = $unicode.GetBytes($builder.ToString())
    $bytes = [byte[]]::new($body.Length + 2)
    $bytes[0] = 0xFF
    $bytes[1] = 0xFE
    [System.Array]::Copy($body, 0, $bytes, 2, $body.Length)
    try {
        [System.IO.File]::WriteAllBytes($File, $bytes)
    }
    catch {
        throw ('reg.exe export failed with exit code 1: ERROR: ' + $_.Exception.Message + ' (' + $Path + ')')
    }
}

function Read-RdsSimRegFile {
    <#
    .SYNOPSIS
    Parses a .reg file (version 5.00) into operations: @{ Op = 'Key'|'DeleteKey'|'Value'|'DeleteValue'; Path; Name; Type; Data }.
    .PARAMETER File
    The .reg file.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $File
    )
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

function Import-RdsRegistryFile {
    <#
    .SYNOPSIS
    Imports a .reg file into the simulated registry as reg.exe import does.
    .DESCRIPTION
    The whole file is parsed first (a syntax error changes nothing); then keys and values are
    applied in file order with the token's access checks. A key that cannot be created or
    written fails the import with "ERROR: Error accessing the registry."; what was applied
    before stays applied, as with reg.exe.
    .PARAMETER File
    The .reg file.
    .PARAMETER View
    '64', '32' or 'Default'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $File,
        [Parameter(Mandatory = $true)] [ValidateSet('64', '32', 'Default')] [string] $View
    )
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Import-RdsRegistryFile' -Path $File -Mutating
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
