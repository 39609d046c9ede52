# platform/windows/Host.ps1: the host lock over the named mutex Global\rdsplan-<name>, run
# under stand-ins of the mutex that answer as Windows documents it (DOMAIN.md, "Host lock"):
# creating a Global\ object without SeCreateGlobalPrivilege (a token that is not elevated)
# throws UnauthorizedAccessException, WaitOne(0) answers $false while another process holds
# the mutex and throws AbandonedMutexException when its owner died holding it (the mutex is
# then the caller's). A real named mutex is taken too: .NET has them on Linux as well.
# Not run here: Test-RdsElevation's WindowsIdentity/WindowsPrincipal calls (Windows only).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    . (Join-Path $PSScriptRoot 'Host.ps1')
    Initialize-RdsPlatform -Option ''

    function New-TestMutex {
        # A stand-in for System.Threading.Mutex: WaitOne(0) answers or throws as told; the calls are recorded.
        param([scriptblock] $WaitOne)
        $mutex = [pscustomobject]@{ Calls = [System.Collections.Generic.List[string]]::new() }
        $mutex | Add-Member -MemberType ScriptMethod -Name WaitOne -Value ([scriptblock]::Create('param($timeout) $this.Calls.Add("WaitOne " + $timeout); ' + $WaitOne.ToString()))
        $mutex | Add-Member -MemberType ScriptMethod -Name ReleaseMutex -Value { $this.Calls.Add('ReleaseMutex') }
        $mutex | Add-Member -MemberType ScriptMethod -Name Dispose -Value { $this.Calls.Add('Dispose') }
        return $mutex
    }
}

Describe 'Lock-RdsHost answers Acquired, Held or Abandoned, and lets every other error through' {
    AfterEach {
        # A failed test must not leave its mutex to the next one.
        Unlock-RdsHost -Name 'rdsplan'
    }

    It 'Acquired: WaitOne(0) gave it; the mutex is kept until Unlock-RdsHost releases and disposes it' {
        $mutex = New-TestMutex -WaitOne { $true }
        Mock New-RdsHostMutex { $mutex }
        $lock = Lock-RdsHost -Name 'rdsplan'
        $held = @($mutex.Calls)
        Unlock-RdsHost -Name 'rdsplan'

        ConvertTo-Json -InputObject $lock -Compress | Should -BeExactly (ConvertTo-Json -InputObject @{ Status = 'Acquired'; Lock = 'Global\rdsplan-rdsplan' } -Compress)
        Should -Invoke New-RdsHostMutex -Times 1 -Exactly -ParameterFilter { $Name -eq 'rdsplan' }
        $held | Should -BeExactly @('WaitOne 0')
        @($mutex.Calls) | Should -BeExactly @('WaitOne 0', 'ReleaseMutex', 'Dispose')
    }

    It 'Held: another process has it; nothing is taken, the handle is closed, Unlock releases nothing' {
        $mutex = New-TestMutex -WaitOne { $false }
        Mock New-RdsHostMutex { $mutex }
        $lock = Lock-RdsHost -Name 'rdsplan'
        Unlock-RdsHost -Name 'rdsplan'

        $lock.Status | Should -BeExactly 'Held'
        @($mutex.Calls) | Should -BeExactly @('WaitOne 0', 'Dispose')
    }

    It 'Abandoned: WaitOne throws AbandonedMutexException (its owner died holding it); the mutex is ours, reported, not taken silently' {
        $mutex = New-TestMutex -WaitOne { throw [System.Threading.AbandonedMutexException]::new() }
        Mock New-RdsHostMutex { $mutex }
        $lock = Lock-RdsHost -Name 'rdsplan'
        Unlock-RdsHost -Name 'rdsplan'

        ConvertTo-Json -InputObject $lock -Compress | Should -BeExactly (ConvertTo-Json -InputObject @{ Status = 'Abandoned'; Lock = 'Global\rdsplan-rdsplan' } -Compress)
        @($mutex.Calls) | Should -BeExactly @('WaitOne 0', 'ReleaseMutex', 'Dispose')
    }

    It 'not elevated: the UnauthorizedAccessException of the Global\ mutex goes to the caller as it is, never as a lock held by another run' {
        Mock New-RdsHostMutex { throw [System.UnauthorizedAccessException]::new("Access to the path 'Global\rdsplan-rdsplan' is denied.") }
        $thrown = { Lock-RdsHost -Name 'rdsplan' } | Should -Throw -PassThru

        $thrown.Exception | Should -BeOfType ([System.UnauthorizedAccessException])
        $thrown.Exception.Message | Should -BeExactly "Access to the path 'Global\rdsplan-rdsplan' is denied."
    }

    It 'any other failure of WaitOne is thrown, after the handle is closed' {
        $mutex = New-TestMutex -WaitOne { throw [System.ObjectDisposedException]::new('Safe handle has been closed.') }
        Mock New-RdsHostMutex { $mutex }
        $thrown = { Lock-RdsHost -Name 'rdsplan' } | Should -Throw -PassThru

        Test-RdsWrappedException -ErrorRecord $thrown -Type ([System.ObjectDisposedException]) | Should -BeTrue
        @($mutex.Calls) | Should -BeExactly @('WaitOne 0', 'Dispose')
    }

    It 'a simulation state given to the Windows platform is an ArgumentException, which the runner refuses' {
        $thrown = { Initialize-RdsPlatform -Option 'state.json' } | Should -Throw -PassThru
        $thrown.Exception | Should -BeOfType ([System.ArgumentException])
        $thrown.Exception.Message | Should -BeExactly 'this script was rendered for Windows; -SimulationState needs a script rendered with --simulate'
    }

    It 'a real named mutex: taken here, Held for another process, free for it after Unlock-RdsHost' {
        $name = 'test-' + [guid]::NewGuid().ToString('N')
        $other = {
            param([string] $HostFile, [string] $LockName)
            Set-StrictMode -Version 3.0
            $ErrorActionPreference = 'Stop'
            . $HostFile
            Initialize-RdsPlatform -Option ''
            $lock = Lock-RdsHost -Name $LockName
            Unlock-RdsHost -Name $LockName
            $lock.Status
        }
        $hostFile = Join-Path $PSScriptRoot 'Host.ps1'
        $taken = Lock-RdsHost -Name $name
        $whileHeld = Start-Job -ScriptBlock $other -ArgumentList $hostFile, $name | Receive-Job -Wait -AutoRemoveJob
        Unlock-RdsHost -Name $name
        $afterUnlock = Start-Job -ScriptBlock $other -ArgumentList $hostFile, $name | Receive-Job -Wait -AutoRemoveJob

        $taken.Status | Should -BeExactly 'Acquired'
        $taken.Lock | Should -BeExactly ('Global\rdsplan-' + $name)
        $whileHeld | Should -BeExactly 'Held'
        $afterUnlock | Should -BeExactly 'Acquired'
    }
}

Describe 'Test-RdsWrappedException' {
    It 'finds the exception a .NET method threw inside PowerShell''s MethodInvocationException, and only that type' {
        $record = $null
        try { [System.IO.File]::ReadAllText([System.IO.Path]::Combine($TestDrive, 'missing.txt')) } catch { $record = $_ }
        Test-RdsWrappedException -ErrorRecord $record -Type ([System.IO.FileNotFoundException]) | Should -BeTrue
        Test-RdsWrappedException -ErrorRecord $record -Type ([System.IO.IOException]) | Should -BeTrue
        Test-RdsWrappedException -ErrorRecord $record -Type ([System.UnauthorizedAccessException]) | Should -BeFalse
    }
}
