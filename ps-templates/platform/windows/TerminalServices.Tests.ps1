# platform/windows/TerminalServices.ps1 executed under Mocks of the CIM cmdlets, each answering
# as Windows documents it (DOMAIN.md, "Verification through WMI" and "CIM errors"):
# Get-CimInstance returns the Win32_TerminalServiceSetting instance; Invoke-CimMethod returns a
# CimMethodResult whose out-parameters exist only when Windows filled them in (an empty license
# server list has no SpecifiedLSList), and after expiry on Server 2022 GetGracePeriodDays throws
# a CimException with error_Code 0x80070002, no HResult and a localized message. Every line of
# the file runs here: it makes no .NET call of its own. The runtime (and the actions that read
# the days) run with it, as in a generated script.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/RuntimeHarness.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/CimCmdletStandIns.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
    . (Join-Path $PSScriptRoot 'TerminalServices.ps1')
    foreach ($action in @('rds.getGracePeriodDays', 'rds.testGracePeriod')) { . (Join-Path $PSScriptRoot ('../../actions/' + $action + '.ps1')) }


    # The instance Get-CimInstance returns (its properties are always there: CIM class properties).
    $Instance = [pscustomobject]@{ PSTypeName = 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/TerminalServices/Win32_TerminalServiceSetting'; LicensingType = [uint32]4; PolicySourceLicensingType = [uint32]0; PolicySourceConfiguredLicenseServers = [uint32]1 }
    # CimMethodResults: ReturnValue and the out-parameters Windows filled in, nothing else.
    function New-TestMethodResult {
        param([hashtable] $OutParameters = @{}, [uint32] $ReturnValue = 0)
        $result = [ordered]@{ ReturnValue = $ReturnValue; PSComputerName = $null }
        foreach ($name in $OutParameters.Keys) { $result[$name] = $OutParameters[$name] }
        return [pscustomobject]$result
    }
    $Check = @{ Mode = 'check'; Steps = [ordered]@{}; CurrentStepId = 'grace.days' }
}

Describe 'Win32_TerminalServiceSetting through CIM' {
    BeforeEach {
        Mock Get-CimInstance { return $Instance }
    }

    It 'GetGracePeriodDays: DaysLeft of the method result, on the Win32_TerminalServiceSetting instance' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -OutParameters @{ DaysLeft = [uint32]97 }) }
        Get-RdsGracePeriodDays | Should -Be 97
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $MethodName -eq 'GetGracePeriodDays' -and [object]::ReferenceEquals($InputObject, $Instance) -and $Arguments.Count -eq 0 }
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -eq 'root\cimv2\TerminalServices' -and $ClassName -eq 'Win32_TerminalServiceSetting' }
    }

    It 'GetGracePeriodDays without DaysLeft: $null, not 0 days' {
        Mock Invoke-CimMethod { return (New-TestMethodResult) }
        Get-RdsGracePeriodDays | Should -BeNullOrEmpty
    }

    It 'GetGracePeriodDays after expiry: the CimException comes through unchanged, for the runtime to classify' {
        $cim = New-RdsTestCimException -Code 0x80070002L
        Mock Invoke-CimMethod { throw $cim }
        $thrown = $null
        try { Get-RdsGracePeriodDays } catch { $thrown = $_ }
        [object]::ReferenceEquals($thrown.Exception, $cim) | Should -BeTrue
        Get-RdsErrorCode -ErrorRecord $thrown | Should -Be 0x80070002L
    }

    It 'the instance is missing (no Session Host role): a message that says so' {
        Mock Get-CimInstance { return $null }
        { Get-RdsGracePeriodDays } | Should -Throw -ExpectedMessage 'Win32_TerminalServiceSetting not found (root\cimv2\TerminalServices): is the Remote Desktop Session Host role installed?'
    }

    It 'Get-CimInstance failing (invalid namespace, 0x8004100E): its error comes through' {
        Mock Get-CimInstance { throw (New-RdsTestCimException -Code 0x8004100EL -Message 'Ungültiger Namespace ') }
        $thrown = $null
        try { Get-RdsTerminalServiceSetting } catch { $thrown = $_ }
        Get-RdsErrorCode -ErrorRecord $thrown | Should -Be 0x8004100EL
    }

    It 'a method that returns a ReturnValue other than 0 throws with it; one without ReturnValue does not' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -ReturnValue 87) } -ParameterFilter { $MethodName -eq 'ChangeMode' }
        { Set-RdsLicensingType -Type 3 } | Should -Throw -ExpectedMessage 'Win32_TerminalServiceSetting.ChangeMode returned 87'
        Mock Invoke-CimMethod { return [pscustomobject]@{ PSComputerName = $null } } -ParameterFilter { $MethodName -eq 'EmptySpecifiedLicenseServerList' }
        { Set-RdsSpecifiedLicenseServer -Server @() } | Should -Not -Throw
    }

    It 'settings: the instance''s properties and the specified license servers' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -OutParameters @{ SpecifiedLSList = [string[]]@('lic01.contoso.com', 'lic02.contoso.com') }) } -ParameterFilter { $MethodName -eq 'GetSpecifiedLicenseServerList' }
        $setting = Get-RdsTerminalServiceSetting
        ConvertTo-RdsTestJson $setting | Should -BeExactly (ConvertTo-RdsTestJson @{ LicensingType = 4; SpecifiedLicenseServers = @('lic01.contoso.com', 'lic02.contoso.com'); PolicySourceLicensingType = 0; PolicySourceConfiguredLicenseServers = 1 })
    }

    It 'settings with no license server: Windows leaves SpecifiedLSList out of the result (strict mode)' {
        Mock Invoke-CimMethod { return (New-TestMethodResult) } -ParameterFilter { $MethodName -eq 'GetSpecifiedLicenseServerList' }
        $setting = Get-RdsTerminalServiceSetting
        ConvertTo-RdsTestJson $setting.SpecifiedLicenseServers | Should -BeExactly '[]'
    }

    It 'setting the list: SetSpecifiedLicenseServerList with a string array; an empty list empties it' {
        Mock Invoke-CimMethod { return (New-TestMethodResult) }
        Set-RdsSpecifiedLicenseServer -Server @('lic01.contoso.com')
        Set-RdsSpecifiedLicenseServer -Server @()
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $MethodName -eq 'SetSpecifiedLicenseServerList' -and $Arguments['SpecifiedLSList'] -is [string[]] -and ($Arguments['SpecifiedLSList'] -join ',') -eq 'lic01.contoso.com' }
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $MethodName -eq 'EmptySpecifiedLicenseServerList' -and $Arguments.Count -eq 0 }
    }

    It 'ChangeMode with the type as UInt32' {
        Mock Invoke-CimMethod { return (New-TestMethodResult) }
        Set-RdsLicensingType -Type 4
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $MethodName -eq 'ChangeMode' -and $Arguments['LicensingType'] -is [uint32] -and $Arguments['LicensingType'] -eq 4 }
    }

    It 'GetTStoLSConnectivityStatus: TStoLSConnectivityStatus as [long], asked with ServerName exactly as given, on the instance' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -OutParameters @{ TStoLSConnectivityStatus = [uint32]11 }) }
        $status = Get-RdsLicenseServerConnectivity -Server 'LIC01.contoso.com'
        $status | Should -BeOfType [long]
        $status | Should -Be 11
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter {
            $MethodName -ceq 'GetTStoLSConnectivityStatus' -and [object]::ReferenceEquals($InputObject, $Instance) -and
            $Arguments.Count -eq 1 -and $Arguments['ServerName'] -is [string] -and $Arguments['ServerName'] -ceq 'LIC01.contoso.com'
        }
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -eq 'root\cimv2\TerminalServices' -and $ClassName -eq 'Win32_TerminalServiceSetting' }
    }

    It 'GetTStoLSConnectivityStatus for a server that cannot be reached: 6 (LS_NOT_CONNECTABLE), the method itself succeeding' {
        Mock Invoke-CimMethod {
            $code = [uint32]11
            if ($Arguments['ServerName'] -ceq 'gone.contoso.com') { $code = [uint32]6 }
            return (New-TestMethodResult -OutParameters @{ TStoLSConnectivityStatus = $code })
        }
        Get-RdsLicenseServerConnectivity -Server 'gone.contoso.com' | Should -Be 6
        Get-RdsLicenseServerConnectivity -Server 'lic01.contoso.com' | Should -Be 11
    }

    It 'GetTStoLSConnectivityStatus without TStoLSConnectivityStatus: $null, not 0 (LS_CONNECTABLE_UNKNOWN)' {
        Mock Invoke-CimMethod { return (New-TestMethodResult) }
        $status = Get-RdsLicenseServerConnectivity -Server 'lic01.contoso.com'
        $null -eq $status | Should -BeTrue
    }

    It 'GetTStoLSConnectivityStatus returning a ReturnValue other than 0 throws with it' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -ReturnValue 5 -OutParameters @{ TStoLSConnectivityStatus = [uint32]11 }) }
        { Get-RdsLicenseServerConnectivity -Server 'lic01.contoso.com' } | Should -Throw -ExpectedMessage 'Win32_TerminalServiceSetting.GetTStoLSConnectivityStatus returned 5'
    }

    It 'GetTStoLSConnectivityStatus failing in CIM (access denied, German message): the CimException comes through unchanged' {
        $cim = New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert '
        Mock Invoke-CimMethod { throw $cim }
        $thrown = $null
        try { Get-RdsLicenseServerConnectivity -Server 'lic01.contoso.com' } catch { $thrown = $_ }
        [object]::ReferenceEquals($thrown.Exception, $cim) | Should -BeTrue
        Get-RdsErrorCode -ErrorRecord $thrown | Should -Be 0x80070005L
    }
}

Describe 'the grace period read on Windows, through the runtime' {
    BeforeEach {
        Mock Get-CimInstance { return $Instance }
    }

    It 'rds.getGracePeriodDays on an expired host (CimException 0x80070002, German message): 0 days, no error' {
        Mock Invoke-CimMethod { throw (New-RdsTestCimException -Code 0x80070002L) }
        $test = Test-RdsGracePeriodDaysStep -Parameters @{} -Context $Check
        $test.InDesiredState | Should -BeTrue
        $test.After.DaysLeft | Should -Be 0
        $test.Message | Should -BeExactly 'the grace period has expired (GetGracePeriodDays: 0x80070002); a reset takes effect when TermService restarts'
    }

    It 'rds.getGracePeriodDays when the message mentions 0x80070002 but the code is access denied: a warning with the real code' {
        Mock Invoke-CimMethod { throw (New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert (0x80070002?)') }
        $test = Test-RdsGracePeriodDaysStep -Parameters @{} -Context $Check
        $test.InDesiredState | Should -BeTrue
        $test.After.DaysLeft | Should -BeNullOrEmpty
        $test.Message | Should -BeExactly 'warning: GetGracePeriodDays could not be read: Zugriff verweigert (0x80070002?) (0x80070005)'
    }

    It 'rds.testGracePeriod on an expired host: a reset is due, counted as 0 days left' {
        Mock Invoke-CimMethod { throw (New-RdsTestCimException -Code 0x80070002L) }
        $test = Test-RdsGracePeriodDueStep -Parameters @{ MinimumDaysLeft = 30 } -Context $Check
        $test.InDesiredState | Should -BeFalse
        $test.Message | Should -BeExactly 'reset due: the grace period has expired (GetGracePeriodDays: 0x80070002), counted as 0 days left, fewer than 30'
    }
}
