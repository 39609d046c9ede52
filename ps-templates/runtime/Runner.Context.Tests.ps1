# Runner.Context.ps1, the start of a run: run ids and refusals: whole plan scripts over the fake
# platform of test/support/pester/RuntimeHarness.ps1, the platform calls seen through Mock (setup
# in test/support/pester/RunnerFixture.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RunnerFixture.ps1')
}

Describe 'New-RdsRunId' {
    It 'is the UTC time to the millisecond and six random hex digits' {
        New-RdsRunId | Should -MatchExactly '\A\d{8}T\d{9}Z-[0-9a-f]{6}\z'
    }
}

Describe 'a plan run: the start of a run: run ids and refusals' {
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
            Mock Initialize-RdsPlatform { throw [System.ArgumentException]::new('this script was rendered for Windows; -SimulationState needs a script rendered with --simulate') } -ParameterFilter { $Option -eq 'state.json' }
            $r = Invoke-RdsTestPlan -FakeHost (New-GraceHost) -Steps $GraceSteps -SimulationState 'state.json'
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeExactly 'refused: this script was rendered for Windows; -SimulationState needs a script rendered with --simulate'
            Should -Invoke Initialize-RdsPlatform -Times 1 -Exactly -ParameterFilter { $Option -eq 'state.json' }
        }

        It 'a host that cannot be read at the start (<Call>: <Message>) failed (exit 1), it was not refused; no step ran' -ForEach @(
            @{ Call = 'Initialize-RdsPlatform'; Message = 'invalid simulated host state file: Unexpected end of content (state.json)'; Thrown = 'runtime' }
            @{ Call = 'Get-RdsHostIdentity'; Message = "The term 'Get-CimInstance' is not recognized as a name of a cmdlet"; Thrown = 'commandNotFound' }
        ) {
            $thrown = if ($Thrown -eq 'commandNotFound') { [System.Management.Automation.CommandNotFoundException]::new($Message) } else { [System.Management.Automation.RuntimeException]::new($Message) }
            Mock $Call { throw $thrown }
            Mock Lock-RdsHost
            $fake = New-GraceHost
            $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $GraceSteps
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 1
            $r.Steps | Should -BeNullOrEmpty
            $r.Summary.status | Should -BeExactly 'failed'
            $r.Summary.message | Should -BeExactly ('cannot start: ' + $Message)
            Should -Invoke Lock-RdsHost -Times 0 -Exactly
            $fake.Keys[$GP].Values.Contains($TIMEBOMB) | Should -BeTrue
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
}
