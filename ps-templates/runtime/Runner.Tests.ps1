# The step runner (Runner.ps1) with the action templates: whole plan scripts over the fake
# platform of test/support/pester/RuntimeHarness.ps1, the platform calls seen through Mock.
# The self-check against a header rendered by TypeScript stays in Jest
# (test/ps-templates/runtime/self-check.test.ts): the approval token comes from src/render.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
    # Mock needs the runtime's own commands in this session (Test-RdsScriptIntegrity); a plan
    # script's copies are hidden by the mock all the same.
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

    $GP = $RdsTestGracePeriodPath
    $TIMEBOMB = $RdsTestTimebombName
    $ORIGINAL_SDDL = $RdsTestFakeDefaultSddl
    $GraceSteps = @(
        New-RdsTestGraceResetStep -MustExist $false
        New-RdsTestStep -StepId 'grace.restart' -Action 'service.restart' -RunWhen 'changed' -Parameters @{ Name = 'TermService'; Force = $true }
        New-RdsTestStep -StepId 'grace.days' -Action 'rds.getGracePeriodDays'
    )
    # Every function of the platform API that changes the host.
    $MutatingPlatformCommands = @(
        'Set-RdsRegistryValue', 'Remove-RdsRegistryValue', 'New-RdsRegistryKey', 'Remove-RdsRegistryKey', 'Export-RdsRegistryKey',
        'Set-RdsRegistrySddl', 'Set-RdsRegistryOwner', 'Add-RdsRegistryAccessRule', 'Enable-RdsPrivilege',
        'Set-RdsServiceStartMode', 'Start-RdsService', 'Stop-RdsService',
        'Set-RdsSpecifiedLicenseServer', 'Set-RdsLicensingType', 'Restart-RdsHost', 'New-RdsProtectedDirectory'
    )

    # The host of the grace-period preset: the timebomb value in an NS-owned key, TermService running.
    function New-GraceHost {
        $fakeHost = New-RdsFakeHost
        Set-RdsFakeValue -FakeHost $fakeHost -Path $GP -Name $TIMEBOMB -Type 'Binary' -Data '00aa'
        $fakeHost.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
        return $fakeHost
    }
}

Describe 'New-RdsRunId' {
    It 'is the UTC time to the millisecond and six random hex digits' {
        New-RdsRunId | Should -MatchExactly '\A\d{8}T\d{9}Z-[0-9a-f]{6}\z'
    }
}

Describe 'a plan run' {
    Context 'apply and check mode' {
        It 'apply: grace period reset changes, backs up, restores the ACL and succeeds' {
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps
            $r.Error | Should -BeNullOrEmpty
            $r.Errors | Should -BeNullOrEmpty
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 0
            $start = $r.Events[0]
            $start.event | Should -BeExactly 'start'
            $start.mode | Should -BeExactly 'apply'
            $start.plan | Should -BeExactly 'test-plan'
            $start.runId | Should -BeExactly 'run-1'
            $start.host | Should -BeExactly 'FAKEHOST'
            $start.user | Should -BeExactly 'FAKE\admin'
            $r.Statuses | Should -BeExactly @(
                'grace.export:changed'
                'grace.own:changed'
                'grace.delete:changed'
                'grace.restore:changed'
                'grace.restart:changed'
                'grace.days:unchanged'
            )
            $r.Summary.status | Should -BeExactly 'succeeded'
            ConvertTo-RdsTestJson $r.Summary.counts | Should -BeExactly (ConvertTo-RdsTestJson @{ changed = 5; unchanged = 1; wouldChange = 0; skipped = 0; failed = 0; rolledBack = 0 })
            $r.Summary.rebootRequired | Should -BeExactly $false
            $r.Events[-1].event | Should -BeExactly 'summary'
            # Value gone, key kept, original owner and ACL back, privileges disabled, lock released.
            ConvertTo-RdsTestJson $fake.Keys[$GP] | Should -BeExactly (ConvertTo-RdsTestJson @{ Sddl = $ORIGINAL_SDDL; Values = @{} })
            $fake.EnabledPrivileges | Should -BeNullOrEmpty
            $fake.LockHeld | Should -BeFalse
            # The backup: .reg file with its .sddl beside it, sha256 of the file's bytes.
            $export = $r.Steps[0]
            $file = [string]$export.backup.file
            $file | Should -BeExactly ([System.IO.Path]::Combine($r.BackupDirectory, 'run-1', 'grace.export.reg'))
            $export.backup.sha256 | Should -BeExactly (Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash.ToLowerInvariant()
            ([System.IO.File]::ReadAllText($file + '.sddl')).Trim() | Should -BeExactly $ORIGINAL_SDDL
            ConvertTo-RdsTestJson $r.Steps[5].after | Should -BeExactly (ConvertTo-RdsTestJson @{ DaysLeft = 42 })
            # The journal holds one line per undoable change, and the completion marker at the end.
            $journal = @(Read-RdsTestJournal -Result $r)
            @($journal | Where-Object { $_.Contains('undo') }).stepId | Should -BeExactly @('grace.own', 'grace.delete', 'grace.restore')
            ConvertTo-RdsTestJson $journal[1].undo.Values | Should -BeExactly (ConvertTo-RdsTestJson @(@{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' }))
            @($journal[-1].Keys | Sort-Object) -join ',' | Should -BeExactly 'marker,runId,time'
            $journal[-1].marker | Should -BeExactly 'completed'
        }

        It 'check mode (-WhatIf): wouldChange with before/after, no mutating call, nothing written, exit 0' {
            foreach ($command in $MutatingPlatformCommands) { Mock $command }
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps -CheckMode
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 0
            $r.Events[0].event | Should -BeExactly 'start'
            $r.Events[0].mode | Should -BeExactly 'check'
            $r.Statuses | Should -BeExactly @(
                'grace.export:wouldChange'
                'grace.own:wouldChange'
                'grace.delete:wouldChange'
                'grace.restore:wouldChange'
                'grace.restart:wouldChange'
                'grace.days:unchanged'
            )
            $delete = $r.Steps[2]
            ConvertTo-RdsTestJson $delete.before | Should -BeExactly (ConvertTo-RdsTestJson @{ Values = @(@{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' }) })
            ConvertTo-RdsTestJson $delete.after | Should -BeExactly (ConvertTo-RdsTestJson @{ Values = @() })
            foreach ($command in $MutatingPlatformCommands) { Should -Invoke $command -Times 0 -Exactly }
            ConvertTo-RdsTestJson $fake.Keys[$GP].Values[$TIMEBOMB] | Should -BeExactly (ConvertTo-RdsTestJson @{ Name = $TIMEBOMB; Type = 'Binary'; Data = '00aa' })
            Test-Path -LiteralPath $r.BackupDirectory | Should -BeFalse
            $r.Summary.status | Should -BeExactly 'succeeded'
            $r.Summary.counts.wouldChange | Should -Be 5
            $r.Summary.counts.unchanged | Should -Be 1
            $r.Summary.message | Should -BeExactly 'check: 5 step(s) would change'
        }

        It 'a step already in its desired state is unchanged and restart handlers are skipped' {
            Mock Stop-RdsService
            Mock Start-RdsService
            $fake = New-RdsFakeHost
            Set-RdsFakeValue -FakeHost $fake -Path 'HKLM\SOFTWARE\Contoso' -Name 'Mode' -Type 'DWord' -Data 4
            $fake.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'mode' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 4 }
                New-RdsTestStep -StepId 'restart' -Action 'service.restart' -RunWhen 'changed' -Parameters @{ Name = 'TermService'; Force = $true }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('mode:unchanged', 'restart:skipped')
            ConvertTo-RdsTestJson $r.Steps[0].before | Should -BeExactly (ConvertTo-RdsTestJson @{ Exists = $true; Type = 'DWord'; Data = 4 })
            ConvertTo-RdsTestJson $r.Steps[0].after | Should -BeExactly (ConvertTo-RdsTestJson @{ Exists = $true; Type = 'DWord'; Data = 4 })
            $r.Steps[1].message | Should -BeExactly 'skipped: no earlier step changed anything'
            Should -Invoke Stop-RdsService -Times 0 -Exactly
            Should -Invoke Start-RdsService -Times 0 -Exactly
            $r.ExitCode | Should -Be 0
        }

        It 'every event line is one compact ASCII JSON object' {
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps
            # start, 6 steps, the state 3 changed steps left, summary
            $r.EventLines.Count | Should -Be 11
            foreach ($line in $r.EventLines) {
                $line | Should -MatchExactly '\A[\x20-\x7e]*\z'
                $line | Should -Not -BeLike '*": *'
            }
            $files = [string[]]@([System.IO.Directory]::GetFiles($r.RunDirectory) | ForEach-Object { [System.IO.Path]::GetFileName($_) })
            [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
            $files | Should -BeExactly @('grace.export.reg', 'grace.export.reg.sddl', 'journal.jsonl')
        }
    }

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

    Context 'refused runs' {
        It 'the host lock held by another run refuses the run (exit 4) without running a step' {
            Mock Lock-RdsHost { @{ Status = 'Held'; Lock = 'Global\rdsplan-rdsplan' } }
            Mock Unlock-RdsHost
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeLikeExactly 'refused: Another rdsplan run holds the host lock*'
            $r.Summary.message | Should -BeExactly 'refused: Another rdsplan run holds the host lock (Global\rdsplan-rdsplan) (another rdsplan run is in progress on FAKEHOST; nothing was changed)'
            Should -Invoke Lock-RdsHost -Times 1 -Exactly -ParameterFilter { $Name -eq 'rdsplan' }
            Should -Invoke Unlock-RdsHost -Times 0 -Exactly
        }

        It 'a wrong platform option refuses the run' {
            Mock Initialize-RdsPlatform { throw 'this script was rendered for Windows; -SimulationState needs a script rendered with --simulate' } -ParameterFilter { $Option -eq 'state.json' }
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -SimulationState 'state.json'
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeExactly 'refused: this script was rendered for Windows; -SimulationState needs a script rendered with --simulate'
            Should -Invoke Initialize-RdsPlatform -Times 1 -Exactly -ParameterFilter { $Option -eq 'state.json' }
        }

        It 'a 32-bit PowerShell on 64-bit Windows (WOW64) refuses the run before the lock or any step' {
            $fake = New-GraceHost
            $fake.Is64BitProcess = $false
            Mock Lock-RdsHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeLikeExactly 'refused: this is a 32-bit PowerShell on 64-bit Windows: *'
            Should -Invoke Lock-RdsHost -Times 0 -Exactly
            $fake.Keys[$GP].Values.Contains($TIMEBOMB) | Should -BeTrue
        }

        It 'a privilege enabled before the run (a SYSTEM service) is enabled after it; one the run enabled is disabled again' {
            $fake = New-GraceHost
            $fake.EnabledPrivileges.Add('SeRestorePrivilege')
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(New-RdsTestGraceResetStep -MustExist $true)
            $r.Statuses | Should -BeExactly @('grace.export:changed', 'grace.own:changed', 'grace.delete:changed', 'grace.restore:changed')
            $fake.EnabledPrivileges.ToArray() | Should -BeExactly @('SeRestorePrivilege')
        }

        It 'a run id that is not one safe path segment is refused' {
            $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -RunId '../escape'
            $r.ExitCode | Should -Be 4
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeExactly "refused: invalid run id '../escape' (letters, digits, '.', '_', '-'; at most 128 characters)"
            $r.Warnings | Should -Contain "rdsplan: refused: invalid run id '../escape' (letters, digits, '.', '_', '-'; at most 128 characters)"
            # The refusal reports under a fresh run id, never under the one it refused.
            $r.Summary.runId | Should -MatchExactly '\A\d{8}T\d{9}Z-[0-9a-f]{6}\z'
            Test-Path -LiteralPath (Join-Path $r.Directory 'escape') | Should -BeFalse
        }

        It 'a failed self-check refuses the run (exit 4) before the lock or any step' {
            $message = 'script self-check failed: the script was modified after rendering (approval token sha256:11, header says sha256:22)'
            Mock Test-RdsScriptIntegrity { @{ Ok = $false; Message = $message } }
            Mock Lock-RdsHost
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -ApprovalToken 'sha256:33'
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeExactly ('refused: ' + $message)
            # The text checked is the script as PowerShell parsed it, header included.
            $parsed = [System.IO.File]::ReadAllText($r.ScriptPath)
            Should -Invoke Test-RdsScriptIntegrity -Times 1 -Exactly -ParameterFilter { $ScriptText -ceq $parsed -and $ApprovedToken -ceq 'sha256:33' -and $PlanSha256 -eq $RdsTestPlanSha256 -and $ToolVersion -eq $RdsTestToolVersion }
            Should -Invoke Lock-RdsHost -Times 0 -Exactly
            Test-Path -LiteralPath $r.BackupDirectory | Should -BeFalse
        }

        It 'a run approved with another token is refused (exit 4) before the lock or any step' {
            Mock Lock-RdsHost
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -ApprovalToken ('sha256:' + 'cd' * 32)
            $r.ExitCode | Should -Be 4
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.message | Should -BeExactly ('refused: script self-check failed: the script is not the one approved as sha256:' + 'cd' * 32)
            Should -Invoke Lock-RdsHost -Times 0 -Exactly
        }

        It 'a change without -ApprovalToken is refused (exit 4) before the lock or any step' {
            Mock Lock-RdsHost
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -ApprovalToken ''
            $r.ExitCode | Should -Be 4
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.message | Should -BeExactly 'refused: a run that changes the host needs -ApprovalToken, the approval token of the reviewed plan (rdsplan review prints it); nothing was changed'
            Should -Invoke Lock-RdsHost -Times 0 -Exactly
        }

        It 'a check runs without -ApprovalToken' {
            $check = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -ApprovalToken '' -CheckMode
            $check.ExitCode | Should -Be 0
            $check.Summary.status | Should -BeExactly 'succeeded'
        }

        It 'a script sent as text (remoting) is checked against its own text too' {
            $state = Join-Path $TestDrive 'sent-as-text.json'
            $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps $GraceSteps -CheckMode
            $text = [System.IO.File]::ReadAllText($r.ScriptPath)
            $token = [regex]::Match($text, '# approval-token: (\S+)').Groups[1].Value
            # As the fan-out driver runs it: [scriptblock]::Create over the text, in a PowerShell of its own ('exit' ends only that).
            $sendAsText = {
                param([string] $Text)
                $shell = [powershell]::Create()
                [void]$shell.AddScript({ param([string] $ScriptText, [hashtable] $Parameters) & ([scriptblock]::Create($ScriptText)) @Parameters }).AddArgument($Text).AddArgument(@{ BackupDirectory = $r.BackupDirectory; RunId = 'run-2'; SimulationState = $state; ApprovalToken = $token; WhatIf = $true })
                try { [void]$shell.Invoke() } catch { $_.Exception.InnerException | Should -BeOfType ([System.Management.Automation.ExitException]) }
                $line = @($shell.Streams.Information | ForEach-Object { [string]$_.MessageData } | Where-Object { $_.StartsWith('@@rdsplan ') })[-1]
                $shell.Dispose()
                return (ConvertFrom-Json -InputObject $line.Substring('@@rdsplan '.Length))
            }
            (& $sendAsText -Text $text).status | Should -BeExactly 'succeeded'
            $tampered = & $sendAsText -Text $text.Replace("'grace.restart'", "'grace.restarT'")
            $tampered.status | Should -BeExactly 'refused'
            $tampered.message | Should -BeLikeExactly 'refused: script self-check failed: the script was modified after rendering*'
        }
    }

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

    Context 'license settings' {
        It 'license servers and licensing mode through WMI compare order- and case-insensitively' {
            $fake = New-RdsFakeHost
            $fake.TerminalServices.SpecifiedLicenseServers = @('LS2.contoso.com', 'ls1.contoso.com')
            $fake.TerminalServices.LicensingType = 2
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'servers' -Action 'rds.setLicenseServers' -Parameters @{ Servers = @('ls1.contoso.com', 'ls2.contoso.com'); Via = 'wmi' }
                New-RdsTestStep -StepId 'mode' -Action 'rds.setLicensingMode' -Parameters @{ Mode = 'PerUser'; Via = 'wmi' }
                New-RdsTestStep -StepId 'policy' -Action 'rds.setLicenseServers' -Parameters @{ Servers = @('ls1'); Via = 'policy' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('servers:unchanged', 'mode:changed', 'policy:changed')
            $r.Steps[1].before.LicensingType | Should -Be 2
            $r.Steps[1].after.LicensingType | Should -Be 4
            $r.Steps[1].undo.Via | Should -BeExactly 'wmi'
            $r.Steps[1].undo.LicensingType | Should -Be 2
            $fake.TerminalServices.LicensingType | Should -Be 4
            ConvertTo-RdsTestJson $fake.Keys['HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'].Values['LicenseServers'] | Should -BeExactly (ConvertTo-RdsTestJson @{ Name = 'LicenseServers'; Type = 'String'; Data = 'ls1' })
        }
    }

    Context "RunWhen 'changed' and deferred preparation" {
        It 'a restart that depends on an unchanged step is skipped; an export alone does not trigger a handler' {
            Mock Stop-RdsService
            Mock Start-RdsService
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP
            $fake.Services['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'export' -Action 'registry.export' -Parameters @{ Path = $GP; View = 'Default' }
                New-RdsTestStep -StepId 'handler' -Action 'service.restart' -RunWhen 'changed' -Parameters @{ Name = 'TermService'; Force = $true }
                # 'own' does not name 'export': an export with no dependents runs at once (not
                # deferred), so the handler really sees a 'changed' export and must still skip.
                New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Parameters @{ Path = $GP; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(); Restore = 'afterPlan' }
                New-RdsTestStep -StepId 'delete' -Action 'registry.deleteValue' -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }
                New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; FromStep = 'own' }
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

        It 'takeOwnership already in its desired state is unchanged and restoreSecurity has nothing to restore' {
            Mock Enable-RdsPrivilege
            $owned = 'O:BAG:SYD:(A;CI;KA;;;BA)'
            $fake = New-RdsFakeHost
            Add-RdsFakeKey -FakeHost $fake -Path $GP -Sddl $owned
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps @(
                New-RdsTestStep -StepId 'own' -Action 'registry.takeOwnership' -Parameters @{ Path = $GP; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }
                New-RdsTestStep -StepId 'restore' -Action 'registry.restoreSecurity' -DependsOn 'own' -Parameters @{ Path = $GP; View = 'Default'; FromStep = 'own' }
                New-RdsTestStep -StepId 'absent' -Action 'registry.export' -Parameters @{ Path = 'HKLM\SOFTWARE\Nothing'; View = 'Default' }
            )
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.Statuses | Should -BeExactly @('own:unchanged', 'restore:unchanged', 'absent:unchanged')
            $r.Steps[1].message | Should -BeExactly "nothing to restore: step 'own' changed nothing"
            $r.Steps[2].message | Should -BeExactly 'key absent, nothing to export'
            $fake.Keys[$GP].Sddl | Should -BeExactly $owned
            Should -Invoke Enable-RdsPrivilege -Times 0 -Exactly
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
