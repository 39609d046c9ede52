# rdsplan runtime: plan context, step runner, rollback journal, finalizers, summary.
#
# The steps section of a generated script is:
#   $RdsContext = New-RdsPlanContext ... -Cmdlet $PSCmdlet -ApprovalToken $ApprovalToken
#   Invoke-RdsPlanStep -Context $RdsContext -StepId '...' -Action '...' ...   (one per step)
#   Complete-RdsPlan -Context $RdsContext                                     (exits)
#
# Step statuses: changed, unchanged, wouldChange, skipped, failed, rolledBack.
# Exit codes: 0 succeeded (also check mode with pending changes), 1 failed or rolled back,
# 4 refused (tampered script, host lock held, untrusted backup folder, wrong platform option),
# 5 refused because the PowerShell is not elevated (summary reason 'notElevated').

$script:RdsActionTable = @{}
$script:RdsCurrentContext = $null

# Safety net for an error no step caught (a bug, or a statement of the steps section that
# throws): release the host lock, let the platform save its state, report a 'failed' summary,
# then let the error end the script as usual (exit 1, the error on stderr). Steps never get
# here: Invoke-RdsPlanStep turns their errors into 'failed' events.
trap {
    Stop-RdsPlanOnError -ErrorRecord $_
    break
}

function Stop-RdsPlanOnError {
    <#
    .SYNOPSIS
    Cleans up a started run after an unexpected terminating error (lock, platform, summary).
    .PARAMETER ErrorRecord
    The error that ends the script.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    $context = $script:RdsCurrentContext
    if ($null -eq $context -or $context.Completed) { return }
    $context.Completed = $true
    try {
        if ($context.LockHeld) {
            Unlock-RdsHost -Name 'rdsplan'
            $context.LockHeld = $false
        }
    }
    catch {
        Write-Warning ('rdsplan: releasing the host lock failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    try {
        if ($context.PlatformReady) {
            Complete-RdsPlatform
            $context.PlatformReady = $false
        }
    }
    catch {
        Write-Warning ('rdsplan: completing the platform failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    $summary = [ordered]@{
        event          = 'summary'
        runId          = $context.RunId
        host           = $context.HostName
        time           = Get-RdsUtcTimestamp
        status         = 'failed'
        counts         = $context.Counts
        rebootRequired = [bool]$context.RebootRequested
        message        = 'unexpected error: ' + (Get-RdsExceptionMessage -ErrorRecord $ErrorRecord)
        durationMs     = [long]$context.Stopwatch.ElapsedMilliseconds
    }
    Write-RdsEvent -Event $summary
}

function Register-RdsAction {
    <#
    .SYNOPSIS
    Registers an action template's Test, Set and Undo functions with the runtime.
    .PARAMETER Name
    The action name as it appears in plans, e.g. 'registry.setValue'.
    .PARAMETER Test
    Name of the read-only function that reports whether the step is in its desired state.
    .PARAMETER Set
    Name of the function that makes the change.
    .PARAMETER Undo
    Name of the function that reverses a change from its journal entry.
    .PARAMETER NoHostChange
    The action's 'changed' does not change the host (registry.export writes a backup file):
    it does not trigger later RunWhen 'changed' steps.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] [string] $Test,
        [Parameter(Mandatory = $true)] [string] $Set,
        [Parameter(Mandatory = $true)] [string] $Undo,
        [switch] $NoHostChange
    )
    $script:RdsActionTable[$Name] = @{ Name = $Name; Test = $Test; Set = $Set; Undo = $Undo; NoHostChange = [bool]$NoHostChange }
}

function New-RdsRunId {
    <#
    .SYNOPSIS
    Returns a new run id: UTC time 'yyyyMMddTHHmmssfffZ' + '-' + 6 random hex characters.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $bytes = [byte[]]::new(3)
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try { $rng.GetBytes($bytes) } finally { $rng.Dispose() }
    $stamp = [System.DateTime]::UtcNow.ToString('yyyyMMdd\THHmmssfff\Z', [System.Globalization.CultureInfo]::InvariantCulture)
    return $stamp + '-' + (ConvertTo-RdsHexString -Bytes $bytes)
}

function Get-RdsResultObject {
    <#
    .SYNOPSIS
    Returns the last dictionary an action function wrote (tolerates stray pipeline output).
    .PARAMETER Output
    Everything the action function returned.
    .PARAMETER What
    The function's role, for the error message.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Output,
        [Parameter(Mandatory = $true)] [string] $What
    )
    for ($i = $Output.Length - 1; $i -ge 0; $i--) {
        if ($Output[$i] -is [System.Collections.IDictionary]) {
            return $Output[$i]
        }
    }
    throw "internal error: $What returned no result"
}

function Get-RdsResultField {
    <#
    .SYNOPSIS
    Returns a key of an action result, or a default when the key is missing.
    .PARAMETER Result
    The action result (hashtable).
    .PARAMETER Key
    The key to read.
    .PARAMETER Default
    What to return when the key is missing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Result,
        [Parameter(Mandatory = $true)] [string] $Key,
        [AllowNull()] [object] $Default = $null
    )
    if ($Result.Contains($Key)) {
        return , $Result[$Key]
    }
    return , $Default
}

function New-RdsPlanContext {
    <#
    .SYNOPSIS
    Starts a plan run: platform, self-check, host lock, run folder and the start event.
    .DESCRIPTION
    Initializes the platform, verifies the script's approval token against its own text and
    the approved token, checks that the process token is elevated, takes the host lock,
    checks the backup folder (creating it with a protected DACL in apply mode when missing)
    and, in apply mode, creates the run's folder <BackupDirectory>\<RunId>. Emits the start
    event. A refused run (tampered script, lock held, untrusted backup folder, wrong platform
    option, a 32-bit PowerShell on 64-bit Windows: Assert-RdsNativeRegistryView) emits a
    'refused' summary and exits with 4; one that is not elevated exits with 5. A lock that an
    earlier run abandoned is taken with a warning naming that run's journal (runtime/Host.ps1).
    Check mode (-WhatIf) writes nothing.
    .PARAMETER PlanName
    The plan's name.
    .PARAMETER PlanSha256
    The sha256 of the canonical plan JSON.
    .PARAMETER ToolVersion
    The rdsplan version that rendered the script.
    .PARAMETER OnError
    'rollback', 'stop' or 'continue'.
    .PARAMETER Reboot
    'never', 'ifRequired' or 'always'.
    .PARAMETER BackupDirectory
    The folder that receives one sub-folder per run.
    .PARAMETER RunId
    The run id; a new one is made when empty.
    .PARAMETER PlatformOption
    Passed to Initialize-RdsPlatform (the simulated platform's state file; empty on Windows).
    .PARAMETER Cmdlet
    The script's $PSCmdlet, used for ShouldProcess (-WhatIf/-Confirm).
    .PARAMETER ApprovalToken
    The approval token the run was approved with (the script's -ApprovalToken). The self-check
    recomputes the token from the script's own text (read from -Cmdlet's syntax tree, so a
    script sent as text over remoting is checked too) and refuses the run when it differs from
    the header or from this token. A run that changes the host needs it; check mode does not.
    .PARAMETER TargetName
    The name rdsplan knows this host by: every event's 'host' (the computer name when empty).
    .PARAMETER Undo
    The script is an undo script (Invoke-RdsUndoStep calls): the start event says mode 'undo'
    (still 'check' under -WhatIf).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $PlanName,
        [Parameter(Mandatory = $true)] [string] $PlanSha256,
        [Parameter(Mandatory = $true)] [string] $ToolVersion,
        [ValidateSet('rollback', 'stop', 'continue')] [string] $OnError = 'rollback',
        [ValidateSet('never', 'ifRequired', 'always')] [string] $Reboot = 'never',
        [AllowEmptyString()] [AllowNull()] [string] $BackupDirectory = '',
        [AllowEmptyString()] [AllowNull()] [string] $RunId = '',
        [AllowEmptyString()] [AllowNull()] [string] $PlatformOption = '',
        [AllowNull()] [System.Management.Automation.PSCmdlet] $Cmdlet = $null,
        [AllowEmptyString()] [AllowNull()] [string] $ApprovalToken = '',
        [AllowEmptyString()] [AllowNull()] [string] $TargetName = '',
        [switch] $Undo
    )
    $whatIf = [bool]$WhatIfPreference
    if ($null -ne $Cmdlet -and $Cmdlet.MyInvocation.BoundParameters.ContainsKey('WhatIf')) {
        $whatIf = [bool]$Cmdlet.MyInvocation.BoundParameters['WhatIf']
    }
    if ([string]::IsNullOrEmpty($RunId)) {
        $RunId = New-RdsRunId
    }
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
        PlanName        = $PlanName
        PlanSha256      = $PlanSha256
        ToolVersion     = $ToolVersion
        OnError         = $OnError
        Reboot          = $Reboot
        BackupDirectory = $BackupDirectory
        RunId           = $RunId
        RunDirectory    = [System.IO.Path]::Combine($BackupDirectory, $RunId)
        JournalFile     = [System.IO.Path]::Combine([System.IO.Path]::Combine($BackupDirectory, $RunId), 'journal.jsonl')
        Mode            = $mode
        Cmdlet          = $Cmdlet
        HostName        = [System.Environment]::MachineName
        TargetName      = [string]$TargetName
        UserName        = ''
        Stopwatch       = [System.Diagnostics.Stopwatch]::StartNew()
        Steps           = [ordered]@{}
        Counts          = [ordered]@{ changed = 0; unchanged = 0; wouldChange = 0; skipped = 0; failed = 0; rolledBack = 0 }
        AnyChanged      = $false
        Failed          = $false
        RolledBack      = $false
        RestoredToStart = $true
        Journal         = [System.Collections.Generic.List[object]]::new()
        Finalizers      = [ordered]@{}
        Exports         = @{}
        StepState       = @{}
        Deferred        = [ordered]@{}
        Dependents      = $null
        CurrentStepId   = ''
        RebootRequested = $false
        RebootDelaySeconds = -1
        LockHeld        = $false
        Notes           = [System.Collections.Generic.List[string]]::new()
        PlatformReady   = $false
        Completed       = $false
    }
    if (-not [string]::IsNullOrEmpty($TargetName)) { $context.HostName = $TargetName }
    $script:RdsCurrentContext = $context
    if ($runIdProblem -ne '') {
        Exit-RdsRefusedRun -Context $context -Message ("refused: invalid run id '" + $runIdProblem + "' (letters, digits, '.', '_', '-'; at most 128 characters)")
    }
    try {
        Initialize-RdsPlatform -Option $PlatformOption
        $context.PlatformReady = $true
        # A 32-bit PowerShell on 64-bit Windows would read and write other keys (WOW6432Node).
        Assert-RdsNativeRegistryView
    }
    catch {
        Exit-RdsRefusedRun -Context $context -Message ('refused: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    try {
        $identity = Get-RdsHostIdentity
    }
    catch {
        Exit-RdsRefusedRun -Context $context -Message ('refused: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    if ([string]::IsNullOrEmpty($TargetName)) { $context.HostName = [string]$identity.ComputerName }
    $context.UserName = [string]$identity.UserName
    $startMode = $mode
    if ($Undo -and $mode -eq 'apply') { $startMode = 'undo' }
    $start = [ordered]@{
        event           = 'start'
        runId           = $context.RunId
        host            = $context.HostName
        time            = Get-RdsUtcTimestamp
        plan            = $PlanName
        planSha256      = $PlanSha256
        toolVersion     = $ToolVersion
        mode            = $startMode
        user            = $context.UserName
        backupDirectory = $context.RunDirectory
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
    }
    catch {
        $integrity = @{ Ok = $false; Message = 'script self-check failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_) }
    }
    if (-not $integrity.Ok) {
        Exit-RdsRefusedRun -Context $context -Message ('refused: ' + $integrity.Message)
    }

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
        try {
            [void][System.IO.Directory]::CreateDirectory($context.RunDirectory)
        }
        catch {
            $context.Failed = $true
            Exit-RdsRefusedRun -Context $context -Message ('cannot create the backup folder ' + $context.RunDirectory + ': ' + (Get-RdsExceptionMessage -ErrorRecord $_)) -Status 'failed'
        }
    }
    return $context
}

function Exit-RdsRefusedRun {
    <#
    .SYNOPSIS
    Ends a run that cannot start: releases what was taken, emits the summary and exits (4, 5 when not elevated, or 1 for 'failed').
    .PARAMETER Context
    The plan context.
    .PARAMETER Message
    Why the run was refused.
    .PARAMETER Status
    'refused' (default, exit 4) or 'failed' (exit 1).
    .PARAMETER Reason
    For a refusal the caller tells apart: 'notElevated' (the summary's reason; exit 5).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $Message,
        [ValidateSet('refused', 'failed')] [string] $Status = 'refused',
        [ValidateSet('', 'notElevated')] [string] $Reason = ''
    )
    try {
        if ($Context.LockHeld) {
            Unlock-RdsHost -Name 'rdsplan'
            $Context.LockHeld = $false
        }
    }
    catch {
        Write-Warning ('rdsplan: releasing the host lock failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    try {
        if ($Context.PlatformReady) {
            Complete-RdsPlatform
            $Context.PlatformReady = $false
        }
    }
    catch {
        Write-Warning ('rdsplan: completing the platform failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    $Context.Completed = $true
    $summary = [ordered]@{
        event      = 'summary'
        runId      = $Context.RunId
        host       = $Context.HostName
        time       = Get-RdsUtcTimestamp
        status     = $Status
    }
    if ($Reason -ne '') { $summary['reason'] = $Reason }
    $summary['counts'] = $Context.Counts
    $summary['message'] = $Message
    $summary['durationMs'] = [long]$Context.Stopwatch.ElapsedMilliseconds
    Write-RdsEvent -Event $summary
    Write-Warning ('rdsplan: ' + $Message)
    if ($Reason -eq 'notElevated') { exit 5 }
    if ($Status -eq 'refused') { exit 4 }
    exit 1
}

function Register-RdsFinalizer {
    <#
    .SYNOPSIS
    Registers work that Complete-RdsPlan must do whatever happens (e.g. restore a key's ACL).
    .PARAMETER Context
    The plan context.
    .PARAMETER Key
    The finalizer's key (the step id that registered it); registering again replaces it.
    .PARAMETER Function
    The function to call as: & Function -Entry <Entry> -Context <Context>.
    .PARAMETER Entry
    Plain data for the function.
    .PARAMETER Action
    The action name reported when the finalizer runs.
    .PARAMETER Description
    What the finalizer does, for messages.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $Key,
        [Parameter(Mandatory = $true)] [string] $Function,
        [Parameter(Mandatory = $true)] [hashtable] $Entry,
        [Parameter(Mandatory = $true)] [string] $Action,
        [string] $Description = ''
    )
    $Context.Finalizers[$Key] = @{ Key = $Key; Function = $Function; Entry = $Entry; Action = $Action; Description = $Description }
}

function Unregister-RdsFinalizer {
    <#
    .SYNOPSIS
    Removes a finalizer (its work was done by a step).
    .PARAMETER Context
    The plan context.
    .PARAMETER Key
    The finalizer's key.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $Key
    )
    if ($Context.Finalizers.Contains($Key)) {
        $Context.Finalizers.Remove($Key)
    }
}

function Request-RdsReboot {
    <#
    .SYNOPSIS
    Marks the run as needing a reboot (done by Complete-RdsPlan at the very end, never mid-plan).
    .PARAMETER Context
    The plan context.
    .PARAMETER DelaySeconds
    The delay before the restart.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [int] $DelaySeconds = 0
    )
    $Context.RebootRequested = $true
    if ($DelaySeconds -gt $Context.RebootDelaySeconds) {
        $Context.RebootDelaySeconds = $DelaySeconds
    }
}

function Get-RdsRunFilePath {
    <#
    .SYNOPSIS
    Returns the path of a file inside the run's backup folder.
    .PARAMETER Context
    The plan context.
    .PARAMETER Name
    The file name.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $Name
    )
    return [System.IO.Path]::Combine($Context.RunDirectory, $Name)
}

function Add-RdsStepCount {
    <#
    .SYNOPSIS
    Counts one step event by status.
    .PARAMETER Context
    The plan context.
    .PARAMETER Status
    The status to count.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $Status
    )
    $Context.Counts[$Status] = [int]$Context.Counts[$Status] + 1
}

function Write-RdsStepEvent {
    <#
    .SYNOPSIS
    Emits one step event and counts it.
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The action name.
    .PARAMETER Status
    The step status.
    .PARAMETER Fields
    Optional fields: target, before, after, backup, undo, message (only present keys are written).
    .PARAMETER DurationMs
    The step's duration.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [string] $Status,
        [hashtable] $Fields = @{},
        [long] $DurationMs = 0
    )
    $event = [ordered]@{
        event  = 'step'
        runId  = $Context.RunId
        host   = $Context.HostName
        time   = Get-RdsUtcTimestamp
        stepId = $StepId
        action = $Action
        status = $Status
    }
    foreach ($name in @('target', 'before', 'after', 'backup', 'undo')) {
        if ($Fields.ContainsKey($name)) {
            $event[$name] = $Fields[$name]
        }
    }
    if ($Fields.ContainsKey('message') -and -not [string]::IsNullOrEmpty([string]$Fields['message'])) {
        $event['message'] = [string]$Fields['message']
    }
    $event['durationMs'] = $DurationMs
    Add-RdsStepCount -Context $Context -Status $Status
    Write-RdsEvent -Event $event
}

function Invoke-RdsPlanStep {
    <#
    .SYNOPSIS
    Runs one plan step: skip rules, Test, ShouldProcess, Set, journal, one step event.
    .DESCRIPTION
    A step is skipped when a dependency did not succeed, when RunWhen is 'changed' and none of
    its dependencies (without dependencies: no earlier step, registry.export not counted)
    changed anything (would change, in check mode), or when the run already
    failed with onError 'stop' or 'rollback'. Otherwise the action's Test decides: in desired
    state -> 'unchanged'; declined by ShouldProcess (-WhatIf) -> 'wouldChange'; else Set ->
    'changed'. Any error -> 'failed' with the error's message; with onError 'rollback' the
    completed steps are then undone in reverse order.
    .PARAMETER Context
    The plan context from New-RdsPlanContext.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The registered action name.
    .PARAMETER RunWhen
    'always' or 'changed'.
    .PARAMETER DependsOn
    Ids of earlier steps that must have succeeded.
    .PARAMETER Parameters
    The action's parameters (PascalCase keys).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [ValidateSet('always', 'changed')] [string] $RunWhen = 'always',
        [AllowEmptyCollection()] [string[]] $DependsOn = @(),
        [hashtable] $Parameters = @{}
    )
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $Context.CurrentStepId = $StepId

    # Skip rules.
    $skipReason = ''
    if ($Context.Failed -and $Context.OnError -ne 'continue') {
        $skipReason = "skipped: an earlier step failed (onError '" + $Context.OnError + "')"
    }
    if ($skipReason -eq '') {
        foreach ($dependency in $DependsOn) {
            if (-not $Context.Steps.Contains($dependency)) {
                $skipReason = "skipped: dependency '$dependency' has not run"
                break
            }
            $dependencyStatus = [string]$Context.Steps[$dependency]
            if (@('changed', 'unchanged', 'wouldChange') -notcontains $dependencyStatus) {
                $skipReason = "skipped: dependency '$dependency' is $dependencyStatus"
                break
            }
        }
    }
    if ($skipReason -eq '' -and $RunWhen -eq 'changed') {
        if ($DependsOn.Length -gt 0) {
            $dependencyChanged = $false
            foreach ($dependency in $DependsOn) {
                if (@('changed', 'wouldChange') -contains [string]$Context.Steps[$dependency]) { $dependencyChanged = $true }
            }
            if (-not $dependencyChanged) { $skipReason = 'skipped: no dependency changed anything' }
        }
        elseif (-not $Context.AnyChanged) {
            $skipReason = 'skipped: no earlier step changed anything'
        }
    }
    if ($skipReason -ne '') {
        $Context.Steps[$StepId] = 'skipped'
        Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status 'skipped' -Fields @{ message = $skipReason } -DurationMs ([long]$watch.ElapsedMilliseconds)
        return
    }

    # A restore step closes the deferred ownership it restores: when no dependent needed it,
    # it reports 'unchanged' now, before the restore's own Test looks at its status.
    if ($Action -eq 'registry.restoreSecurity') {
        foreach ($dependency in $DependsOn) {
            if ($Context.Deferred.Contains($dependency)) { Close-RdsDeferredStep -Context $Context -StepId $dependency }
        }
    }

    $fields = @{}
    $status = 'failed'
    try {
        if (-not $script:RdsActionTable.ContainsKey($Action)) {
            throw "action '$Action' is not part of this script"
        }
        $definition = $script:RdsActionTable[$Action]
        $test = $null
        try {
            $test = Get-RdsResultObject -Output @(& $definition.Test -Parameters $Parameters -Context $Context) -What "$Action Test"
        }
        catch {
            # A key only the new owner may read: the Test ran before the deferred ownership it
            # depends on. Carry that out and test again (the order of today's eager runs).
            $retry = $_
            $pending = Get-RdsPendingDependency -Context $Context -DependsOn $DependsOn -Parameters $Parameters
            if ($pending.Length -eq 0) { throw $retry }
            $blocked = Invoke-RdsDeferredDependency -Context $Context -StepId $StepId -DependsOn $DependsOn -Parameters $Parameters
            if ($blocked -ne '') { throw $retry }
            $test = Get-RdsResultObject -Output @(& $definition.Test -Parameters $Parameters -Context $Context) -What "$Action Test"
        }
        $target = [string](Get-RdsResultField -Result $test -Key 'Target' -Default $StepId)
        $operation = [string](Get-RdsResultField -Result $test -Key 'Operation' -Default $Action)
        $fields['target'] = $target
        $fields['before'] = Get-RdsResultField -Result $test -Key 'Before'
        $testMessage = [string](Get-RdsResultField -Result $test -Key 'Message' -Default '')
        if ([bool](Get-RdsResultField -Result $test -Key 'InDesiredState' -Default $false)) {
            $status = 'unchanged'
            $after = Get-RdsResultField -Result $test -Key 'After'
            if ($null -eq $after) { $after = $fields['before'] }
            $fields['after'] = $after
            $fields['message'] = $testMessage
        }
        elseif (Test-RdsStepDeferrable -Context $Context -StepId $StepId -Action $Action) {
            # Deferred (see Invoke-RdsDeferredDependency): no event yet; dependents see it as
            # succeeded ('unchanged') until it is carried out or closed.
            $Context.Deferred[$StepId] = @{ StepId = $StepId; Action = $Action; DependsOn = $DependsOn; Parameters = $Parameters; Test = $test; Fields = $fields }
            $Context.Steps[$StepId] = 'unchanged'
            $Context.CurrentStepId = ''
            return
        }
        else {
            $blocked = Invoke-RdsDeferredDependency -Context $Context -StepId $StepId -DependsOn $DependsOn -Parameters $Parameters
            $Context.CurrentStepId = $StepId
            if ($blocked -ne '') {
                $status = 'skipped'
                $fields = @{ message = $blocked }
            }
            else {
                $status = Invoke-RdsStepChange -Context $Context -StepId $StepId -Action $Action -Definition $definition -Parameters $Parameters -Test $test -Fields $fields
            }
        }
    }
    catch {
        $status = 'failed'
        $fields['message'] = Get-RdsExceptionMessage -ErrorRecord $_
    }
    Complete-RdsStepRun -Context $Context -StepId $StepId -Action $Action -Status $status -Fields $fields -Watch $watch
}

function Complete-RdsStepRun {
    <#
    .SYNOPSIS
    Records a step's status, emits its event and, for a first failure with onError 'rollback', rolls back.
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The action name.
    .PARAMETER Status
    The step's status.
    .PARAMETER Fields
    The event's fields (Write-RdsStepEvent).
    .PARAMETER Watch
    The step's stopwatch.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [string] $Status,
        [Parameter(Mandatory = $true)] [hashtable] $Fields,
        [Parameter(Mandatory = $true)] [System.Diagnostics.Stopwatch] $Watch
    )
    $Context.Steps[$StepId] = $Status
    if (($Status -eq 'changed' -or $Status -eq 'wouldChange') -and $script:RdsActionTable.ContainsKey($Action) -and -not $script:RdsActionTable[$Action].NoHostChange) {
        $Context.AnyChanged = $true
    }
    Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status $Status -Fields $Fields -DurationMs ([long]$Watch.ElapsedMilliseconds)
    $Context.CurrentStepId = ''
    if ($Status -eq 'failed') {
        $firstFailure = -not $Context.Failed
        $Context.Failed = $true
        if ($firstFailure -and $Context.OnError -eq 'rollback' -and $Context.Mode -eq 'apply') {
            Invoke-RdsRollback -Context $Context
        }
    }
}

function Invoke-RdsStepChange {
    <#
    .SYNOPSIS
    The change part of a step that is not in its desired state: ShouldProcess, Set, journal. Returns the status.
    .DESCRIPTION
    Returns 'changed' (Set ran; Fields gets after, backup, undo, message), 'wouldChange'
    (check mode) or 'skipped' (declined at a -Confirm prompt). Set's errors propagate.
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The action name.
    .PARAMETER Definition
    The registered action.
    .PARAMETER Parameters
    The step's parameters.
    .PARAMETER Test
    The Test result.
    .PARAMETER Fields
    The event's fields, filled in here.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [hashtable] $Definition,
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Test,
        [Parameter(Mandatory = $true)] [hashtable] $Fields
    )
    $target = [string](Get-RdsResultField -Result $Test -Key 'Target' -Default $StepId)
    $operation = [string](Get-RdsResultField -Result $Test -Key 'Operation' -Default $Action)
    $testMessage = [string](Get-RdsResultField -Result $Test -Key 'Message' -Default '')
    $proceed = $false
    if ($null -ne $Context.Cmdlet) {
        $proceed = $Context.Cmdlet.ShouldProcess($target, $operation)
    }
    else {
        $proceed = ($Context.Mode -eq 'apply')
    }
    if (-not $proceed) {
        $Fields['after'] = Get-RdsResultField -Result $Test -Key 'After'
        if ($Context.Mode -eq 'check') {
            $Fields['message'] = $testMessage
            return 'wouldChange'
        }
        $Fields['message'] = 'skipped: declined by the operator'
        return 'skipped'
    }
    $set = Get-RdsResultObject -Output @(& $Definition.Set -Parameters $Parameters -Context $Context -Test $Test) -What "$Action Set"
    $Fields['after'] = Get-RdsResultField -Result $set -Key 'After'
    $backup = Get-RdsResultField -Result $set -Key 'Backup'
    if ($null -ne $backup) {
        $backupEvent = [ordered]@{ file = [string]$backup.File; sha256 = [string]$backup.Sha256 }
        if ($backup.Contains('SddlFile') -and -not [string]::IsNullOrEmpty([string]$backup.SddlFile)) {
            $backupEvent['sddlFile'] = [string]$backup.SddlFile
        }
        $Fields['backup'] = $backupEvent
    }
    $undo = Get-RdsResultField -Result $set -Key 'Undo'
    if ($null -ne $undo) {
        $Fields['undo'] = $undo
        $journalEntry = @{ StepId = $StepId; Action = $Action; Entry = $undo; Before = $Fields['before']; After = $Fields['after']; Parameters = $Parameters }
        $Context.Journal.Add($journalEntry)
        if ($Context.Mode -eq 'apply') {
            $line = ConvertTo-RdsJson -InputObject ([ordered]@{ runId = $Context.RunId; stepId = $StepId; action = $Action; time = Get-RdsUtcTimestamp; undo = $undo })
            Write-RdsTextFile -Path $Context.JournalFile -Text ($line + "`n") -Append
        }
    }
    if ([bool](Get-RdsResultField -Result $set -Key 'RebootRequired' -Default $false)) {
        Request-RdsReboot -Context $Context
    }
    $Fields['message'] = [string](Get-RdsResultField -Result $set -Key 'Message' -Default '')
    return 'changed'
}

# Deferred steps (ps-templates/README.md, "Deferred preparation"): registry.takeOwnership and
# registry.export prepare for the steps that depend on them. When they are not in their desired
# state and later steps depend on them, they wait: they are carried out just before the first
# dependent whose own Test says it needs a change, and otherwise report 'unchanged' (not needed)
# at their restore step or the end of the run. A second apply of a plan then reports no change.
$script:RdsDeferrableActions = @('registry.takeOwnership', 'registry.export')

function Get-RdsPlanDependent {
    <#
    .SYNOPSIS
    Returns, per step id, the ids and actions of the steps whose -DependsOn names it (from the script's own steps section).
    .DESCRIPTION
    Read once from the parsed script (the top-level Invoke-RdsPlanStep calls, whose arguments
    are literals). Without a script (no -Cmdlet, or a host that gives no syntax tree) the map
    is empty, so nothing is deferred: the eager behaviour.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    if ($null -ne $Context.Dependents) { return $Context.Dependents }
    $map = @{}
    try {
        $ast = $null
        if ($null -ne $Context.Cmdlet) { $ast = $Context.Cmdlet.MyInvocation.MyCommand.ScriptBlock.Ast }
        if ($null -ne $ast -and $null -ne $ast.EndBlock) {
            foreach ($statement in $ast.EndBlock.Statements) {
                if ($statement -isnot [System.Management.Automation.Language.PipelineAst] -or $statement.PipelineElements.Count -ne 1) { continue }
                $command = $statement.PipelineElements[0]
                if ($command -isnot [System.Management.Automation.Language.CommandAst] -or $command.GetCommandName() -ne 'Invoke-RdsPlanStep') { continue }
                $stepId = ''
                $action = ''
                $dependsOn = @()
                $elements = $command.CommandElements
                for ($i = 1; $i -lt $elements.Count - 1; $i++) {
                    if ($elements[$i] -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                    $name = $elements[$i].ParameterName
                    if ($name -eq 'StepId') { $stepId = [string]$elements[$i + 1].SafeGetValue() }
                    elseif ($name -eq 'Action') { $action = [string]$elements[$i + 1].SafeGetValue() }
                    elseif ($name -eq 'DependsOn') { $dependsOn = @($elements[$i + 1].SafeGetValue()) }
                }
                foreach ($dependency in $dependsOn) {
                    $key = [string]$dependency
                    if (-not $map.ContainsKey($key)) { $map[$key] = [System.Collections.Generic.List[object]]::new() }
                    $map[$key].Add(@{ StepId = $stepId; Action = $action })
                }
            }
        }
    }
    catch {
        $map = @{}
    }
    $Context.Dependents = $map
    return $map
}

function Test-RdsStepDeferrable {
    <#
    .SYNOPSIS
    True when a step that needs a change waits for a dependent that needs one too.
    .DESCRIPTION
    Only registry.takeOwnership and registry.export, and only when a later step depends on
    them (a restoreSecurity step does not count: a takeOwnership whose only follower is its
    restore is the change itself, as it is for steps that use the key without naming it).
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The step's action.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action
    )
    if ($script:RdsDeferrableActions -notcontains $Action) { return $false }
    $dependents = Get-RdsPlanDependent -Context $Context
    if (-not $dependents.ContainsKey($StepId)) { return $false }
    foreach ($dependent in $dependents[$StepId]) {
        if ($dependent.Action -ne 'registry.restoreSecurity') { return $true }
    }
    return $false
}

function Get-RdsPendingDependency {
    <#
    .SYNOPSIS
    Returns the ids of the deferred steps a step needs carried out before its change, in plan order.
    .DESCRIPTION
    Its direct dependencies that are deferred, plus, for a registry step, every deferred
    export of its key or an ancestor (same view): a backup the plan placed before a change
    is taken even when the change does not name it in dependsOn.
    .PARAMETER Context
    The plan context.
    .PARAMETER DependsOn
    The step's dependencies.
    .PARAMETER Parameters
    The step's parameters.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [AllowEmptyCollection()] [string[]] $DependsOn = @(),
        [hashtable] $Parameters = @{}
    )
    $pending = [System.Collections.Generic.List[string]]::new()
    $path = ''
    if ($Parameters.ContainsKey('Path')) { $path = [string]$Parameters.Path }
    $view = ''
    if ($path -ne '') { $view = Get-RdsStepView -Parameters $Parameters }
    foreach ($key in @($Context.Deferred.Keys)) {
        $deferred = $Context.Deferred[$key]
        $needed = ($DependsOn -contains $key)
        if (-not $needed -and $path -ne '' -and $deferred.Action -eq 'registry.export') {
            $exportPath = [string]$deferred.Parameters.Path
            $sameView = ((Get-RdsStepView -Parameters $deferred.Parameters) -eq $view)
            $covers = $path.Equals($exportPath, [System.StringComparison]::OrdinalIgnoreCase) -or $path.StartsWith($exportPath + '\', [System.StringComparison]::OrdinalIgnoreCase)
            $needed = ($sameView -and $covers)
        }
        if ($needed) { $pending.Add([string]$key) }
    }
    return , $pending.ToArray()
}

function Invoke-RdsDeferredDependency {
    <#
    .SYNOPSIS
    Carries out the deferred steps a step needs (plan order), each with its own event. Returns '' or why the step cannot go on.
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step about to change something.
    .PARAMETER DependsOn
    Its dependencies.
    .PARAMETER Parameters
    Its parameters.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [AllowEmptyCollection()] [string[]] $DependsOn = @(),
        [hashtable] $Parameters = @{}
    )
    # The deferred steps' own dependencies come first (takeOwnership after its export).
    $queue = [System.Collections.Generic.List[string]]::new()
    $todo = [System.Collections.Generic.Queue[string]]::new()
    foreach ($id in (Get-RdsPendingDependency -Context $Context -DependsOn $DependsOn -Parameters $Parameters)) { $todo.Enqueue($id) }
    while ($todo.Count -gt 0) {
        $id = $todo.Dequeue()
        if ($queue.Contains($id)) { continue }
        $queue.Add($id)
        $deferred = $Context.Deferred[$id]
        foreach ($more in (Get-RdsPendingDependency -Context $Context -DependsOn @($deferred.DependsOn) -Parameters $deferred.Parameters)) { $todo.Enqueue($more) }
    }
    foreach ($id in @($Context.Deferred.Keys)) {
        if (-not $queue.Contains([string]$id)) { continue }
        if ($Context.Failed -and $Context.OnError -ne 'continue') { break }
        $deferred = $Context.Deferred[$id]
        $Context.Deferred.Remove($id)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $fields = $deferred.Fields
        $status = 'failed'
        $Context.CurrentStepId = [string]$id
        try {
            $status = Invoke-RdsStepChange -Context $Context -StepId ([string]$id) -Action $deferred.Action -Definition $script:RdsActionTable[$deferred.Action] -Parameters $deferred.Parameters -Test $deferred.Test -Fields $fields
        }
        catch {
            $status = 'failed'
            $fields['message'] = Get-RdsExceptionMessage -ErrorRecord $_
        }
        Complete-RdsStepRun -Context $Context -StepId ([string]$id) -Action $deferred.Action -Status $status -Fields $fields -Watch $watch
    }
    $Context.CurrentStepId = $StepId
    foreach ($dependency in $DependsOn) {
        $dependencyStatus = [string]$Context.Steps[$dependency]
        if (@('changed', 'unchanged', 'wouldChange') -notcontains $dependencyStatus) {
            return "skipped: dependency '$dependency' is $dependencyStatus"
        }
    }
    if ($Context.Failed -and $Context.OnError -ne 'continue') {
        return "skipped: an earlier step failed (onError '" + $Context.OnError + "')"
    }
    return ''
}

function Close-RdsDeferredStep {
    <#
    .SYNOPSIS
    Reports a deferred step that no dependent needed as 'unchanged' (at its restore step or the end of the run).
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The deferred step's id.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId
    )
    $deferred = $Context.Deferred[$StepId]
    $Context.Deferred.Remove($StepId)
    $fields = $deferred.Fields
    $fields['after'] = $fields['before']
    $fields['message'] = 'not needed: no dependent step changes anything'
    if ($Context.Failed) { $fields['message'] = 'not needed: the run stopped before a dependent step changed anything' }
    $saved = $Context.CurrentStepId
    Complete-RdsStepRun -Context $Context -StepId $StepId -Action $deferred.Action -Status 'unchanged' -Fields $fields -Watch ([System.Diagnostics.Stopwatch]::StartNew())
    $Context.CurrentStepId = $saved
}

function Invoke-RdsUndoStep {
    <#
    .SYNOPSIS
    Runs one entry of an undo script: the action's Undo with a journal entry from a run record.
    .DESCRIPTION
    The undo script (rendered from a run record, entries newest first) calls this once per
    journal entry. Check mode (-WhatIf) reports 'wouldChange'; otherwise the action's Undo
    runs: 'rolledBack' when it succeeded, 'failed' with the error's message when not. With
    onError other than 'continue', the entries after a failure are skipped.
    .PARAMETER Context
    The plan context from New-RdsPlanContext.
    .PARAMETER StepId
    The id of the step whose change is undone.
    .PARAMETER Action
    The step's action.
    .PARAMETER Entry
    The journal entry the step recorded (plain data).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [AllowNull()] [object] $Entry
    )
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $fields = @{ target = $StepId; undo = $Entry }
    if ($Context.Failed -and $Context.OnError -ne 'continue') {
        $fields['message'] = "skipped: an earlier undo failed (onError '" + $Context.OnError + "')"
        $Context.Steps[$StepId] = 'skipped'
        Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status 'skipped' -Fields $fields -DurationMs ([long]$watch.ElapsedMilliseconds)
        return
    }
    $status = 'failed'
    $Context.CurrentStepId = $StepId
    try {
        if (-not $script:RdsActionTable.ContainsKey($Action)) {
            throw "action '$Action' is not part of this script"
        }
        $definition = $script:RdsActionTable[$Action]
        $operation = 'Undo ' + $Action
        $proceed = $false
        if ($null -ne $Context.Cmdlet) {
            $proceed = $Context.Cmdlet.ShouldProcess($StepId, $operation)
        }
        else {
            $proceed = ($Context.Mode -eq 'apply')
        }
        if (-not $proceed) {
            if ($Context.Mode -eq 'check') {
                $status = 'wouldChange'
                $fields['message'] = 'would undo'
            }
            else {
                $status = 'skipped'
                $fields['message'] = 'skipped: declined by the operator'
            }
        }
        else {
            [void]@(& $definition.Undo -Entry $Entry -Context $Context)
            $status = 'rolledBack'
            $fields['message'] = 'undone'
            Add-RdsJournalMarker -Context $Context -StepId $StepId -Action $Action -Marker 'undone'
        }
    }
    catch {
        $status = 'failed'
        $fields['message'] = Get-RdsExceptionMessage -ErrorRecord $_
    }
    $Context.CurrentStepId = ''
    $Context.Steps[$StepId] = $status
    if ($status -eq 'failed') { $Context.Failed = $true }
    Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status $status -Fields $fields -DurationMs ([long]$watch.ElapsedMilliseconds)
}

# Reports what a step's Test reads on the host now, as a 'state' event; a read failure is the event's message, never the run's.
function Write-RdsStepState {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [hashtable] $Parameters
    )
    $event = [ordered]@{
        event  = 'state'
        runId  = $Context.RunId
        host   = $Context.HostName
        time   = Get-RdsUtcTimestamp
        stepId = $StepId
        action = $Action
    }
    # The same read whether the run's own steps ran before it or not: an apply's last read and
    # an undo's first must compare equal on a host nobody touched in between.
    $read = $Context.Clone()
    $read.Steps = [ordered]@{}
    $read.StepState = @{}
    $read.Mode = 'check'
    $read.CurrentStepId = $StepId
    try {
        if (-not $script:RdsActionTable.ContainsKey($Action)) {
            throw "action '$Action' is not part of this script"
        }
        $definition = $script:RdsActionTable[$Action]
        $test = Get-RdsResultObject -Output @(& $definition.Test -Parameters $Parameters -Context $read) -What "$Action Test"
        $event['state'] = Get-RdsResultField -Result $test -Key 'Before'
    }
    catch {
        $event['message'] = 'cannot read the current state: ' + (Get-RdsExceptionMessage -ErrorRecord $_)
    }
    Write-RdsEvent -Event $event
}

# The state an apply left behind, once per step it changed and did not undo: what a later undo compares the host with.
function Write-RdsLeftState {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    if ($Context.Mode -ne 'apply') { return }
    $done = @{}
    foreach ($entry in $Context.Journal) {
        if ($done.ContainsKey($entry.StepId)) { continue }
        $done[$entry.StepId] = $true
        Write-RdsStepState -Context $Context -StepId $entry.StepId -Action $entry.Action -Parameters $entry.Parameters
    }
}

function Add-RdsJournalMarker {
    <#
    .SYNOPSIS
    Appends a marker line to the run's journal (apply mode): a step undone by rollback, or finalized.
    .DESCRIPTION
    The journal (<run dir>/journal.jsonl) has one JSON object per line: entries
    { runId, stepId, action, time, undo } written when a step changed something, and markers
    { runId, stepId, action, time, marker } with marker 'undone' (rolled back) or 'finalized'
    (its finalizer ran), so an undo of a dead run knows what is left to do.
    .PARAMETER Context
    The plan context.
    .PARAMETER StepId
    The step id.
    .PARAMETER Action
    The action name.
    .PARAMETER Marker
    'undone' or 'finalized'.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [string] $StepId,
        [Parameter(Mandatory = $true)] [string] $Action,
        [Parameter(Mandatory = $true)] [ValidateSet('undone', 'finalized')] [string] $Marker
    )
    if ($Context.Mode -ne 'apply') { return }
    try {
        $line = ConvertTo-RdsJson -InputObject ([ordered]@{ runId = $Context.RunId; stepId = $StepId; action = $Action; time = Get-RdsUtcTimestamp; marker = $Marker })
        Write-RdsTextFile -Path $Context.JournalFile -Text ($line + "`n") -Append
    }
    catch {
        Write-Warning ('rdsplan: writing the journal failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
}

function Invoke-RdsRollback {
    <#
    .SYNOPSIS
    Undoes the completed steps of the run in reverse order (one 'rolledBack' or 'failed' event each).
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    $Context.RolledBack = $true
    for ($i = $Context.Journal.Count - 1; $i -ge 0; $i--) {
        $record = $Context.Journal[$i]
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $fields = @{ before = $record.After; undo = $record.Entry }
        $status = 'rolledBack'
        try {
            $definition = $script:RdsActionTable[$record.Action]
            $Context.CurrentStepId = $record.StepId
            [void]@(& $definition.Undo -Entry $record.Entry -Context $Context)
            $fields['after'] = $record.Before
            $fields['message'] = 'undone'
            Add-RdsJournalMarker -Context $Context -StepId $record.StepId -Action $record.Action -Marker 'undone'
        }
        catch {
            $status = 'failed'
            $fields['message'] = 'rollback failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)
            $Context.RestoredToStart = $false
        }
        $Context.CurrentStepId = ''
        $Context.Steps[$record.StepId] = $status
        Write-RdsStepEvent -Context $Context -StepId $record.StepId -Action $record.Action -Status $status -Fields $fields -DurationMs ([long]$watch.ElapsedMilliseconds)
    }
    $Context.Journal.Clear()
}

function Invoke-RdsFinalizer {
    <#
    .SYNOPSIS
    Runs the remaining finalizers (e.g. restores ACLs whose restore step never ran), one event each.
    .DESCRIPTION
    Each finalizer reports as a step event with stepId 'finalize:<step id>' and status
    'changed' (done) or 'failed' (message). In check mode finalizers are dropped: nothing
    was changed.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    $keys = @($Context.Finalizers.Keys)
    [array]::Reverse($keys)
    foreach ($key in $keys) {
        $finalizer = $Context.Finalizers[$key]
        $Context.Finalizers.Remove($key)
        if ($Context.Mode -ne 'apply') { continue }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $status = 'changed'
        $fields = @{ message = [string]$finalizer.Description }
        try {
            [void]@(& $finalizer.Function -Entry $finalizer.Entry -Context $Context)
            Add-RdsJournalMarker -Context $Context -StepId $key -Action $finalizer.Action -Marker 'finalized'
        }
        catch {
            $status = 'failed'
            $fields['message'] = 'finalizer failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)
            $Context.Failed = $true
            $Context.RestoredToStart = $false
        }
        Write-RdsStepEvent -Context $Context -StepId ('finalize:' + $key) -Action $finalizer.Action -Status $status -Fields $fields -DurationMs ([long]$watch.ElapsedMilliseconds)
    }
}

function Complete-RdsPlan {
    <#
    .SYNOPSIS
    Ends the run: finalizers, unlock, platform completion, summary event, reboot, exit code.
    .DESCRIPTION
    Exit codes: 0 succeeded (check mode too, whether or not changes are pending), 1 failed or
    rolled back. The reboot ('always', or 'ifRequired' after a host.reboot step or a step that
    flagged it) happens only in apply mode, after the summary, and never after a failure.
    .PARAMETER Context
    The plan context.
    .PARAMETER NoExit
    Returns the exit code instead of exiting (for hosts that embed the runtime).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [switch] $NoExit
    )
    $messages = [System.Collections.Generic.List[string]]::new()
    $rebootNow = $false
    try {
        try {
            # Deferred steps no dependent needed (no restore step reached them) end here.
            foreach ($deferredId in @($Context.Deferred.Keys)) {
                Close-RdsDeferredStep -Context $Context -StepId ([string]$deferredId)
            }
            Invoke-RdsFinalizer -Context $Context
            Write-RdsLeftState -Context $Context
        }
        catch {
            $Context.Failed = $true
            $messages.Add('finalizers: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        }
    }
    finally {
        # Before the unlock: the next run that takes the lock sees this run as finished.
        Add-RdsJournalCompletion -Context $Context
        try {
            if ($Context.LockHeld) {
                Unlock-RdsHost -Name 'rdsplan'
                $Context.LockHeld = $false
            }
        }
        catch {
            $messages.Add('releasing the host lock failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        }
        try {
            if ($Context.PlatformReady) {
                Complete-RdsPlatform
                $Context.PlatformReady = $false
            }
        }
        catch {
            $Context.Failed = $true
            $messages.Add('completing the platform failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        }
    }
    $Context.Completed = $true

    $status = 'succeeded'
    if ($Context.RolledBack) {
        $status = 'rolledBack'
    }
    elseif ($Context.Failed) {
        $status = 'failed'
    }
    $rebootRequired = [bool]$Context.RebootRequested
    if ($Context.Mode -eq 'apply' -and $status -eq 'succeeded') {
        if ($Context.Reboot -eq 'always') {
            $rebootNow = $true
            $rebootRequired = $true
        }
        elseif ($Context.Reboot -eq 'ifRequired' -and $Context.RebootRequested) {
            $rebootNow = $true
        }
    }
    if ($Context.Mode -eq 'check') {
        $pending = [int]$Context.Counts['wouldChange']
        if ($status -eq 'succeeded') {
            if ($pending -gt 0) { $messages.Insert(0, "check: $pending step(s) would change") } else { $messages.Insert(0, 'check: in desired state') }
        }
    }
    $delay = $Context.RebootDelaySeconds
    if ($delay -lt 0) { $delay = 10 }
    if ($rebootNow) {
        $messages.Add("restarting the host in $delay second(s)")
    }
    elseif ($rebootRequired -and $Context.Mode -eq 'apply') {
        $messages.Add("a reboot is required (options.reboot '" + $Context.Reboot + "')")
    }
    $messages.AddRange($Context.Notes)
    $summary = [ordered]@{
        event      = 'summary'
        runId      = $Context.RunId
        host       = $Context.HostName
        time       = Get-RdsUtcTimestamp
        status     = $status
        counts     = $Context.Counts
    }
    if ($Context.RolledBack) {
        $summary['restoredToStart'] = [bool]$Context.RestoredToStart
    }
    $summary['rebootRequired'] = $rebootRequired
    if ($messages.Count -gt 0) {
        $summary['message'] = [string]::Join('; ', $messages.ToArray())
    }
    $summary['durationMs'] = [long]$Context.Stopwatch.ElapsedMilliseconds
    Write-RdsEvent -Event $summary

    $exitCode = 0
    if ($status -ne 'succeeded') { $exitCode = 1 }
    if ($rebootNow) {
        try {
            Restart-RdsHost -DelaySeconds $delay
        }
        catch {
            Write-Warning ('rdsplan: the restart failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
            $exitCode = 1
        }
    }
    if ($NoExit) {
        return $exitCode
    }
    exit $exitCode
}
