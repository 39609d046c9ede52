# rdsplan runtime: helpers shared by the action templates (parameters, registry data
# comparison, key snapshots, SDDL reading, privileged security changes). They use only the
# platform API, so they work the same on Windows and on the simulated platform.

# Returns a step parameter, or a default when the key is missing or $null (arrays unrolled: wrap in @()).
function Get-RdsParameter {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [string] $Name, [AllowNull()] [object] $Default = $null)
    # Arrays are written element by element (as any PowerShell output): callers that need an
    # array wrap the call in @(), e.g. @(Get-RdsParameter -Parameters $p -Name 'Servers').
    if ($Parameters.ContainsKey($Name) -and $null -ne $Parameters[$Name]) { return $Parameters[$Name] }
    return $Default
}

# Returns the registry view of a step ('64', '32' or 'Default' when not given).
function Get-RdsStepView {
    param([Parameter(Mandatory)] [hashtable] $Parameters)
    $view = [string](Get-RdsParameter -Parameters $Parameters -Name 'View' -Default 'Default')
    if ($view -eq '') { $view = 'Default' }
    return $view
}

# Throws when this PowerShell is a 32-bit process on 64-bit Windows, where registry view 'Default' is the 32-bit view.
function Assert-RdsNativeRegistryView {
    [CmdletBinding()] param()
    $bitness = Get-RdsProcessBitness
    if ([bool]$bitness.Is64BitOperatingSystem -and -not [bool]$bitness.Is64BitProcess) {
        throw ('this is a 32-bit PowerShell on 64-bit Windows: its registry view Default is the 32-bit view (WOW6432Node) and its reg.exe the 32-bit one; run the script with 64-bit PowerShell (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe or a 64-bit pwsh)')
    }
}

# Compares two canonical registry data values of one type.
function Test-RdsRegistryDataEqual {
    param([Parameter(Mandatory)] [string] $Type, [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Left,
        [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Right)
    if ($null -eq $Left -or $null -eq $Right) { return ($null -eq $Left -and $null -eq $Right) }
    switch -CaseSensitive ($Type) {
        'MultiString' {
            $a = [string[]]@($Left)
            $b = [string[]]@($Right)
            if ($a.Length -ne $b.Length) { return $false }
            for ($i = 0; $i -lt $a.Length; $i++) { if (-not [string]::Equals($a[$i], $b[$i], [System.StringComparison]::Ordinal)) { return $false } }
            return $true
        }
        'DWord' { return ([long]$Left -eq [long]$Right) }
        'QWord' {
            $invariant = [System.Globalization.CultureInfo]::InvariantCulture
            return ([uint64]::Parse([string]$Left, $invariant) -eq [uint64]::Parse([string]$Right, $invariant))
        }
        { @('Binary', 'None') -ccontains $_ } { return [string]::Equals([string]$Left, [string]$Right, [System.StringComparison]::OrdinalIgnoreCase) }
        default { return [string]::Equals([string]$Left, [string]$Right, [System.StringComparison]::Ordinal) }
    }
}

# Brings step data into the canonical form of its registry type (DWord -> [long], QWord -> decimal string, Binary -> lowercase hex, MultiString -> string[]).
function ConvertTo-RdsCanonicalData {
    param([Parameter(Mandatory)] [string] $Type, [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    switch -CaseSensitive ($Type) {
        'MultiString' {
            if ($null -eq $Data) { return , ([string[]]@()) }
            return , ([string[]]@($Data))
        }
        'DWord' {
            $number = [long]$Data
            if ($number -lt 0 -or $number -gt 4294967295) { throw "DWord data $number is outside 0..4294967295" }
            return $number
        }
        'QWord' { return ([uint64]::Parse([string]$Data, $invariant)).ToString($invariant) }
        { @('Binary', 'None') -ccontains $_ } { return ([string]$Data).ToLowerInvariant() }
        # [string]$null is ''.
        default { return [string]$Data }
    }
}

# Returns every value of a key as an array of @{ Name; Type; Data } (empty when the key is absent).
function Get-RdsRegistryValueList {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [scriptblock] $Filter = $null)
    return , @(foreach ($name in @(Get-RdsRegistryValueName -Path $Path -View $View)) {
            if ($null -ne $Filter -and -not (& $Filter $name)) { continue }
            $value = Get-RdsRegistryValue -Path $Path -Name $name -View $View
            Assert-RdsRegistryValueRestorable -Path $Path -Value $value
            if ($null -ne $value) { $value }
        })
}

# Throws when a value could not be put back exactly after it is deleted or overwritten (Type 'Unknown').
function Assert-RdsRegistryValueRestorable {
    param([Parameter(Mandatory)] [string] $Path, [AllowNull()] [object] $Value)
    if ($null -eq $Value -or [string]$Value.Type -cne 'Unknown') { return }
    throw ("refusing to delete or overwrite value '" + [string]$Value.Name + "' (" + $Path + '): it is of a kind .NET cannot read or write (REG_LINK, a resource list or REG_DWORD_BIG_ENDIAN), so it could not be restored exactly; back the key up with reg.exe export and change it by hand')
}

# Throws when a key or one of its subkeys holds a value that could not be restored exactly (see Assert-RdsRegistryValueRestorable).
function Assert-RdsRegistryTreeRestorable {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    [void](Get-RdsRegistryValueList -Path $Path -View $View)
    foreach ($name in Get-RdsRegistrySubkeyName -Path $Path -View $View) { Assert-RdsRegistryTreeRestorable -Path "$Path\$name" -View $View }
}

# Captures a key, its values, its SDDL and all its subkeys recursively as plain data.
function Get-RdsRegistryKeySnapshot {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View)
    $subkeys = @(foreach ($name in Get-RdsRegistrySubkeyName -Path $Path -View $View) { Get-RdsRegistryKeySnapshot -Path "$Path\$name" -View $View })
    return @{
        Path = $Path; Sddl = Get-RdsRegistrySddl -Path $Path -View $View; Values = Get-RdsRegistryValueList -Path $Path -View $View
        Subkeys = $subkeys
    }
}

# Recreates a key tree from Get-RdsRegistryKeySnapshot, then its SDDL (bottom-up) where possible.
function Restore-RdsRegistryKeySnapshot {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Snapshot, [Parameter(Mandatory)] [string] $View)
    $pending = [System.Collections.Generic.List[object]]::new()
    Add-RdsRegistryKeyFromSnapshot -Snapshot $Snapshot -View $View -SecurityQueue $pending
    if ($pending.Count -eq 0) { return }
    try {
        Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            foreach ($item in $pending) { Set-RdsRegistrySddl -Path $item.Path -View $View -Sddl $item.Sddl }
        }
    } catch {
        # The data is back; a key whose security could not be restored keeps the default.
        Write-Warning ('rdsplan: restoring the security of recreated keys failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + [string]$Snapshot.Path + ')')
    }
}

# Recreates one snapshot key with its values and subkeys; queues SDDL restores (children first).
function Add-RdsRegistryKeyFromSnapshot {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Snapshot, [Parameter(Mandatory)] [string] $View,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.List[object]] $SecurityQueue)
    $path = [string]$Snapshot.Path
    New-RdsRegistryKey -Path $path -View $View
    foreach ($value in @($Snapshot['Values'])) {
        if ($null -eq $value) { continue }
        Set-RdsRegistryValue -Path $path -Name ([string]$value.Name) -Type ([string]$value.Type) -Data $value.Data -View $View
    }
    foreach ($child in @($Snapshot.Subkeys)) {
        if ($null -ne $child) { Add-RdsRegistryKeyFromSnapshot -Snapshot $child -View $View -SecurityQueue $SecurityQueue }
    }
    $sddl = [string]$Snapshot.Sddl
    if ($sddl -ne '' -and -not (Test-RdsSddlEquivalent -Expected $sddl -Actual (Get-RdsRegistrySddl -Path $path -View $View))) {
        $SecurityQueue.Add(@{ Path = $path; Sddl = $sddl })
    }
}

$script:RdsSddlAliases = @{
    'AC' = 'S-1-15-2-1'; 'AN' = 'S-1-5-7'; 'AO' = 'S-1-5-32-548'; 'AU' = 'S-1-5-11'; 'BA' = 'S-1-5-32-544'
    'BG' = 'S-1-5-32-546'; 'BO' = 'S-1-5-32-551'; 'BU' = 'S-1-5-32-545'; 'CG' = 'S-1-3-1'; 'CO' = 'S-1-3-0'
    'CY' = 'S-1-5-32-569'; 'ED' = 'S-1-5-9'; 'ER' = 'S-1-5-32-573'; 'HA' = 'S-1-5-32-578'; 'IS' = 'S-1-5-32-568'
    'IU' = 'S-1-5-4'; 'LS' = 'S-1-5-19'; 'LU' = 'S-1-5-32-559'; 'MU' = 'S-1-5-32-558'; 'NO' = 'S-1-5-32-556'
    'NS' = 'S-1-5-20'; 'NU' = 'S-1-5-2'; 'OW' = 'S-1-3-4'; 'PS' = 'S-1-5-10'; 'PU' = 'S-1-5-32-547'
    'RA' = 'S-1-5-32-575'; 'RC' = 'S-1-5-12'; 'RD' = 'S-1-5-32-555'; 'RE' = 'S-1-5-32-552'; 'RM' = 'S-1-5-32-580'
    'RU' = 'S-1-5-32-554'; 'SO' = 'S-1-5-32-549'; 'SU' = 'S-1-5-6'; 'SY' = 'S-1-5-18'; 'WD' = 'S-1-1-0'; 'WR' = 'S-1-5-33'
}

# Generic rights map to the key rights (a registry key's generic mapping), so GA and KA compare equal.
$script:RdsSddlRights = @{
    'GA' = 0xF003F; 'GR' = 0x20019; 'GW' = 0x20006; 'GX' = 0x20019; 'KA' = 0xF003F; 'KR' = 0x20019; 'KW' = 0x20006; 'KX' = 0x20019
    'FA' = 0x1F01FF; 'FR' = 0x120089; 'FW' = 0x120116; 'FX' = 0x1200A0; 'RC' = 0x20000; 'SD' = 0x10000; 'WD' = 0x40000; 'WO' = 0x80000
    'CC' = 0x1; 'DC' = 0x2; 'LC' = 0x4; 'SW' = 0x8; 'RP' = 0x10; 'WP' = 0x20; 'DT' = 0x40; 'LO' = 0x80; 'CR' = 0x100
}

# ACE flags in the order Windows writes them; ID (inherited) is not part of an entry's meaning.
$script:RdsSddlAceFlagOrder = @('OI', 'CI', 'NP', 'IO', 'SA', 'FA', 'TP', 'CR')

$script:RdsRegistryRightNames = @{
    'QueryValues' = 0x1; 'SetValue' = 0x2; 'CreateSubKey' = 0x4; 'EnumerateSubKeys' = 0x8; 'Notify' = 0x10
    'CreateLink' = 0x20; 'Delete' = 0x10000; 'ReadPermissions' = 0x20000; 'ChangePermissions' = 0x40000
    'TakeOwnership' = 0x80000; 'ReadKey' = 0x20019; 'ExecuteKey' = 0x20019; 'WriteKey' = 0x20006; 'FullControl' = 0xF003F
}

# Returns the SID string of an SDDL trustee (alias such as 'BA' or a literal SID).
function ConvertTo-RdsSid {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Trustee)
    $upper = $Trustee.ToUpperInvariant()
    if ($script:RdsSddlAliases.ContainsKey($upper)) { return $script:RdsSddlAliases[$upper] }
    return $upper
}

# Returns the access mask of a RegistryRights name or comma-separated list of names.
function ConvertFrom-RdsRegistryRight {
    param([Parameter(Mandatory)] [string] $Rights)
    $mask = [long]0
    foreach ($part in $Rights.Split(',')) {
        $name = $part.Trim()
        # Matched ordinally, ignoring case (a hashtable literal's own lookup depends on the culture).
        $known = @($script:RdsRegistryRightNames.Keys | Where-Object { [string]::Equals($_, $name, [System.StringComparison]::OrdinalIgnoreCase) })
        if ($known.Length -eq 0) { throw "unknown registry right '$name'" }
        $mask = $mask -bor [long]$script:RdsRegistryRightNames[$known[0]]
    }
    return $mask
}

# The top-level sections of an SDDL string (O:, G:, D:, S:) as @{ Name; Start; Length } of their text after 'X:'.
function Get-RdsSddlSection {
    [CmdletBinding()] param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sddl)
    $sections = [System.Collections.Generic.List[hashtable]]::new()
    $depth = 0
    for ($i = 0; $i -lt $Sddl.Length; $i++) {
        $c = $Sddl[$i]
        if ($c -eq [char]'(') { $depth++; continue }
        if ($c -eq [char]')') { $depth--; continue }
        if ($depth -eq 0 -and $i + 1 -lt $Sddl.Length -and $Sddl[$i + 1] -eq [char]':' -and 'OGDS'.IndexOf([char]::ToUpperInvariant($c)) -ge 0) {
            if ($sections.Count -gt 0) { $sections[$sections.Count - 1].Length = $i - $sections[$sections.Count - 1].Start }
            $sections.Add(@{ Name = [string][char]::ToUpperInvariant($c); Start = $i + 2; Length = $Sddl.Length - $i - 2 })
            $i++
        }
    }
    return , $sections.ToArray()
}

# The access mask of an ACE's rights text: hex ('0x20019'), decimal, or two-letter codes ('KR', 'RCWD').
function ConvertTo-RdsAccessMask {
    [CmdletBinding()] [OutputType([long])] param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Rights)
    if ($Rights -match '\A0[xX][0-9a-fA-F]+\z') { return [System.Convert]::ToInt64($Rights.Substring(2), 16) }
    if ($Rights -match '\A[0-9]+\z') { return [long]$Rights }
    $mask = [long]0
    for ($i = 0; $i + 1 -lt $Rights.Length; $i += 2) {
        $code = $Rights.Substring($i, 2).ToUpperInvariant()
        if ($script:RdsSddlRights.ContainsKey($code)) { $mask = $mask -bor [long]$script:RdsSddlRights[$code] }
    }
    return $mask
}

# Reads the owner, group and DACL of an SDDL string (aliases resolved to SIDs).
function ConvertFrom-RdsSddl {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sddl)
    $parsed = @{ Owner = ''; Group = ''; DaclPresent = $false; DaclProtected = $false; DaclFlags = ''; Aces = @() }
    $aces = [System.Collections.Generic.List[object]]::new()
    foreach ($section in (Get-RdsSddlSection -Sddl $Sddl)) {
        $text = $Sddl.Substring($section.Start, $section.Length)
        switch -CaseSensitive ($section.Name) {
            'O' { $parsed.Owner = ConvertTo-RdsSid -Trustee $text }
            'G' { $parsed.Group = ConvertTo-RdsSid -Trustee $text }
            'D' {
                $parsed.DaclPresent = $true
                $parsed.DaclFlags = $text.Split([char]'(')[0]
                $parsed.DaclProtected = [regex]::IsMatch($parsed.DaclFlags.Replace('NO_ACCESS_CONTROL', ''), 'P')
                foreach ($match in [regex]::Matches($text, '\((?<body>[^)]*)\)')) {
                    $fields = $match.Groups['body'].Value.Split(';')
                    if ($fields.Length -lt 6) { continue }
                    $flagText = $fields[1].ToUpperInvariant()
                    $flagList = [string[]]@([regex]::Matches($flagText, '(?s)..') | ForEach-Object { $_.Value })
                    $aces.Add(@{
                            Type = $fields[0].ToUpperInvariant(); Flags = $flagText; FlagList = $flagList; Inherited = ($flagList -ccontains 'ID')
                            Mask = ConvertTo-RdsAccessMask -Rights $fields[2]; Sid = ConvertTo-RdsSid -Trustee $fields[5]
                            Object = $fields[3].ToLowerInvariant() + ';' + $fields[4].ToLowerInvariant()
                        })
                }
            }
        }
    }
    $parsed.Aces = $aces.ToArray()
    return $parsed
}

# True when ACEs are in the order RegistrySecurity accepts for changes: explicit deny, explicit allow, then inherited; any other entry type (audit, unknown) is not.
function Test-RdsAceOrderCanonical {
    [CmdletBinding()] [OutputType([bool])] param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Aces)
    $stage = 0
    foreach ($ace in $Aces) {
        if ($ace.Inherited) { $aceStage = 2 }
        elseif (@('D', 'XD', 'OD') -ccontains [string]$ace.Type) { $aceStage = 0 }
        elseif (@('A', 'XA', 'OA') -ccontains [string]$ace.Type) { $aceStage = 1 }
        else { return $false }
        if ($aceStage -lt $stage) { return $false }
        $stage = $aceStage
    }
    return $true
}

# Returns $true when the DACL of an SDDL is in canonical order (explicit deny, explicit allow, inherited), so RegistrySecurity.AddAccessRule can change it.
function Test-RdsSddlCanonical {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sddl)
    return (Test-RdsAceOrderCanonical -Aces (ConvertFrom-RdsSddl -Sddl $Sddl).Aces)
}

# The explicit (not inherited) entries of a parsed DACL that grant or deny anything, each as @{ Key ('<type>;<flags>;<object>;<sid>'); Type; Mask; Inherited = $false }.
function Get-RdsSddlExplicitAce {
    [CmdletBinding()] param([Parameter(Mandatory)] [hashtable] $Parsed)
    return , @(foreach ($ace in $Parsed.Aces) {
            if ($ace.Inherited -or [long]$ace.Mask -eq 0) { continue }
            $flags = @($script:RdsSddlAceFlagOrder | Where-Object { $ace.FlagList -ccontains $_ }) -join ''
            @{ Key = $ace.Type + ';' + $flags + ';' + $ace.Object + ';' + $ace.Sid; Type = $ace.Type; Mask = [long]$ace.Mask; Inherited = $false }
        })
}

# An explicit entry as text for messages: '(A;CI;0xf003f;;;S-1-5-20)'.
function Format-RdsSddlAce {
    [CmdletBinding()] [OutputType([string])] param([Parameter(Mandatory)] [string] $Key, [Parameter(Mandatory)] [long] $Mask)
    $parts = $Key.Split(';')
    return ('(' + $parts[0] + ';' + $parts[1] + ';0x' + $Mask.ToString('x', [System.Globalization.CultureInfo]::InvariantCulture) + ';' + $parts[2] + ';' + $parts[3] + ';' + $parts[4] + ')')
}

# Compares two SDDL strings as Windows security descriptors; returns what differs (nothing when they are equivalent).
function Compare-RdsSddl {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Expected, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Actual)
    $e = ConvertFrom-RdsSddl -Sddl $Expected
    $a = ConvertFrom-RdsSddl -Sddl $Actual
    $differences = [System.Collections.Generic.List[string]]::new()
    foreach ($part in @('Owner', 'Group')) {
        if (-not [string]::Equals([string]$e[$part], [string]$a[$part], [System.StringComparison]::OrdinalIgnoreCase)) {
            $differences.Add($part.ToLowerInvariant() + ': expected ' + [string]$e[$part] + ', found ' + [string]$a[$part])
        }
    }
    if ($e.DaclPresent -ne $a.DaclPresent) {
        $differences.Add('DACL: expected ' + @('none', 'one')[[int]$e.DaclPresent] + ', found ' + @('none', 'one')[[int]$a.DaclPresent])
        return $differences.ToArray()
    }
    if ($e.DaclProtected -ne $a.DaclProtected) {
        $protection = @('not protected (inherits)', 'protected (P)')
        $differences.Add('DACL: expected ' + $protection[[int]$e.DaclProtected] + ', found ' + $protection[[int]$a.DaclProtected])
    }
    $expectedAces = Get-RdsSddlExplicitAce -Parsed $e
    $actualAces = Get-RdsSddlExplicitAce -Parsed $a
    if ((Test-RdsAceOrderCanonical -Aces $expectedAces) -and (Test-RdsAceOrderCanonical -Aces $actualAces)) {
        $expectedSet = [ordered]@{}
        # A key not in the set yet reads as $null, [long] 0.
        foreach ($ace in $expectedAces) { $expectedSet[$ace.Key] = [long]$expectedSet[$ace.Key] -bor $ace.Mask }
        $actualSet = [ordered]@{}
        foreach ($ace in $actualAces) { $actualSet[$ace.Key] = [long]$actualSet[$ace.Key] -bor $ace.Mask }
        foreach ($key in $expectedSet.Keys) {
            if (-not $actualSet.Contains($key)) {
                $differences.Add('explicit entry missing: ' + (Format-RdsSddlAce -Key $key -Mask $expectedSet[$key]))
            } elseif ([long]$actualSet[$key] -ne [long]$expectedSet[$key]) {
                $differences.Add('explicit entry with other rights: expected ' + (Format-RdsSddlAce -Key $key -Mask $expectedSet[$key]) + ', found ' + (Format-RdsSddlAce -Key $key -Mask $actualSet[$key]))
            }
        }
        foreach ($key in $actualSet.Keys) {
            if (-not $expectedSet.Contains($key)) { $differences.Add('explicit entry not expected: ' + (Format-RdsSddlAce -Key $key -Mask $actualSet[$key])) }
        }
    } else {
        $expectedText = (@($expectedAces | ForEach-Object { Format-RdsSddlAce -Key $_.Key -Mask $_.Mask }) -join '')
        $actualText = (@($actualAces | ForEach-Object { Format-RdsSddlAce -Key $_.Key -Mask $_.Mask }) -join '')
        if (-not [string]::Equals($expectedText, $actualText, [System.StringComparison]::OrdinalIgnoreCase)) {
            $differences.Add('explicit entries (not in canonical order, so compared in order): expected ' + $expectedText + ', found ' + $actualText)
        }
    }
    return $differences.ToArray()
}

# Returns $true when two SDDL strings describe the same owner, group, DACL protection and explicit entries (Compare-RdsSddl finds nothing).
function Test-RdsSddlEquivalent {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Expected, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Actual)
    return (@(Compare-RdsSddl -Expected $Expected -Actual $Actual).Length -eq 0)
}

# Returns $true when an SDDL has an allow entry (not inherit-only) for a SID covering the rights.
function Test-RdsSddlGrant {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sddl, [Parameter(Mandatory)] [string] $Sid, [Parameter(Mandatory)] [string] $Rights)
    $wanted = ConvertFrom-RdsRegistryRight -Rights $Rights
    $sidUpper = (ConvertTo-RdsSid -Trustee $Sid)
    $granted = [long]0
    foreach ($ace in (ConvertFrom-RdsSddl -Sddl $Sddl).Aces) {
        if ($ace.Type -eq 'A' -and $ace.FlagList -cnotcontains 'IO' -and $ace.Sid -eq $sidUpper) { $granted = $granted -bor [long]$ace.Mask }
    }
    return (($granted -band $wanted) -eq $wanted)
}

# Runs a script block with SeTakeOwnershipPrivilege and SeRestorePrivilege enabled, then puts each back as it was.
function Invoke-RdsWithSecurityPrivilege {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $enabled = [System.Collections.Generic.List[string]]::new()
    try {
        foreach ($privilege in @('SeTakeOwnershipPrivilege', 'SeRestorePrivilege')) {
            if (-not [bool](Enable-RdsPrivilege -Name $privilege)) { $enabled.Add($privilege) }
        }
        & $ScriptBlock
    } finally {
        for ($i = $enabled.Count - 1; $i -ge 0; $i--) {
            try { Disable-RdsPrivilege -Name $enabled[$i] }
            catch { Write-Warning ('rdsplan: disabling ' + $enabled[$i] + ' failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
        }
    }
}

# Adds an allow entry for a SID (this key and its subkeys) to a key's DACL, also when that DACL is not in canonical order.
function Grant-RdsRegistryAccess {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $Sid,
        [Parameter(Mandatory)] [string] $Rights)
    $sddl = Get-RdsRegistrySddl -Path $Path -View $View
    if (Test-RdsSddlCanonical -Sddl $sddl) {
        Add-RdsRegistryAccessRule -Path $Path -View $View -Sid $Sid -Rights $Rights
        return
    }
    $mask = ConvertFrom-RdsRegistryRight -Rights $Rights
    $ace = '(A;CI;0x' + $mask.ToString('x', [System.Globalization.CultureInfo]::InvariantCulture) + ';;;' + (ConvertTo-RdsSid -Trustee $Sid) + ')'
    # Not canonical means it has entries, so there is a DACL section (the last one counts).
    $dacl = @((Get-RdsSddlSection -Sddl $sddl) | Where-Object { $_.Name -ceq 'D' })[-1]
    $insertAt = $dacl.Start + $sddl.Substring($dacl.Start, $dacl.Length).IndexOf('(')
    Set-RdsRegistrySddl -Path $Path -View $View -Sddl ($sddl.Substring(0, $insertAt) + $ace + $sddl.Substring($insertAt))
}

# Puts a saved SDDL back on a key (owner, group, DACL) and verifies the read-back.
function Restore-RdsRegistrySecurity {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [string] $Sddl)
    try { $current = Get-RdsRegistrySddl -Path $Path -View $View } catch { $current = $null }
    if ($null -ne $current -and (Test-RdsSddlEquivalent -Expected $Sddl -Actual $current)) { return }
    Invoke-RdsWithSecurityPrivilege -ScriptBlock {
        Set-RdsRegistryOwner -Path $Path -View $View -Sid 'S-1-5-32-544'
        Set-RdsRegistrySddl -Path $Path -View $View -Sddl $Sddl
        $readBack = Get-RdsRegistrySddl -Path $Path -View $View
        $differences = @(Compare-RdsSddl -Expected $Sddl -Actual $readBack)
        if ($differences.Length -gt 0) {
            throw ('the security descriptor read back differs from the one restored: ' + ($differences -join '; ') + ' (restored ' + $Sddl + ', read back ' + $readBack + ') (' + $Path + ')')
        }
    }
}

# Runs a registry write; when it fails, retries once with temporary ownership of the key.
function Invoke-RdsRegistryWrite {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $View, [Parameter(Mandatory)] [scriptblock] $Write)
    try {
        & $Write
        return
    } catch { $firstError = $_ }
    try { $savedSddl = Get-RdsRegistrySddl -Path $Path -View $View } catch { throw $firstError }
    try {
        Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            try {
                Set-RdsRegistryOwner -Path $Path -View $View -Sid 'S-1-5-32-544'
                Grant-RdsRegistryAccess -Path $Path -View $View -Sid 'S-1-5-32-544' -Rights 'FullControl'
                & $Write
            } finally { Set-RdsRegistrySddl -Path $Path -View $View -Sddl $savedSddl }
        }
    } catch {
        Write-Warning ('rdsplan: retry with temporary ownership failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        throw $firstError
    }
}
