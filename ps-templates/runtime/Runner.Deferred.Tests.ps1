# Runner.Deferred.ps1 (and RunWhen 'changed'): whole plan scripts over the fake platform of
# test/support/pester/RuntimeHarness.ps1, the platform calls seen through Mock (setup in
# test/support/pester/RunnerFixture.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RunnerFixture.ps1')
}

Describe 'a plan run: deferred preparation' {
    Context "RunWhen 'changed' and deferred preparation" {
        It 'a restart that depends on an unchanged step is skipped; an export alone does not trigger a handler' {
            Mock Stop-RdsService
            Mock Start-RdsService
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP
            $fake.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'export' -Action 'registry.export' -NoHostChange -Parameters @{ Path = $GP; View = 'Default' }
                New-RdsTestStep -StepId 'handler' -Action 'service.restart' -RunWhen 'changed' -Parameters @{ Name = 'TermService'; Force = $true }
                # 'own' does not name 'export': an export with no dependents runs at once (not
                # deferred), so the handler really sees a 'changed' export and must still skip.
                New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Deferred -Parameters @{ Path = $GP; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(); Restore = 'afterPlan' }
                New-RdsTestStep -StepId 'delete' -Action 'registry.deleteValue' -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }
                New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; FromStep = 'own' }
                New-RdsTestStep -StepId 'restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn 'delete' -Parameters @{ Name = 'TermService'; Force = $true }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            # Ownership is deferred until a dependent needs it; the delete has nothing to do, so 'own'
            # closes as unchanged at its restore step and the restore finds nothing to restore.
            $r.Statuses | Should -BeExactly @('export:changed', 'handler:skipped', 'delete:unchanged', 'own:unchanged', 'restore:unchanged', 'restart:skipped')
            $r.Steps[1].message | Should -BeExactly 'skipped: no earlier step changed anything'
            $r.Steps[2].message | Should -BeExactly "no value matching 'L`$RTMTIMEBOMB*'"
            $r.Steps[3].message | Should -BeExactly 'not needed: no dependent step changes anything'
            $r.Steps[5].message | Should -BeExactly 'skipped: no dependency changed anything'
            Should -Invoke Stop-RdsService -Times 0 -Exactly
            Should -Invoke Start-RdsService -Times 0 -Exactly
            $fake.Keys[$GP].Sddl | Should -BeExactly $ORIGINAL_SDDL
            $r.ExitCode | Should -Be 0
        }

        It 'the runtime defers only what the step call marks -Deferred: the same steps unmarked take ownership at once' {
            Mock Stop-RdsService
            Mock Start-RdsService
            $steps = @(
                New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Parameters @{ Path = $GP; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(); Restore = 'afterPlan' }
                New-RdsTestStep -StepId 'delete' -Action 'registry.deleteValue' -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }
                New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; FromStep = 'own' }
            )
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $steps
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            # Not marked: the runtime does not work the plan's graph out for itself.
            $r.Statuses | Should -BeExactly @('own:changed', 'delete:unchanged', 'restore:changed')
            $fake.Keys[$GP].Sddl | Should -BeExactly $ORIGINAL_SDDL
        }

        It 'takeOwnership already in its desired state is unchanged and restoreSecurity has nothing to restore' {
            Mock Enable-RdsPrivilege
            $owned = 'O:BAG:SYD:(A;CI;KA;;;BA)'
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP -Sddl $owned
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Parameters @{ Path = $GP; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
                New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; FromStep = 'own' }
                New-RdsTestStep -StepId 'absent' -Action 'registry.export' -NoHostChange -Parameters @{ Path = 'HKLM\SOFTWARE\Nothing'; View = 'Default' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('own:unchanged', 'restore:unchanged', 'absent:unchanged')
            $r.Steps[1].message | Should -BeExactly "nothing to restore: step 'own' changed nothing"
            $r.Steps[2].message | Should -BeExactly 'key absent, nothing to export'
            $fake.Keys[$GP].Sddl | Should -BeExactly $owned
            Should -Invoke Enable-RdsPrivilege -Times 0 -Exactly
        }
    }
}
