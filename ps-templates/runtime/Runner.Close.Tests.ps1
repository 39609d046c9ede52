# Runner.Close.ps1, the end of a run: reboots and unexpected errors: whole plan scripts over the
# fake platform of test/support/pester/RuntimeHarness.ps1, the platform calls seen through Mock
# (setup in test/support/pester/RunnerFixture.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RunnerFixture.ps1')
}

Describe 'a plan run: the end of a run: reboots and unexpected errors' {
    Context 'reboot handling' {
        BeforeAll {
            $RebootStep = New-RdsTestStep -StepId 'reboot' -Action 'host.reboot' -Parameters @{ DelaySeconds = 30 }
        }
        BeforeEach {
            # The restart shows up in the output, so its place relative to the summary is visible.
            Mock Restart-RdsHost { Write-Host ('@@restart ' + $DelaySeconds) }
        }

        It "'ifRequired' restarts after the summary when host.reboot ran" {
            $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Reboot 'ifRequired' -Steps $RebootStep
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('reboot:changed')
            $r.Summary.status | Should -BeExactly 'succeeded'
            $r.Summary.rebootRequired | Should -BeExactly $true
            $r.Summary.message | Should -BeExactly 'restarting the host in 30 second(s)'
            $restartLine = [System.Array]::IndexOf($r.Output, '@@restart 30')
            $summaryLine = [System.Array]::FindIndex($r.Output, [System.Predicate[string]] { param($line) $line.Contains('"event":"summary"') })
            $summaryLine | Should -BeGreaterOrEqual 0
            $restartLine | Should -BeGreaterThan $summaryLine
            Should -Invoke Restart-RdsHost -Times 1 -Exactly -ParameterFilter { $DelaySeconds -eq 30 }
            $r.ExitCode | Should -Be 0
        }

        It "'never' does not restart but reports rebootRequired" {
            $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Reboot 'never' -Steps $RebootStep
            $r.Summary.status | Should -BeExactly 'succeeded'
            $r.Summary.rebootRequired | Should -BeExactly $true
            $r.Steps[0].message | Should -BeExactly "restart requested, but options.reboot is 'never': restart the host yourself"
            $r.Output | Should -Not -BeLike '@@restart*'
            Should -Invoke Restart-RdsHost -Times 0 -Exactly
        }

        It "'always' restarts even without a host.reboot step, but never in check mode" {
            $apply = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Reboot 'always'
            $apply.Output | Should -Contain '@@restart 10'
            $apply.Summary.status | Should -BeExactly 'succeeded'
            $apply.Summary.rebootRequired | Should -BeExactly $true
            $check = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Reboot 'always' -Steps $RebootStep -CheckMode
            $check.Output | Should -Not -BeLike '@@restart*'
            $check.Statuses | Should -BeExactly @('reboot:wouldChange')
            Should -Invoke Restart-RdsHost -Times 1 -Exactly -ParameterFilter { $DelaySeconds -eq 10 }
        }

        It 'no restart after a failure' {
            $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Reboot 'always' -Steps @(
                New-RdsTestStep -StepId 'x' -Action 'service.stop' -Parameters @{ Name = 'Nope' }
            )
            $r.Output | Should -Not -BeLike '@@restart*'
            Should -Invoke Restart-RdsHost -Times 0 -Exactly
            $r.Summary.status | Should -BeExactly 'rolledBack'
            $r.Summary.rebootRequired | Should -BeExactly $false
        }
    }

    Context 'unexpected errors' {
        It 'an error outside any step releases the lock, saves the platform, reports failed and ends the script' {
            Mock Unlock-RdsHost
            Mock Complete-RdsPlatform
            $fake = New-RdsFakeHost
            $fake.Services['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'start' -Action 'service.start' -Parameters @{ Name = 'A' }
                "throw 'statement outside a step'"
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Error.Exception.Message | Should -BeExactly 'statement outside a step'
            $r.ExitCode | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('start:changed')
            $r.Summary.status | Should -BeExactly 'failed'
            $r.Summary.message | Should -BeExactly 'unexpected error: statement outside a step'
            Should -Invoke Unlock-RdsHost -Times 1 -Exactly -ParameterFilter { $Name -eq 'rdsplan' }
            Should -Invoke Complete-RdsPlatform -Times 1 -Exactly
        }

        It 'run by pwsh -File, the error exits 1 with the message on stderr, and the lock is released (simulated host)' {
            $state = Join-Path $TestDrive 'unexpected.json'
            $r = Invoke-RdsTestPlan -Platform 'Sim' -NewProcess -SimulationState $state -Steps @(
                New-RdsTestStep -StepId 'mode' -Action 'service.setStartMode' -Parameters @{ Name = 'TermService'; StartMode = 'Disabled' }
                "throw 'statement outside a step'"
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 1
            $r.Stderr | Should -BeLikeExactly '*statement outside a step*'
            $r.Statuses | Should -BeExactly @('mode:changed')
            $r.Summary.status | Should -BeExactly 'failed'
            $r.Summary.message | Should -BeExactly 'unexpected error: statement outside a step'
            Test-Path -LiteralPath ($state + '.lock') | Should -BeFalse
            $saved = Read-RdsTestSimState -Path $state
            $saved.calls['Unlock-RdsHost'] | Should -Be 1
            $saved.services['TermService'].startMode | Should -BeExactly 'Disabled'
        }
    }
}
