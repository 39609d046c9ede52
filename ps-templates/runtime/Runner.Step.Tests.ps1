# Runner.Step.ps1, one step: apply and check mode, license settings: whole plan scripts over the
# fake platform of test/support/pester/RuntimeHarness.ps1, the platform calls seen through Mock
# (setup in test/support/pester/RunnerFixture.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RunnerFixture.ps1')
}

Describe 'a plan run: one step: apply and check mode, license settings' {
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
}
