# Services.ps1: service steps never wait without a limit. The platform passes the request
# and waits as long as told (Wait-RdsServiceStatus); the runtime sets the limit, stops
# dependents first, restarts the ones that ran, and fails the step with a clear message when
# a service hangs in StopPending. Plan scripts over the fake platform and the simulated host
# (whose services can hang in StopPending: stopPendingSeconds).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

    $GP = $RdsTestGracePeriodPath
    $TIMEBOMB = $RdsTestTimebombName

    function New-TestSimState {
        # A simulated host (the default one, TermService hanging in StopPending that long) saved to a new state file.
        param([string] $Name, [int] $StopPendingSeconds)
        $state = Join-Path $TestDrive ($Name + '.json')
        $seed = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -CheckMode
        if ($seed.ExitCode -ne 0) { throw 'the default host was not saved' }
        $document = Read-RdsTestSimState -Path $state
        $document.services.TermService.stopPendingSeconds = $StopPendingSeconds
        [System.IO.File]::WriteAllText($state, (ConvertTo-Json -InputObject $document -Depth 64))
        return $state
    }

    function Get-TestCallLog {
        # The mutating calls of the last run on a simulated host: 'call name' each.
        param([string] $State)
        return [string[]]@((Read-RdsTestSimState -Path $State).callLog | ForEach-Object { $_.call + ' ' + $_.name })
    }
}

Describe 'the time limit' {
    It 'every wait is Wait-RdsServiceStatus with the runtime''s limit of 120 s' {
        Mock Wait-RdsServiceStatus { $true }
        $fake = New-RdsFakeHost
        $fake.Services['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps (New-RdsTestStep -StepId 'start' -Action 'service.start' -Parameters @{ Name = 'A' })
        $r.Statuses | Should -BeExactly @('start:changed')
        Should -Invoke Wait-RdsServiceStatus -Times 1 -Exactly -ParameterFilter { $Name -eq 'A' -and $Status -eq 'Running' -and $TimeoutSeconds -eq 120 }
    }

    It 'a service that does not get there fails the step with its name, the limit and where it is; earlier steps roll back' {
        Mock Wait-RdsServiceStatus { $false } -ParameterFilter { $Name -eq 'A' }
        $fake = New-RdsFakeHost
        $fake.Services['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }
        $fake.Services['B'] = @{ StartMode = 'Manual'; Status = 'Running' }
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
            New-RdsTestStep -StepId 'mode' -Action 'service.setStartMode' -Parameters @{ Name = 'B'; StartMode = 'Disabled' }
            New-RdsTestStep -StepId 'start' -Action 'service.start' -Parameters @{ Name = 'A' }
        )
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('mode:changed', 'start:failed', 'mode:rolledBack')
        # The fake starts at once; the wait says it is not there: the message reads the status.
        $r.Steps[1].message | Should -BeExactly 'A did not reach Running within 120 s (still Running)'
        $fake.Services['B'].StartMode | Should -BeExactly 'Manual'
        $r.Summary.status | Should -BeExactly 'rolledBack'
    }
}

Describe 'a TermService that hangs in StopPending (simulated host)' {
    It 'service.stop fails within the limit, says so, and the earlier step is rolled back' {
        $state = New-TestSimState -Name 'stop-hangs' -StopPendingSeconds 600
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestStep -StepId 'mode' -Action 'service.setStartMode' -Parameters @{ Name = 'TermServLicensing'; StartMode = 'Disabled' }
            New-RdsTestStep -StepId 'stop' -Action 'service.stop' -Parameters @{ Name = 'TermService'; Force = $true }
        )
        $saved = Read-RdsTestSimState -Path $state
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('mode:changed', 'stop:failed', 'mode:rolledBack')
        # UmRdpService (stopped first) cannot start again while TermService is StopPending.
        $r.Steps[1].message | Should -BeExactly "TermService did not reach Stopped within 120 s (still StopPending); starting UmRdpService again failed too: Cannot start service UmRdpService on computer '.'."
        $r.Summary.status | Should -BeExactly 'rolledBack'
        $r.Summary.restoredToStart | Should -BeExactly $true
        $saved.services.TermServLicensing.startMode | Should -BeExactly 'Automatic'
        $saved.services.TermService.status | Should -BeExactly 'StopPending'
        $r.ExitCode | Should -Be 1
    }

    It 'the grace-period reset with its restart: the restart fails, the value and the ACL are rolled back' {
        $state = New-TestSimState -Name 'restart-hangs' -StopPendingSeconds 600
        $before = Read-RdsTestSimState -Path $state
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestGraceResetStep -MustExist $true
            New-RdsTestStep -StepId 'grace.restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn 'grace.delete' -Parameters @{ Name = 'TermService'; Force = $true }
        )
        $saved = Read-RdsTestSimState -Path $state
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @(
            'grace.export:changed'
            'grace.own:changed'
            'grace.delete:changed'
            'grace.restore:changed'
            'grace.restart:failed'
            'grace.restore:rolledBack'
            'grace.delete:rolledBack'
            'grace.own:rolledBack'
        )
        $r.Steps[4].message | Should -BeExactly "TermService did not reach Stopped within 120 s (still StopPending); starting UmRdpService again failed too: Cannot start service UmRdpService on computer '.'."
        $r.Summary.restoredToStart | Should -BeExactly $true
        ConvertTo-RdsTestJson $saved.registry[$GP] | Should -BeExactly (ConvertTo-RdsTestJson $before.registry[$GP])
        $saved.registry[$GP].values.name | Should -Contain $TIMEBOMB
    }

    It 'a stop that takes less than the limit: the restart waits, then starts TermService and then UmRdpService' {
        $state = New-TestSimState -Name 'restart-slow' -StopPendingSeconds 90
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestStep -StepId 'restart' -Action 'service.restart' -Parameters @{ Name = 'TermService'; Force = $true }
        )
        $saved = Read-RdsTestSimState -Path $state
        $r.Statuses | Should -BeExactly @('restart:changed')
        $saved.services.TermService.status | Should -BeExactly 'Running'
        $saved.services.UmRdpService.status | Should -BeExactly 'Running'
        # The dependent stops first, TermService starts before it.
        Get-TestCallLog -State $state | Should -BeExactly @('Stop-RdsService UmRdpService', 'Stop-RdsService TermService', 'Start-RdsService TermService', 'Start-RdsService UmRdpService')
        $saved.calls['Wait-RdsServiceStatus'] | Should -Be 4
    }

    It 'without -Force a running dependent refuses the stop; the dependents the stop recorded are started by its undo' {
        $state = New-TestSimState -Name 'stop-undo' -StopPendingSeconds 30
        $refused = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestStep -StepId 'stop' -Action 'service.stop' -Parameters @{ Name = 'TermService'; Force = $false }
        )
        $stopped = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -OnError 'continue' -Steps @(
            New-RdsTestStep -StepId 'stop' -Action 'service.stop' -Parameters @{ Name = 'TermService'; Force = $true }
        )
        $afterStop = Read-RdsTestSimState -Path $state
        $undone = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -ContextArgument '-Undo' -Steps @(
            New-RdsTestUndoStep -StepId 'stop' -Action 'service.stop' -Entry $stopped.Steps[0].undo
        )
        $afterUndo = Read-RdsTestSimState -Path $state

        $refused.Steps[0].message | Should -BeExactly "Cannot stop service 'Remote Desktop Services (TermService)' because it has dependent services. It can only be stopped if the Force flag is set."
        $stopped.Statuses | Should -BeExactly @('stop:changed')
        ConvertTo-RdsTestJson $stopped.Steps[0].undo | Should -BeExactly (ConvertTo-RdsTestJson @{ Name = 'TermService'; Dependents = @('UmRdpService') })
        $afterStop.services.TermService.status | Should -BeExactly 'Stopped'
        $undone.Statuses | Should -BeExactly @('stop:rolledBack')
        $afterUndo.services.TermService.status | Should -BeExactly 'Running'
        $afterUndo.services.UmRdpService.status | Should -BeExactly 'Running'
    }

    It 'a start that fails after the stop: the step fails with it, and what ran is started once more' {
        $state = New-TestSimState -Name 'start-fails' -StopPendingSeconds 0
        $document = Read-RdsTestSimState -Path $state
        $document.faults = @(@{ call = 'Start-RdsService'; name = 'TermService'; nth = 1; message = 'The service did not respond to the start or control request in a timely fashion.' })
        [System.IO.File]::WriteAllText($state, (ConvertTo-Json -InputObject $document -Depth 64))
        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestStep -StepId 'restart' -Action 'service.restart' -Parameters @{ Name = 'TermService'; Force = $true }
        )
        $saved = Read-RdsTestSimState -Path $state
        $r.Statuses | Should -BeExactly @('restart:failed')
        $r.Steps[0].message | Should -BeExactly 'The service did not respond to the start or control request in a timely fashion.'
        $saved.services.TermService.status | Should -BeExactly 'Running'
        $saved.services.UmRdpService.status | Should -BeExactly 'Running'
        Get-TestCallLog -State $state | Should -BeExactly @('Stop-RdsService UmRdpService', 'Stop-RdsService TermService', 'Start-RdsService TermService', 'Start-RdsService TermService', 'Start-RdsService UmRdpService')
    }
}
