# rdsplan runtime: helpers shared by the action templates (parameters, registry data
# comparison, key snapshots, SDDL reading, privileged security changes). They use only the
# platform API, so they work the same on Windows and on the simulated platform.

function Get-RdsParameter {
    <#
    .SYNOPSIS
    Returns a step parameter, or a default when the key is missing or $null (arrays unrolled: wrap in @()).
    .PARAMETER Parameters
    The step's parameters.
    .PARAMETER Name
    The parameter (PascalCase key).
    .PARAMETER Default
    The value to return when the parameter is missing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [string] $Name,
        [AllowNull()] [object] $Default = $null
    )
    # Arrays are written element by element (as any PowerShell output): callers that need an
    # array wrap the call in @(), e.g. @(Get-RdsParameter -Parameters $p -Name 'Servers').
    if ($Parameters.ContainsKey($Name) -and $null -ne $Parameters[$Name]) {
        return $Parameters[$Name]
    }
    return $Default
}

function Get-RdsStepView {
    <#
    .SYNOPSIS
    Returns the registry view of a step ('64', '32' or 'Default' when not given).
    .PARAMETER Parameters
    The step's parameters.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters
    )
    $view = [string](Get-RdsParameter -Parameters $Parameters -Name 'View' -Default 'Default')
    if ($view -eq '') { $view = 'Default' }
    return $view
}

function Assert-RdsNativeRegistryView {
    <#
    .SYNOPSIS
    Throws when this PowerShell is a 32-bit process on 64-bit Windows, where registry view 'Default' is the 32-bit view.
    .DESCRIPTION
    WOW64 redirects a 32-bit process's Default view of HKLM\SOFTWARE to
    HKLM\SOFTWARE\WOW6432Node, and its reg.exe is the 32-bit one: every path of a plan without
    an explicit view, and the keys the actions use themselves (policy keys, service start
    modes), would silently be other keys. New-RdsPlanContext refuses such a run before it
    reads or changes anything (rather than guess a view for each call).
    #>
    [CmdletBinding()]
    param()
    $bitness = Get-RdsProcessBitness
    if ([bool]$bitness.Is64BitOperatingSystem -and -not [bool]$bitness.Is64BitProcess) {
        throw ('this is a 32-bit PowerShell on 64-bit Windows: its registry view Default is the 32-bit view (WOW6432Node) and its reg.exe the 32-bit one; run the script with 64-bit PowerShell (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe or a 64-bit pwsh)')
    }
}

function Test-RdsRegistryDataEqual {
    <#
    .SYNOPSIS
    Compares two canonical registry data values of one type.
    .DESCRIPTION
    String/ExpandString: ordinal; MultiString: element-wise, ordinal; DWord: numeric;
    QWord: numeric (decimal strings); Binary/None: hex, case-insensitive.
    .PARAMETER Type
    The value type.
    .PARAMETER Left
    One canonical value.
    .PARAMETER Right
    The other canonical value.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [string] $Type,
        [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Left,
        [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Right
    )
    if ($null -eq $Left -or $null -eq $Right) {
        return ($null -eq $Left -and $null -eq $Right)
    }
    switch -CaseSensitive ($Type) {
        'MultiString'
        {
            $a = [string[]]@($Left)
            $b = [string[]]@($Right)
            if ($a.Length -ne $b.Length) { return $false }
            for ($i = 0; $i -lt $a.Length; $i++) {
                if (-not [string]::Equals($a[$i], $b[$i], [System.StringComparison]::Ordinal)) { return $false }
            }
            return $true
        }
        'DWord'
        {
            return ([long]$Left -eq [long]$Right)
        }
        'QWord'
        {
            $invariant = [System.Globalization.CultureInfo]::InvariantCulture
            return ([uint64]::Parse([string]$Left, $invariant) -eq [uint64]::Parse([string]$Right, $invariant))
        }
        'Binary'
        {
            return [string]::Equals([string]$Left, [string]$Right, [System.StringComparison]::OrdinalIgnoreCase)
        }
        'None'
        {
            return [string]::Equals([string]$Left, [string]$Right, [System.StringComparison]::OrdinalIgnoreCase)
        }
        default
        {
            return [string]::Equals([string]$Left, [string]$Right, [System.StringComparison]::Ordinal)
        }
    }
}

function ConvertTo-RdsCanonicalData {
    <#
    .SYNOPSIS
    Brings step data into the canonical form of its registry type (DWord -> [long], QWord -> decimal string, Binary -> lowercase hex, MultiString -> string[]).
    .PARAMETER Type
    The value type.
    .PARAMETER Data
    The data as given by the step.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Type,
        [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Data
    )
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    switch -CaseSensitive ($Type) {
        'MultiString'
        {
            if ($null -eq $Data) { return , ([string[]]@()) }
            return , ([string[]]@($Data))
        }
        'DWord'
        {
            $number = [long]$Data
            if ($number -lt 0 -or $number -gt 4294967295) { throw "DWord data $number is outside 0..4294967295" }
            return $number
        }
        'QWord'
        {
            return ([uint64]::Parse([string]$Data, $invariant)).ToString($invariant)
        }
        'Binary'
        {
            return ([string]$Data).ToLowerInvariant()
        }
        'None'
        {
            return ([string]$Data).ToLowerInvariant()
        }
        default
        {
            if ($null -eq $Data) { return '' }
            return [string]$Data
        }
    }
}

function Get-RdsRegistryValueList {
    <#
    .SYNOPSIS
    Returns every value of a key as an array of @{ Name; Type; Data } (empty when the key is absent).
    .DESCRIPTION
    Its callers keep the list to put the values back (the undo of a deletion, a snapshot), so a
    value that could not be put back exactly (Assert-RdsRegistryValueRestorable) is an error.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    The registry view.
    .PARAMETER Filter
    An optional script block deciding by name which values to include.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [scriptblock] $Filter = $null
    )
    $values = [System.Collections.Generic.List[object]]::new()
    foreach ($name in @(Get-RdsRegistryValueName -Path $Path -View $View)) {
        if ($null -ne $Filter -and -not (& $Filter $name)) { continue }
        $value = Get-RdsRegistryValue -Path $Path -Name $name -View $View
        Assert-RdsRegistryValueRestorable -Path $Path -Value $value
        if ($null -ne $value) { $values.Add($value) }
    }
    return , $values.ToArray()
}

function Assert-RdsRegistryValueRestorable {
    <#
    .SYNOPSIS
    Throws when a value could not be put back exactly after it is deleted or overwritten (Type 'Unknown').
    .DESCRIPTION
    RegistryKey.GetValue returns nothing for the kinds .NET does not map (REG_LINK,
    REG_RESOURCE_LIST, REG_FULL_RESOURCE_DESCRIPTOR, REG_RESOURCE_REQUIREMENTS_LIST,
    REG_DWORD_BIG_ENDIAN) and SetValue cannot write them: the platform reads them as Type
    'Unknown' without data. Deleting or overwriting one could not be undone, so the runtime
    refuses to. A $null value (absent) passes.
    .PARAMETER Path
    The key of the value (for the message).
    .PARAMETER Value
    The value as the platform returned it, or $null.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [AllowNull()] [object] $Value
    )
    if ($null -eq $Value -or [string]$Value.Type -cne 'Unknown') { return }
    throw ("refusing to delete or overwrite value '" + [string]$Value.Name + "' (" + $Path + '): it is of a kind .NET cannot read or write (REG_LINK, a resource list or REG_DWORD_BIG_ENDIAN), so it could not be restored exactly; back the key up with reg.exe export and change it by hand')
}

function Assert-RdsRegistryTreeRestorable {
    <#
    .SYNOPSIS
    Throws when a key or one of its subkeys holds a value that could not be restored exactly (see Assert-RdsRegistryValueRestorable).
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    The registry view.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View
    )
    [void](Get-RdsRegistryValueList -Path $Path -View $View)
    foreach ($name in @(Get-RdsRegistrySubkeyName -Path $Path -View $View)) {
        Assert-RdsRegistryTreeRestorable -Path ($Path + '\' + $name) -View $View
    }
}

function Get-RdsRegistryKeySnapshot {
    <#
    .SYNOPSIS
    Captures a key, its values, its SDDL and all its subkeys recursively as plain data.
    .DESCRIPTION
    Returns @{ Path; Sddl; Values = @(@{ Name; Type; Data }); Subkeys = @(<snapshots>) }.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    The registry view.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View
    )
    $subkeys = [System.Collections.Generic.List[object]]::new()
    foreach ($name in @(Get-RdsRegistrySubkeyName -Path $Path -View $View)) {
        $subkeys.Add((Get-RdsRegistryKeySnapshot -Path ($Path + '\' + $name) -View $View))
    }
    return @{
        Path    = $Path
        Sddl    = Get-RdsRegistrySddl -Path $Path -View $View
        Values  = Get-RdsRegistryValueList -Path $Path -View $View
        Subkeys = $subkeys.ToArray()
    }
}

function Restore-RdsRegistryKeySnapshot {
    <#
    .SYNOPSIS
    Recreates a key tree from Get-RdsRegistryKeySnapshot, then its SDDL (bottom-up) where possible.
    .DESCRIPTION
    Values and subkeys are written first, each key's security descriptor last, so a restored
    restrictive ACL does not block the restore itself. Restoring a foreign owner needs
    SeTakeOwnershipPrivilege and SeRestorePrivilege; when they are not held the keys keep the
    default security and a warning says so.
    .PARAMETER Snapshot
    The snapshot.
    .PARAMETER View
    The registry view.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Snapshot,
        [Parameter(Mandatory = $true)] [string] $View
    )
    $pending = [System.Collections.Generic.List[object]]::new()
    Add-RdsRegistryKeyFromSnapshot -Snapshot $Snapshot -View $View -SecurityQueue $pending
    if ($pending.Count -eq 0) { return }
    try {
        Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            foreach ($item in $pending) {
                Set-RdsRegistrySddl -Path $item.Path -View $View -Sddl $item.Sddl
            }
        }
    }
    catch {
        # The data is back; a key whose security could not be restored keeps the default.
        Write-Warning ('rdsplan: restoring the security of recreated keys failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + ' (' + [string]$Snapshot.Path + ')')
    }
}

function Add-RdsRegistryKeyFromSnapshot {
    <#
    .SYNOPSIS
    Recreates one snapshot key with its values and subkeys; queues SDDL restores (children first).
    .PARAMETER Snapshot
    The snapshot of the key.
    .PARAMETER View
    The registry view.
    .PARAMETER SecurityQueue
    Receives @{ Path; Sddl } for each key whose SDDL is not equivalent after recreation (Test-RdsSddlEquivalent), deepest first.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Snapshot,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [System.Collections.Generic.List[object]] $SecurityQueue
    )
    $path = [string]$Snapshot.Path
    New-RdsRegistryKey -Path $path -View $View
    foreach ($value in @($Snapshot['Values'])) {
        if ($null -eq $value) { continue }
        Set-RdsRegistryValue -Path $path -Name ([string]$value.Name) -Type ([string]$value.Type) -Data $value.Data -View $View
    }
    foreach ($child in @($Snapshot.Subkeys)) {
        if ($null -eq $child) { continue }
        Add-RdsRegistryKeyFromSnapshot -Snapshot $child -View $View -SecurityQueue $SecurityQueue
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
    'GA' = 0xF003F; 'GR' = 0x20019; 'GW' = 0x20006; 'GX' = 0x20019
    'KA' = 0xF003F; 'KR' = 0x20019; 'KW' = 0x20006; 'KX' = 0x20019
    'FA' = 0x1F01FF; 'FR' = 0x120089; 'FW' = 0x120116; 'FX' = 0x1200A0
    'RC' = 0x20000; 'SD' = 0x10000; 'WD' = 0x40000; 'WO' = 0x80000
    'CC' = 0x1; 'DC' = 0x2; 'LC' = 0x4; 'SW' = 0x8; 'RP' = 0x10; 'WP' = 0x20; 'DT' = 0x40; 'LO' = 0x80; 'CR' = 0x100
}

# ACE flags in the order Windows writes them; ID (inherited) is not part of an entry's meaning.
$script:RdsSddlAceFlagOrder = @('OI', 'CI', 'NP', 'IO', 'SA', 'FA', 'TP', 'CR')

$script:RdsRegistryRightNames = @{
    'QueryValues' = 0x1; 'SetValue' = 0x2; 'CreateSubKey' = 0x4; 'EnumerateSubKeys' = 0x8; 'Notify' = 0x10
    'CreateLink' = 0x20; 'Delete' = 0x10000; 'ReadPermissions' = 0x20000; 'ChangePermissions' = 0x40000
    'TakeOwnership' = 0x80000; 'ReadKey' = 0x20019; 'ExecuteKey' = 0x20019; 'WriteKey' = 0x20006; 'FullControl' = 0xF003F
}

function ConvertTo-RdsSid {
    <#
    .SYNOPSIS
    Returns the SID string of an SDDL trustee (alias such as 'BA' or a literal SID).
    .PARAMETER Trustee
    The trustee as written in SDDL.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Trustee
    )
    $upper = $Trustee.ToUpperInvariant()
    if ($script:RdsSddlAliases.ContainsKey($upper)) { return $script:RdsSddlAliases[$upper] }
    return $upper
}

function ConvertFrom-RdsRegistryRight {
    <#
    .SYNOPSIS
    Returns the access mask of a RegistryRights name or comma-separated list of names.
    .PARAMETER Rights
    E.g. 'FullControl' or 'ReadKey, SetValue'.
    #>
    [CmdletBinding()]
    [OutputType([long])]
    param(
        [Parameter(Mandatory = $true)] [string] $Rights
    )
    $mask = [long]0
    foreach ($part in $Rights.Split(',')) {
        $name = $part.Trim()
        $found = $false
        foreach ($known in $script:RdsRegistryRightNames.Keys) {
            if ([string]::Equals($known, $name, [System.StringComparison]::OrdinalIgnoreCase)) {
                $mask = $mask -bor [long]$script:RdsRegistryRightNames[$known]
                $found = $true
            }
        }
        if (-not $found) { throw "unknown registry right '$name'" }
    }
    return $mask
}

function Get-RdsSddlSection {
    # The top-level sections of an SDDL string (O:, G:, D:, S:) as @{ Name; Start; Length } of their text after 'X:'.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Sddl
    )
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

function ConvertTo-RdsAccessMask {
    # The access mask of an ACE's rights text: hex ('0x20019'), decimal, or two-letter codes ('KR', 'RCWD').
    [CmdletBinding()]
    [OutputType([long])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Rights
    )
    if ($Rights -match '\A0[xX][0-9a-fA-F]+\z') { return [System.Convert]::ToInt64($Rights.Substring(2), 16) }
    if ($Rights -match '\A[0-9]+\z') { return [long]$Rights }
    $mask = [long]0
    for ($i = 0; $i + 1 -lt $Rights.Length; $i += 2) {
        $code = $Rights.Substring($i, 2).ToUpperInvariant()
        if ($script:RdsSddlRights.ContainsKey($code)) { $mask = $mask -bor [long]$script:RdsSddlRights[$code] }
    }
    return $mask
}

function ConvertFrom-RdsSddl {
    <#
    .SYNOPSIS
    Reads the owner, group and DACL of an SDDL string (aliases resolved to SIDs).
    .DESCRIPTION
    Returns @{ Owner; Group (SIDs, '' when absent); DaclPresent; DaclProtected (the P flag);
    DaclFlags (as written); Aces = @(@{ Type; Flags (as written); FlagList (two-letter tokens);
    Mask; Sid; Object ('<object type>;<inherited object type>'); Inherited (the ID flag) }) }.
    The SACL is not read (the key's SDDL holds Owner, Group and Access).
    .PARAMETER Sddl
    The SDDL string.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Sddl
    )
    $parsed = @{ Owner = ''; Group = ''; DaclPresent = $false; DaclProtected = $false; DaclFlags = ''; Aces = @() }
    $aces = [System.Collections.Generic.List[object]]::new()
    foreach ($section in (Get-RdsSddlSection -Sddl $Sddl)) {
        $text = $Sddl.Substring($section.Start, $section.Length)
        switch -CaseSensitive ($section.Name) {
            'O'
            {
                $parsed.Owner = ConvertTo-RdsSid -Trustee $text
            }
            'G'
            {
                $parsed.Group = ConvertTo-RdsSid -Trustee $text
            }
            'D'
            {
                $parsed.DaclPresent = $true
                $open = $text.IndexOf('(')
                $flags = $text
                if ($open -ge 0) { $flags = $text.Substring(0, $open) }
                $parsed.DaclFlags = $flags
                $parsed.DaclProtected = [regex]::IsMatch($flags.Replace('NO_ACCESS_CONTROL', ''), 'P')
                foreach ($match in [regex]::Matches($text, '\((?<body>[^)]*)\)')) {
                    $fields = $match.Groups['body'].Value.Split(';')
                    if ($fields.Length -lt 6) { continue }
                    $flagText = $fields[1].ToUpperInvariant()
                    $flagList = [System.Collections.Generic.List[string]]::new()
                    for ($f = 0; $f + 1 -lt $flagText.Length; $f += 2) { $flagList.Add($flagText.Substring($f, 2)) }
                    $aces.Add(@{
                            Type      = $fields[0].ToUpperInvariant()
                            Flags     = $flagText
                            FlagList  = $flagList.ToArray()
                            Mask      = ConvertTo-RdsAccessMask -Rights $fields[2]
                            Sid       = ConvertTo-RdsSid -Trustee $fields[5]
                            Object    = $fields[3].ToLowerInvariant() + ';' + $fields[4].ToLowerInvariant()
                            Inherited = ($flagList -ccontains 'ID')
                        })
                }
            }
        }
    }
    $parsed.Aces = $aces.ToArray()
    return $parsed
}

function Test-RdsAceOrderCanonical {
    # True when ACEs are in the order RegistrySecurity accepts for changes: explicit deny, explicit allow, then inherited; any other entry type (audit, unknown) is not.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [object[]] $Aces
    )
    $stage = 0
    foreach ($ace in $Aces) {
        $aceStage = 2
        if (-not $ace.Inherited) {
            switch -CaseSensitive ([string]$ace.Type) {
                { $_ -ceq 'D' -or $_ -ceq 'XD' -or $_ -ceq 'OD' } { $aceStage = 0 }
                { $_ -ceq 'A' -or $_ -ceq 'XA' -or $_ -ceq 'OA' } { $aceStage = 1 }
                default { return $false }
            }
        }
        if ($aceStage -lt $stage) { return $false }
        $stage = $aceStage
    }
    return $true
}

function Test-RdsSddlCanonical {
    <#
    .SYNOPSIS
    Returns $true when the DACL of an SDDL is in canonical order (explicit deny, explicit allow, inherited), so RegistrySecurity.AddAccessRule can change it.
    .DESCRIPTION
    .NET's RegistrySecurity throws InvalidOperationException ("This access control list is not
    in canonical form and therefore cannot be modified.") on AddAccessRule for any other DACL,
    e.g. an allow entry before a deny entry, or an explicit entry after an inherited one. An SDDL
    without a DACL counts as canonical.
    .PARAMETER Sddl
    The SDDL string.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Sddl
    )
    return (Test-RdsAceOrderCanonical -Aces (ConvertFrom-RdsSddl -Sddl $Sddl).Aces)
}

function Get-RdsSddlExplicitAce {
    # The explicit (not inherited) entries of a parsed DACL that grant or deny anything, each as @{ Key ('<type>;<flags>;<object>;<sid>'); Type; Mask; Inherited = $false }.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parsed
    )
    $explicit = [System.Collections.Generic.List[object]]::new()
    foreach ($ace in $Parsed.Aces) {
        if ($ace.Inherited -or [long]$ace.Mask -eq 0) { continue }
        $flags = [System.Collections.Generic.List[string]]::new()
        foreach ($token in $script:RdsSddlAceFlagOrder) {
            if ($ace.FlagList -ccontains $token) { $flags.Add($token) }
        }
        $key = $ace.Type + ';' + ($flags.ToArray() -join '') + ';' + $ace.Object + ';' + $ace.Sid
        $explicit.Add(@{ Key = $key; Type = $ace.Type; Mask = [long]$ace.Mask; Inherited = $false })
    }
    return , $explicit.ToArray()
}

function Format-RdsSddlAce {
    # An explicit entry as text for messages: '(A;CI;0xf003f;;;S-1-5-20)'.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [string] $Key,
        [Parameter(Mandatory = $true)] [long] $Mask
    )
    $parts = $Key.Split(';')
    return ('(' + $parts[0] + ';' + $parts[1] + ';0x' + $Mask.ToString('x', [System.Globalization.CultureInfo]::InvariantCulture) + ';' + $parts[2] + ';' + $parts[3] + ';' + $parts[4] + ')')
}

function Compare-RdsSddl {
    <#
    .SYNOPSIS
    Compares two SDDL strings as Windows security descriptors; returns what differs (nothing when they are equivalent).
    .DESCRIPTION
    SetAccessControl writes through SetSecurityInfo, which imposes the current inheritance model
    (DOMAIN.md "ACL write-back"): a DACL written as D:P(...) reads back as D:PAI(...), inherited
    entries are derived from the parent again and come after the explicit ones, well-known SIDs
    read back as aliases. So the text is not compared. Compared are the owner, the group, whether
    a DACL is present, its protection (P) and its explicit entries: type, flags (without ID),
    rights (generic rights as the key rights they map to) and trustee. Explicit entries in
    canonical order (deny before allow) are compared as a set, entries of one type, flags and
    trustee combined (their order does not change what they grant); in any other order, order
    decides what they grant, so they are compared in order. AI, AR and inherited entries are ignored.
    .PARAMETER Expected
    The SDDL that should be in effect.
    .PARAMETER Actual
    The SDDL read back.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Expected,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Actual
    )
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
        foreach ($ace in $expectedAces) { $expectedSet[$ace.Key] = [long](Get-RdsSddlMaskOf -Set $expectedSet -Key $ace.Key) -bor $ace.Mask }
        $actualSet = [ordered]@{}
        foreach ($ace in $actualAces) { $actualSet[$ace.Key] = [long](Get-RdsSddlMaskOf -Set $actualSet -Key $ace.Key) -bor $ace.Mask }
        foreach ($key in $expectedSet.Keys) {
            if (-not $actualSet.Contains($key)) {
                $differences.Add('explicit entry missing: ' + (Format-RdsSddlAce -Key $key -Mask $expectedSet[$key]))
            }
            elseif ([long]$actualSet[$key] -ne [long]$expectedSet[$key]) {
                $differences.Add('explicit entry with other rights: expected ' + (Format-RdsSddlAce -Key $key -Mask $expectedSet[$key]) + ', found ' + (Format-RdsSddlAce -Key $key -Mask $actualSet[$key]))
            }
        }
        foreach ($key in $actualSet.Keys) {
            if (-not $expectedSet.Contains($key)) { $differences.Add('explicit entry not expected: ' + (Format-RdsSddlAce -Key $key -Mask $actualSet[$key])) }
        }
    }
    else {
        $expectedText = (@($expectedAces | ForEach-Object { Format-RdsSddlAce -Key $_.Key -Mask $_.Mask }) -join '')
        $actualText = (@($actualAces | ForEach-Object { Format-RdsSddlAce -Key $_.Key -Mask $_.Mask }) -join '')
        if (-not [string]::Equals($expectedText, $actualText, [System.StringComparison]::OrdinalIgnoreCase)) {
            $differences.Add('explicit entries (not in canonical order, so compared in order): expected ' + $expectedText + ', found ' + $actualText)
        }
    }
    return $differences.ToArray()
}

function Get-RdsSddlMaskOf {
    # The mask collected so far for an entry key of Compare-RdsSddl's sets (0 when none yet).
    [CmdletBinding()]
    [OutputType([long])]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Set,
        [Parameter(Mandatory = $true)] [string] $Key
    )
    if ($Set.Contains($Key)) { return [long]$Set[$Key] }
    return [long]0
}

function Test-RdsSddlEquivalent {
    <#
    .SYNOPSIS
    Returns $true when two SDDL strings describe the same owner, group, DACL protection and explicit entries (Compare-RdsSddl finds nothing).
    .PARAMETER Expected
    The SDDL that should be in effect.
    .PARAMETER Actual
    The SDDL read back.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Expected,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Actual
    )
    return (@(Compare-RdsSddl -Expected $Expected -Actual $Actual).Length -eq 0)
}

function Test-RdsSddlGrant {
    <#
    .SYNOPSIS
    Returns $true when an SDDL has an allow entry (not inherit-only) for a SID covering the rights.
    .PARAMETER Sddl
    The SDDL string.
    .PARAMETER Sid
    The trustee's SID.
    .PARAMETER Rights
    A RegistryRights name (or comma-separated names).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Sddl,
        [Parameter(Mandatory = $true)] [string] $Sid,
        [Parameter(Mandatory = $true)] [string] $Rights
    )
    $wanted = ConvertFrom-RdsRegistryRight -Rights $Rights
    $parsed = ConvertFrom-RdsSddl -Sddl $Sddl
    $sidUpper = (ConvertTo-RdsSid -Trustee $Sid)
    $granted = [long]0
    foreach ($ace in $parsed.Aces) {
        if ($ace.Type -ne 'A' -or $ace.FlagList -ccontains 'IO') { continue }
        if ($ace.Sid -ne $sidUpper) { continue }
        $granted = $granted -bor [long]$ace.Mask
    }
    return (($granted -band $wanted) -eq $wanted)
}

function Invoke-RdsWithSecurityPrivilege {
    <#
    .SYNOPSIS
    Runs a script block with SeTakeOwnershipPrivilege and SeRestorePrivilege enabled, then puts each back as it was.
    .DESCRIPTION
    Enable-RdsPrivilege reports whether the privilege was enabled before (AdjustTokenPrivileges'
    PreviousState). Only the privileges this call enabled are disabled again afterwards: one
    that was already enabled (a SYSTEM service or agent, an outer call of this function) stays
    enabled.
    .PARAMETER ScriptBlock
    The work to do.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [scriptblock] $ScriptBlock
    )
    $enabled = [System.Collections.Generic.List[string]]::new()
    try {
        foreach ($privilege in @('SeTakeOwnershipPrivilege', 'SeRestorePrivilege')) {
            $wasEnabled = [bool](Enable-RdsPrivilege -Name $privilege)
            if (-not $wasEnabled) { $enabled.Add($privilege) }
        }
        & $ScriptBlock
    }
    finally {
        for ($i = $enabled.Count - 1; $i -ge 0; $i--) {
            try {
                Disable-RdsPrivilege -Name $enabled[$i]
            }
            catch {
                Write-Warning ('rdsplan: disabling ' + $enabled[$i] + ' failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
            }
        }
    }
}

function Grant-RdsRegistryAccess {
    <#
    .SYNOPSIS
    Adds an allow entry for a SID (this key and its subkeys) to a key's DACL, also when that DACL is not in canonical order.
    .DESCRIPTION
    A DACL in canonical order (explicit deny, explicit allow, inherited) is changed with
    Add-RdsRegistryAccessRule (RegistrySecurity.AddAccessRule). AddAccessRule throws
    InvalidOperationException on any other DACL ("This access control list is not in canonical
    form and therefore cannot be modified."), so such a DACL is edited as raw SDDL instead: the
    allow entry goes first, where no entry after it can deny what it grants, the other entries
    keep their order, and the whole descriptor is written with Set-RdsRegistrySddl. That call
    also writes the owner, so it needs WRITE_OWNER and an owner the token may set: the callers
    run it inside Invoke-RdsWithSecurityPrivilege after taking ownership.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    The registry view.
    .PARAMETER Sid
    The trustee's SID.
    .PARAMETER Rights
    A RegistryRights name (or comma-separated names), e.g. 'FullControl'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [string] $Sid,
        [Parameter(Mandatory = $true)] [string] $Rights
    )
    $sddl = Get-RdsRegistrySddl -Path $Path -View $View
    if (Test-RdsSddlCanonical -Sddl $sddl) {
        Add-RdsRegistryAccessRule -Path $Path -View $View -Sid $Sid -Rights $Rights
        return
    }
    $mask = ConvertFrom-RdsRegistryRight -Rights $Rights
    $ace = '(A;CI;0x' + $mask.ToString('x', [System.Globalization.CultureInfo]::InvariantCulture) + ';;;' + (ConvertTo-RdsSid -Trustee $Sid) + ')'
    $insertAt = -1
    foreach ($section in (Get-RdsSddlSection -Sddl $sddl)) {
        if ($section.Name -ceq 'D') { $insertAt = $section.Start + $sddl.Substring($section.Start, $section.Length).IndexOf('(') }
    }
    Set-RdsRegistrySddl -Path $Path -View $View -Sddl ($sddl.Substring(0, $insertAt) + $ace + $sddl.Substring($insertAt))
}

function Restore-RdsRegistrySecurity {
    <#
    .SYNOPSIS
    Puts a saved SDDL back on a key (owner, group, DACL) and verifies the read-back.
    .DESCRIPTION
    Does nothing when the key already has an equivalent descriptor (Test-RdsSddlEquivalent).
    Otherwise, with SeTakeOwnershipPrivilege and SeRestorePrivilege enabled: takes ownership as
    Administrators first (the owner is implicitly granted WRITE_DAC, which the saved DACL may
    not grant), then applies the saved SDDL (SeRestorePrivilege allows a foreign owner such as
    NETWORK SERVICE), then reads it back and compares it with Compare-RdsSddl: Windows reads a
    written DACL back in its own form (D:P( as D:PAI(, inherited entries derived again), so the
    owner, group, protection and explicit entries must match, not the text.
    .PARAMETER Path
    A normalized registry path.
    .PARAMETER View
    The registry view.
    .PARAMETER Sddl
    The SDDL to restore.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [string] $Sddl
    )
    $current = $null
    try {
        $current = Get-RdsRegistrySddl -Path $Path -View $View
    }
    catch {
        $current = $null
    }
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

function Invoke-RdsRegistryWrite {
    <#
    .SYNOPSIS
    Runs a registry write; when it fails, retries once with temporary ownership of the key.
    .DESCRIPTION
    For undo paths: a value deleted from a key whose original ACL was restored afterwards
    (GracePeriod: owned by NETWORK SERVICE, read-only for Administrators) cannot be recreated
    as is. On failure this saves the key's SDDL, takes ownership as Administrators with
    FullControl (SeTakeOwnershipPrivilege, SeRestorePrivilege), runs the write again and puts
    the saved SDDL back whatever happens. When the retry fails too, the first error is thrown.
    .PARAMETER Path
    The key the write needs access to.
    .PARAMETER View
    The registry view.
    .PARAMETER Write
    The write to run (uses only its own variables and the caller's).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $View,
        [Parameter(Mandatory = $true)] [scriptblock] $Write
    )
    $firstError = $null
    try {
        & $Write
        return
    }
    catch {
        $firstError = $_
    }
    $savedSddl = $null
    try {
        $savedSddl = Get-RdsRegistrySddl -Path $Path -View $View
    }
    catch {
        throw $firstError
    }
    $retryWrite = $Write
    try {
        Invoke-RdsWithSecurityPrivilege -ScriptBlock {
            try {
                Set-RdsRegistryOwner -Path $Path -View $View -Sid 'S-1-5-32-544'
                Grant-RdsRegistryAccess -Path $Path -View $View -Sid 'S-1-5-32-544' -Rights 'FullControl'
                & $retryWrite
            }
            finally {
                Set-RdsRegistrySddl -Path $Path -View $View -Sddl $savedSddl
            }
        }
    }
    catch {
        Write-Warning ('rdsplan: retry with temporary ownership failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        throw $firstError
    }
}
