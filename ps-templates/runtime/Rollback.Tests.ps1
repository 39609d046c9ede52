# Rollback (Runner.Journal.ps1 Invoke-RdsRollback) through the action templates' undo paths, on the
# simulated Windows of platform/sim with its realistic ACL model rather than the fake: a
# failure at the end of a plan rolls every change back, and the registry and the token are
# as before. (The end-to-end tests through the renderer live in test/e2e.)
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
}

Describe 'rollback on the simulated host' {
    It 'a late failure rolls everything back to the starting registry' {
        $state = Join-Path $TestDrive 'state.json'
        # An empty plan saves the default host; the real plan starts from that file.
        $seed = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state
        $seed.ExitCode | Should -Be 0
        $before = Read-RdsTestSimState -Path $state

        $r = Invoke-RdsTestPlan -Platform 'Sim' -SimulationState $state -Steps @(
            New-RdsTestGraceResetStep -MustExist $true
            New-RdsTestStep -StepId 'cache.export' -Action 'registry.export' -NoHostChange -Deferred -CoversKey -Parameters @{ Path = 'HKLM\SOFTWARE\Microsoft\MSLicensing'; View = 'Default' }
            New-RdsTestStep -StepId 'cache.delete' -Action 'registry.deleteKey' -DependsOn 'cache.export' -Parameters @{ Path = 'HKLM\SOFTWARE\Microsoft\MSLicensing'; View = 'Default'; Recurse = $true }
            New-RdsTestStep -StepId 'lic.servers' -Action 'rds.setLicenseServers' -Parameters @{ Servers = @('ls1.contoso.com'); Via = 'wmi' }
            New-RdsTestStep -StepId 'lic.mode' -Action 'rds.setLicensingMode' -Parameters @{ Mode = 'PerUser'; Via = 'policy' }
            New-RdsTestStep -StepId 'val' -Action 'registry.setValue' -Parameters @{ Path = 'HKLM\SOFTWARE\Contoso'; View = '32'; Name = 'Q'; Type = 'QWord'; Data = '18446744073709551615' }
            New-RdsTestStep -StepId 'boom' -Action 'service.stop' -Parameters @{ Name = 'NoSuchService' }
        )
        $r.Error | Should -BeNullOrEmpty
        Get-RdsTestSchemaViolation -Result $r | Should -BeNullOrEmpty
        $r.Statuses | Should -BeExactly @(
            'grace.export:changed'
            'grace.own:changed'
            'grace.delete:changed'
            'grace.restore:changed'
            'cache.export:changed'
            'cache.delete:changed'
            'lic.servers:changed'
            'lic.mode:changed'
            'val:changed'
            'boom:failed'
            'val:rolledBack'
            'lic.mode:rolledBack'
            'lic.servers:rolledBack'
            'cache.delete:rolledBack'
            'grace.restore:rolledBack'
            'grace.delete:rolledBack'
            'grace.own:rolledBack'
        )
        $r.Steps[9].message | Should -BeExactly 'service NoSuchService not found'
        $r.Summary.status | Should -BeExactly 'rolledBack'
        $r.Summary.restoredToStart | Should -BeExactly $true
        $r.ExitCode | Should -Be 1
        $after = Read-RdsTestSimState -Path $state
        ConvertTo-RdsTestJson $after.registry | Should -BeExactly (ConvertTo-RdsTestJson $before.registry)
        ConvertTo-RdsTestJson $after.token | Should -BeExactly (ConvertTo-RdsTestJson $before.token)
        # The run really changed the host before it rolled back: the sim counted the writes.
        $after.calls['Set-RdsRegistryValue'] | Should -BeGreaterThan 0
        $after.calls['Remove-RdsRegistryKey'] | Should -BeGreaterThan 0
    }
}
