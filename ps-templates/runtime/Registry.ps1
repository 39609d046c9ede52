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
        if ($null -ne $value) { $values.Add($value) }
    }
    return , $values.ToArray()
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
    Receives @{ Path; Sddl } for each key whose SDDL differs after recreation, deepest first.
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
    if ($sddl -ne '' -and $sddl -ne (Get-RdsRegistrySddl -Path $path -View $View)) {
        $SecurityQueue.Add(@{ Path = $path; Sddl = $sddl })
    }
}

$script:RdsSddlAliases = @{
    'AN' = 'S-1-5-7'; 'AO' = 'S-1-5-32-548'; 'AU' = 'S-1-5-11'; 'BA' = 'S-1-5-32-544'
    'BG' = 'S-1-5-32-546'; 'BO' = 'S-1-5-32-551'; 'BU' = 'S-1-5-32-545'; 'CG' = 'S-1-3-1'
    'CO' = 'S-1-3-0'; 'ED' = 'S-1-5-9'; 'IU' = 'S-1-5-4'; 'LS' = 'S-1-5-19'; 'NO' = 'S-1-5-32-556'
    'NS' = 'S-1-5-20'; 'NU' = 'S-1-5-2'; 'PS' = 'S-1-5-10'; 'PU' = 'S-1-5-32-547'; 'RC' = 'S-1-5-12'
    'RD' = 'S-1-5-32-555'; 'RU' = 'S-1-5-32-554'; 'SO' = 'S-1-5-32-549'; 'SU' = 'S-1-5-6'
    'SY' = 'S-1-5-18'; 'WD' = 'S-1-1-0'; 'AC' = 'S-1-15-2-1'; 'OW' = 'S-1-3-4'; 'RM' = 'S-1-5-32-580'
}

$script:RdsSddlRights = @{
    'GA' = 0xF003F; 'GR' = 0x20019; 'GW' = 0x20006; 'GX' = 0x20019
    'KA' = 0xF003F; 'KR' = 0x20019; 'KW' = 0x20006; 'KX' = 0x20019
    'RC' = 0x20000; 'SD' = 0x10000; 'WD' = 0x40000; 'WO' = 0x80000
    'CC' = 0x1; 'DC' = 0x2; 'LC' = 0x4; 'SW' = 0x8; 'RP' = 0x10; 'WP' = 0x20; 'DT' = 0x40; 'LO' = 0x80; 'CR' = 0x100
}

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

function ConvertFrom-RdsSddl {
    <#
    .SYNOPSIS
    Reads the owner and the DACL entries of an SDDL string (aliases resolved to SIDs).
    .DESCRIPTION
    Returns @{ Owner = 'S-…' or ''; Aces = @(@{ Type; Flags; Mask; Sid }) }. Only what the
    action templates compare is read: the owner and the access-allowed/denied entries of D:.
    .PARAMETER Sddl
    The SDDL string.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Sddl
    )
    $owner = ''
    $ownerMatch = [regex]::Match($Sddl, '\AO:(?<o>.+?)(?=G:|D:|S:|\z)')
    if ($ownerMatch.Success) { $owner = ConvertTo-RdsSid -Trustee $ownerMatch.Groups['o'].Value }
    $aces = [System.Collections.Generic.List[object]]::new()
    $daclStart = $Sddl.IndexOf('D:')
    if ($daclStart -ge 0) {
        $dacl = $Sddl.Substring($daclStart)
        $saclStart = $dacl.IndexOf('S:')
        if ($saclStart -ge 0) { $dacl = $dacl.Substring(0, $saclStart) }
        foreach ($match in [regex]::Matches($dacl, '\((?<body>[^)]*)\)')) {
            $fields = $match.Groups['body'].Value.Split(';')
            if ($fields.Length -lt 6) { continue }
            $mask = [long]0
            $rightsText = $fields[2]
            if ($rightsText -match '\A0[xX][0-9a-fA-F]+\z') {
                $mask = [System.Convert]::ToInt64($rightsText.Substring(2), 16)
            }
            else {
                for ($i = 0; $i + 1 -lt $rightsText.Length; $i += 2) {
                    $code = $rightsText.Substring($i, 2).ToUpperInvariant()
                    if ($script:RdsSddlRights.ContainsKey($code)) { $mask = $mask -bor [long]$script:RdsSddlRights[$code] }
                }
            }
            $aces.Add(@{ Type = $fields[0].ToUpperInvariant(); Flags = $fields[1].ToUpperInvariant(); Mask = $mask; Sid = ConvertTo-RdsSid -Trustee $fields[5] })
        }
    }
    return @{ Owner = $owner; Aces = $aces.ToArray() }
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
        if ($ace.Type -ne 'A' -or $ace.Flags.Contains('IO')) { continue }
        if ($ace.Sid -ne $sidUpper) { continue }
        $granted = $granted -bor [long]$ace.Mask
    }
    return (($granted -band $wanted) -eq $wanted)
}

function Invoke-RdsWithSecurityPrivilege {
    <#
    .SYNOPSIS
    Runs a script block with SeTakeOwnershipPrivilege and SeRestorePrivilege enabled, disabling both afterwards.
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
            Enable-RdsPrivilege -Name $privilege
            $enabled.Add($privilege)
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

function Restore-RdsRegistrySecurity {
    <#
    .SYNOPSIS
    Puts a saved SDDL back on a key (owner, group, DACL) and verifies the read-back.
    .DESCRIPTION
    Does nothing when the key already has that SDDL. Otherwise, with SeTakeOwnershipPrivilege
    and SeRestorePrivilege enabled: takes ownership as Administrators first (the owner is
    implicitly granted WRITE_DAC, which the saved DACL may not grant), then applies the
    saved SDDL (SeRestorePrivilege allows a foreign owner such as NETWORK SERVICE), then
    reads it back and compares.
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
    if ($null -ne $current -and [string]::Equals($current, $Sddl, [System.StringComparison]::Ordinal)) { return }
    Invoke-RdsWithSecurityPrivilege -ScriptBlock {
        Set-RdsRegistryOwner -Path $Path -View $View -Sid 'S-1-5-32-544'
        Set-RdsRegistrySddl -Path $Path -View $View -Sddl $Sddl
        $readBack = Get-RdsRegistrySddl -Path $Path -View $View
        if (-not [string]::Equals($readBack, $Sddl, [System.StringComparison]::Ordinal)) {
            throw ('the security descriptor read back differs from the one restored: expected ' + $Sddl + ', found ' + $readBack + ' (' + $Path + ')')
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
                Add-RdsRegistryAccessRule -Path $Path -View $View -Sid 'S-1-5-32-544' -Rights 'FullControl'
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
