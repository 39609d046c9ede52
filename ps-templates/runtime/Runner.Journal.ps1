# rdsplan runtime, what undoes a run: finalizers (work that must happen whatever happens),
# rollback of the journaled steps newest first, the state a run leaves for a later undo, and
# the entries of an undo script.

# Registers work that Complete-RdsPlan must do whatever happens (e.g. restore a key's ACL).
function Register-RdsFinalizer {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Key, [Parameter(Mandatory)] [string] $Function,
        [Parameter(Mandatory)] [hashtable] $Entry, [Parameter(Mandatory)] [string] $Action, [string] $Description = '')
    $Context.Finalizers[$Key] = @{ Key = $Key; Function = $Function; Entry = $Entry; Action = $Action; Description = $Description }
}

# Removes a finalizer (its work was done by a step).
function Unregister-RdsFinalizer {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Key)
    if ($Context.Finalizers.Contains($Key)) { $Context.Finalizers.Remove($Key) }
}

# Runs one entry of an undo script: the action's Undo with a journal entry from a run record.
function Invoke-RdsUndoStep {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [AllowNull()] [object] $Entry)
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
        if (-not $script:RdsActionTable.ContainsKey($Action)) { throw "action '$Action' is not part of this script" }
        $definition = $script:RdsActionTable[$Action]
        $operation = 'Undo ' + $Action
        $proceed = $false
        if ($null -ne $Context.Cmdlet) { $proceed = $Context.Cmdlet.ShouldProcess($StepId, $operation) }
        else { $proceed = ($Context.Mode -eq 'apply') }
        if (-not $proceed) {
            if ($Context.Mode -eq 'check') {
                $status = 'wouldChange'
                $fields['message'] = 'would undo'
            } else {
                $status = 'skipped'
                $fields['message'] = 'skipped: declined by the operator'
            }
        } else {
            [void]@(& $definition.Undo -Entry $Entry -Context $Context)
            $status = 'rolledBack'
            $fields['message'] = 'undone'
            Add-RdsJournalMarker -Context $Context -StepId $StepId -Action $Action -Marker 'undone'
        }
    } catch {
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
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [hashtable] $Parameters)
    $event = [ordered]@{
        event = 'state'; runId = $Context.RunId; host = $Context.HostName; time = Get-RdsUtcTimestamp; stepId = $StepId; action = $Action
    }
    # The same read whether the run's own steps ran before it or not: an apply's last read and
    # an undo's first must compare equal on a host nobody touched in between.
    $read = $Context.Clone()
    $read.Steps = [ordered]@{}
    $read.StepState = @{}
    $read.Mode = 'check'
    $read.CurrentStepId = $StepId
    try {
        if (-not $script:RdsActionTable.ContainsKey($Action)) { throw "action '$Action' is not part of this script" }
        $definition = $script:RdsActionTable[$Action]
        $test = Get-RdsResultObject -Output @(& $definition.Test -Parameters $Parameters -Context $read) -What "$Action Test"
        $event['state'] = Get-RdsResultField -Result $test -Key 'Before'
    } catch { $event['message'] = 'cannot read the current state: ' + (Get-RdsExceptionMessage -ErrorRecord $_) }
    Write-RdsEvent -Event $event
}

# The state an apply left behind, once per step it changed and did not undo: what a later undo compares the host with.
function Write-RdsLeftState {
    param([Parameter(Mandatory)] [hashtable] $Context)
    if ($Context.Mode -ne 'apply') { return }
    $done = @{}
    foreach ($entry in $Context.Journal) {
        if ($done.ContainsKey($entry.StepId)) { continue }
        $done[$entry.StepId] = $true
        Write-RdsStepState -Context $Context -StepId $entry.StepId -Action $entry.Action -Parameters $entry.Parameters
    }
}

# Appends a marker line to the run's journal (apply mode): a step undone by rollback, or finalized.
function Add-RdsJournalMarker {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [Parameter(Mandatory)] [string] $Action,
        [Parameter(Mandatory)] [ValidateSet('undone', 'finalized')] [string] $Marker)
    if ($Context.Mode -ne 'apply') { return }
    try {
        $line = ConvertTo-RdsJson -InputObject ([ordered]@{ runId = $Context.RunId; stepId = $StepId; action = $Action; time = Get-RdsUtcTimestamp; marker = $Marker })
        Write-RdsTextFile -Path $Context.JournalFile -Text ($line + "`n") -Append
    } catch { Write-Warning ('rdsplan: writing the journal failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
}

# Undoes the completed steps of the run in reverse order (one 'rolledBack' or 'failed' event each).
function Invoke-RdsRollback {
    param([Parameter(Mandatory)] [hashtable] $Context)
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
        } catch {
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

# Runs the remaining finalizers (e.g. restores ACLs whose restore step never ran), one event each.
function Invoke-RdsFinalizer {
    param([Parameter(Mandatory)] [hashtable] $Context)
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
        } catch {
            $status = 'failed'
            $fields['message'] = 'finalizer failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)
            $Context.Failed = $true
            $Context.RestoredToStart = $false
        }
        Write-RdsStepEvent -Context $Context -StepId ('finalize:' + $key) -Action $finalizer.Action -Status $status -Fields $fields -DurationMs ([long]$watch.ElapsedMilliseconds)
    }
}
