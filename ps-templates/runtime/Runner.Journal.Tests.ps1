# Runner.Journal.ps1, failures, rollback, the state a run leaves and undo scripts: whole plan
# scripts over the fake platform of test/support/pester/RuntimeHarness.ps1, the platform calls
# seen through Mock (setup in test/support/pester/RunnerFixture.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RunnerFixture.ps1')
}

Describe 'a plan run: failures, rollback, the state a run leaves and undo scripts' {
    Context 'failures, onError and rollback' {
        It 'a platform error fails the step with the platform message, unprefixed; rollback undoes in reverse order' {
            Mock Stop-RdsService { throw 'Cannot stop service TermService (TermService)' } -ParameterFilter { $Name -eq 'TermService' }
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 1
            $r.Statuses | Should -BeExactly @(
                'grace.export:changed'
                'grace.own:changed'
                'grace.delete:changed'
                'grace.restore:changed'
                'grace.restart:failed'
                'grace.restore:rolledBack'
                'grace.delete:rolledBack'
                'grace.own:rolledBack'
                'grace.days:skipped'
            )
            $r.Steps[4].message | Should -BeExactly 'Cannot stop service TermService (TermService)'
            $r.Steps[8].message | Should -BeExactly "skipped: an earlier step failed (onError 'rollback')"
            $r.Summary.status | Should -BeExactly 'rolledBack'
            $r.Summary.restoredToStart | Should -BeExactly $true
            ConvertTo-RdsTestJson $r.Summary.counts | Should -BeExactly (ConvertTo-RdsTestJson @{ changed = 4; unchanged = 0; wouldChange = 0; skipped = 1; failed = 1; rolledBack = 3 })
            # The value is back and the key has its original owner and ACL.
            ConvertTo-RdsTestJson $fake.Keys[$GP] | Should -BeExactly (ConvertTo-RdsTestJson @{ Sddl = $ORIGINAL_SDDL; Values = @{ $TIMEBOMB = @{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' } } })
            $fake.EnabledPrivileges | Should -BeNullOrEmpty
            $journal = @(Read-RdsTestJournal -Result $r)
            @($journal | Where-Object { $_.Contains('marker') -and $_.marker -eq 'undone' }).stepId | Should -BeExactly @('grace.restore', 'grace.delete', 'grace.own')
        }

        It "onError 'stop': remaining steps skipped, the takeOwnership finalizer still restores the ACL" {
            Mock Remove-RdsRegistryValue { throw ('Access is denied. (' + $Path + ')') } -ParameterFilter { $Path -eq $GP -and $Name -eq $TIMEBOMB }
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps -OnError 'stop'
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 1
            $r.Statuses | Should -BeExactly @(
                'grace.export:changed'
                'grace.own:changed'
                'grace.delete:failed'
                'grace.restore:skipped'
                'grace.restart:skipped'
                'grace.days:skipped'
                'finalize:grace.own:changed'
            )
            $r.Steps[2].message | Should -BeExactly "Access is denied. ($GP)"
            $r.Steps[6].action | Should -BeExactly 'registry.takeOwnership'
            $fake.Keys[$GP].Sddl | Should -BeExactly $ORIGINAL_SDDL
            $r.Summary.status | Should -BeExactly 'failed'
            $r.Summary.Keys | Should -Not -Contain 'restoredToStart'
        }

        It "onError 'continue': independent steps run, dependents of the failed step are skipped" {
            $fake = New-RdsFakeHost
            $fake.Services['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -OnError 'continue' -Steps @(
                New-RdsTestStep -StepId 'missing' -Action 'service.start' -Parameters @{ Name = 'NoSuchService' }
                New-RdsTestStep -StepId 'dependent' -Action 'service.start' -DependsOn 'missing' -Parameters @{ Name = 'A' }
                New-RdsTestStep -StepId 'independent' -Action 'service.setStartMode' -Parameters @{ Name = 'A'; StartMode = 'Disabled' }
                New-RdsTestStep -StepId 'second-level' -Action 'service.start' -DependsOn 'dependent' -Parameters @{ Name = 'A' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('missing:failed', 'dependent:skipped', 'independent:changed', 'second-level:skipped')
            $r.Steps[0].message | Should -BeExactly 'service NoSuchService not found'
            $r.Steps[1].message | Should -BeExactly "skipped: dependency 'missing' is failed"
            $r.Steps[3].message | Should -BeExactly "skipped: dependency 'dependent' is skipped"
            $r.Steps[2].before.StartMode | Should -BeExactly 'Manual'
            $r.Steps[2].after.StartMode | Should -BeExactly 'Disabled'
            ConvertTo-RdsTestJson $r.Steps[2].undo | Should -BeExactly (ConvertTo-RdsTestJson @{ Name = 'A'; StartMode = 'Manual' })
            $r.Summary.status | Should -BeExactly 'failed'
            $r.ExitCode | Should -Be 1
        }

        It 'setValue rollback removes a created value and the key it created; deleteKey rollback recreates the tree' {
            $fake = New-RdsFakeHost
            Set-RdsFakeValue -FakeHost $fake -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000' -Name 'ClientLicense' -Type 'Binary' -Data '0102'
            Set-RdsFakeValue -FakeHost $fake -Path 'HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID' -Name 'ClientHWID' -Type 'Binary' -Data 'ff'
            $fake.Keys['HKLM\SOFTWARE\Microsoft\MSLicensing\Store'].Sddl = 'O:BAG:SYD:P(A;CI;KA;;;SY)'
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'new' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso\New'; View = 'Default'; Name = 'Servers'; Type = 'MultiString'; Data = @('a') }
                New-RdsTestStep -StepId 'cache' -Action 'registry.deleteKey' -Parameters @{ Path = 'HKLM\SOFTWARE\Microsoft\MSLicensing'; View = 'Default'; Recurse = $true }
                # A failing step (a read-only verification never fails: rds.getGracePeriodDays warns instead).
                New-RdsTestStep -StepId 'verify' -Action 'service.start' -Parameters @{ Name = 'NoSuchService' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('new:changed', 'cache:changed', 'verify:failed', 'cache:rolledBack', 'new:rolledBack')
            $r.Steps[2].message | Should -BeExactly 'service NoSuchService not found'
            ConvertTo-RdsTestJson $r.Steps[0].after | Should -BeExactly (ConvertTo-RdsTestJson @{ Exists = $true; Type = 'MultiString'; Data = @('a') })
            $fake.Keys.ContainsKey('HKLM\SOFTWARE\Contoso\New') | Should -BeFalse
            ConvertTo-RdsTestJson $fake.Keys['HKLM\SOFTWARE\Microsoft\MSLicensing\Store\LICENSE000'].Values | Should -BeExactly (ConvertTo-RdsTestJson @{ ClientLicense = @{ Name = 'ClientLicense'; Type = 'Binary'; Data = '0102' } })
            $fake.Keys['HKLM\SOFTWARE\Microsoft\MSLicensing\HardwareID'].Values['ClientHWID'].Data | Should -BeExactly 'ff'
            $fake.Keys['HKLM\SOFTWARE\Microsoft\MSLicensing\Store'].Sddl | Should -BeExactly 'O:BAG:SYD:P(A;CI;KA;;;SY)'
            $r.Summary.status | Should -BeExactly 'rolledBack'
            $r.Summary.restoredToStart | Should -BeExactly $true
        }

        It 'deleteKey without recurse on a key with subkeys fails before deleting anything' {
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path 'HKLM\SOFTWARE\Contoso\Child'
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'del' -Action 'registry.deleteKey' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Recurse = $false }
            )
            $r.Statuses | Should -BeExactly @('del:failed')
            $r.Steps[0].message | Should -BeExactly 'the key has 1 subkey(s) (Child) and recurse is false (HKLM\SOFTWARE\Contoso)'
            $fake.Keys.ContainsKey('HKLM\SOFTWARE\Contoso\Child') | Should -BeTrue
            $fake.Keys.ContainsKey('HKLM\SOFTWARE\Contoso') | Should -BeTrue
        }

        It 'deleteValue with MustExist and no match fails; a failing undo is reported and restoredToStart is false' {
            # Only the undo (back to Manual) fails: the step's own change to Disabled goes through.
            Mock Set-RdsServiceStartMode { throw 'The service database is locked.' } -ParameterFilter { $Name -eq 'A' -and $StartMode -eq 'Manual' }
            $fake = New-RdsFakeHost
            $fake.Services['A'] = @{ StartMode = 'Manual'; Status = 'Running' }
            Add-RdsFakeKey -FakeHost $fake -Path 'HKLM\SOFTWARE\Contoso' -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)'
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'mode' -Action 'service.setStartMode' -Parameters @{ Name = 'A'; StartMode = 'Disabled' }
                New-RdsTestStep -StepId 'gone' -Action 'registry.deleteValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Name = 'Nope'; MustExist = $true }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('mode:changed', 'gone:failed', 'mode:failed')
            $r.Steps[1].message | Should -BeExactly "value 'Nope' not found (HKLM\SOFTWARE\Contoso)"
            $r.Steps[2].message | Should -BeExactly 'rollback failed: The service database is locked.'
            Should -Invoke Set-RdsServiceStartMode -Times 1 -Exactly -ParameterFilter { $Name -eq 'A' -and $StartMode -eq 'Manual' }
            $fake.Services['A'].StartMode | Should -BeExactly 'Disabled'
            $r.Summary.status | Should -BeExactly 'rolledBack'
            $r.Summary.restoredToStart | Should -BeExactly $false
            $r.ExitCode | Should -Be 1
        }
    }

    Context 'the state a run leaves and an undo reads' {
        It 'an apply ends with the state each step it changed left, read through the step''s Test, once per step, before the summary' {
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps
            $r.ExitCode | Should -Be 0
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $states = @($r.Events | Where-Object { $_['event'] -eq 'state' })
            @($states | ForEach-Object { [string]$_['stepId'] }) | Should -BeExactly @('grace.own', 'grace.delete', 'grace.restore')
            # takeOwnership and restoreSecurity both read the key's security: as restored at the end, not as taken.
            $states[0]['state']['Sddl'] | Should -BeExactly $ORIGINAL_SDDL
            $states[2]['state']['Sddl'] | Should -BeExactly $ORIGINAL_SDDL
            ConvertTo-RdsTestJson $states[1]['state'] | Should -BeExactly (ConvertTo-RdsTestJson @{ Values = @() })
            $last = [array]::IndexOf($r.Events, $states[-1])
            $r.Events[$last + 1]['event'] | Should -BeExactly 'summary'
        }

        It 'a check, and an apply that rolled back, leave no state to compare with' {
            $check = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -CheckMode
            @($check.Events | Where-Object { $_['event'] -eq 'state' }) | Should -BeNullOrEmpty
            Mock Start-RdsService { throw 'the service did not start' }
            $rolledBack = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps
            $rolledBack.Summary.status | Should -BeExactly 'rolledBack'
            @($rolledBack.Events | Where-Object { $_['event'] -eq 'state' }) | Should -BeNullOrEmpty
        }

        It 'an undo script reads each step first, in check mode too; a state it cannot read is the event''s message, and the run goes on' {
            $fake = New-RdsFakeHost
            $fake.Services['A'] = @{ StartMode = 'Disabled'; Status = 'Stopped' }
            $read = @(
                'Write-RdsStepState -Context $RdsContext -StepId ''mode'' -Action ''service.setStartMode'' -Parameters @{ Name = ''A''; StartMode = ''Disabled'' }'
                'Write-RdsStepState -Context $RdsContext -StepId ''gone'' -Action ''service.setStartMode'' -Parameters @{ Name = ''NoSuchService''; StartMode = ''Disabled'' }'
            )
            $undo = New-RdsTestUndoStep -StepId 'mode' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Manual' }
            foreach ($check in @($true, $false)) {
                $r = Invoke-RdsTestPlan -FakeHost $fake -OnError 'continue' -ContextArgument '-Undo' -CheckMode:$check -Steps ($read + $undo)
                Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
                $states = @($r.Events | Where-Object { $_['event'] -eq 'state' })
                ConvertTo-RdsTestJson $states[0]['state'] | Should -BeExactly (ConvertTo-RdsTestJson @{ StartMode = 'Disabled'; Status = 'Stopped' })
                $states[1].Contains('state') | Should -BeFalse
                $states[1]['message'] | Should -Match '^cannot read the current state: .*NoSuchService'
                $r.ExitCode | Should -Be 0
            }
            $fake.Services['A'].StartMode | Should -BeExactly 'Manual'
        }
    }

    Context 'undo scripts and target names' {
        It 'Invoke-RdsUndoStep runs journal entries newest first; the start event says undo; host is the target name' {
            $fake = New-RdsFakeHost
            Set-RdsFakeValue -FakeHost $fake -Path $GP -Name 'Other' -Type 'String' -Data 'x'
            $fake.Services['A'] = @{ StartMode = 'Disabled'; Status = 'Stopped' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -OnError 'continue' -ContextArgument "-TargetName 'rdsh01.contoso.com' -Undo" -Steps @(
                New-RdsTestUndoStep -StepId 'grace.restore' -Action 'registry.restoreSecurity' -Entry @{ Path = $GP; View = 'Default'; FromStep = 'grace.own'; Sddl = 'O:BAG:SYD:(A;CI;KR;;;BA)(A;CI;KA;;;NS)(A;CI;KA;;;BA)'; OriginalSddl = $ORIGINAL_SDDL }
                New-RdsTestUndoStep -StepId 'grace.delete' -Action 'registry.deleteValue' -Entry @{ Path = $GP; View = 'Default'; Values = @(@{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' }) }
                New-RdsTestUndoStep -StepId 'grace.own' -Action 'registry.takeOwnership' -Entry @{ StepId = 'grace.own'; Path = $GP; View = 'Default'; Sddl = $ORIGINAL_SDDL }
                New-RdsTestUndoStep -StepId 'mode' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Manual' }
                New-RdsTestUndoStep -StepId 'bad' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Boot' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Events[0].event | Should -BeExactly 'start'
            $r.Events[0].mode | Should -BeExactly 'undo'
            $r.Events[0].host | Should -BeExactly 'rdsh01.contoso.com'
            @($r.Events | Where-Object { $_.host -cne 'rdsh01.contoso.com' }) | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('grace.restore:rolledBack', 'grace.delete:rolledBack', 'grace.own:rolledBack', 'mode:rolledBack', 'bad:failed')
            $r.Steps[4].message | Should -BeExactly 'cannot restore start mode Boot of service A'
            $fake.Keys[$GP].Sddl | Should -BeExactly $ORIGINAL_SDDL
            ConvertTo-RdsTestJson $fake.Keys[$GP].Values[$TIMEBOMB] | Should -BeExactly (ConvertTo-RdsTestJson @{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' })
            $fake.Services['A'].StartMode | Should -BeExactly 'Manual'
            # No finalizer is left over: the takeOwnership undo deregistered the one restoreSecurity's undo registered.
            @($r.Steps | Where-Object { ([string]$_.stepId).StartsWith('finalize:') }) | Should -BeNullOrEmpty
            $r.Summary.status | Should -BeExactly 'failed'
            $r.ExitCode | Should -Be 1
        }

        It 'an undo script under -WhatIf reports wouldChange and changes nothing' {
            Mock Set-RdsServiceStartMode
            $fake = New-RdsFakeHost
            $fake.Services['A'] = @{ StartMode = 'Disabled'; Status = 'Stopped' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -OnError 'continue' -ContextArgument '-Undo' -CheckMode -Steps @(
                New-RdsTestUndoStep -StepId 'mode' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Manual' }
            )
            $r.Events[0].mode | Should -BeExactly 'check'
            $r.Statuses | Should -BeExactly @('mode:wouldChange')
            $fake.Services['A'].StartMode | Should -BeExactly 'Disabled'
            Should -Invoke Set-RdsServiceStartMode -Times 0 -Exactly
            $r.ExitCode | Should -Be 0
        }

        It 'recreating a deleted value in a key whose ACL was restored takes ownership temporarily and puts the ACL back' {
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP
            $r = Invoke-RdsTestPlan -FakeHost $fake -OnError 'continue' -ContextArgument '-Undo' -Steps @(
                New-RdsTestUndoStep -StepId 'grace.delete' -Action 'registry.deleteValue' -Entry @{ Path = $GP; View = 'Default'; Values = @(@{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' }) }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('grace.delete:rolledBack')
            ConvertTo-RdsTestJson $fake.Keys[$GP] | Should -BeExactly (ConvertTo-RdsTestJson @{ Sddl = $ORIGINAL_SDDL; Values = @{ $TIMEBOMB = @{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' } } })
            $fake.EnabledPrivileges | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 0
        }
    }
}
