# rdsplan platform (simulated Windows): SIDs, SDDL, access checks, token privileges, and the
# public key-security functions (Get/Set-RdsRegistrySddl, Set-RdsRegistryOwner,
# Add-RdsRegistryAccessRule, Enable/Disable-RdsPrivilege).
#
# The model follows DOMAIN.md "Taking ownership": a key's owner, group and DACL are held as
# an SDDL string: as the state file gives it until a write, then as Windows stores what
# SetSecurityInfo is given (DOMAIN.md "ACL write-back"): SIDs as their aliases, the DACL marked
# auto-inherited (D:P( reads back D:PAI(), explicit entries first in their own order, inherited
# entries derived from the parent again (and passed on to the subkeys) unless the DACL is
# protected. Like RegistrySecurity.AddAccessRule, Add-RdsRegistryAccessRule refuses a DACL
# that is not in canonical order.
# Access checks use the DACL's allow/deny ACEs that apply to the key itself (not inherit-only)
# and whose SID is the token's user or one of its groups; the owner implicitly has
# READ_CONTROL and WRITE_DAC; an enabled SeTakeOwnershipPrivilege grants WRITE_OWNER; an owner
# that is not in the token can only be set with SeRestorePrivilege enabled.

$script:RdsSimKeyQueryValue = [long]0x1
$script:RdsSimKeySetValue = [long]0x2
$script:RdsSimKeyCreateSubKey = [long]0x4
$script:RdsSimKeyEnumerateSubKeys = [long]0x8
$script:RdsSimDelete = [long]0x10000
$script:RdsSimReadControl = [long]0x20000
$script:RdsSimWriteDac = [long]0x40000
$script:RdsSimWriteOwner = [long]0x80000
$script:RdsSimKeyRead = [long]0x20019
$script:RdsSimKeyWrite = [long]0x20006
$script:RdsSimKeyAll = [long]0xF003F
$script:RdsSimRootSddl = 'O:SYG:SYD:P(A;;KA;;;SY)(A;;KR;;;BA)(A;;KR;;;BU)'
$script:RdsSimTopLevelSddl = 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)'

# Returns the SDDL SID aliases (two letters) and their SIDs.
function Get-RdsSimSidAliasTable {
    [CmdletBinding()] param()
    return @{
        AC = 'S-1-15-2-1'; AN = 'S-1-5-7'; AO = 'S-1-5-32-548'; AU = 'S-1-5-11'; BA = 'S-1-5-32-544'
        BG = 'S-1-5-32-546'; BO = 'S-1-5-32-551'; BU = 'S-1-5-32-545'; CG = 'S-1-3-1'; CO = 'S-1-3-0'
        CY = 'S-1-5-32-569'; ER = 'S-1-5-32-573'; HA = 'S-1-5-32-578'; IS = 'S-1-5-32-568'; IU = 'S-1-5-4'
        LS = 'S-1-5-19'; LU = 'S-1-5-32-559'; MU = 'S-1-5-32-558'; NO = 'S-1-5-32-556'; NS = 'S-1-5-20'
        NU = 'S-1-5-2'; OW = 'S-1-3-4'; PS = 'S-1-5-10'; PU = 'S-1-5-32-547'; RA = 'S-1-5-32-575'
        RC = 'S-1-5-12'; RD = 'S-1-5-32-555'; RE = 'S-1-5-32-552'; RM = 'S-1-5-32-580'; RU = 'S-1-5-32-554'
        SO = 'S-1-5-32-549'; SU = 'S-1-5-6'; SY = 'S-1-5-18'; WD = 'S-1-1-0'; WR = 'S-1-5-33'
    }
}

# Returns the SID string ('S-1-5-20') of a SID or an SDDL alias ('NS'); throws on anything else.
function ConvertTo-RdsSimSid {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sid)
    if ($Sid -match '\A[Ss]-1(-[0-9]+)+\z') { return ('S' + $Sid.Substring(1)) }
    if ($Sid.Length -eq 2) {
        $aliases = Get-RdsSimSidAliasTable
        $upper = $Sid.ToUpperInvariant()
        if ($aliases.ContainsKey($upper)) { return $aliases[$upper] }
    }
    throw ("Value was invalid. (SID '" + $Sid + "')")
}

# Returns the SDDL form of a SID: its two-letter alias when it has one (as Windows writes it), else the SID.
function ConvertTo-RdsSimSddlSid {
    param([Parameter(Mandatory)] [string] $Sid)
    $full = ConvertTo-RdsSimSid -Sid $Sid
    $aliases = Get-RdsSimSidAliasTable
    foreach ($entry in $aliases.GetEnumerator()) { if ($entry.Value -eq $full) { return [string]$entry.Key } }
    return $full
}

# Parses SDDL into @{ Owner; Group; DaclPresent; DaclFlags; Aces; Sacl } (cached; treat as read-only).
function Get-RdsSimParsedSddl {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sddl)
    if ($script:RdsSimSddlCache.ContainsKey($Sddl)) { return $script:RdsSimSddlCache[$Sddl] }
    $invalid = "The SDDL form of a security descriptor object is invalid. ($Sddl)"
    $parsed = @{ Owner = $null; Group = $null; DaclPresent = $false; DaclFlags = ''; Aces = [System.Collections.Generic.List[hashtable]]::new(); Sacl = $null }
    $s = $Sddl
    $n = $s.Length
    $i = 0
    if ($n -eq 0) { throw $invalid }
    while ($i -lt $n) {
        if ($i + 1 -ge $n -or $s[$i + 1] -ne [char]':') { throw $invalid }
        $section = [string]$s[$i]
        $i += 2
        $colon = $s.IndexOf(':', $i)
        $end = $n
        if ($colon -ge 0) { $end = $colon - 1 }
        if ($end -lt $i) { throw $invalid }
        $text = $s.Substring($i, $end - $i)
        switch -CaseSensitive ($section) {
            'O' {
                if ($null -ne $parsed.Owner -or $text -eq '') { throw $invalid }
                try { [void](ConvertTo-RdsSimSid -Sid $text) }
                catch { throw $invalid }
                $parsed.Owner = $text
            }
            'G' {
                if ($null -ne $parsed.Group -or $text -eq '') { throw $invalid }
                try { [void](ConvertTo-RdsSimSid -Sid $text) }
                catch { throw $invalid }
                $parsed.Group = $text
            }
            'D' {
                if ($parsed.DaclPresent) { throw $invalid }
                $parsed.DaclPresent = $true
                $open = $text.IndexOf('(')
                $flags = $text
                $aceText = ''
                if ($open -ge 0) {
                    $flags = $text.Substring(0, $open)
                    $aceText = $text.Substring($open)
                }
                if ($flags -cnotmatch '\A(P|AI|AR|NO_ACCESS_CONTROL)*\z') { throw $invalid }
                $parsed.DaclFlags = $flags
                $position = 0
                while ($position -lt $aceText.Length) {
                    if ($aceText[$position] -ne [char]'(') { throw $invalid }
                    $close = $aceText.IndexOf(')', $position)
                    if ($close -lt 0) { throw $invalid }
                    $fields = $aceText.Substring($position + 1, $close - $position - 1).Split(';')
                    if ($fields.Length -lt 6) { throw $invalid }
                    $flagTokens = [System.Collections.Generic.List[string]]::new()
                    $flagText = $fields[1]
                    if (($flagText.Length % 2) -ne 0) { throw $invalid }
                    for ($f = 0; $f -lt $flagText.Length; $f += 2) {
                        $token = $flagText.Substring($f, 2)
                        if (@('OI', 'CI', 'NP', 'IO', 'ID', 'SA', 'FA', 'TP', 'CR') -cnotcontains $token) { throw $invalid }
                        $flagTokens.Add($token)
                    }
                    [void](ConvertTo-RdsSimAccessMask -Rights $fields[2] -Sddl $Sddl)
                    try { [void](ConvertTo-RdsSimSid -Sid $fields[5]) }
                    catch { throw $invalid }
                    $parsed.Aces.Add(@{ Type = $fields[0]; Flags = $flagTokens.ToArray(); Rights = $fields[2]; Sid = $fields[5]; Fields = $fields })
                    $position = $close + 1
                }
            }
            'S' {
                if ($null -ne $parsed.Sacl) { throw $invalid }
                $parsed.Sacl = $text
            }
            default { throw $invalid }
        }
        $i = $end
    }
    $script:RdsSimSddlCache[$Sddl] = $parsed
    return $parsed
}

# Composes SDDL from parsed parts (owner, group, DACL flags and ACEs, SACL).
function ConvertTo-RdsSimSddlText {
    [CmdletBinding()] param(
        [AllowNull()] [string] $Owner,
        [AllowNull()] [string] $Group,
        [bool] $DaclPresent,
        [AllowEmptyString()] [string] $DaclFlags = '',
        [AllowEmptyCollection()] [object[]] $Aces = @(),
        [AllowNull()] [object] $Sacl
    )
    $builder = [System.Text.StringBuilder]::new()
    if (-not [string]::IsNullOrEmpty($Owner)) { [void]$builder.Append('O:').Append($Owner) }
    if (-not [string]::IsNullOrEmpty($Group)) { [void]$builder.Append('G:').Append($Group) }
    if ($DaclPresent) {
        [void]$builder.Append('D:').Append($DaclFlags)
        foreach ($ace in $Aces) { [void]$builder.Append('(').Append(($ace.Fields -join ';')).Append(')') }
    }
    if ($null -ne $Sacl) { [void]$builder.Append('S:').Append($Sacl) }
    return $builder.ToString()
}

# Returns an ACE hashtable (as Get-RdsSimParsedSddl makes them).
function New-RdsSimAce {
    param([Parameter(Mandatory)] [string] $Type, [Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Flags,
        [Parameter(Mandatory)] [string] $Rights, [Parameter(Mandatory)] [string] $Sid)
    $ordered = [System.Collections.Generic.List[string]]::new()
    foreach ($token in @('OI', 'CI', 'NP', 'IO', 'ID', 'SA', 'FA')) { if ($Flags -ccontains $token) { $ordered.Add($token) } }
    $flagArray = $ordered.ToArray()
    return @{ Type = $Type; Flags = $flagArray; Rights = $Rights; Sid = $Sid; Fields = [string[]]@($Type, ($flagArray -join ''), $Rights, '', '', $Sid) }
}

# Converts SDDL rights text ('KA', 'KR', 'RCWD', '0x20019') to an access mask.
function ConvertTo-RdsSimAccessMask {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Rights, [AllowEmptyString()] [string] $Sddl = '')
    $invalid = "The SDDL form of a security descriptor object is invalid. ($Sddl)"
    if ($Rights -match '\A0[xX][0-9a-fA-F]{1,8}\z') { return [System.Convert]::ToInt64($Rights.Substring(2), 16) }
    if ($Rights -match '\A[0-9]{1,10}\z') { return [long]$Rights }
    if ($Rights.Length -eq 0 -or ($Rights.Length % 2) -ne 0) { throw $invalid }
    # Masks in decimal (GA 0x10000000, GR 0x80000000, GW 0x40000000, GX 0x20000000, RC 0x20000,
    # SD 0x10000, WD 0x40000, WO 0x80000, KA 0xF003F, KR/KX 0x20019, KW 0x20006, FA 0x1F01FF, ...).
    $map = @{
        GA = [long]268435456; GR = [long]2147483648; GW = [long]1073741824; GX = [long]536870912
        RC = [long]131072; SD = [long]65536; WD = [long]262144; WO = [long]524288
        CC = [long]1; DC = [long]2; LC = [long]4; SW = [long]8; RP = [long]16; WP = [long]32; DT = [long]64; LO = [long]128; CR = [long]256
        KA = [long]983103; KR = [long]131097; KW = [long]131078; KX = [long]131097
        FA = [long]2032127; FR = [long]1179785; FW = [long]1179926; FX = [long]1179808
    }
    $mask = [long]0
    for ($i = 0; $i -lt $Rights.Length; $i += 2) {
        $token = $Rights.Substring($i, 2)
        if (-not $map.ContainsKey($token) -or $token -cne $token.ToUpperInvariant()) { throw $invalid }
        $mask = $mask -bor [long]$map[$token]
    }
    return $mask
}

# Converts an access mask to SDDL rights text as Windows writes it for keys (KA, KR, KW, else hex).
function ConvertTo-RdsSimRightsText {
    param([Parameter(Mandatory)] [long] $Mask)
    if ($Mask -eq $script:RdsSimKeyAll) { return 'KA' }
    if ($Mask -eq $script:RdsSimKeyRead) { return 'KR' }
    if ($Mask -eq $script:RdsSimKeyWrite) { return 'KW' }
    return ('0x' + $Mask.ToString('x', [System.Globalization.CultureInfo]::InvariantCulture))
}

# Converts RegistryRights names ('FullControl', 'ReadKey, WriteKey') or a number to an access mask.
function ConvertTo-RdsSimRegistryRightsMask {
    param([Parameter(Mandatory)] [string] $Rights)
    $names = @{
        QueryValues = [long]1; SetValue = [long]2; CreateSubKey = [long]4; EnumerateSubKeys = [long]8; Notify = [long]16
        CreateLink = [long]32; Delete = [long]65536; ReadPermissions = [long]131072; WriteKey = [long]131078
        ExecuteKey = [long]131097; ReadKey = [long]131097; ChangePermissions = [long]262144; TakeOwnership = [long]524288; FullControl = [long]983103
    }
    $invalid = 'Cannot convert value "' + $Rights + '" to type "System.Security.AccessControl.RegistryRights".'
    if ($Rights -match '\A\s*[0-9]+\s*\z') { return [long]$Rights.Trim() }
    $mask = [long]0
    foreach ($part in $Rights.Split(',')) {
        $name = $part.Trim()
        if (-not $names.ContainsKey($name)) { throw $invalid }
        $mask = $mask -bor [long]$names[$name]
    }
    if ($mask -eq 0) { throw $invalid }
    return $mask
}

# Returns the SIDs of the simulated token (user and groups) as a case-insensitive set.
function Get-RdsSimTokenSidSet {
    param([Parameter(Mandatory)] [hashtable] $State)
    $set = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    [void]$set.Add($State.Token.user)
    foreach ($group in $State.Token.groups) { [void]$set.Add($group) }
    return , $set
}

# Returns $true when the simulated token holds the privilege and it is enabled.
function Test-RdsSimPrivilegeEnabled {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Name)
    $privilege = Get-RdsSimMember -Table $State.Token.privileges -Name $Name
    return ($null -ne $privilege -and $privilege.held -and $privilege.enabled)
}

# Returns the access mask the simulated token is granted on a security descriptor.
function Get-RdsSimGrantedAccess {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Sddl)
    $parsed = Get-RdsSimParsedSddl -Sddl $Sddl
    $sids = Get-RdsSimTokenSidSet -State $State
    $granted = [long]0
    if (-not $parsed.DaclPresent -or $parsed.DaclFlags.Contains('NO_ACCESS_CONTROL')) { $granted = [long]0x1F003F }
    else {
        $denied = [long]0
        foreach ($ace in $parsed.Aces) {
            if ($ace.Flags -ccontains 'IO') { continue }
            if (-not $sids.Contains((ConvertTo-RdsSimSid -Sid $ace.Sid))) { continue }
            $mask = ConvertTo-RdsSimAccessMask -Rights $ace.Rights -Sddl $Sddl
            # Generic rights (GA 0x10000000, GR 0x80000000, GW 0x40000000, GX 0x20000000) map to
            # the key rights. Decimal literals: the tree-sitter grammar of `rdsplan verify`
            # does not know the 0x...L form.
            $specific = $mask -band [long]268435455
            if ($mask -band [long]268435456) { $specific = $specific -bor $script:RdsSimKeyAll }
            if ($mask -band [long]2147483648) { $specific = $specific -bor $script:RdsSimKeyRead }
            if ($mask -band [long]1073741824) { $specific = $specific -bor $script:RdsSimKeyWrite }
            if ($mask -band [long]536870912) { $specific = $specific -bor $script:RdsSimKeyRead }
            if ($ace.Type -ceq 'A') { $granted = $granted -bor ($specific -band (-bnot $denied)) }
            elseif ($ace.Type -ceq 'D') { $denied = $denied -bor ($specific -band (-bnot $granted)) }
        }
    }
    if ($null -ne $parsed.Owner -and $sids.Contains((ConvertTo-RdsSimSid -Sid $parsed.Owner))) {
        $granted = $granted -bor $script:RdsSimReadControl -bor $script:RdsSimWriteDac
    }
    if (Test-RdsSimPrivilegeEnabled -State $State -Name 'SeTakeOwnershipPrivilege') { $granted = $granted -bor $script:RdsSimWriteOwner }
    return $granted
}

# Throws "Requested registry access is not allowed. (<path>)" unless the token is granted the access on the key.
function Assert-RdsSimKeyAccess {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Key, [Parameter(Mandatory)] [long] $Desired,
        [Parameter(Mandatory)] [string] $Target, [string] $MessageId = 'RegistryAccess')
    $granted = Get-RdsSimGrantedAccess -State $State -Sddl $Key.Sddl
    if (($Desired -band (-bnot $granted)) -ne 0) { throw (Get-RdsSimMessage -Id $MessageId -Target $Target) }
}

# Returns the ACEs a subkey inherits from its parent's SDDL: the container-inheritable ones, marked inherited (ID).
function Get-RdsSimInheritableAce {
    param([Parameter(Mandatory)] [string] $ParentSddl)
    $parent = Get-RdsSimParsedSddl -Sddl $ParentSddl
    $aces = [System.Collections.Generic.List[object]]::new()
    foreach ($ace in $parent.Aces) {
        if (-not ($ace.Flags -ccontains 'CI')) { continue }
        if ($ace.Flags -ccontains 'NP') { $aces.Add((New-RdsSimAce -Type $ace.Type -Flags @('ID') -Rights $ace.Rights -Sid $ace.Sid)) }
        elseif (($ace.Flags -ccontains 'IO') -and ($ace.Sid -eq 'CO' -or $ace.Sid -eq 'CG' -or $ace.Sid -eq 'S-1-3-0' -or $ace.Sid -eq 'S-1-3-1')) {
            $aces.Add((New-RdsSimAce -Type $ace.Type -Flags @('CI', 'IO', 'ID') -Rights $ace.Rights -Sid $ace.Sid))
        } else { $aces.Add((New-RdsSimAce -Type $ace.Type -Flags @('CI', 'ID') -Rights $ace.Rights -Sid $ace.Sid)) }
    }
    return , $aces.ToArray()
}

# Returns the SDDL of a new subkey: owner Administrators (when in the token, else the user), group SYSTEM, the parent's container-inheritable ACEs marked inherited (ID).
function Get-RdsSimInheritedSddl {
    param([Parameter(Mandatory)] [hashtable] $State, [AllowNull()] [AllowEmptyString()] [string] $ParentSddl, [switch] $Loading)
    if ([string]::IsNullOrEmpty($ParentSddl) -or $ParentSddl -eq $script:RdsSimRootSddl) { return $script:RdsSimTopLevelSddl }
    $parent = Get-RdsSimParsedSddl -Sddl $ParentSddl
    $owner = 'BA'
    if ($Loading) { $owner = $parent.Owner }
    elseif (-not ($State.Token.groups -contains 'S-1-5-32-544')) { $owner = ConvertTo-RdsSimSddlSid -Sid $State.Token.user }
    $group = 'SY'
    if ($Loading -and $null -ne $parent.Group) { $group = $parent.Group }
    return (ConvertTo-RdsSimSddlText -Owner $owner -Group $group -DaclPresent $true -DaclFlags 'AI' -Aces (Get-RdsSimInheritableAce -ParentSddl $ParentSddl) -Sacl $null)
}

# Returns $true when DACL entries are in canonical order (explicit deny, explicit allow, then inherited), the order RegistrySecurity can change.
function Test-RdsSimDaclCanonical {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Aces)
    $stage = 0
    foreach ($ace in $Aces) {
        $aceStage = 2
        if (-not ($ace.Flags -ccontains 'ID')) {
            if ($ace.Type -ceq 'D') { $aceStage = 0 }
            elseif ($ace.Type -ceq 'A') { $aceStage = 1 }
            else { return $false }
        }
        if ($aceStage -lt $stage) { return $false }
        $stage = $aceStage
    }
    return $true
}

# Returns @{ Flags; Aces } of a DACL as Windows stores it when SetSecurityInfo writes it to a key.
function Get-RdsSimWrittenDacl {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $DaclFlags, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Aces)
    if ($DaclFlags.Contains('NO_ACCESS_CONTROL')) { return @{ Flags = $DaclFlags; Aces = $Aces } }
    $protected = $DaclFlags.Contains('P')
    $given = [System.Collections.Generic.List[object]]::new()
    $explicit = [System.Collections.Generic.List[object]]::new()
    $inherited = [System.Collections.Generic.List[object]]::new()
    $crossing = $false
    foreach ($ace in $Aces) {
        $rights = $ace.Rights
        if ($rights -match '\A(0[xX][0-9a-fA-F]+|[0-9]+)\z') { $rights = ConvertTo-RdsSimRightsText -Mask (ConvertTo-RdsSimAccessMask -Rights $rights) }
        $written = New-RdsSimAce -Type $ace.Type -Flags $ace.Flags -Rights $rights -Sid (ConvertTo-RdsSimSddlSid -Sid $ace.Sid)
        $given.Add($written)
        if ($written.Flags -ccontains 'ID') {
            $inherited.Add($written)
            continue
        }
        $explicit.Add($written)
        foreach ($earlier in $inherited) { if ($earlier.Type -cne $written.Type) { $crossing = $true } }
    }
    $ordered = $given
    if ($crossing) { $protected = $true }
    else {
        $ordered = $explicit
        if (-not $protected) {
            $parent = Get-RdsSimKey -State $State -Physical $Physical.Substring(0, $Physical.LastIndexOf('\'))
            $inherited = [System.Collections.Generic.List[object]]::new([object[]](Get-RdsSimInheritableAce -ParentSddl $parent.Sddl))
        }
        $ordered.AddRange($inherited)
    }
    $flags = 'AI'
    if ($protected) { $flags = 'PAI' }
    return @{ Flags = $flags; Aces = $ordered.ToArray() }
}

# Stores a key's new owner, group and DACL as Windows writes them (Get-RdsSimWrittenDacl) and passes its inheritable entries on to the subkeys that inherit.
function Set-RdsSimKeyDacl {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [hashtable] $Key, [AllowNull()] [string] $Owner,
        [AllowNull()] [string] $Group, [Parameter(Mandatory)] [AllowEmptyString()] [string] $DaclFlags,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Aces, [AllowNull()] [object] $Sacl)
    if (-not [string]::IsNullOrEmpty($Owner)) { $Owner = ConvertTo-RdsSimSddlSid -Sid $Owner }
    if (-not [string]::IsNullOrEmpty($Group)) { $Group = ConvertTo-RdsSimSddlSid -Sid $Group }
    $dacl = Get-RdsSimWrittenDacl -State $State -Physical $Key.Path -DaclFlags $DaclFlags -Aces $Aces
    $Key.Sddl = ConvertTo-RdsSimSddlText -Owner $Owner -Group $Group -DaclPresent $true -DaclFlags $dacl.Flags -Aces $dacl.Aces -Sacl $Sacl
    Update-RdsSimSubkeyDacl -State $State -Physical $Key.Path
}

# Automatic propagation: derives the inherited entries of a key's subkeys again (those whose DACL is not protected), and of their subkeys where that changed something.
function Update-RdsSimSubkeyDacl {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Physical)
    foreach ($childPath in (Get-RdsSimSubkeyPath -State $State -Physical $Physical)) {
        $child = $State.RegKeys[$childPath]
        $parsed = Get-RdsSimParsedSddl -Sddl $child.Sddl
        if (-not $parsed.DaclPresent -or $parsed.DaclFlags.Contains('P') -or $parsed.DaclFlags.Contains('NO_ACCESS_CONTROL')) { continue }
        $explicit = @($parsed.Aces | Where-Object { -not ($_.Flags -ccontains 'ID') })
        $dacl = Get-RdsSimWrittenDacl -State $State -Physical $child.Path -DaclFlags $parsed.DaclFlags -Aces $explicit
        $text = ConvertTo-RdsSimSddlText -Owner $parsed.Owner -Group $parsed.Group -DaclPresent $true -DaclFlags $dacl.Flags -Aces $dacl.Aces -Sacl $parsed.Sacl
        if ($text -ceq $child.Sddl) { continue }
        $child.Sddl = $text
        Update-RdsSimSubkeyDacl -State $State -Physical $child.Path
    }
}

# Returns the SDDL (Owner, Group, Access) of a simulated registry key, exactly as stored.
function Get-RdsRegistrySddl {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsRegistrySddl' -Path $Path
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimReadControl -Target $Path
    return $key.Sddl
}

# Replaces the owner, group and DACL of a simulated registry key from SDDL, stored as Windows stores it (Get-RdsSimWrittenDacl).
function Set-RdsRegistrySddl {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View,
        [Parameter(Mandatory)] [string] $Sddl)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsRegistrySddl' -Path $Path -Mutating
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    if ($key.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired ($script:RdsSimWriteDac -bor $script:RdsSimWriteOwner -bor $script:RdsSimReadControl) -Target $Path
    try { $new = Get-RdsSimParsedSddl -Sddl $Sddl }
    catch { throw ($_.Exception.Message + ' (' + $Path + ')') }
    $current = Get-RdsSimParsedSddl -Sddl $key.Sddl
    if ($null -ne $new.Owner) { Assert-RdsSimOwnerAllowed -State $state -Owner $new.Owner -Target $Path }
    $owner = $new.Owner
    if ($null -eq $owner) { $owner = $current.Owner }
    $group = $new.Group
    if ($null -eq $group) { $group = $current.Group }
    if (-not $new.DaclPresent) {
        if (-not [string]::IsNullOrEmpty($owner)) { $owner = ConvertTo-RdsSimSddlSid -Sid $owner }
        if (-not [string]::IsNullOrEmpty($group)) { $group = ConvertTo-RdsSimSddlSid -Sid $group }
        $key.Sddl = ConvertTo-RdsSimSddlText -Owner $owner -Group $group -DaclPresent $current.DaclPresent -DaclFlags $current.DaclFlags -Aces $current.Aces.ToArray() -Sacl $current.Sacl
        return
    }
    Set-RdsSimKeyDacl -State $state -Key $key -Owner $owner -Group $group -DaclFlags $new.DaclFlags -Aces $new.Aces.ToArray() -Sacl $current.Sacl
}

# Throws "The security identifier is not allowed to be the owner of this object." unless the SID is the token's user or one of its groups, or SeRestorePrivilege is enabled.
function Assert-RdsSimOwnerAllowed {
    param([Parameter(Mandatory)] [hashtable] $State, [Parameter(Mandatory)] [string] $Owner, [Parameter(Mandatory)] [string] $Target)
    if (Test-RdsSimPrivilegeEnabled -State $State -Name 'SeRestorePrivilege') { return }
    $sids = Get-RdsSimTokenSidSet -State $State
    if (-not $sids.Contains((ConvertTo-RdsSimSid -Sid $Owner))) { throw (Get-RdsSimMessage -Id 'InvalidOwner' -Target $Target) }
}

# Makes a SID the owner of a simulated registry key (needs SeTakeOwnershipPrivilege enabled or WRITE_OWNER in the DACL).
function Set-RdsRegistryOwner {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View,
        [Parameter(Mandatory)] [string] $Sid)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Set-RdsRegistryOwner' -Path $Path -Name $Sid -Mutating
    $ownerText = ConvertTo-RdsSimSddlSid -Sid $Sid
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    if ($key.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired $script:RdsSimWriteOwner -Target $Path
    Assert-RdsSimOwnerAllowed -State $state -Owner $ownerText -Target $Path
    $current = Get-RdsSimParsedSddl -Sddl $key.Sddl
    $key.Sddl = ConvertTo-RdsSimSddlText -Owner $ownerText -Group $current.Group -DaclPresent $current.DaclPresent -DaclFlags $current.DaclFlags -Aces $current.Aces.ToArray() -Sacl $current.Sacl
}

# Adds an Allow rule (this key and subkeys: CI) for a SID to a simulated key's DACL.
function Add-RdsRegistryAccessRule {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [ValidateSet('64', '32', 'Default')] [string] $View,
        [Parameter(Mandatory)] [string] $Sid, [Parameter(Mandatory)] [string] $Rights)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Add-RdsRegistryAccessRule' -Path $Path -Name $Sid -Mutating
    $trustee = ConvertTo-RdsSimSid -Sid $Sid
    $mask = ConvertTo-RdsSimRegistryRightsMask -Rights $Rights
    $key = Get-RdsSimKey -State $state -Physical (Resolve-RdsSimRegistryPath -Path $Path -View $View)
    if ($null -eq $key) { throw (Get-RdsSimMessage -Id 'KeyNotFound' -Target $Path) }
    if ($key.Contains('IsRoot')) { throw (Get-RdsSimMessage -Id 'RegistryAccess' -Target $Path) }
    Assert-RdsSimKeyAccess -State $state -Key $key -Desired ($script:RdsSimWriteDac -bor $script:RdsSimReadControl) -Target $Path
    $current = Get-RdsSimParsedSddl -Sddl $key.Sddl
    if (-not (Test-RdsSimDaclCanonical -Aces $current.Aces.ToArray())) {
        throw ('This access control list is not in canonical form and therefore cannot be modified. (' + $Path + ')')
    }
    $aces = [System.Collections.Generic.List[object]]::new()
    $merged = $false
    $insertAt = -1
    foreach ($ace in $current.Aces) {
        $flagText = $ace.Flags -join ''
        if (-not $merged -and $ace.Type -ceq 'A' -and $flagText -ceq 'CI' -and (ConvertTo-RdsSimSid -Sid $ace.Sid) -eq $trustee) {
            $combined = (ConvertTo-RdsSimAccessMask -Rights $ace.Rights -Sddl $key.Sddl) -bor $mask
            $aces.Add((New-RdsSimAce -Type 'A' -Flags @('CI') -Rights (ConvertTo-RdsSimRightsText -Mask $combined) -Sid $ace.Sid))
            $merged = $true
            continue
        }
        if ($insertAt -lt 0 -and ($ace.Flags -ccontains 'ID')) { $insertAt = $aces.Count }
        $aces.Add($ace)
    }
    if (-not $merged) {
        $newAce = New-RdsSimAce -Type 'A' -Flags @('CI') -Rights (ConvertTo-RdsSimRightsText -Mask $mask) -Sid (ConvertTo-RdsSimSddlSid -Sid $trustee)
        if ($insertAt -lt 0) { $aces.Add($newAce) } else { $aces.Insert($insertAt, $newAce) }
    }
    Set-RdsSimKeyDacl -State $state -Key $key -Owner $current.Owner -Group $current.Group -DaclFlags $current.DaclFlags -Aces $aces.ToArray() -Sacl $current.Sacl
}

# Enables a privilege of the simulated token; returns whether it was enabled before (throws ERROR_NOT_ALL_ASSIGNED's message when the token does not hold it).
function Enable-RdsPrivilege {
    param([Parameter(Mandatory)] [string] $Name)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Enable-RdsPrivilege' -Name $Name
    $privilege = Get-RdsSimMember -Table $state.Token.privileges -Name $Name
    if ($null -eq $privilege -or -not $privilege.held) { throw (Get-RdsSimMessage -Id 'NotAllAssigned' -Target $Name) }
    $wasEnabled = [bool]$privilege.enabled
    $privilege.enabled = $true
    return $wasEnabled
}

# Disables a privilege of the simulated token (nothing happens when it is not held).
function Disable-RdsPrivilege {
    param([Parameter(Mandatory)] [string] $Name)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Disable-RdsPrivilege' -Name $Name
    $privilege = Get-RdsSimMember -Table $state.Token.privileges -Name $Name
    if ($null -ne $privilege) { $privilege.enabled = $false }
}
