# Host.ps1: what a run makes sure of before it starts (elevation before the lock, the lock's
# three answers, an abandoned lock's unfinished run, the backup folder's owner and DACL) and
# the journal's completion marker; plan scripts over the fake platform and the simulated host.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

    $FullAccess = 2032127
    $Trusted = @{ Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-5-18'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }, @{ Sid = 'S-1-5-32-544'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }) }
    $ContosoStep = New-RdsTestStep -StepId 'value' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 4 }
    # Every platform function that changes the host, or writes the backup folder.
    $Changing = @('Set-RdsRegistryValue', 'Remove-RdsRegistryValue', 'New-RdsRegistryKey', 'Remove-RdsRegistryKey', 'Export-RdsRegistryKey', 'Set-RdsRegistrySddl', 'Set-RdsRegistryOwner', 'Add-RdsRegistryAccessRule', 'Set-RdsServiceStartMode', 'Start-RdsService', 'Stop-RdsService', 'New-RdsProtectedDirectory')

    function New-TestJournal {
        # A run folder with a journal of one change, with or without the completion marker, written at the given time.
        param([string] $BackupDirectory, [string] $RunId, [bool] $Completed, [datetime] $Time)
        $folder = Join-Path $BackupDirectory $RunId
        [void][System.IO.Directory]::CreateDirectory($folder)
        $journal = Join-Path $folder 'journal.jsonl'
        $lines = @('{"action":"registry.setValue","runId":"' + $RunId + '","stepId":"value","time":"2026-01-01T00:00:00Z","undo":{"Path":"HKLM\\SOFTWARE\\Contoso"}}')
        if ($Completed) { $lines += '{"marker":"completed","runId":"' + $RunId + '","time":"2026-01-01T00:00:01Z"}' }
        [System.IO.File]::WriteAllText($journal, (($lines -join "`n") + "`n"))
        [System.IO.File]::SetLastWriteTimeUtc($journal, $Time)
        return $journal
    }
}

Describe 'elevation comes first' {
    It 'a token that is not elevated is refused with its own message, reason and exit code 5, before the lock' {
        Mock Lock-RdsHost
        foreach ($command in $Changing) { Mock $command }
        $fake = New-RdsFakeHost
        $fake.Elevated = $false
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $ContosoStep
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 5
        $r.Events[0].event | Should -BeExactly 'start'
        $r.Steps | Should -BeNullOrEmpty
        $r.Summary.status | Should -BeExactly 'refused'
        $r.Summary.reason | Should -BeExactly 'notElevated'
        $r.Summary.message | Should -BeExactly 'refused: this PowerShell is not elevated: the token of FAKE\admin holds no enabled Administrators group (S-1-5-32-544), which the host lock, the registry changes and the backups need. Run rdsplan from an elevated PowerShell ("Run as administrator") on FAKEHOST; nothing was changed'
        Should -Invoke Lock-RdsHost -Times 0 -Exactly
        foreach ($command in $Changing) { Should -Invoke $command -Times 0 -Exactly }
        Test-Path -LiteralPath $r.BackupDirectory | Should -BeFalse
    }

    It 'check mode (-WhatIf) needs elevation too: the lock is a Global\ mutex' {
        $fake = New-RdsFakeHost
        $fake.Elevated = $false
        $r = Invoke-RdsTestPlan -FakeHost $fake -Steps $ContosoStep -CheckMode
        $r.ExitCode | Should -Be 5
        $r.Summary.reason | Should -BeExactly 'notElevated'
    }

    It 'access denied while taking the lock is refused as what it is, never as a lock another run holds (exit 4)' {
        Mock Lock-RdsHost { throw [System.UnauthorizedAccessException]::new("Access to the path 'Global\rdsplan-rdsplan' is denied.") }
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 4
        $r.Summary.status | Should -BeExactly 'refused'
        $r.Summary.Contains('reason') | Should -BeFalse
        $r.Summary.message | Should -BeExactly "refused: the host lock could not be taken: Access to the path 'Global\rdsplan-rdsplan' is denied.; nothing was changed"
        $r.Summary.message | Should -Not -BeLike '*another rdsplan run*'
        $r.Steps | Should -BeNullOrEmpty
    }

    It 'an elevation check that fails refuses the run (exit 4) and takes no lock' {
        Mock Test-RdsElevation { throw 'The handle is invalid.' }
        Mock Lock-RdsHost
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        $r.ExitCode | Should -Be 4
        $r.Summary.message | Should -BeExactly 'refused: cannot tell whether this PowerShell runs elevated: The handle is invalid.; nothing was changed'
        Should -Invoke Lock-RdsHost -Times 0 -Exactly
    }

    It 'a lock that answers no status is refused, not taken' {
        Mock Lock-RdsHost { 'locked' }
        Mock Unlock-RdsHost
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        $r.ExitCode | Should -Be 4
        $r.Summary.message | Should -BeExactly 'refused: the host lock could not be taken: Lock-RdsHost gave no status (Acquired, Abandoned or Held); nothing was changed'
        Should -Invoke Unlock-RdsHost -Times 0 -Exactly
    }

    It 'simulated host, pwsh -File: the token UAC gives without "Run as administrator" exits 5, no lock file, the host untouched' {
        $state = Join-Path $TestDrive 'not-elevated.json'
        # The administrator's token as UAC filters it (New-RdsSimDefaultState -Token 'NotElevated'): Administrators deny-only, medium integrity.
        $token = @{ user = 'S-1-5-21-1004336348-1177238915-682003330-500'; groups = @('S-1-5-21-1004336348-1177238915-682003330-513', 'S-1-1-0', 'S-1-5-32-545', 'S-1-5-4', 'S-1-5-11', 'S-1-16-8192'); privileges = @{ SeShutdownPrivilege = @{ held = $true; enabled = $false } } }
        [System.IO.File]::WriteAllText($state, (ConvertTo-Json -InputObject @{ token = $token } -Depth 8))
        $before = [System.IO.File]::ReadAllText($state)
        $r = Invoke-RdsTestPlan -Platform 'Sim' -NewProcess -SimulationState $state -Steps $ContosoStep
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.ExitCode | Should -Be 5
        $r.Summary.reason | Should -BeExactly 'notElevated'
        $r.Summary.message | Should -BeLikeExactly 'refused: this PowerShell is not elevated: the token of CONTOSO\Administrator holds no enabled Administrators group*'
        Test-Path -LiteralPath ($state + '.lock') | Should -BeFalse
        $after = Read-RdsTestSimState -Path $state
        $after.calls['Test-RdsElevation'] | Should -Be 1
        $after.calls.Contains('Lock-RdsHost') | Should -BeFalse
        $after.registry.Keys -contains 'HKLM\SOFTWARE\Contoso' | Should -BeFalse
        $before | Should -Not -BeNullOrEmpty
    }
}

Describe 'an abandoned host lock' {
    It 'is taken with a warning naming the newest unfinished run journal and its undo; the run goes on' {
        Mock Lock-RdsHost { @{ Status = 'Abandoned'; Lock = 'Global\rdsplan-rdsplan' } }
        $backups = Join-Path $TestDrive 'abandoned-fake'
        $null = New-TestJournal -BackupDirectory $backups -RunId 'run-old-unfinished' -Completed $false -Time ([datetime]'2026-01-01T10:00:00Z')
        $dead = New-TestJournal -BackupDirectory $backups -RunId 'run-dead' -Completed $false -Time ([datetime]'2026-01-02T10:00:00Z')
        $null = New-TestJournal -BackupDirectory $backups -RunId 'run-finished' -Completed $true -Time ([datetime]'2026-01-03T10:00:00Z')
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -SharedBackupDirectory $backups -Steps $ContosoStep
        $note = 'the host lock was abandoned: an earlier rdsplan run on FAKEHOST ended without releasing it (killed or crashed): run run-dead did not finish; its journal ' + $dead + ' lists what it changed. Check the host and undo that run: rdsplan undo <the run record of run run-dead> (rdsplan runs lists the records)'
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Warnings | Should -Contain ('rdsplan: ' + $note)
        $r.Summary.status | Should -BeExactly 'succeeded'
        $r.Summary.message | Should -BeExactly $note
        $r.Statuses | Should -BeExactly @('value:changed')
        $r.ExitCode | Should -Be 0
    }

    It 'with no unfinished journal the warning says so' {
        Mock Lock-RdsHost { @{ Status = 'Abandoned'; Lock = 'Global\rdsplan-rdsplan' } }
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep -CheckMode
        $r.Summary.message | Should -BeExactly ('check: 1 step(s) would change; the host lock was abandoned: an earlier rdsplan run on FAKEHOST ended without releasing it (killed or crashed); no unfinished run journal is in ' + $r.BackupDirectory)
        $r.ExitCode | Should -Be 0
    }

    It 'simulated host: a run killed half-way leaves its lock; the next run takes it and names the killed run''s journal' {
        $state = Join-Path $TestDrive 'killed.json'
        $backups = Join-Path $TestDrive 'killed-backups'
        $finished = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -SharedBackupDirectory $backups -RunId 'run-0' -Steps $ContosoStep
        $killed = Invoke-RdsTestPlan -Platform 'Sim' -NewProcess -SimulationState $state -SharedBackupDirectory $backups -RunId 'run-1' -Steps @(
            New-RdsTestStep -StepId 'other' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = 'Default'; Name = 'Other'; Type = 'DWord'; Data = 1 }
            # The process ends here as if killed: no summary, the lock file stays.
            '[System.Environment]::Exit(137)'
        )
        $lockLeft = Test-Path -LiteralPath ($state + '.lock')
        $next = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -SharedBackupDirectory $backups -RunId 'run-2' -Steps $ContosoStep

        $finished.Summary.status | Should -BeExactly 'succeeded'
        $killed.ExitCode | Should -Be 137
        $killed.Summary | Should -BeNullOrEmpty
        $killed.Statuses | Should -BeExactly @('other:changed')
        $lockLeft | Should -BeTrue
        $journal = Join-Path (Join-Path $backups 'run-1') 'journal.jsonl'
        $note = 'the host lock was abandoned: an earlier rdsplan run on RDSH01 ended without releasing it (killed or crashed): run run-1 did not finish; its journal ' + $journal + ' lists what it changed. Check the host and undo that run: rdsplan undo <the run record of run run-1> (rdsplan runs lists the records)'
        Get-RdsTestSchemaViolation -Result $next | Should -BeNullOrEmpty
        $next.Warnings | Should -Contain ('rdsplan: ' + $note)
        $next.Summary.status | Should -BeExactly 'succeeded'
        $next.Summary.message | Should -BeExactly $note
        Test-Path -LiteralPath ($state + '.lock') | Should -BeFalse
    }
}

Describe 'the journal completion marker' {
    It 'Complete-RdsPlan ends the journal with it; a run that changed nothing writes no journal' {
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        $journal = @(Read-RdsTestJournal -Result $r)
        $journal | Should -HaveCount 2
        $journal[0].stepId | Should -BeExactly 'value'
        ConvertTo-RdsTestJson $journal[1] | Should -BeExactly (ConvertTo-RdsTestJson @{ runId = 'run-1'; time = $journal[1].time; marker = 'completed' })
        Test-RdsJournalCompleted -Path (Join-Path $r.RunDirectory 'journal.jsonl') | Should -BeTrue

        $fake = New-RdsFakeHost
        Set-RdsFakeValue -FakeHost $fake -Path 'HKLM\SOFTWARE\Contoso' -Name 'Mode' -Type 'DWord' -Data 4
        $unchanged = Invoke-RdsTestPlan -FakeHost $fake -Steps $ContosoStep
        Test-Path -LiteralPath (Join-Path $unchanged.RunDirectory 'journal.jsonl') | Should -BeFalse
    }

    It 'Find-RdsUnfinishedRun: the newest journal without the marker, not the current run, $null without one' {
        $backups = Join-Path $TestDrive 'find'
        $a = New-TestJournal -BackupDirectory $backups -RunId 'a' -Completed $false -Time ([datetime]'2026-01-01T00:00:00Z')
        [System.IO.File]::AppendAllText($a, "not json`n")
        [System.IO.File]::SetLastWriteTimeUtc($a, [datetime]'2026-01-01T00:00:00Z')
        $b = New-TestJournal -BackupDirectory $backups -RunId 'b' -Completed $false -Time ([datetime]'2026-01-02T00:00:00Z')
        $null = New-TestJournal -BackupDirectory $backups -RunId 'c' -Completed $true -Time ([datetime]'2026-01-03T00:00:00Z')
        $null = New-TestJournal -BackupDirectory $backups -RunId 'current' -Completed $false -Time ([datetime]'2026-01-04T00:00:00Z')
        [void][System.IO.Directory]::CreateDirectory((Join-Path $backups 'no-journal'))

        ConvertTo-RdsTestJson (Find-RdsUnfinishedRun -BackupDirectory $backups -RunId 'current') | Should -BeExactly (ConvertTo-RdsTestJson @{ RunId = 'b'; Journal = $b })
        Find-RdsUnfinishedRun -BackupDirectory (Join-Path $TestDrive 'none') -RunId 'current' | Should -Be $null
        Test-RdsJournalCompleted -Path $a | Should -BeFalse
    }
}

Describe 'the backup folder' {
    Context 'who may own it and write to it (Get-RdsDirectoryTrustProblem)' {
        It '<Case>' -ForEach @(
            @{ Case = 'SYSTEM and Administrators only: trusted'; Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-5-18'; Allow = $true; Rights = 2032127; InheritOnly = $false }, @{ Sid = 'S-1-5-32-544'; Allow = $true; Rights = 2032127; InheritOnly = $false }); Problem = '' }
            @{ Case = 'owned by SYSTEM, Users may read: trusted'; Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-5-32-545'; Allow = $true; Rights = 0x1200a9; InheritOnly = $false }); Problem = '' }
            @{ Case = 'CREATOR OWNER on what is created inside: trusted'; Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-3-0'; Allow = $true; Rights = 0x10000000; InheritOnly = $true }); Problem = '' }
            @{ Case = 'a deny rule takes nothing away: trusted'; Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-1-0'; Allow = $false; Rights = 2032127; InheritOnly = $false }); Problem = '' }
            @{ Case = 'owned by a user'; Owner = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Access = @(); Problem = 'it is owned by S-1-5-21-1004336348-1177238915-682003330-1105, not by SYSTEM or Administrators' }
            @{ Case = 'owned by Users'; Owner = 'S-1-5-32-545'; Access = @(); Problem = 'it is owned by S-1-5-32-545 (BUILTIN\Users), not by SYSTEM or Administrators' }
            @{ Case = 'C:\ProgramData''s Users may create files'; Owner = 'S-1-5-32-544'; Access = @(@{ Sid = 'S-1-5-32-545'; Allow = $true; Rights = 0x116; InheritOnly = $false }); Problem = 'it lets S-1-5-32-545 (BUILTIN\Users) write to it (access mask 0x116)' }
            @{ Case = 'Everyone may change the DACL'; Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-1-0'; Allow = $true; Rights = 0x40000; InheritOnly = $false }); Problem = 'it lets S-1-1-0 (Everyone) write to it (access mask 0x40000)' }
            @{ Case = 'generic write on what is created inside'; Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-5-11'; Allow = $true; Rights = 0x40000000; InheritOnly = $true }); Problem = 'it lets S-1-5-11 (Authenticated Users) write to what is created in it (access mask 0x40000000)' }
            @{ Case = 'CREATOR OWNER on the folder itself'; Owner = 'S-1-5-18'; Access = @(@{ Sid = 'S-1-3-0'; Allow = $true; Rights = 0x2; InheritOnly = $false }); Problem = 'it lets S-1-3-0 write to it (access mask 0x2)' }
        ) {
            Get-RdsDirectoryTrustProblem -Security @{ Owner = $Owner; Access = $Access } | Should -BeExactly $Problem
        }
    }

    It 'missing: created with the protected DACL in apply mode (then read back), only looked at in check mode' {
        Mock New-RdsProtectedDirectory { [void][System.IO.Directory]::CreateDirectory($Path) }
        Mock Get-RdsDirectorySecurity {
            if ([System.IO.Directory]::Exists($Path)) { return $Trusted }
            return $null
        }
        $check = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep -CheckMode
        Should -Invoke New-RdsProtectedDirectory -Times 0 -Exactly
        $apply = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep

        $check.Summary.status | Should -BeExactly 'succeeded'
        Test-Path -LiteralPath $check.BackupDirectory | Should -BeFalse
        $apply.Summary.status | Should -BeExactly 'succeeded'
        Should -Invoke New-RdsProtectedDirectory -Times 1 -Exactly -ParameterFilter { $Path -eq $apply.BackupDirectory }
        Test-Path -LiteralPath (Join-Path $apply.RunDirectory 'journal.jsonl') | Should -BeTrue
    }

    It 'owned by another account: refused (exit 4) before any change, also in check mode, and left as it is' {
        foreach ($command in $Changing) { Mock $command }
        foreach ($mode in @('apply', 'check')) {
            $backups = Join-Path $TestDrive ('foreign-' + $mode)
            [void][System.IO.Directory]::CreateDirectory($backups)
            $fake = New-RdsFakeHost
            $fake.Folders[$backups] = @{ Owner = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Access = @(@{ Sid = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Allow = $true; Rights = $FullAccess; InheritOnly = $false }) }
            $r = Invoke-RdsTestPlan -FakeHost $fake -SharedBackupDirectory $backups -Steps $ContosoStep -CheckMode:($mode -eq 'check')
            Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 4 -Because $mode
            $r.Summary.status | Should -BeExactly 'refused'
            $r.Summary.message | Should -BeExactly ('refused: the backup folder ' + $backups + ' cannot be trusted: it is owned by S-1-5-21-1004336348-1177238915-682003330-1105, not by SYSTEM or Administrators, so its backups could be replaced. Nothing was changed: rename the folder and keep it, since it holds the backups earlier runs may need (rdsplan creates a new one, for SYSTEM and Administrators only), or make Administrators its owner and let only SYSTEM and Administrators change it')
            $r.Steps | Should -BeNullOrEmpty
            @([System.IO.Directory]::GetFileSystemEntries($backups)) | Should -HaveCount 0
            $fake.LockHeld | Should -BeFalse
        }
        foreach ($command in $Changing) { Should -Invoke $command -Times 0 -Exactly }
    }

    It 'created by another account between the look and the create (New-RdsProtectedDirectory finds it): refused as well' {
        Mock New-RdsProtectedDirectory {
            [void][System.IO.Directory]::CreateDirectory($Path)
            $RdsFakeHost.Folders[$Path] = @{ Owner = 'S-1-5-32-545'; Access = @() }
        }
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        $r.ExitCode | Should -Be 4
        $r.Summary.message | Should -BeLikeExactly ('refused: the backup folder ' + $r.BackupDirectory + ' cannot be trusted: it is owned by S-1-5-32-545 (BUILTIN\Users), *')
        Test-Path -LiteralPath $r.RunDirectory | Should -BeFalse
    }

    It 'a folder that cannot be read or created is refused with the platform''s error' {
        Mock New-RdsProtectedDirectory { throw ('The security identifier is not allowed to be the owner of this object. (' + $Path + ')') }
        $r = Invoke-RdsTestPlan -FakeHost (New-RdsFakeHost) -Steps $ContosoStep
        $r.ExitCode | Should -Be 4
        $r.Summary.message | Should -BeExactly ('refused: the backup folder ' + $r.BackupDirectory + ' could not be checked or created: The security identifier is not allowed to be the owner of this object. (' + $r.BackupDirectory + '); nothing was changed')
    }

    It 'simulated host: a folder another account made (what C:\ProgramData passes on) is refused; one rdsplan made is used again' {
        $state = Join-Path $TestDrive 'folders.json'
        $premade = Join-Path $TestDrive 'premade-backups'
        [void][System.IO.Directory]::CreateDirectory($premade)
        $refused = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -SharedBackupDirectory $premade -Steps $ContosoStep
        $created = Join-Path $TestDrive 'created-backups'
        $first = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -SharedBackupDirectory $created -RunId 'run-1' -Steps $ContosoStep
        $second = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -SharedBackupDirectory $created -RunId 'run-2' -Steps $ContosoStep
        $saved = Read-RdsTestSimState -Path $state

        $refused.ExitCode | Should -Be 4
        $refused.Summary.message | Should -BeLikeExactly ('refused: the backup folder ' + $premade + ' cannot be trusted: it lets S-1-5-32-545 (BUILTIN\Users) write to it (access mask 0x116), so its backups could be replaced.*')
        $first.Summary.status | Should -BeExactly 'succeeded'
        $saved.folders[$created].sddl | Should -BeExactly 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)'
        $second.Summary.status | Should -BeExactly 'succeeded'
        $second.Statuses | Should -BeExactly @('value:unchanged')
    }
}
