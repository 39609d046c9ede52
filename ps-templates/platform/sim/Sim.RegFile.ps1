# rdsplan platform (simulated Windows): reg.exe export.
#
# Export-RdsRegistryKey writes what `reg.exe export <key> <file> /y` writes: UTF-16LE with a
# BOM, CRLF line ends, 'Windows Registry Editor Version 5.00', one [HKEY_...] section per key
# (the key, then its subkeys depth-first, sorted), values in reg-file syntax ("name"="text",
# @= for the default value, dword:0000000a, hex:, hex(0):, hex(2):, hex(7):, hex(b):, and
# hex(5)/hex(6)/hex(8)/hex(9)/hex(a) for the kinds .NET does not map; a
# String holding CR, LF or NUL as hex(1): so that it survives), hex lines wrapped at 80
# characters with ',\' continuations. Key names are the view's (logical) paths.
# No step imports a .reg file (rollback restores through the platform API), so reading one
# back lives with the tests: test/support/pester/SimRegFileImport.ps1.

# Converts between short and long hive names ('HKLM\X' <-> 'HKEY_LOCAL_MACHINE\X').
function ConvertTo-RdsSimRegFileRoot {
    param([Parameter(Mandatory)] [string] $Path, [switch] $Long)
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

# Formats '<prefix>xx,xx,...' wrapped as regedit does (lines of at most 80 characters ending ',\', continuations indented by two spaces).
function Format-RdsSimRegFileHex {
    param([Parameter(Mandatory)] [string] $Prefix, [Parameter(Mandatory)] [AllowEmptyCollection()] [byte[]] $Bytes)
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

# Quotes a name or string for a .reg file ('\' -> '\\', '"' -> '\"').
function ConvertTo-RdsSimRegFileString {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    return ('"' + $Text.Replace('\', '\\').Replace('"', '\"') + '"')
}

# Returns the .reg line(s) of a value.
function ConvertTo-RdsSimRegFileValue {
    param([Parameter(Mandatory)] [hashtable] $Value)
    $unicode = [System.Text.Encoding]::Unicode
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $name = '@'
    if ($Value.Name.Length -gt 0) { $name = ConvertTo-RdsSimRegFileString -Text $Value.Name }
    switch -CaseSensitive ($Value.Type) {
        'String' {
            $text = [string]$Value.Data
            if ($text.IndexOfAny([char[]]@([char]13, [char]10, [char]0)) -ge 0) {
                return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(1):') -Bytes $unicode.GetBytes($text + [char]0))
            }
            return ($name + '=' + (ConvertTo-RdsSimRegFileString -Text $text))
        }
        'ExpandString' { return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(2):') -Bytes $unicode.GetBytes([string]$Value.Data + [char]0)) }
        'MultiString' {
            $joined = ''
            foreach ($item in $Value.Data) { $joined = $joined + $item + [char]0 }
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(7):') -Bytes $unicode.GetBytes($joined + [char]0))
        }
        'DWord' { return ($name + '=dword:' + ([long]$Value.Data).ToString('x8', $invariant)) }
        'QWord' {
            $bytes = [System.BitConverter]::GetBytes([uint64]::Parse([string]$Value.Data, $invariant))
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(b):') -Bytes $bytes)
        }
        'Binary' { return (Format-RdsSimRegFileHex -Prefix ($name + '=hex:') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data))) }
        { $script:RdsSimRawValueTypes -ccontains $_ }
        {
            # reg.exe exports every kind exactly, also those .NET cannot read: hex(5), hex(6), hex(8), hex(9), hex(a).
            $kindText = ([int]$script:RdsSimRawValueKinds[$Value.Type]).ToString('x', $invariant)
            return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(' + $kindText + '):') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data)))
        }
        default { return (Format-RdsSimRegFileHex -Prefix ($name + '=hex(0):') -Bytes (ConvertFrom-RdsSimHex -Hex ([string]$Value.Data))) }
    }
}

# Exports a simulated key and its subkeys to a .reg file as reg.exe export ... /y does (UTF-16LE with BOM).
function Export-RdsRegistryKey {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View,
        [Parameter(Mandatory)] [string] $File)
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
        foreach ($value in $memberKey.ValueList) { [void]$builder.Append((ConvertTo-RdsSimRegFileValue -Value $value)).Append("`r`n") }
        [void]$builder.Append("`r`n")
    }
    $unicode = [System.Text.Encoding]::Unicode
    $body = $unicode.GetBytes($builder.ToString())
    $bytes = [byte[]]::new($body.Length + 2)
    $bytes[0] = 0xFF
    $bytes[1] = 0xFE
    [System.Array]::Copy($body, 0, $bytes, 2, $body.Length)
    try { [System.IO.File]::WriteAllBytes($File, $bytes) }
    catch { throw ('reg.exe export failed with exit code 1: ERROR: ' + $_.Exception.Message + ' (' + $Path + ')') }
}
