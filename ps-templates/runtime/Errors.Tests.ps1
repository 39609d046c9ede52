# runtime/Errors.ps1: Windows error codes read from the exception chain (never from the
# message), bounded retries, and what GetGracePeriodDays' answer means.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/RuntimeHarness.ps1')
    . (Join-Path $PSScriptRoot '../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }

    # What the runtime calls: the platform's read, here only to be mocked.
    function Get-RdsGracePeriodDays {
        [CmdletBinding()]
        param()
        throw 'not mocked'
    }

    function Get-TestErrorRecord {
        # The error record a catch block sees when a function throws the exception.
        param([System.Exception] $Exception)
        try { & { throw $Exception } } catch { return $_ }
    }
}

Describe 'Get-RdsErrorCode' {
    It 'a CimException: the code is error_Code, although HResult is not set and the message is localized' {
        $cim = New-RdsTestCimException -Code 0x80070002L
        $cim.HResult | Should -Not -Be 0x80070002
        Get-RdsErrorCode -Exception $cim | Should -Be 2147942402
        Get-RdsErrorCode -ErrorRecord (Get-TestErrorRecord -Exception $cim) | Should -Be 2147942402
    }

    It 'finds the code behind wrappers: inner exceptions and the error record a RuntimeException carries' {
        $cim = New-RdsTestCimException -Code 0x80041002L -Message 'Nicht gefunden '
        $wrapped = [System.Management.Automation.MethodInvocationException]::new('Exception calling "Invoke" with "0" argument(s): "Nicht gefunden"', $cim)
        Get-RdsErrorCode -Exception $wrapped | Should -Be 0x80041002L
        $record = [System.Management.Automation.ErrorRecord]::new($cim, 'HRESULT 0x80041002', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $null)
        $carrier = [System.Management.Automation.RuntimeException]::new('wrapper', $null, $record)
        Get-RdsErrorCode -Exception $carrier | Should -Be 0x80041002L
    }

    It 'never reads the message: "0x80070002" in the text of an access-denied error is access denied' {
        $cim = New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert (nicht 0x80070002)'
        Get-RdsErrorCode -Exception $cim | Should -Be 0x80070005L
        Get-RdsErrorCode -Exception ([System.Exception]::new('HRESULT 0x80070002: The system cannot find the file specified.')) | Should -BeNullOrEmpty
    }

    It 'does not take the MI result (StatusCode 2: access denied) for the Windows code 2 (file not found)' {
        $cim = [RdsPlanTest.CimException]::new('Zugriff verweigert', [RdsPlanTest.CimInstance]::new('MSFT_WmiError'), 2, 'AccessDenied')
        Get-RdsErrorCode -Exception $cim | Should -BeNullOrEmpty
    }

    It 'Win32Exception: NativeErrorCode as an HRESULT; a Win32 error_Code too' {
        Get-RdsErrorCode -Exception ([System.ComponentModel.Win32Exception]::new(5)) | Should -Be 0x80070005L
        Get-RdsErrorCode -Exception (New-RdsTestCimException -Code 2) | Should -Be 0x80070002L
    }

    It 'an HResult of Windows (FileNotFoundException: 0x80070002) counts; .NET''s own (0x8013xxxx) does not' {
        Get-RdsErrorCode -Exception ([System.IO.FileNotFoundException]::new('nicht da')) | Should -Be 0x80070002L
        Get-RdsErrorCode -Exception ([System.Exception]::new('plain')) | Should -BeNullOrEmpty
        Get-RdsErrorCode -Exception ([System.Management.Automation.RuntimeException]::new('plain')) | Should -BeNullOrEmpty
    }

    It 'Format-RdsErrorCode writes the code as Windows does' {
        Format-RdsErrorCode -Code 2147942402 | Should -BeExactly '0x80070002'
    }
}

Describe 'Invoke-RdsRetry' {
    It 'returns the first answer; runs the block once when it succeeds' {
        $r = Invoke-RdsRetry -TimeoutMilliseconds 5000 -IntervalMilliseconds 10 -ScriptBlock { 42 }
        $r.Succeeded | Should -BeTrue
        $r.Attempts | Should -Be 1
        $r.Output | Should -Be @(42)
    }

    It 'retries after failures until the block answers' {
        $calls = [System.Collections.Generic.List[int]]::new()
        $r = Invoke-RdsRetry -TimeoutMilliseconds 5000 -IntervalMilliseconds 10 -ScriptBlock {
            $calls.Add(1)
            if ($calls.Count -lt 3) { throw 'not yet' }
            'ready'
        }
        $r.Succeeded | Should -BeTrue
        $r.Attempts | Should -Be 3
        $r.Output | Should -Be @('ready')
    }

    It 'stops at the bound and returns the last error instead of throwing' {
        $r = Invoke-RdsRetry -TimeoutMilliseconds 300 -IntervalMilliseconds 50 -ScriptBlock { throw 'never' }
        $r.Succeeded | Should -BeFalse
        $r.ErrorRecord.Exception.Message | Should -BeExactly 'never'
        $r.Attempts | Should -BeGreaterOrEqual 2
        $r.Attempts | Should -BeLessOrEqual 7
        # It stopped because one more interval would pass the bound, however slow the machine.
        ($r.ElapsedMilliseconds + 50) | Should -BeGreaterThan 300
    }

    It 'without a bound: one attempt' {
        $r = Invoke-RdsRetry -ScriptBlock { throw 'once' }
        $r.Succeeded | Should -BeFalse
        $r.Attempts | Should -Be 1
    }
}

Describe 'Read-RdsGracePeriodDays' {
    It 'days left as GetGracePeriodDays answers them' {
        Mock Get-RdsGracePeriodDays { return [uint32]97 }
        $r = Read-RdsGracePeriodDays
        $r.DaysLeft | Should -Be 97
        $r.Expired | Should -BeFalse
        $r.Error | Should -BeExactly ''
    }

    It 'expired (the CimException of 0x80070002, German message): 0 days' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80070002L) }
        $r = Read-RdsGracePeriodDays
        $r.DaysLeft | Should -Be 0
        $r.Expired | Should -BeTrue
        $r.ErrorCode | Should -Be 2147942402
    }

    It 'another error: no days, the message and the code' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert ') }
        $r = Read-RdsGracePeriodDays
        $r.DaysLeft | Should -BeNullOrEmpty
        $r.Expired | Should -BeFalse
        $r.Error | Should -BeExactly 'Zugriff verweigert  (0x80070005)'
    }

    It 'no DaysLeft in the answer is an error, not 0 days' {
        Mock Get-RdsGracePeriodDays { return $null }
        $r = Read-RdsGracePeriodDays
        $r.DaysLeft | Should -BeNullOrEmpty
        $r.Error | Should -BeExactly 'GetGracePeriodDays returned no DaysLeft'
    }

    It 'not after a restart: one read, no retry' {
        Mock Get-RdsGracePeriodDays { throw 'RPC server unavailable' }
        $r = Read-RdsGracePeriodDays -TimeoutMilliseconds 5000 -IntervalMilliseconds 10
        $r.Attempts | Should -Be 1
        Should -Invoke Get-RdsGracePeriodDays -Times 1 -Exactly
    }

    It 'after a restart: read again until WMI answers (expired counts as not answered yet)' {
        $script:graceCalls = 0
        Mock Get-RdsGracePeriodDays {
            $script:graceCalls++
            if ($script:graceCalls -eq 1) { throw 'RPC server unavailable' }
            if ($script:graceCalls -eq 2) { throw (New-RdsTestCimException -Code 0x80070002L) }
            return [uint32]120
        }
        $r = Read-RdsGracePeriodDays -AfterRestart -TimeoutMilliseconds 5000 -IntervalMilliseconds 10
        $r.DaysLeft | Should -Be 120
        $r.Attempts | Should -Be 3
    }

    It 'after a restart: bounded; still expired at the bound is 0 days, expired' {
        Mock Get-RdsGracePeriodDays { throw (New-RdsTestCimException -Code 0x80070002L) }
        $r = Read-RdsGracePeriodDays -AfterRestart -TimeoutMilliseconds 200 -IntervalMilliseconds 50
        $r.Expired | Should -BeTrue
        $r.DaysLeft | Should -Be 0
        $r.Attempts | Should -BeGreaterThan 1
    }

    It 'the bound and the wait are the runtime''s: one minute, one read a second' {
        $script:RdsGraceReadTimeoutMilliseconds | Should -Be 60000
        $script:RdsGraceReadIntervalMilliseconds | Should -Be 1000
    }
}
