# The actions of a grace-period reset in whole plan scripts over the fake platform
# (test/support/pester/RuntimeHarness.ps1): the gate rds.testGracePeriod (desired state = enough
# days left), the read-back rds.getGracePeriodDays (never fails, retries after a restart), and
# the registry steps on an absent key (nothing to do). The preset as the renderer expands it runs
# end to end in test/e2e (presets.test.ts, grace-states.test.ts).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    . (Join-Path $PSScriptRoot '../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0

    $GP = $RdsTestGracePeriodPath
    $ABSENT = 'HKLM\SOFTWARE\Contoso\Gone'
    $Gate = New-RdsTestStep -StepId 'grace.due' -Action 'rds.testGracePeriod' -Parameters @{ MinimumDaysLeft = 30 }
    # A reset step as the preset makes them: it runs only when the gate reports a change.
    $Dependent = New-RdsTestStep -StepId 'grace.delete' -Action 'registry.deleteValue' -RunWhen 'changed' -DependsOn 'grace.due' -Parameters @{ Path = $GP; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }

    # The fake host with a timebomb value in an Administrators-owned key (the gate is what is tested here, not the ownership).
    function New-GateHost {
        param([int] $Days)
        $fakeHost = New-RdsFakeHost
        $fakeHost.GraceDays = $Days
        Set-RdsFakeValue -FakeHost $fakeHost -Path $GP -Name $RdsTestTimebombName -Type 'Binary' -Data '00aa'
        $fakeHost.Keys[$GP].Sddl = 'O:BAG:SYD:(A;CI;KA;;;BA)'
        $fakeHost.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
        return $fakeHost
    }
}

Describe 'rds.testGracePeriod: a reset is due only when fewer than MinimumDaysLeft days are left' {
    It '<Days> days left: <Expected>' -ForEach @(
        @{ Days = 120; Expected = 'in desired state (a freshly reset host)'; Statuses = @('grace.due:unchanged', 'grace.delete:skipped'); Message = 'no reset due: 120 day(s) left (a reset is due below 30)' }
        @{ Days = 50; Expected = 'in desired state'; Statuses = @('grace.due:unchanged', 'grace.delete:skipped'); Message = 'no reset due: 50 day(s) left (a reset is due below 30)' }
        @{ Days = 30; Expected = 'in desired state (at the threshold)'; Statuses = @('grace.due:unchanged', 'grace.delete:skipped'); Message = 'no reset due: 30 day(s) left (a reset is due below 30)' }
        @{ Days = 29; Expected = 'due'; Statuses = @('grace.due:changed', 'grace.delete:changed'); Message = 'reset due: 29 day(s) left, fewer than 30' }
    ) {
        $fake = New-GateHost -Days $Days
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @($Gate, $Dependent)
        $r.Error | Should -BeNullOrEmpty
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly $Statuses
        $r.Steps[0].message | Should -BeExactly $Message
        $r.Summary.status | Should -BeExactly 'succeeded'
        $fake.Keys[$GP].Values.Contains($RdsTestTimebombName) | Should -Be ($Days -ge 30)
    }

    It 'check mode on a due host: the gate and its dependents would change, nothing changes' {
        $fake = New-GateHost -Days 3
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @($Gate, $Dependent) -CheckMode
        $r.Statuses | Should -BeExactly @('grace.due:wouldChange', 'grace.delete:wouldChange')
        $r.Summary.counts.wouldChange | Should -Be 2
        $fake.Keys[$GP].Values.Contains($RdsTestTimebombName) | Should -BeTrue
    }

    It 'an expired grace period (CimException 0x80070002, German message) counts as 0 days: due' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80070002L) }
        $r = Invoke-RdsTestPlan -FakeHost (New-GateHost -Days 0) -Steps @($Gate, $Dependent) -CheckMode
        $r.Statuses | Should -BeExactly @('grace.due:wouldChange', 'grace.delete:wouldChange')
        $r.Steps[0].message | Should -BeExactly 'reset due: the grace period has expired (GetGracePeriodDays: 0x80070002), counted as 0 days left, fewer than 30'
        ConvertTo-RdsTestJson $r.Steps[0].before | Should -BeExactly (ConvertTo-RdsTestJson @{ DaysLeft = 0; Expired = $true; MinimumDaysLeft = 30 })
    }

    It 'days that cannot be read: the gate fails and nothing of the reset runs' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80041010L -Message 'Ungültige Klasse ') }
        $fake = New-GateHost -Days 0
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @($Gate, $Dependent)
        $r.Statuses | Should -BeExactly @('grace.due:failed', 'grace.delete:skipped')
        $r.Steps[0].message | Should -BeExactly 'cannot tell whether a reset is due: GetGracePeriodDays failed: Ungültige Klasse  (0x80041010)'
        $fake.Keys[$GP].Values.Contains($RdsTestTimebombName) | Should -BeTrue
    }
}

Describe 'rds.getGracePeriodDays: a read-only verification that never fails' {
    BeforeAll {
        $Change = New-RdsTestStep -StepId 'mark' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; Name = 'Mark'; Type = 'DWord'; Data = 1; View = 'Default' }
        $Restart = New-RdsTestStep -StepId 'grace.restart' -Action 'service.restart' -Parameters @{ Name = 'TermService'; Force = $true }
        $DaysAfterRestart = New-RdsTestStep -StepId 'grace.days' -Action 'rds.getGracePeriodDays' -NoHostChange -Parameters @{ RestartStep = 'grace.restart'; MinimumDaysLeft = 30 }
    }

    It 'a read that fails is a warning: the step is unchanged and nothing is rolled back' {
        Mock Get-RdsGracePeriodDays { throw 'The RPC server is unavailable.' }
        $fake = New-GateHost -Days 97
        $days = New-RdsTestStep -StepId 'grace.days' -Action 'rds.getGracePeriodDays' -NoHostChange
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @($Change, $days) -OnError 'rollback'
        $r.Statuses | Should -BeExactly @('mark:changed', 'grace.days:unchanged')
        $r.Steps[1].message | Should -BeExactly 'warning: GetGracePeriodDays could not be read: The RPC server is unavailable.'
        $r.Summary.status | Should -BeExactly 'succeeded'
        $r.ExitCode | Should -Be 0
        $fake.Keys['HKLM\SOFTWARE\Contoso'].Values['Mark'].Data | Should -Be 1
        Should -Invoke Get-RdsGracePeriodDays -Times 1 -Exactly
    }

    It 'after the TermService restart of this run: read again until WMI answers' {
        $reads = [System.Collections.Generic.List[int]]::new()
        Mock Get-RdsGracePeriodDays {
            $reads.Add(1)
            if ($reads.Count -eq 1) { throw (New-RdsTestCimException -Code 0x800706BAL -Message 'Der RPC-Server ist nicht verfügbar. ') }
            return [uint32]120
        }
        $r = Invoke-RdsTestPlan -FakeHost (New-GateHost -Days 5) -Steps @($Restart, $DaysAfterRestart)
        $r.Statuses | Should -BeExactly @('grace.restart:changed', 'grace.days:unchanged')
        $r.Steps[1].message | Should -MatchExactly '\Agrace period days left: 120 \(2 reads in \d+ s after the TermService restart\)\z'
        $r.Steps[1].after.DaysLeft | Should -Be 120
    }

    It 'after the restart, fewer days than the threshold: the reset did not take (a warning, not a rollback)' {
        $r = Invoke-RdsTestPlan -FakeHost (New-GateHost -Days 5) -Steps @($Restart, $DaysAfterRestart)
        $r.Statuses | Should -BeExactly @('grace.restart:changed', 'grace.days:unchanged')
        $r.Steps[1].message | Should -BeExactly 'warning: grace period days left after the TermService restart: 5, fewer than 30: the reset did not take'
        $r.Summary.status | Should -BeExactly 'succeeded'
    }

    It 'no restart in this run (check mode, or restartService false): one read, the stale figure' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80070002L) }
        $r = Invoke-RdsTestPlan -FakeHost (New-GateHost -Days 0) -Steps @($Restart, $DaysAfterRestart) -CheckMode
        $r.Statuses | Should -BeExactly @('grace.restart:wouldChange', 'grace.days:unchanged')
        $r.Steps[1].message | Should -BeExactly 'the grace period has expired (GetGracePeriodDays: 0x80070002); a reset takes effect when TermService restarts'
        Should -Invoke Get-RdsGracePeriodDays -Times 1 -Exactly
    }
}

Describe 'the registry steps of a reset on a key that is absent: nothing to do' {
    It 'export, takeOwnership, deleteValue and the restore report unchanged, in apply and check mode' -ForEach @(@{ Check = $false }, @{ Check = $true }) {
        $steps = @(
            New-RdsTestStep -StepId 'gone.export' -Action 'registry.export' -NoHostChange -Deferred -CoversKey -Parameters @{ Path = $ABSENT; View = 'Default' }
            New-RdsTestStep -StepId 'gone.own' -Action 'registry.takeOwnership' -Deferred -DependsOn 'gone.export' -Parameters @{ Path = $ABSENT; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
            New-RdsTestStep -StepId 'gone.delete' -Action 'registry.deleteValue' -DependsOn 'gone.export', 'gone.own' -Parameters @{ Path = $ABSENT; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }
            New-RdsTestStep -StepId 'gone.restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'gone.own' -Parameters @{ Path = $ABSENT; View = 'Default'; FromStep = 'gone.own' }
        )
        $fake = New-RdsFakeHost
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $steps -CheckMode:$Check
        $r.Error | Should -BeNullOrEmpty
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @('gone.export:unchanged', 'gone.own:unchanged', 'gone.delete:unchanged', 'gone.restore:unchanged')
        @($r.Steps | ForEach-Object { [string]$_['message'] }) | Should -BeExactly @(
            'key absent, nothing to export'
            'key absent: nothing to take ownership of'
            "no value matching 'L`$RTMTIMEBOMB*'"
            "nothing to restore: step 'gone.own' changed nothing"
        )
        $r.Summary.status | Should -BeExactly 'succeeded'
        $fake.Keys.ContainsKey($ABSENT) | Should -BeFalse
        $fake.EnabledPrivileges | Should -BeNullOrEmpty
    }

    It 'a restore whose takeOwnership changed nothing does not need the key: it may be gone by then' {
        $fake = New-RdsFakeHost
        $path = 'HKLM\SOFTWARE\Contoso\Owned'
        Add-RdsFakeKey -FakeHost $fake -Path $path -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)'
        $steps = @(
            New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Deferred -Parameters @{ Path = $path; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
            New-RdsTestStep -StepId 'drop' -Action 'registry.deleteKey' -DependsOn 'own' -Parameters @{ Path = $path; View = 'Default'; Recurse = $true }
            New-RdsTestStep -StepId 'own.restore' -Action 'registry.restoreSecurity' -ClosesDeferred -DependsOn 'own' -Parameters @{ Path = $path; View = 'Default'; FromStep = 'own' }
        )
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $steps
        $r.Statuses | Should -BeExactly @('own:unchanged', 'drop:changed', 'own.restore:unchanged')
        $r.Steps[2].message | Should -BeExactly "nothing to restore: step 'own' changed nothing"
        ConvertTo-RdsTestJson $r.Steps[2].before | Should -BeExactly '{"Exists":false}'
        $r.Summary.status | Should -BeExactly 'succeeded'
    }

    It 'a takeOwnership whose SDDL read fails on a key that exists still fails with that error' {
        $fake = New-RdsFakeHost
        Add-RdsFakeKey -FakeHost $fake -Path 'HKLM\SOFTWARE\Contoso\Locked'
        Mock Get-RdsRegistrySddl { throw 'Access is denied. (HKLM\SOFTWARE\Contoso\Locked)' } -ParameterFilter { $Path -eq 'HKLM\SOFTWARE\Contoso\Locked' }
        $own = New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso\Locked'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(); Restore = 'afterPlan' }
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @($own)
        $r.Statuses | Should -BeExactly @('own:failed')
        $r.Steps[0].message | Should -BeExactly 'Access is denied. (HKLM\SOFTWARE\Contoso\Locked)'
    }
}
