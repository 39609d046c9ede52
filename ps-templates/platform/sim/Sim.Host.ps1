# rdsplan platform (simulated Windows): the token's elevation and the security of the backup
# folder.
#
# Elevation, as WindowsPrincipal.IsInRole answers it on Windows: the token is elevated when
# Administrators (S-1-5-32-544) is one of its enabled groups. The state's token lists the
# enabled groups, so the token UAC gives an administrator who did not "Run as administrator"
# is a token whose groups lack S-1-5-32-544 (deny-only there) and that holds almost no
# privileges (New-RdsSimDefaultState -Token 'NotElevated'). Lock-RdsHost needs it too.
#
# Folders: the backup folder is a real folder on the machine that runs the simulation; its
# Windows owner and DACL are the state's "folders" (SDDL by full path, case-insensitive).
# New-RdsProtectedDirectory creates it (and its missing parents) with the DACL the Windows
# platform gives (protected: SYSTEM and Administrators full control, inherited by what is
# created inside) and records that. A folder without an entry was made by something else: it
# has what a folder made in C:\ProgramData without a DACL of its own inherits there (owner
# Administrators; Users may create files and folders in it).

$script:RdsSimAdministratorsSid = 'S-1-5-32-544'
$script:RdsSimProtectedFolderSddl = 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
$script:RdsSimInheritedFolderSddl = 'O:BAD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;BU)(A;CIID;0x116;;;BU)'

# Returns $true when the simulated token holds Administrators (S-1-5-32-544) as an enabled group.
function Test-RdsSimElevatedToken {
    param([Parameter(Mandatory)] [hashtable] $State)
    foreach ($group in $State.Token.groups) {
        if ([string]::Equals($group, $script:RdsSimAdministratorsSid, [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
    }
    return $false
}

# Returns $true when the simulated token is elevated (Administrators is one of its enabled groups).
function Test-RdsElevation {
    [CmdletBinding()] param()
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Test-RdsElevation'
    return (Test-RdsSimElevatedToken -State $state)
}

# Returns a folder's full path without a trailing separator: the key of the state's "folders".
function ConvertTo-RdsSimFolderPath {
    param([Parameter(Mandatory)] [string] $Path)
    $full = [System.IO.Path]::GetFullPath($Path)
    $root = [System.IO.Path]::GetPathRoot($full)
    while ($full.Length -gt $root.Length -and ($full.EndsWith([string][System.IO.Path]::DirectorySeparatorChar, [System.StringComparison]::Ordinal) -or $full.EndsWith([string][System.IO.Path]::AltDirectorySeparatorChar, [System.StringComparison]::Ordinal))) {
        $full = $full.Substring(0, $full.Length - 1)
    }
    return $full
}

# Reads the state's "folders" ({ "<path>": { "sddl": "O:…D:…" } }) into a case-insensitive table of full path -> SDDL.
function Import-RdsSimFolderTable {
    param([Parameter(Mandatory)] [hashtable] $Document)
    $table = New-RdsSimDictionary
    $foldersDoc = Get-RdsSimMember -Table $Document -Name 'folders' -Default @{}
    if (-not ($foldersDoc -is [System.Collections.IDictionary])) { throw 'folders: an object of folder path -> { sddl }' }
    foreach ($entry in $foldersDoc.GetEnumerator()) {
        $sddl = [string](Get-RdsSimMember -Table $entry.Value -Name 'sddl' -Default '')
        $parsed = Get-RdsSimParsedSddl -Sddl $sddl
        if ($null -eq $parsed.Owner) { throw ('folders: the SDDL needs an owner (' + [string]$entry.Key + ')') }
        $table[(ConvertTo-RdsSimFolderPath -Path ([string]$entry.Key))] = $sddl
    }
    return $table
}

# Returns $null when the folder does not exist, else its owner and access rules: @{ Owner; Access = @(@{ Sid; Allow; Rights; InheritOnly }) }.
function Get-RdsDirectorySecurity {
    param([Parameter(Mandatory)] [string] $Path)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsDirectorySecurity' -Path $Path
    $full = ConvertTo-RdsSimFolderPath -Path $Path
    if (-not [System.IO.Directory]::Exists($full)) { return $null }
    $sddl = $script:RdsSimInheritedFolderSddl
    if ($state.Folders.Contains($full)) { $sddl = [string]$state.Folders[$full] }
    $parsed = Get-RdsSimParsedSddl -Sddl $sddl
    $access = [System.Collections.Generic.List[hashtable]]::new()
    if (-not $parsed.DaclPresent -or $parsed.DaclFlags.Contains('NO_ACCESS_CONTROL')) {
        $access.Add(@{ Sid = 'S-1-1-0'; Allow = $true; Rights = [long]0x1F01FF; InheritOnly = $false })
    } else {
        foreach ($ace in $parsed.Aces) {
            $access.Add(@{
                    Sid         = ConvertTo-RdsSimSid -Sid $ace.Sid
                    Allow       = ($ace.Type -ceq 'A')
                    Rights      = ConvertTo-RdsSimAccessMask -Rights $ace.Rights -Sddl $sddl
                    InheritOnly = ($ace.Flags -ccontains 'IO')
                })
        }
    }
    return @{ Owner = ConvertTo-RdsSimSid -Sid $parsed.Owner; Access = $access.ToArray() }
}

# Creates a folder and its missing parents with a protected DACL (SYSTEM and Administrators full control, inherited inside), owned by Administrators; nothing when it exists.
function New-RdsProtectedDirectory {
    param([Parameter(Mandatory)] [string] $Path)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'New-RdsProtectedDirectory' -Path $Path
    $full = ConvertTo-RdsSimFolderPath -Path $Path
    if ([System.IO.Directory]::Exists($full)) { return }
    if (-not (Test-RdsSimElevatedToken -State $state)) { throw (Get-RdsSimMessage -Id 'InvalidOwner' -Target $Path) }
    $missing = [System.Collections.Generic.List[string]]::new()
    for ($folder = $full; -not [string]::IsNullOrEmpty($folder) -and -not [System.IO.Directory]::Exists($folder); $folder = [System.IO.Path]::GetDirectoryName($folder)) {
        $missing.Insert(0, $folder)
    }
    foreach ($folder in $missing) {
        [void][System.IO.Directory]::CreateDirectory($folder)
        $state.Folders[$folder] = $script:RdsSimProtectedFolderSddl
    }
    # On Windows the DACL is the folder's own from its creation on: a run killed before it saves
    # must not leave a real folder that every later run reads as made by someone else and refuses.
    if ($state.LockHeld) { Save-RdsSimState -State $state }
}
