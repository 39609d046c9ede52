# The session check (actions/host.testSessions.ps1) and the barrier it leaves (-BeforeAnyChange,
# Runner.Deferred.ps1) in whole plan scripts over the fake platform: decided just before the
# first change, never when nothing changes, and once it refuses or fails no change runs,
# whatever onError says. The preset and the sim run end to end in test/e2e/sessions.test.ts.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0

    $Key = 'HKLM\SOFTWARE\Contoso\App'
    $Alice = @{ Id = 2; Station = 'RDP-Tcp#4'; State = 'Active'; User = 'CONTOSO\alice' }
    function New-Check {
        param([string] $Policy = 'refuse', [int] $WaitMinutes = 0, [string] $Reason = '')
        New-RdsTestStep -StepId 'restart.sessions' -Action 'host.testSessions' -Deferred -BeforeAnyChange -NoHostChange -Parameters @{ Service = 'TermService'; Policy = $Policy; WaitMinutes = $WaitMinutes; Reason = $Reason }
    }
    $Change = New-RdsTestStep -StepId 'set' -Action 'registry.setValue' -Parameters @{ Path = $Key; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 2 }
    function New-AppHost {
        param([object[]] $Sessions = @(), [int] $Mode = 1)
        $fakeHost = New-RdsFakeHost
        Set-RdsFakeValue -FakeHost $fakeHost -Path $Key -Name 'Mode' -Type 'DWord' -Data $Mode
        $fakeHost.Keys[$Key].Sddl = 'O:BAG:SYD:(A;CI;KA;;;BA)'
        $fakeHost.Sessions = $Sessions
        return $fakeHost
    }
}

Describe 'host.testSessions and the barrier before the first change' {
    It 'no one signed in: the check passes at once and the change runs' {
        $fake = New-AppHost
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check), $Change)
        $r.Statuses | Should -BeExactly @('restart.sessions:unchanged', 'set:changed')
        $r.Steps[0].message | Should -BeExactly 'no user is signed in'
        $r.ExitCode | Should -Be 0
    }

    It 'a user signed in and onError continue: refused (exit 4), the change skipped, the value as it was' {
        $fake = New-AppHost -Sessions @($Alice)
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check), $Change) -OnError 'continue'
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('restart.sessions:failed', 'set:skipped')
        $r.Steps[0].message | Should -BeExactly 'refused: 1 user session(s) (CONTOSO\alice (active, session 2)) signed in; stopping TermService would disconnect them, so nothing was changed (activeSessions: "wait" for them to sign off, or "proceed" with a reason)'
        $r.Steps[1].message | Should -BeExactly "skipped: no change may run: step 'restart.sessions' refused the run"
        $r.Summary.status | Should -BeExactly 'refused'
        $r.ExitCode | Should -Be 4
        $fake.Keys[$Key].Values['Mode'].Data | Should -Be 1
    }

    It 'a user signed in but nothing to change: not asked, the run succeeds' {
        $fake = New-AppHost -Sessions @($Alice) -Mode 2
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check), $Change)
        $r.Statuses | Should -BeExactly @('set:unchanged', 'restart.sessions:unchanged')
        $r.Steps[1].message | Should -BeExactly 'not needed: no dependent step changes anything'
        $r.ExitCode | Should -Be 0
    }

    It 'check mode says what the apply would do and changes nothing' {
        $fake = New-AppHost -Sessions @($Alice)
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check -Policy 'wait' -WaitMinutes 20), $Change) -CheckMode
        $r.Statuses | Should -BeExactly @('restart.sessions:wouldChange', 'set:wouldChange')
        $r.Steps[0].message | Should -BeExactly '1 user session(s) (CONTOSO\alice (active, session 2)): the apply waits up to 20 minute(s) for them to sign off before its first change, and is refused if they do not'
    }

    It 'proceed: the change runs and the reason is reported' {
        $fake = New-AppHost -Sessions @($Alice)
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check -Policy 'proceed' -Reason 'announced maintenance'), $Change)
        $r.Statuses | Should -BeExactly @('restart.sessions:changed', 'set:changed')
        $r.Steps[0].message | Should -BeExactly 'going ahead with 1 user session(s) (CONTOSO\alice (active, session 2)), disconnected when TermService stops: announced maintenance'
    }

    It 'sessions that cannot be read fail the check, and no change runs even with onError continue (exit 1)' {
        Mock Get-RdsSessionList { throw 'WTSEnumerateSessions failed (5)' }
        $fake = New-AppHost
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @((New-Check), $Change) -OnError 'continue'
        $r.Statuses | Should -BeExactly @('restart.sessions:failed', 'set:skipped')
        $r.Steps[1].message | Should -BeExactly "skipped: no change may run: step 'restart.sessions' must pass before any change, and it failed"
        $r.ExitCode | Should -Be 1
        $fake.Keys[$Key].Values['Mode'].Data | Should -Be 1
    }
}

Describe 'Wait-RdsSignOff' {
    BeforeAll {
        foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
        . (Join-Path $PSScriptRoot '../actions/host.testSessions.ps1')
        $script:RdsSessionPollMilliseconds = 10
    }

    It 'returns as soon as the last user has signed off' {
        $script:reads = 0
        Mock Get-RdsSessionList { $script:reads++; if ($script:reads -lt 3) { return , @($Alice) } return , @() }
        $wait = Wait-RdsSignOff -TimeoutMilliseconds 60000
        $wait.SignedIn.Length | Should -Be 0
        $script:reads | Should -Be 3
    }

    It 'gives up when the time is up and names who is still signed in' {
        Mock Get-RdsSessionList { , @($Alice) }
        $wait = Wait-RdsSignOff -TimeoutMilliseconds 100
        $wait.SignedIn | Should -Be @('CONTOSO\alice (active, session 2)')
    }
}
