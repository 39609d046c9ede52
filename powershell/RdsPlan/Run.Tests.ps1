# Check, apply, runs and undo against the simulated host (-Simulate <state file in TestDrive:>,
# examples/reset-grace-period.json). The CLI the module starts runs the generated script in
# the toolchain's pwsh (RDSPLAN_POWERSHELL, set by Initialize-RdsPlanModuleTest).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RdsPlanModule.ps1')
    $script:savedEnvironment = Initialize-RdsPlanModuleTest
}

AfterAll {
    Clear-RdsPlanModuleTest -SavedEnvironment $script:savedEnvironment
}

Describe 'Invoke-RdsPlanCheck on the simulated host' {
    It 'one object per step per host; changes pending (exit 3) is not an error; the check changes nothing' {
        $state = Join-Path $TestDrive 'check-state.json'
        $global:LASTEXITCODE = 0
        $rows = @(Invoke-RdsPlanCheck -Path $RdsPlanResetExample -Simulate $state -Records $TestDrive -ErrorAction Stop)
        $succeeded = $?
        $succeeded | Should -BeTrue
        $rows[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.CheckResult'
        @($rows | ForEach-Object { $_.StepId }) | Should -BeExactly $RdsPlanResetSteps
        foreach ($row in $rows) {
            $row.Host | Should -BeExactly 'localhost'
            foreach ($name in @('Host', 'StepId', 'Action', 'Status', 'Before', 'After', 'Message')) {
                $row.PSObject.Properties.Name | Should -Contain $name
            }
            $row.PlanPath | Should -BeExactly $RdsPlanResetExample
        }
        $delete = @($rows | Where-Object StepId -EQ 'grace.delete')
        $delete.Count | Should -Be 1
        $delete[0].Action | Should -BeExactly 'registry.deleteValue'
        $delete[0].Status | Should -BeExactly 'wouldChange'
        $delete[0].Target | Should -BeExactly $RdsPlanGracePeriodKey
        $delete[0].After.PSObject.Properties.Name | Should -Contain 'Values'
        @($delete[0].After.Values) | Should -BeNullOrEmpty
        @($delete[0].Before.Values | ForEach-Object { $_.Name }) | Should -BeExactly @($RdsPlanTimebombName)
        @($rows | Where-Object Status -EQ 'wouldChange' | ForEach-Object { $_.StepId }) | Should -Contain 'grace.delete'
        # A check is read-only: the saved host still has the timebomb (a missing state file fails here).
        Get-RdsPlanTimebombData -StateFile $state | Should -Not -BeNullOrEmpty
    }

    It 'takes plans from the pipeline, by value and by the Path and FullName properties' {
        $state = Join-Path $TestDrive 'pipeline-state.json'
        $rows = @(
            $RdsPlanResetExample,
            [pscustomobject]@{ Path = $RdsPlanResetExample },
            [System.IO.FileInfo]::new($RdsPlanResetExample) | Invoke-RdsPlanCheck -Simulate $state -Records $TestDrive -ErrorAction Stop
        )
        @($rows | ForEach-Object { $_.StepId }) | Should -BeExactly @($RdsPlanResetSteps + $RdsPlanResetSteps + $RdsPlanResetSteps)
        @($rows | ForEach-Object { $_.PlanPath } | Sort-Object -Unique) | Should -BeExactly @($RdsPlanResetExample)
        @($rows | ForEach-Object { $_.RunId } | Sort-Object -Unique).Count | Should -Be 3
    }

    It 'a usage error (exit 2) is a terminating error carrying the CLI''s message' {
        $script:reached = $false
        $record = {
            Invoke-RdsPlanCheck -Path $RdsPlanResetExample -Target 'rdsh99' -Simulate (Join-Path $TestDrive 'usage-state.json')
            $script:reached = $true
        } | Should -Throw -PassThru
        $script:reached | Should -BeFalse
        $record.Exception.Data['ExitCode'] | Should -Be 2
        $record.FullyQualifiedErrorId | Should -MatchExactly ',Invoke-RdsPlanCheck$'
        $record.FullyQualifiedErrorId | Should -BeIn @('RdsPlan.Usage,Invoke-RdsPlanCheck', 'RdsPlan.InvalidPlan,Invoke-RdsPlanCheck')
        $record.CategoryInfo.Category | Should -BeIn @('InvalidArgument', 'InvalidData')
        $record.Exception.Message | Should -MatchExactly '^rdsplan: '
        $record.Exception.Message | Should -Match 'rdsh99'
        $record.TargetObject | Should -BeExactly $RdsPlanResetExample
    }

    It 'a failed check (exit 1): the step objects first, then a terminating error naming the failed step' {
        # 12 days left: a reset is due, so the faulty call is reached.
        $state = Join-Path $TestDrive 'faulty-state.json'
        [System.IO.File]::WriteAllText($state, (ConvertTo-Json -Depth 5 -InputObject @{ terminalServices = @{ graceDays = 12; timebombGraceDays = 12 }; faults = @(@{ call = 'Get-RdsRegistrySddl'; nth = 1; message = 'The device is not ready.' }) }))
        $rows = [System.Collections.Generic.List[object]]::new()
        $script:reached = $false
        $record = {
            Invoke-RdsPlanCheck -Path $RdsPlanResetExample -Simulate $state -Records $TestDrive | ForEach-Object { $rows.Add($_) }
            $script:reached = $true
        } | Should -Throw -ErrorId 'RdsPlan.Failed,Invoke-RdsPlanCheck' -PassThru
        $script:reached | Should -BeFalse
        $record.CategoryInfo.Category | Should -Be 'OperationStopped'
        $record.Exception.Data['ExitCode'] | Should -Be 1
        @($rows | ForEach-Object { $_.StepId }) | Should -BeExactly $RdsPlanResetSteps
        $failed = @($rows | Where-Object Status -EQ 'failed')
        $failed.Count | Should -BeGreaterThan 0
        # The CLI prints nothing on stderr for a failed step: the error names each failed step.
        $record.Exception.Message | Should -MatchExactly '^rdsplan check failed: '
        foreach ($row in $failed) {
            $record.Exception.Message | Should -Match ([regex]::Escape(('localhost: {0} ({1}) failed: {2}' -f $row.StepId, $row.Action, $row.Message)))
        }
    }

    It 'a hostile -Target is one argument: the CLI names it as not a target of the plan' {
        $target = "rdsh01'; Write-Host PWNED; --approve `$(Write-Host PWNED6)"
        $all = @(& {
                try {
                    Invoke-RdsPlanCheck -Path $RdsPlanResetExample -Target $target -Simulate (Join-Path $TestDrive 'hostile-state.json') -Records $TestDrive
                }
                catch {
                    $_
                }
            } *>&1)
        $all.Count | Should -Be 1
        $record = $all[0]
        $record | Should -BeOfType [System.Management.Automation.ErrorRecord]
        $record.Exception.Data['ExitCode'] | Should -Be 2
        $record.FullyQualifiedErrorId | Should -MatchExactly '^RdsPlan\.(Usage|InvalidPlan),Invoke-RdsPlanCheck$'
        $record.Exception.Message.Contains($target) | Should -BeTrue
        Get-RdsPlanInjectedLine -InputObject $all | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RdsPlan, Get-RdsPlanRun and Undo-RdsPlanRun on the simulated host' {
    # One host through the whole life of a change, in order: each It starts from the state the
    # one before left.
    BeforeAll {
        $state = Join-Path $TestDrive 'state.json'
        $records = Join-Path $TestDrive 'records'
        $common = @{ Path = $RdsPlanResetExample; Simulate = $state; Records = $records }
        $token = Get-RdsPlanApprovalToken -Path $RdsPlanResetExample
        $script:applied = $null
        $script:runs = $null
    }

    It '-WhatIf prints PowerShell''s what-if line and returns the check''s step objects; nothing is applied or recorded' {
        $r = Invoke-RdsPlanTranscribedCommand { Invoke-RdsPlan @common -ApprovalToken $token -WhatIf -ErrorAction Stop }
        $r.Host | Should -Match 'What if: Performing the operation "Apply plan approved as sha256:[0-9a-f]{64}" on target ".*reset-grace-period\.json on every target of the plan \(simulated host .*state\.json\)"'
        $r.Output[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.CheckResult'
        @($r.Output | ForEach-Object { $_.StepId }) | Should -BeExactly $RdsPlanResetSteps
        @($r.Output | Where-Object StepId -EQ 'grace.delete' | ForEach-Object { $_.Status }) | Should -BeExactly @('wouldChange')
        Get-RdsPlanInjectedLine -InputObject @($r.Host) | Should -BeNullOrEmpty
        @(Get-RdsPlanRun -Records $records -ErrorAction Stop) | Should -BeNullOrEmpty
        $script:originalTimebomb = Get-RdsPlanTimebombData -StateFile $state
        $script:originalTimebomb | Should -Not -BeNullOrEmpty
    }

    It 'a token that is not the plan''s is refused: PermissionDenied, exit 4, the CLI''s words; nothing runs' {
        $record = { Invoke-RdsPlan @common -ApprovalToken ('sha256:' + ('0' * 64)) -Confirm:$false } | Should -Throw -ErrorId 'RdsPlan.Refused,Invoke-RdsPlan' -PassThru
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.Exception.Data['ExitCode'] | Should -Be 4
        $record.Exception.Message | Should -MatchExactly '^rdsplan: refused: sha256:0{64} is not the approval token of .* Nothing was run$'
        $record.TargetObject | Should -BeExactly $RdsPlanResetExample
        @(Get-RdsPlanRun -Records $records -ErrorAction Stop) | Should -BeNullOrEmpty
        Get-RdsPlanTimebombData -StateFile $state | Should -BeExactly $script:originalTimebomb
    }

    It 'without -Confirm:$false a non-interactive session cannot ask (ConfirmImpact High): the command fails and nothing runs' {
        $r = Invoke-RdsPlanChildSession -Environment @{ RDSPLAN_T_PLAN = $RdsPlanResetExample; RDSPLAN_T_STATE = $state; RDSPLAN_T_RECORDS = $records; RDSPLAN_T_TOKEN = $token } -ScriptBlock {
            try {
                Invoke-RdsPlan -Path $env:RDSPLAN_T_PLAN -Simulate $env:RDSPLAN_T_STATE -Records $env:RDSPLAN_T_RECORDS -ApprovalToken $env:RDSPLAN_T_TOKEN
                'ran without confirmation'
            }
            catch {
                '@@message ' + $_.Exception.Message
            }
        }
        $r.StdErr | Should -BeExactly ''
        $r.ExitCode | Should -Be 0
        $r.StdOut | Should -Not -Match 'ran without confirmation'
        $messages = @($r.StdOut -split '\r?\n' | Where-Object { $_.StartsWith('@@message ') })
        $messages.Count | Should -Be 1
        $messages[0] | Should -Match 'NonInteractive|prompt'
        @(Get-RdsPlanRun -Records $records -ErrorAction Stop) | Should -BeNullOrEmpty
        @(Invoke-RdsPlanCheck @common -ErrorAction Stop | Where-Object StepId -EQ 'grace.delete' | ForEach-Object { $_.Status }) | Should -BeExactly @('wouldChange')
    }

    It 'applies the plan from the pipeline: one object per host with its record folder; the timebomb is gone' {
        $script:applied = @([System.IO.FileInfo]::new($RdsPlanResetExample) | Invoke-RdsPlan -ApprovalToken $token -Simulate $state -Records $records -Confirm:$false -ErrorAction Stop)
        $applied.Count | Should -Be 1
        $applied[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.ApplyResult'
        $applied[0].Host | Should -BeExactly 'localhost'
        $applied[0].ExitCode | Should -Be 0
        $applied[0].Status | Should -BeExactly 'succeeded'
        $applied[0].Error | Should -BeNullOrEmpty
        $applied[0].PlanPath | Should -BeExactly $RdsPlanResetExample
        Test-Path -LiteralPath (Join-Path $applied[0].Record 'record.json') -PathType Leaf | Should -BeTrue
        @(Invoke-RdsPlanCheck @common -ErrorAction Stop | Where-Object StepId -EQ 'grace.delete' | ForEach-Object { $_.Status }) | Should -BeExactly @('skipped')
        # The old expiry is gone; TermService wrote a fresh timebomb when it restarted, so no reset is due.
        $script:freshTimebomb = Get-RdsPlanTimebombData -StateFile $state
        $script:freshTimebomb | Should -Not -BeNullOrEmpty
        $script:freshTimebomb | Should -Not -BeExactly $script:originalTimebomb
    }

    It 'Get-RdsPlanRun lists the run, with StartedAt as a DateTime' {
        $script:runs = @(Get-RdsPlanRun -Records $records -ErrorAction Stop)
        $runs.Count | Should -Be 1
        $runs[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.RunRecord'
        $runs[0].Path | Should -BeExactly $applied[0].Record
        $runs[0].Plan | Should -BeExactly $RdsPlanResetPlanName
        $runs[0].Host | Should -BeExactly 'localhost'
        $runs[0].Mode | Should -BeExactly 'apply'
        $runs[0].Status | Should -BeExactly 'succeeded'
        $runs[0].ExitCode | Should -Be 0
        $runs[0].StartedAt | Should -BeOfType [datetime]
    }

    It 'Get-RdsPlanRun into Undo-RdsPlanRun -WhatIf: the what-if line and the dry run; nothing is restored' {
        $r = Invoke-RdsPlanTranscribedCommand {
            Get-RdsPlanRun -Records $records -ErrorAction Stop | Where-Object Plan -EQ $RdsPlanResetPlanName | Undo-RdsPlanRun -Simulate $state -WhatIf -ErrorAction Stop
        }
        $r.Host.Contains(('What if: Performing the operation "Undo the recorded run" on target "{0}".' -f $applied[0].Record)) | Should -BeTrue
        $r.Output.Count | Should -Be 1
        $preview = $r.Output[0]
        $preview.PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.UndoPreview'
        $preview.Path | Should -BeExactly $applied[0].Record
        $preview.Review | Should -MatchExactly '^Undo of run \S+ of plan reset-grace-period-rdsh01 on localhost, newest change first:'
        $preview.Review.Contains('grace.delete (registry.deleteValue): restore') | Should -BeTrue
        $preview.ApprovalToken | Should -MatchExactly '^sha256:[0-9a-f]{64}$'
        $preview.Review | Should -MatchExactly ('approval token: {0}$' -f [regex]::Escape($preview.ApprovalToken))
        $script:undoToken = $preview.ApprovalToken
        Get-RdsPlanTimebombData -StateFile $state | Should -BeExactly $script:freshTimebomb
        @(Invoke-RdsPlanCheck @common -ErrorAction Stop | Where-Object StepId -EQ 'grace.delete' | ForEach-Object { $_.Status }) | Should -BeExactly @('skipped')
    }

    It 'Undo-RdsPlanRun without the dry run''s token is refused (exit 4) and changes nothing' {
        $record = { $runs | Undo-RdsPlanRun -Simulate $state -Confirm:$false } | Should -Throw -ErrorId 'RdsPlan.Refused,Undo-RdsPlanRun' -PassThru
        $record.Exception.Data['ExitCode'] | Should -Be 4
        $record.Exception.Message | Should -Not -Match ([regex]::Escape($script:undoToken))
        Get-RdsPlanTimebombData -StateFile $state | Should -BeExactly $script:freshTimebomb
    }

    It 'Undo-RdsPlanRun from the pipeline with the reviewed token restores the timebomb' {
        $undone = @($runs | Undo-RdsPlanRun -Approve $script:undoToken -Simulate $state -Confirm:$false -ErrorAction Stop -WarningVariable warnings)
        $undone.Count | Should -Be 1
        $undone[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.UndoResult'
        $undone[0].Host | Should -BeExactly 'localhost'
        $undone[0].Status | Should -BeExactly 'succeeded'
        $undone[0].ExitCode | Should -Be 0
        $undone[0].Restored | Should -Be 3
        $undone[0].Error | Should -BeNullOrEmpty
        $undone[0].UndoOf | Should -BeExactly $runs[0].RunId
        Test-Path -LiteralPath $undone[0].Record | Should -BeTrue
        $warnings | Should -BeNullOrEmpty
        @(Invoke-RdsPlanCheck @common -ErrorAction Stop | Where-Object StepId -EQ 'grace.delete' | ForEach-Object { $_.Status }) | Should -BeExactly @('skipped')
        # Undo puts the old expiry back; GetGracePeriodDays shows it only after TermService restarts.
        Get-RdsPlanTimebombData -StateFile $state | Should -BeExactly $script:originalTimebomb
    }
}

Describe 'a failed apply' {
    It 'exit 1: the host object (Status not succeeded, Record) first, then a terminating error from the CLI' {
        $state = Join-Path $TestDrive 'state.json'
        [System.IO.File]::WriteAllText($state, (ConvertTo-Json -Depth 5 -InputObject @{ terminalServices = @{ graceDays = 12; timebombGraceDays = 12 }; faults = @(@{ call = 'Remove-RdsRegistryValue'; nth = 1; message = 'The device is not ready.' }) }))
        $token = Get-RdsPlanApprovalToken -Path $RdsPlanResetExample
        $rows = [System.Collections.Generic.List[object]]::new()
        $script:reached = $false
        $record = {
            Invoke-RdsPlan -Path $RdsPlanResetExample -ApprovalToken $token -Simulate $state -Records $TestDrive -Confirm:$false | ForEach-Object { $rows.Add($_) }
            $script:reached = $true
        } | Should -Throw -ErrorId 'RdsPlan.Failed,Invoke-RdsPlan' -PassThru
        $script:reached | Should -BeFalse
        $record.CategoryInfo.Category | Should -Be 'OperationStopped'
        $record.Exception.Data['ExitCode'] | Should -Be 1
        $record.Exception.Message.Length | Should -BeGreaterThan 0
        $rows.Count | Should -Be 1
        $rows[0].Host | Should -BeExactly 'localhost'
        $rows[0].ExitCode | Should -Be 1
        $rows[0].Status | Should -Not -BeExactly 'succeeded'
        $rows[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.ApplyResult'
        # Why, from the run record: the step that failed and what Windows said, not only "failed".
        $failed = @((Get-Content -LiteralPath (Join-Path $rows[0].Record 'record.json') -Raw | ConvertFrom-Json).steps | Where-Object status -EQ 'failed')
        $failed.Count | Should -Be 1
        $rows[0].Error | Should -BeExactly ('{0} ({1}) failed: {2}' -f $failed[0].stepId, $failed[0].action, $failed[0].message)
        Test-Path -LiteralPath (Join-Path $rows[0].Record 'record.json') -PathType Leaf | Should -BeTrue
    }
}

Describe 'Get-RdsPlanRun and Undo-RdsPlanRun errors' {
    It 'Get-RdsPlanRun: a records folder without runs lists nothing, without an error' {
        $empty = Join-Path $TestDrive 'no-runs'
        @(Get-RdsPlanRun -Records $empty -ErrorAction Stop) | Should -BeNullOrEmpty
        Push-Location -LiteralPath $TestDrive
        try {
            @(Get-RdsPlanRun -ErrorAction Stop) | Should -BeNullOrEmpty
        }
        finally {
            Pop-Location
        }
    }

    It 'Get-RdsPlanRun: a records path outside the file system is a terminating RdsPlan.BadPath error' {
        $record = { Get-RdsPlanRun -Records 'Env:\PATH' } | Should -Throw -ErrorId 'RdsPlan.BadPath,Get-RdsPlanRun' -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -BeExactly "Records 'Env:\PATH' is not a file-system path"
        $record.TargetObject | Should -BeExactly 'Env:\PATH'
    }

    It 'Undo-RdsPlanRun: a folder without a run record is refused (RdsPlan.Refused, exit 4) with the CLI''s message; nothing runs' {
        $missing = Join-Path $TestDrive 'not-a-run'
        $record = { Undo-RdsPlanRun -Path $missing -Confirm:$false } | Should -Throw -ErrorId 'RdsPlan.Refused,Undo-RdsPlanRun' -PassThru
        $record.Exception.Data['ExitCode'] | Should -Be 4
        $record.Exception.Message | Should -BeExactly "rdsplan: refused: ${missing}: cannot read the run record: ${missing} does not exist; nothing was run"
        $record.TargetObject | Should -BeExactly $missing
    }
}

Describe 'Get-RdsPlanTimebombData (the harness''s reading of a saved simulated host)' {
    It 'refuses to answer for a missing state file, so a check that saved nothing cannot pass as read-only' {
        $missing = Join-Path $TestDrive 'none.json'
        { Get-RdsPlanTimebombData -StateFile $missing } | Should -Throw -ExpectedMessage "the simulated host saved no state file at '$missing'"
    }
}

Describe 'Get-RdsLicensingDiagnosis on the simulated host' {
    It 'one object per host with its findings and their fixes; findings (exit 3) are not an error; nothing is changed' {
        $state = Join-Path $TestDrive 'diagnose-state.json'
        $rows = @(Get-RdsLicensingDiagnosis -Path $RdsPlanResetExample -Simulate $state -ErrorAction Stop)
        $succeeded = $?
        $succeeded | Should -BeTrue
        $rows.Count | Should -Be 1
        $rows[0].PSObject.TypeNames[0] | Should -BeExactly 'RdsPlan.LicensingDiagnosis'
        $rows[0].Host | Should -BeExactly 'localhost'
        $rows[0].Healthy | Should -BeFalse
        $rows[0].ExitCode | Should -Be 3
        @($rows[0].Findings | ForEach-Object { $_.Severity + ' ' + $_.Code }) | Should -BeExactly @('error licensing-mode', 'error no-license-server', 'warning grace-ending')
        @($rows[0].Findings | ForEach-Object { $_.Fix }) | Should -Match 'rds\.configureLicensing'
        $rows[0].Facts.graceDays.daysLeft | Should -Be 21
        # The reading changed nothing: the timebomb is where it was.
        Get-RdsPlanTimebombData -StateFile $state | Should -Not -BeNullOrEmpty
    }

    It 'a host that cannot be read: its object first, then a terminating error naming why' {
        $state = Join-Path $TestDrive 'diagnose-broken.json'
        [System.IO.File]::WriteAllText($state, '{ "format": "rdsplan-sim-state/9" }')
        $script:diagnosed = @()
        { Get-RdsLicensingDiagnosis -Path $RdsPlanResetExample -Simulate $state | ForEach-Object { $script:diagnosed += $_ } } | Should -Throw -ExpectedMessage '*unsupported state format*'
        $script:diagnosed.Count | Should -Be 1
        $script:diagnosed[0].ExitCode | Should -Be 1
        $script:diagnosed[0].Error | Should -BeLike '*unsupported state format*'
    }
}
