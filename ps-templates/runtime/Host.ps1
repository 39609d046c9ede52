# rdsplan runtime: what New-RdsPlanContext makes sure of on the host before a run may start,
# and the journal's completion marker. The platform answers (Test-RdsElevation, Lock-RdsHost,
# Get-RdsDirectorySecurity); what the answers mean is decided here.
#
# - Elevation first: a token without Administrators cannot create the Global\ host lock, and
#   that is not "another run holds the lock" (refused with summary reason 'notElevated', exit 5).
# - The host lock is Acquired, Held (refused, exit 4) or Abandoned: an earlier run died holding
#   it. The run goes on with a warning that names the most recent run folder whose journal has
#   no completion marker (what that run changed) and how to undo it.
# - The backup folder: RDS users log on to this very host, and a folder they can write (or
#   own) could get forged .reg and .sddl backups that an undo would import. It must be owned by
#   SYSTEM or Administrators and grant no one else a right to change it or what is in it; a
#   missing one is created with a protected DACL (New-RdsProtectedDirectory) in apply mode.
#   Anything else refuses the run (exit 4) before anything is written.

$script:RdsTrustedFolderSids = @('S-1-5-18', 'S-1-5-32-544')
# Rights that change a folder or what is in it: FILE_ADD_FILE 0x2, FILE_ADD_SUBDIRECTORY 0x4,
# FILE_WRITE_EA 0x10, FILE_DELETE_CHILD 0x40, FILE_WRITE_ATTRIBUTES 0x100, DELETE 0x10000,
# WRITE_DAC 0x40000, WRITE_OWNER 0x80000, GENERIC_ALL 0x10000000, GENERIC_WRITE 0x40000000.
$script:RdsFolderWriteMask = [long]0x500D0156
$script:RdsCreatorOwnerSid = 'S-1-3-0'
$script:RdsWellKnownSidNames = @{
    'S-1-1-0' = 'Everyone'; 'S-1-5-4' = 'INTERACTIVE'; 'S-1-5-11' = 'Authenticated Users'; 'S-1-5-32-545' = 'BUILTIN\Users'
    'S-1-5-18' = 'SYSTEM'; 'S-1-5-32-544' = 'BUILTIN\Administrators'
}

# Checks that the token is elevated, then takes the host lock; returns Lock-RdsHost's answer (Status 'Acquired' or 'Abandoned'), else ends the run as refused.
function Enter-RdsHostLock {
    param([Parameter(Mandatory)] [hashtable] $Context)
    try { $elevated = [bool](Test-RdsElevation) }
    catch {
        Exit-RdsRefusedRun -Context $Context -Message ('refused: cannot tell whether this PowerShell runs elevated: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + '; nothing was changed')
    }
    if (-not $elevated) {
        Exit-RdsRefusedRun -Context $Context -Reason 'notElevated' -Message ('refused: this PowerShell is not elevated: the token of ' + $Context.UserName + ' holds no enabled Administrators group (S-1-5-32-544), which the host lock, the registry changes and the backups need. Run rdsplan from an elevated PowerShell ("Run as administrator") on ' + $Context.HostName + '; nothing was changed')
    }
    try {
        $lock = Lock-RdsHost -Name 'rdsplan'
        if (-not ($lock -is [System.Collections.IDictionary]) -or @('Acquired', 'Abandoned', 'Held') -cnotcontains [string]$lock['Status']) {
            throw 'Lock-RdsHost gave no status (Acquired, Abandoned or Held)'
        }
    } catch {
        Exit-RdsRefusedRun -Context $Context -Message ('refused: the host lock could not be taken: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + '; nothing was changed')
    }
    if ($lock.Status -eq 'Held') {
        Exit-RdsRefusedRun -Context $Context -Message ('refused: Another rdsplan run holds the host lock (' + [string]$lock.Lock + ') (another rdsplan run is in progress on ' + $Context.HostName + '; nothing was changed)')
    }
    $Context.LockHeld = $true
    return $lock
}

# Returns a SID with its well-known name when it has one: 'S-1-5-32-545 (BUILTIN\Users)'.
function Get-RdsSidLabel {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Sid)
    if ($script:RdsWellKnownSidNames.ContainsKey($Sid)) { return ($Sid + ' (' + $script:RdsWellKnownSidNames[$Sid] + ')') }
    return $Sid
}

# Returns '' when a folder's security keeps it to SYSTEM and Administrators, else why not (its owner, or who else may write).
function Get-RdsDirectoryTrustProblem {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Security)
    $owner = [string]$Security.Owner
    if ($script:RdsTrustedFolderSids -notcontains $owner) {
        return ('it is owned by ' + (Get-RdsSidLabel -Sid $owner) + ', not by SYSTEM or Administrators')
    }
    foreach ($rule in @($Security.Access)) {
        if ($null -eq $rule -or -not [bool]$rule.Allow) { continue }
        $sid = [string]$rule.Sid
        if ($script:RdsTrustedFolderSids -contains $sid) { continue }
        if ($sid -eq $script:RdsCreatorOwnerSid -and [bool]$rule.InheritOnly) { continue }
        if (([long]$rule.Rights -band $script:RdsFolderWriteMask) -eq 0) { continue }
        $what = 'write to it'
        if ([bool]$rule.InheritOnly) { $what = 'write to what is created in it' }
        return ('it lets ' + (Get-RdsSidLabel -Sid $sid) + ' ' + $what + ' (access mask 0x' + ([long]$rule.Rights).ToString('x', [System.Globalization.CultureInfo]::InvariantCulture) + ')')
    }
    return ''
}

# Makes sure the backup folder can be trusted, creating it with a protected DACL in apply mode when missing; returns '' or the refusal message.
function Initialize-RdsBackupDirectory {
    param([Parameter(Mandatory)] [hashtable] $Context)
    $path = [string]$Context.BackupDirectory
    try {
        $security = Get-RdsDirectorySecurity -Path $path
        if ($null -eq $security -and $Context.Mode -eq 'apply') {
            New-RdsProtectedDirectory -Path $path
            $security = Get-RdsDirectorySecurity -Path $path
            if ($null -eq $security) { throw 'it is still missing after it was created' }
        }
    } catch {
        return ('refused: the backup folder ' + $path + ' could not be checked or created: ' + (Get-RdsExceptionMessage -ErrorRecord $_) + '; nothing was changed')
    }
    if ($null -eq $security) { return '' }
    $problem = Get-RdsDirectoryTrustProblem -Security $security
    if ($problem -eq '') { return '' }
    return ('refused: the backup folder ' + $path + ' cannot be trusted: ' + $problem + ', so its backups could be replaced. Nothing was changed: rename the folder and keep it, since it holds the backups earlier runs may need (rdsplan creates a new one, for SYSTEM and Administrators only), or make Administrators its owner and let only SYSTEM and Administrators change it')
}

# Returns $true when a run journal holds the completion marker Complete-RdsPlan writes ({ marker: 'completed' }).
function Test-RdsJournalCompleted {
    param([Parameter(Mandatory)] [string] $Path)
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        if ($line.Trim() -eq '') { continue }
        try { $entry = (ConvertFrom-Json -InputObject $line) } catch { continue }
        if ($null -ne $entry -and $null -ne $entry.PSObject.Properties['marker'] -and [string]$entry.marker -eq 'completed') { return $true }
    }
    return $false
}

# Returns @{ RunId; Journal } of the run folder under the backup folder whose journal was written last and has no completion marker, or $null.
function Find-RdsUnfinishedRun {
    param([Parameter(Mandatory)] [string] $BackupDirectory, [Parameter(Mandatory)] [string] $RunId)
    if (-not [System.IO.Directory]::Exists($BackupDirectory)) { return $null }
    $found = $null
    $foundTime = [System.DateTime]::MinValue
    foreach ($folder in [System.IO.Directory]::GetDirectories($BackupDirectory)) {
        $name = [System.IO.Path]::GetFileName($folder)
        if ([string]::Equals($name, $RunId, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $journal = [System.IO.Path]::Combine($folder, 'journal.jsonl')
        if (-not [System.IO.File]::Exists($journal)) { continue }
        $time = [System.IO.File]::GetLastWriteTimeUtc($journal)
        if ($null -ne $found -and $time -le $foundTime) { continue }
        if (Test-RdsJournalCompleted -Path $journal) { continue }
        $found = @{ RunId = $name; Journal = $journal }
        $foundTime = $time
    }
    return $found
}

# Returns the warning for a host lock an earlier run abandoned: the unfinished run's journal and how to undo it.
function Get-RdsAbandonedLockMessage {
    param([Parameter(Mandatory)] [hashtable] $Context)
    $text = 'the host lock was abandoned: an earlier rdsplan run on ' + $Context.HostName + ' ended without releasing it (killed or crashed)'
    $unfinished = $null
    try { $unfinished = Find-RdsUnfinishedRun -BackupDirectory ([string]$Context.BackupDirectory) -RunId ([string]$Context.RunId) }
    catch {
        return ($text + '; its journal could not be looked for in ' + $Context.BackupDirectory + ': ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    if ($null -eq $unfinished) { return ($text + '; no unfinished run journal is in ' + $Context.BackupDirectory) }
    return ($text + ': run ' + $unfinished.RunId + ' did not finish; its journal ' + $unfinished.Journal + ' lists what it changed. Check the host and undo that run: rdsplan undo <the run record of run ' + $unfinished.RunId + '> (rdsplan runs lists the records)')
}

# Appends the completion marker { runId, time, marker: 'completed' } to the run's journal (apply mode, when the run wrote one).
function Add-RdsJournalCompletion {
    param([Parameter(Mandatory)] [hashtable] $Context)
    if ($Context.Mode -ne 'apply' -or -not [System.IO.File]::Exists($Context.JournalFile)) { return }
    try {
        $line = ConvertTo-RdsJson -InputObject ([ordered]@{ runId = $Context.RunId; time = Get-RdsUtcTimestamp; marker = 'completed' })
        Write-RdsTextFile -Path $Context.JournalFile -Text ($line + "`n") -Append
    } catch { Write-Warning ('rdsplan: writing the journal failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
}
