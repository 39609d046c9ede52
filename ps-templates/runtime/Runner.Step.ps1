# rdsplan runtime, one step: skip rules, Test, ShouldProcess, Set, journal, one step event.
# What is particular to a step (deferred, covering its key, closing a deferral, no host change)
# comes as switches from the renderer (src/render/step-call.ts); the runner names no action.

# Returns the last dictionary an action function wrote (tolerates stray pipeline output).
function Get-RdsResultObject {
    param([Parameter(Mandatory)] [AllowNull()] [AllowEmptyCollection()] [object[]] $Output, [Parameter(Mandatory)] [string] $What)
    for ($i = $Output.Length - 1; $i -ge 0; $i--) { if ($Output[$i] -is [System.Collections.IDictionary]) { return $Output[$i] } }
    throw "internal error: $What returned no result"
}

# Returns a key of an action result, or a default when the key is missing.
function Get-RdsResultField {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Result, [Parameter(Mandatory)] [string] $Key,
        [AllowNull()] [object] $Default = $null)
    if ($Result.Contains($Key)) { return , $Result[$Key] }
    return , $Default
}

# Marks the run as needing a reboot (done by Complete-RdsPlan at the very end, never mid-plan).
function Request-RdsReboot {
    param([Parameter(Mandatory)] [hashtable] $Context, [int] $DelaySeconds = 0)
    $Context.RebootRequested = $true
    if ($DelaySeconds -gt $Context.RebootDelaySeconds) { $Context.RebootDelaySeconds = $DelaySeconds }
}

# Returns the path of a file inside the run's backup folder.
function Get-RdsRunFilePath {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Name)
    return [System.IO.Path]::Combine($Context.RunDirectory, $Name)
}

# Counts one step event by status.
function Add-RdsStepCount {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Status)
    $Context.Counts[$Status] = [int]$Context.Counts[$Status] + 1
}

# Emits one step event and counts it.
function Write-RdsStepEvent {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [string] $Status, [hashtable] $Fields = @{}, [long] $DurationMs = 0)
    $event = [ordered]@{
        event = 'step'; runId = $Context.RunId; host = $Context.HostName; time = Get-RdsUtcTimestamp; stepId = $StepId; action = $Action
        status = $Status
    }
    foreach ($name in @('target', 'before', 'after', 'backup', 'undo')) { if ($Fields.ContainsKey($name)) { $event[$name] = $Fields[$name] } }
    if ($Fields.ContainsKey('message') -and -not [string]::IsNullOrEmpty([string]$Fields['message'])) {
        $event['message'] = [string]$Fields['message']
    }
    $event['durationMs'] = $DurationMs
    Add-RdsStepCount -Context $Context -Status $Status
    Write-RdsEvent -Event $event
}

# Runs one plan step: skip rules, Test, ShouldProcess, Set, journal, one step event.
function Invoke-RdsPlanStep {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [ValidateSet('always', 'changed')] [string] $RunWhen = 'always', [AllowEmptyCollection()] [string[]] $DependsOn = @(), [switch] $Deferred,
        [switch] $CoversKey, [switch] $BeforeAnyChange, [switch] $ClosesDeferred, [switch] $NoHostChange, [switch] $Irreversible,
        [hashtable] $Parameters = @{})
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $Context.CurrentStepId = $StepId

    # Skip rules.
    $skipReason = ''
    if ($Context.Failed -and $Context.OnError -ne 'continue') { $skipReason = "skipped: an earlier step failed (onError '" + $Context.OnError + "')" }
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
        } elseif (-not $Context.AnyChanged) { $skipReason = 'skipped: no earlier step changed anything' }
    }
    if ($skipReason -ne '') {
        $Context.Steps[$StepId] = 'skipped'
        Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status 'skipped' -Fields @{ message = $skipReason } -DurationMs ([long]$watch.ElapsedMilliseconds)
        return
    }

    # A restore step closes the deferred ownership it restores: when no dependent needed it,
    # it reports 'unchanged' now, before the restore's own Test looks at its status.
    if ($ClosesDeferred) {
        foreach ($dependency in $DependsOn) {
            if ($Context.Deferred.Contains($dependency)) { Close-RdsDeferredStep -Context $Context -StepId $dependency }
        }
    }

    $fields = @{}
    $status = 'failed'
    try {
        if (-not $script:RdsActionTable.ContainsKey($Action)) { throw "action '$Action' is not part of this script" }
        $definition = $script:RdsActionTable[$Action]
        $test = $null
        try { $test = Get-RdsResultObject -Output @(& $definition.Test -Parameters $Parameters -Context $Context) -What "$Action Test" }
        catch {
            # A key only the new owner may read: the Test ran before the deferred ownership it
            # depends on. Carry that out and test again (the order of today's eager runs).
            $retry = $_
            $pending = Get-RdsPendingDependency -Context $Context -DependsOn $DependsOn -Parameters $Parameters -ChangesHost:(-not $NoHostChange)
            if ($pending.Length -eq 0) { throw $retry }
            $blocked = Invoke-RdsDeferredDependency -Context $Context -StepId $StepId -DependsOn $DependsOn -Parameters $Parameters -ChangesHost:(-not $NoHostChange)
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
        } elseif ($Deferred) {
            # Deferred (see Invoke-RdsDeferredDependency): no event yet; dependents see it as
            # succeeded ('unchanged') until it is carried out or closed.
            $Context.Deferred[$StepId] = @{ StepId = $StepId; Action = $Action; DependsOn = $DependsOn; Parameters = $Parameters; Test = $test; Fields = $fields; CoversKey = [bool]$CoversKey; BeforeAnyChange = [bool]$BeforeAnyChange; NoHostChange = [bool]$NoHostChange }
            $Context.Steps[$StepId] = 'unchanged'
            $Context.CurrentStepId = ''
            return
        } else {
            $blocked = Invoke-RdsDeferredDependency -Context $Context -StepId $StepId -DependsOn $DependsOn -Parameters $Parameters -ChangesHost:(-not $NoHostChange)
            $Context.CurrentStepId = $StepId
            if ($blocked -ne '') {
                $status = 'skipped'
                $fields = @{ message = $blocked }
            } else {
                # Nothing gives back what such a step did, even half-way: a rollback cannot bring the host back to its start.
                if ($Irreversible -and $Context.Mode -eq 'apply') { $Context.RestoredToStart = $false }
                $status = Invoke-RdsStepChange -Context $Context -StepId $StepId -Action $Action -Definition $definition -Parameters $Parameters -Test $test -Fields $fields
            }
        }
    } catch {
        $status = 'failed'
        $fields['message'] = Get-RdsExceptionMessage -ErrorRecord $_
    }
    Complete-RdsStepRun -Context $Context -StepId $StepId -Action $Action -Status $status -Fields $fields -Watch $watch -NoHostChange:$NoHostChange -BeforeAnyChange:$BeforeAnyChange
}

# Records a step's status, emits its event and, for a first failure with onError 'rollback', rolls back.
function Complete-RdsStepRun {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [string] $Status, [Parameter(Mandatory)] [hashtable] $Fields,
        [Parameter(Mandatory)] [System.Diagnostics.Stopwatch] $Watch, [switch] $NoHostChange, [switch] $BeforeAnyChange)
    $Context.Steps[$StepId] = $Status
    if ($Status -eq 'failed' -and $BeforeAnyChange -and [string]$Context.Barrier -eq '') {
        $Context.Barrier = "step '" + $StepId + "' must pass before any change, and it failed"
    }
    if (($Status -eq 'changed' -or $Status -eq 'wouldChange') -and -not $NoHostChange) { $Context.AnyChanged = $true }
    Write-RdsStepEvent -Context $Context -StepId $StepId -Action $Action -Status $Status -Fields $Fields -DurationMs ([long]$Watch.ElapsedMilliseconds)
    $Context.CurrentStepId = ''
    if ($Status -eq 'failed') {
        $firstFailure = -not $Context.Failed
        $Context.Failed = $true
        if ($firstFailure -and $Context.OnError -eq 'rollback' -and $Context.Mode -eq 'apply') { Invoke-RdsRollback -Context $Context }
    }
}

# The change part of a step that is not in its desired state: ShouldProcess, Set, journal. Returns the status.
function Invoke-RdsStepChange {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [hashtable] $Definition, [Parameter(Mandatory)] [hashtable] $Parameters,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test, [Parameter(Mandatory)] [hashtable] $Fields)
    $target = [string](Get-RdsResultField -Result $Test -Key 'Target' -Default $StepId)
    $operation = [string](Get-RdsResultField -Result $Test -Key 'Operation' -Default $Action)
    $testMessage = [string](Get-RdsResultField -Result $Test -Key 'Message' -Default '')
    $proceed = $false
    if ($null -ne $Context.Cmdlet) { $proceed = $Context.Cmdlet.ShouldProcess($target, $operation) }
    else { $proceed = ($Context.Mode -eq 'apply') }
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
    if ([bool](Get-RdsResultField -Result $set -Key 'RebootRequired' -Default $false)) { Request-RdsReboot -Context $Context }
    $Fields['message'] = [string](Get-RdsResultField -Result $set -Key 'Message' -Default '')
    return 'changed'
}

# Set of a step that only reads: its Test is always in desired state, so the runner never calls it; the reading stands.
function Set-RdsReadOnlyStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    return @{ After = $Test.After; Backup = $null; Undo = $null; Message = '' }
}

# Undo of a step that journals nothing (a read, a check, a backup, a restart, a revoke that cannot be given back).
function Undo-RdsNothingStep {
    param([Parameter(Mandatory)] [AllowNull()] [object] $Entry, [Parameter(Mandatory)] [hashtable] $Context)
}
