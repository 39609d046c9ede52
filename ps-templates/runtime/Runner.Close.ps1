# rdsplan runtime, the end of a run: Complete-RdsPlan (finalizers, summary, reboot, exit code),
# the safety net for an error no step caught, and the one teardown both use with a refused
# start (Close-RdsRun: host lock, then platform) and the summary event they all write.

# Safety net for an error no step caught (a bug, or a statement of the steps section that
# throws): release the host lock, let the platform save its state, report a 'failed' summary,
# then let the error end the script as usual (exit 1, the error on stderr). Steps never get
# here: Invoke-RdsPlanStep turns their errors into 'failed' events.
trap {
    Stop-RdsPlanOnError -ErrorRecord $_
    break
}

# Cleans up a started run after an unexpected terminating error (lock, platform, summary).
function Stop-RdsPlanOnError {
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $context = $script:RdsCurrentContext
    if ($null -eq $context -or $context.Completed) { return }
    $context.Completed = $true
    foreach ($problem in (Close-RdsRun -Context $context).Problems) { Write-Warning ('rdsplan: ' + $problem) }
    Write-RdsRunSummary -Context $context -Status 'failed' -Fields ([ordered]@{ counts = $context.Counts; rebootRequired = [bool]$context.RebootRequested; message = 'unexpected error: ' + (Get-RdsExceptionMessage -ErrorRecord $ErrorRecord) })
}

# Ends the run: finalizers, unlock, platform completion, summary event, reboot, exit code.
function Complete-RdsPlan {
    param([Parameter(Mandatory)] [hashtable] $Context, [switch] $NoExit)
    $messages = [System.Collections.Generic.List[string]]::new()
    $rebootNow = $false
    try {
        try {
            # Deferred steps no dependent needed (no restore step reached them) end here.
            foreach ($deferredId in @($Context.Deferred.Keys)) { Close-RdsDeferredStep -Context $Context -StepId ([string]$deferredId) }
            Invoke-RdsFinalizer -Context $Context
            Write-RdsLeftState -Context $Context
        } catch {
            $Context.Failed = $true
            $messages.Add('finalizers: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
        }
    } finally {
        # Before the unlock: the next run that takes the lock sees this run as finished.
        Add-RdsJournalCompletion -Context $Context
        $closed = Close-RdsRun -Context $Context
        $messages.AddRange([string[]]$closed.Problems)
        if ($closed.PlatformFailed) { $Context.Failed = $true }
    }

    $status = 'succeeded'
    if ($Context.Refused) {
        # A step refused the run before the first change (Deny-RdsHostChange): nothing to roll back.
        $status = 'refused'
    } elseif ($Context.RolledBack) { $status = 'rolledBack' } elseif ($Context.Failed) { $status = 'failed' }
    $rebootRequired = [bool]$Context.RebootRequested
    if ($Context.Mode -eq 'apply' -and $status -eq 'succeeded') {
        if ($Context.Reboot -eq 'always') {
            $rebootNow = $true
            $rebootRequired = $true
        } elseif ($Context.Reboot -eq 'ifRequired' -and $Context.RebootRequested) { $rebootNow = $true }
    }
    if ($Context.Mode -eq 'check') {
        $pending = [int]$Context.Counts['wouldChange']
        if ($status -eq 'succeeded') {
            if ($pending -gt 0) { $messages.Insert(0, "check: $pending step(s) would change") } else { $messages.Insert(0, 'check: in desired state') }
        }
    }
    $delay = $Context.RebootDelaySeconds
    if ($delay -lt 0) { $delay = 10 }
    if ($rebootNow) { $messages.Add("restarting the host in $delay second(s)") }
    elseif ($rebootRequired -and $Context.Mode -eq 'apply') { $messages.Add("a reboot is required (options.reboot '" + $Context.Reboot + "')") }
    $messages.AddRange($Context.Notes)
    $fields = [ordered]@{ counts = $Context.Counts }
    if ($Context.RolledBack) { $fields['restoredToStart'] = [bool]$Context.RestoredToStart }
    $fields['rebootRequired'] = $rebootRequired
    if ($messages.Count -gt 0) { $fields['message'] = [string]::Join('; ', $messages.ToArray()) }
    Write-RdsRunSummary -Context $Context -Status $status -Fields $fields

    $exitCode = 0
    if ($status -eq 'refused') { $exitCode = 4 }
    elseif ($status -ne 'succeeded') { $exitCode = 1 }
    if ($rebootNow) {
        try { Restart-RdsHost -DelaySeconds $delay }
        catch {
            Write-Warning ('rdsplan: the restart failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
            $exitCode = 1
        }
    }
    if ($NoExit) { return $exitCode }
    exit $exitCode
}

# Releases what a run holds, once: the host lock, then the platform (the sim saves its state). Returns what failed.
function Close-RdsRun {
    param([Parameter(Mandatory)] [hashtable] $Context)
    $problems = [System.Collections.Generic.List[string]]::new()
    $platformFailed = $false
    try {
        if ($Context.LockHeld) {
            Unlock-RdsHost -Name 'rdsplan'
            $Context.LockHeld = $false
        }
    } catch { $problems.Add('releasing the host lock failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
    try {
        if ($Context.PlatformReady) {
            Complete-RdsPlatform
            $Context.PlatformReady = $false
        }
    } catch {
        $platformFailed = $true
        $problems.Add('completing the platform failed: ' + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    $Context.Completed = $true
    return @{ Problems = $problems.ToArray(); PlatformFailed = $platformFailed }
}

# Emits the run's summary event: status, the given fields in their order, duration.
function Write-RdsRunSummary {
    param([Parameter(Mandatory)] [hashtable] $Context, [Parameter(Mandatory)] [string] $Status, [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Fields)
    $summary = [ordered]@{ event = 'summary'; runId = $Context.RunId; host = $Context.HostName; time = Get-RdsUtcTimestamp; status = $Status }
    foreach ($key in $Fields.Keys) { $summary[$key] = $Fields[$key] }
    $summary['durationMs'] = [long]$Context.Stopwatch.ElapsedMilliseconds
    Write-RdsEvent -Event $summary
}
