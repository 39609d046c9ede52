# rdsplan action: host.testSessions (internal, read-only; brought by a stop or restart of
# TermService or UmRdpService, and by rds.resetGracePeriod's restart)
# Stopping Remote Desktop Services ends every session on the host, the disconnected ones with
# their unsaved work too. This step stands first in the plan and is deferred (-BeforeAnyChange):
# it is carried out just before the first step that changes the host, so its policy is decided
# while nothing is changed yet, and a run that changes nothing never asks. Refusing (Deny-
# RdsHostChange) ends the run refused (exit 4) and skips every change, whatever onError says.
# Parameters: Service (the service whose stop disconnects), Policy ('refuse', 'wait' or
# 'proceed'), WaitMinutes (policy 'wait'), Reason (policy 'proceed').

Register-RdsAction -Name 'host.testSessions' -Test 'Test-RdsSessionStep' -Set 'Set-RdsSessionStep' -Undo 'Undo-RdsNothingStep'

# How often a 'wait' looks again (DOMAIN.md: WTSEnumerateSessions is cheap; users need minutes).
$script:RdsSessionPollMilliseconds = 15000

# The sessions a stop of Remote Desktop Services would end, as 'DOMAIN\user (state, session N)': every session with a user but session 0.
function Get-RdsSignedInSession {
    $signedIn = foreach ($session in (Get-RdsSessionList)) {
        if ([int]$session.Id -eq 0 -or [string]::IsNullOrEmpty([string]$session.User)) { continue }
        [string]$session.User + ' (' + ([string]$session.State).ToLowerInvariant() + ', session ' + [string]$session.Id + ')'
    }
    return , [string[]]@($signedIn)
}

# Returns the signed-in sessions in words: '2 user session(s) (CONTOSO\alice (active, session 2), …)'.
function Format-RdsSignedIn {
    param([Parameter(Mandatory)] [string[]] $SignedIn)
    return [string]$SignedIn.Length + ' user session(s) (' + ($SignedIn -join ', ') + ')'
}

# Looks again every RdsSessionPollMilliseconds until no user is signed in or the time is up; returns @{ SignedIn; ElapsedMilliseconds }.
function Wait-RdsSignOff {
    param([Parameter(Mandatory)] [long] $TimeoutMilliseconds)
    $result = Invoke-RdsRetry -TimeoutMilliseconds $TimeoutMilliseconds -IntervalMilliseconds $script:RdsSessionPollMilliseconds -ScriptBlock {
        $left = Get-RdsSignedInSession
        if ($left.Length -gt 0) { throw ('still signed in: ' + ($left -join ', ')) }
    }
    $signedIn = [string[]]@()
    if (-not $result.Succeeded) { $signedIn = Get-RdsSignedInSession }
    return @{ SignedIn = $signedIn; ElapsedMilliseconds = [long]$result.ElapsedMilliseconds }
}

# Test of host.testSessions: in desired state when no user is signed in; otherwise says what the apply will do about them.
function Test-RdsSessionStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $signedIn = Get-RdsSignedInSession
    $state = @{ SignedIn = $signedIn }
    $result = @{ InDesiredState = ($signedIn.Length -eq 0); Target = 'users signed in on the host'; Operation = 'Decide about the signed-in users before the first change'; Before = $state; After = $state; Message = 'no user is signed in' }
    if ($result.InDesiredState) { return $result }
    $plan = switch ([string]$Parameters.Policy) {
        'wait' { 'the apply waits up to ' + [string]$Parameters.WaitMinutes + ' minute(s) for them to sign off before its first change, and is refused if they do not' }
        'proceed' { 'the apply goes ahead and ' + [string]$Parameters.Service + ' disconnects them (activeSessions proceed: ' + [string]$Parameters.Reason + ')' }
        default { 'the apply is refused before its first change (activeSessions refuse)' }
    }
    $result.Message = (Format-RdsSignedIn -SignedIn $signedIn) + ': ' + $plan
    return $result
}

# Set of host.testSessions: changes nothing; refuses the run, waits for the users, or goes ahead as the policy says.
function Set-RdsSessionStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Test)
    $service = [string]$Parameters.Service
    $who = Format-RdsSignedIn -SignedIn ([string[]]@($Test.Before.SignedIn))
    switch ([string]$Parameters.Policy) {
        'proceed' {
            return @{ After = $Test.After; Backup = $null; Undo = $null; Message = 'going ahead with ' + $who + ', disconnected when ' + $service + ' stops: ' + [string]$Parameters.Reason }
        }
        'wait' {
            $minutes = [int]$Parameters.WaitMinutes
            $wait = Wait-RdsSignOff -TimeoutMilliseconds ([long]$minutes * 60000)
            if ($wait.SignedIn.Length -eq 0) {
                return @{ After = @{ SignedIn = [string[]]@() }; Backup = $null; Undo = $null; Message = 'every user signed off after ' + [string][math]::Round($wait.ElapsedMilliseconds / 1000) + ' s; ' + $service + ' disconnects no one' }
            }
            Deny-RdsHostChange -Context $Context -Message ('refused: after waiting ' + $minutes + ' minute(s), ' + (Format-RdsSignedIn -SignedIn $wait.SignedIn) + ' are still signed in; stopping ' + $service + ' would disconnect them, so nothing was changed')
        }
        default {
            Deny-RdsHostChange -Context $Context -Message ('refused: ' + $who + ' signed in; stopping ' + $service + ' would disconnect them, so nothing was changed (activeSessions: "wait" for them to sign off, or "proceed" with a reason)')
        }
    }
}
