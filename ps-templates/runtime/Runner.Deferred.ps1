# rdsplan runtime, deferred steps (ps-templates/README.md, "Deferred preparation"): steps the
# renderer marks -Deferred (ownership, a backup) prepare for the steps that depend on them.
# When they are not in their desired state and later steps depend on them, they wait: they are
# carried out just before the first dependent whose own Test says it needs a change, and
# otherwise report 'unchanged' (not needed) at their restore step or the end of the run. A
# second apply of a plan then reports no change. A step marked -BeforeAnyChange (the session
# check) is needed by every step that changes the host; once it fails or refuses, the barrier
# it leaves skips every later change, whatever onError says.

# Returns the ids of the deferred steps a step needs carried out before its change, in plan order.
function Get-RdsPendingDependency {
    param([Parameter(Mandatory)] [hashtable] $Context, [AllowEmptyCollection()] [string[]] $DependsOn = @(), [hashtable] $Parameters = @{},
        [switch] $ChangesHost)
    $pending = [System.Collections.Generic.List[string]]::new()
    $path = ''
    if ($Parameters.ContainsKey('Path')) { $path = [string]$Parameters.Path }
    $view = ''
    if ($path -ne '') { $view = Get-RdsStepView -Parameters $Parameters }
    foreach ($key in @($Context.Deferred.Keys)) {
        $deferred = $Context.Deferred[$key]
        $needed = ($DependsOn -contains $key) -or ($ChangesHost -and [bool]$deferred.BeforeAnyChange)
        if (-not $needed -and $path -ne '' -and $deferred.CoversKey) {
            $exportPath = [string]$deferred.Parameters.Path
            $sameView = ((Get-RdsStepView -Parameters $deferred.Parameters) -eq $view)
            $covers = $path.Equals($exportPath, [System.StringComparison]::OrdinalIgnoreCase) -or $path.StartsWith($exportPath + '\', [System.StringComparison]::OrdinalIgnoreCase)
            $needed = ($sameView -and $covers)
        }
        if ($needed) { $pending.Add([string]$key) }
    }
    return , $pending.ToArray()
}

# Carries out the deferred steps a step needs (plan order), each with its own event. Returns '' or why the step cannot go on.
function Invoke-RdsDeferredDependency {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId, [AllowEmptyCollection()] [string[]] $DependsOn = @(),
        [hashtable] $Parameters = @{}, [switch] $ChangesHost)
    if ([string]$Context.Barrier -ne '') { return ('skipped: no change may run: ' + $Context.Barrier) }
    # The deferred steps' own dependencies come first (takeOwnership after its export).
    $queue = [System.Collections.Generic.List[string]]::new()
    $todo = [System.Collections.Generic.Queue[string]]::new()
    foreach ($id in (Get-RdsPendingDependency -Context $Context -DependsOn $DependsOn -Parameters $Parameters -ChangesHost:$ChangesHost)) { $todo.Enqueue($id) }
    while ($todo.Count -gt 0) {
        $id = $todo.Dequeue()
        if ($queue.Contains($id)) { continue }
        $queue.Add($id)
        $deferred = $Context.Deferred[$id]
        foreach ($more in (Get-RdsPendingDependency -Context $Context -DependsOn @($deferred.DependsOn) -Parameters $deferred.Parameters -ChangesHost:(-not $deferred.NoHostChange))) { $todo.Enqueue($more) }
    }
    foreach ($id in @($Context.Deferred.Keys)) {
        if (-not $queue.Contains([string]$id)) { continue }
        if (($Context.Failed -and $Context.OnError -ne 'continue') -or [string]$Context.Barrier -ne '') { break }
        $deferred = $Context.Deferred[$id]
        $Context.Deferred.Remove($id)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $fields = $deferred.Fields
        $status = 'failed'
        $Context.CurrentStepId = [string]$id
        try {
            $status = Invoke-RdsStepChange -Context $Context -StepId ([string]$id) -Action $deferred.Action -Definition $script:RdsActionTable[$deferred.Action] -Parameters $deferred.Parameters -Test $deferred.Test -Fields $fields
        } catch {
            $status = 'failed'
            $fields['message'] = Get-RdsExceptionMessage -ErrorRecord $_
        }
        Complete-RdsStepRun -Context $Context -StepId ([string]$id) -Action $deferred.Action -Status $status -Fields $fields -Watch $watch -NoHostChange:$deferred.NoHostChange -BeforeAnyChange:$deferred.BeforeAnyChange
    }
    $Context.CurrentStepId = $StepId
    if ([string]$Context.Barrier -ne '') { return ('skipped: no change may run: ' + $Context.Barrier) }
    foreach ($dependency in $DependsOn) {
        $dependencyStatus = [string]$Context.Steps[$dependency]
        if (@('changed', 'unchanged', 'wouldChange') -notcontains $dependencyStatus) {
            return "skipped: dependency '$dependency' is $dependencyStatus"
        }
    }
    if ($Context.Failed -and $Context.OnError -ne 'continue') { return "skipped: an earlier step failed (onError '" + $Context.OnError + "')" }
    return ''
}

# Reports a deferred step that no dependent needed as 'unchanged' (at its restore step or the end of the run).
function Close-RdsDeferredStep {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $StepId)
    $deferred = $Context.Deferred[$StepId]
    $Context.Deferred.Remove($StepId)
    $fields = $deferred.Fields
    $fields['after'] = $fields['before']
    $fields['message'] = 'not needed: no dependent step changes anything'
    if ($Context.Failed) { $fields['message'] = 'not needed: the run stopped before a dependent step changed anything' }
    $saved = $Context.CurrentStepId
    Complete-RdsStepRun -Context $Context -StepId $StepId -Action $deferred.Action -Status 'unchanged' -Fields $fields -Watch ([System.Diagnostics.Stopwatch]::StartNew()) -NoHostChange:$deferred.NoHostChange
    $Context.CurrentStepId = $saved
}

# Refuses every change of this run from the current step on (a session check that found users signed in): the run ends refused (exit 4).
function Deny-RdsHostChange {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Message)
    $Context.Refused = $true
    $Context.Barrier = "step '" + $Context.CurrentStepId + "' refused the run"
    throw $Message
}
