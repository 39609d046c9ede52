# rdsplan runtime, the run's context: the action table, run ids, and the start of a run
# (platform, self-check, host lock, backup folder, start event) or its refusal.
#
# The steps section of a generated script is:
#   $RdsContext = New-RdsPlanContext ... -Cmdlet $PSCmdlet -ApprovalToken $ApprovalToken
#   Invoke-RdsPlanStep -Context $RdsContext -StepId '...' -Action '...' ...   (one per step)
#   Complete-RdsPlan -Context $RdsContext                                     (exits)
#
# Step statuses: changed, unchanged, wouldChange, skipped, failed, rolledBack.
# Exit codes: 0 succeeded (also check mode with pending changes), 1 failed or rolled back,
# 4 refused (tampered script, host lock held, untrusted backup folder, wrong platform option),
# 1 also when the host cannot be read at the start (unreadable state file, a missing cmdlet),
# 5 refused because the PowerShell is not elevated (summary reason 'notElevated').
# The files Runner.*.ps1 split the runner by concern: Context, Step, Deferred, Journal
# (rollback, finalizers, undo), Close (the one teardown every way a run ends goes through).

$script:RdsActionTable = @{}
$script:RdsCurrentContext = $null

# Registers an action template's Test, Set and Undo functions with the runtime.
function Register-RdsAction {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Test, [Parameter(Mandatory)] [string] $Set,
        [Parameter(Mandatory)] [string] $Undo)
    $script:RdsActionTable[$Name] = @{ Name = $Name; Test = $Test; Set = $Set; Undo = $Undo }
}

# Returns a new run id: UTC time 'yyyyMMddTHHmmssfffZ' + '-' + 6 random hex characters.
function New-RdsRunId {
    [CmdletBinding()] param()
    $bytes = [byte[]]::new(3)
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $stamp = [System.DateTime]::UtcNow.ToString('yyyyMMdd\THHmmssfff\Z', [System.Globalization.CultureInfo]::InvariantCulture)
    return $stamp + '-' + (ConvertTo-RdsHexString -Bytes $bytes)
}

# Starts a plan run: platform, self-check, host lock, run folder and the start event.
function New-RdsPlanContext {
    param([Parameter(Mandatory)] [string] $PlanName, [Parameter(Mandatory)] [string] $PlanSha256, [Parameter(Mandatory)] [string] $ToolVersion,
        [ValidateSet('rollback', 'stop', 'continue')] [string] $OnError = 'rollback',
        [ValidateSet('never', 'ifRequired', 'always')] [string] $Reboot = 'never', [AllowEmptyString()] [AllowNull()] [string] $BackupDirectory = '',
        [AllowEmptyString()] [AllowNull()] [string] $RunId = '', [AllowEmptyString()] [AllowNull()] [string] $PlatformOption = '',
        [AllowNull()] [System.Management.Automation.PSCmdlet] $Cmdlet = $null, [AllowEmptyString()] [AllowNull()] [string] $ApprovalToken = '',
        [AllowEmptyString()] [AllowNull()] [string] $TargetName = '', [switch] $Undo)
    $whatIf = [bool]$WhatIfPreference
    if ($null -ne $Cmdlet -and $Cmdlet.MyInvocation.BoundParameters.ContainsKey('WhatIf')) {
        $whatIf = [bool]$Cmdlet.MyInvocation.BoundParameters['WhatIf']
    }
    if ([string]::IsNullOrEmpty($RunId)) { $RunId = New-RdsRunId }
    if ([string]::IsNullOrEmpty($BackupDirectory)) {
        $BackupDirectory = [System.IO.Path]::Combine([System.Environment]::GetFolderPath('CommonApplicationData'), 'rdsplan', 'backups')
    }
    $mode = 'apply'
    if ($whatIf) { $mode = 'check' }
    # The run id names the run folder: one path segment, nothing that could leave the backup folder.
    $runIdProblem = ''
    if ($RunId -cnotmatch '\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z' -or $RunId.Contains('..')) {
        $runIdProblem = $RunId
        $RunId = New-RdsRunId
    }
    $context = @{
        PlanName = $PlanName; PlanSha256 = $PlanSha256; ToolVersion = $ToolVersion; OnError = $OnError; Reboot = $Reboot
        BackupDirectory = $BackupDirectory; RunId = $RunId; RunDirectory = [System.IO.Path]::Combine($BackupDirectory, $RunId)
        JournalFile = [System.IO.Path]::Combine([System.IO.Path]::Combine($BackupDirectory, $RunId), 'journal.jsonl'); Mode = $mode; Cmdlet = $Cmdlet
        HostName = [System.Environment]::MachineName; TargetName = [string]$TargetName; UserName = ''
        Stopwatch = [System.Diagnostics.Stopwatch]::StartNew(); Steps = [ordered]@{}
        Counts = [ordered]@{ changed = 0; unchanged = 0; wouldChange = 0; skipped = 0; failed = 0; rolledBack = 0 }; AnyChanged = $false
        Failed = $false; RolledBack = $false; RestoredToStart = $true; Journal = [System.Collections.Generic.List[object]]::new()
        Finalizers = [ordered]@{}; Exports = @{}; StepState = @{}; Deferred = [ordered]@{}; Barrier = ''; Refused = $false; CurrentStepId = ''
        RebootRequested = $false; RebootDelaySeconds = -1; LockHeld = $false; Notes = [System.Collections.Generic.List[string]]::new()
        PlatformReady = $false; Completed = $false
    }
    if (-not [string]::IsNullOrEmpty($TargetName)) { $context.HostName = $TargetName }
    $script:RdsCurrentContext = $context
    if ($runIdProblem -ne '') {
        Exit-RdsRefusedRun -Context $context -Message ("refused: invalid run id '" + $runIdProblem + "' (letters, digits, '.', '_', '-'; at most 128 characters)")
    }
    # A script started the wrong way (an ArgumentException of the platform) is refused; a host
    # that cannot be read (a state file, a missing cmdlet) failed: retrying will not help the first.
    try {
        Initialize-RdsPlatform -Option $PlatformOption
        $context.PlatformReady = $true
    } catch [System.ArgumentException] {
        Exit-RdsRefusedRun -Context $context -Message ('refused: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    } catch { Exit-RdsRefusedRun -Context $context -Message ('cannot start: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) -Status 'failed' }
    try {
        # A 32-bit PowerShell on 64-bit Windows would read and write other keys (WOW6432Node).
        Assert-RdsNativeRegistryView
    } catch { Exit-RdsRefusedRun -Context $context -Message ('refused: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
    try { $identity = Get-RdsHostIdentity }
    catch { Exit-RdsRefusedRun -Context $context -Message ('cannot start: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) -Status 'failed' }
    if ([string]::IsNullOrEmpty($TargetName)) { $context.HostName = [string]$identity.ComputerName }
    $context.UserName = [string]$identity.UserName
    $startMode = $mode
    if ($Undo -and $mode -eq 'apply') { $startMode = 'undo' }
    $start = [ordered]@{
        event = 'start'; runId = $context.RunId; host = $context.HostName; time = Get-RdsUtcTimestamp; plan = $PlanName; planSha256 = $PlanSha256
        toolVersion = $ToolVersion; mode = $startMode; user = $context.UserName; backupDirectory = $context.RunDirectory
    }
    Write-RdsEvent -Event $start

    if ($mode -eq 'apply' -and [string]::IsNullOrEmpty($ApprovalToken)) {
        Exit-RdsRefusedRun -Context $context -Message 'refused: a run that changes the host needs -ApprovalToken, the approval token of the reviewed plan (rdsplan review prints it); nothing was changed'
    }
    $integrity = $null
    try {
        $scriptText = ''
        if ($null -ne $Cmdlet) { $scriptText = $Cmdlet.MyInvocation.MyCommand.ScriptBlock.Ast.Extent.Text }
        $integrity = Test-RdsScriptIntegrity -ScriptText $scriptText -PlanSha256 $PlanSha256 -ToolVersion $ToolVersion -ApprovedToken ([string]$ApprovalToken)
    } catch { $integrity = @{ Ok = $false; Message = 'script self-check failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) } }
    if (-not $integrity.Ok) { Exit-RdsRefusedRun -Context $context -Message ('refused: ' + $integrity.Message) }

    # Host preconditions (runtime/Host.ps1): elevation before the lock, then the lock, then the
    # backup folder; an abandoned lock is reported with the run that left it.
    $lock = Enter-RdsHostLock -Context $context
    $refusal = Initialize-RdsBackupDirectory -Context $context
    if ($refusal -ne '') { Exit-RdsRefusedRun -Context $context -Message $refusal }
    if ($lock.Status -eq 'Abandoned') {
        $note = Get-RdsAbandonedLockMessage -Context $context
        Write-Warning ('rdsplan: ' + $note)
        $context.Notes.Add($note)
    }

    if ($mode -eq 'apply') {
        try { [void][System.IO.Directory]::CreateDirectory($context.RunDirectory) }
        catch {
            $context.Failed = $true
            Exit-RdsRefusedRun -Context $context -Message ('cannot create the backup folder ' + $context.RunDirectory + ': ' + (Get-RdsExceptionMessage -ErrorRecord $_)) -Status 'failed'
        }
    }
    return $context
}

# Ends a run that cannot start: releases what was taken, emits the summary and exits (4, 5 when not elevated, or 1 for 'failed').
function Exit-RdsRefusedRun {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Message,
        [ValidateSet('refused', 'failed')] [string] $Status = 'refused', [ValidateSet('', 'notElevated')] [string] $Reason = '')
    foreach ($problem in (Close-RdsRun -Context $Context).Problems) { Write-Warning ('rdsplan: ' + $problem) }
    $fields = [ordered]@{}
    if ($Reason -ne '') { $fields['reason'] = $Reason }
    $fields['counts'] = $Context.Counts
    $fields['message'] = $Message
    Write-RdsRunSummary -Context $Context -Status $Status -Fields $fields
    Write-Warning ('rdsplan: ' + $Message)
    if ($Reason -eq 'notElevated') { exit 5 }
    if ($Status -eq 'refused') { exit 4 }
    exit 1
}
