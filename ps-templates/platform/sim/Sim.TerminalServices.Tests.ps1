# Sim.TerminalServices.ps1: the simulated Win32_TerminalServiceSetting provider and the grace
# period timebomb, as strict as Windows where Windows' behaviour is documented (DOMAIN.md):
# GetGracePeriodDays answers what TermService read at its last start; a TermService start
# without the timebomb value writes a fresh one (120 days), creating the GracePeriod key when it
# is missing; after expiry GetGracePeriodDays throws a CimException of the shape Windows throws
# (the same shape as the windows layer's mocks throw: test/support/pester/CimException.ps1).
# Also the built-in host's grace period states and host restarts.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }

    $servicesKey = 'HKLM\SYSTEM\CurrentControlSet\Services'

    function Get-SimTestGraceRead {
        # What GetGracePeriodDays answers: @{ Days } or @{ Error = <the exception> }.
        try { return @{ Days = Get-RdsGracePeriodDays } } catch { return @{ Error = $_.Exception } }
    }

    function Restart-SimTestTermService {
        # TermService restarted as the runtime does it (Invoke-RdsServiceRestart): the forced stop (UmRdpService first), the wait until it is Stopped, the start of TermService and then of UmRdpService if it ran.
        $umrdp = [string](Get-RdsService -Name 'UmRdpService').Status
        Stop-RdsService -Name 'TermService' -Force
        if (-not (Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 120)) { throw 'TermService did not stop' }
        Start-RdsService -Name 'TermService'
        if ($umrdp -eq 'Running') { Start-RdsService -Name 'UmRdpService' }
    }

    function Write-SimTestGraceState {
        # Writes the built-in host in one state of its grace period (New-RdsSimDefaultState -GracePeriod) as a state file.
        param([string] $Path, [string] $GracePeriod)
        Write-SimTestState -Path $Path -State (New-RdsSimDefaultState -GracePeriod $GracePeriod)
    }
}

Describe 'Win32_TerminalServiceSetting and reboots' {
    It 'grace days are read at TermService start: deleting the timebomb shows 120 only after a restart' {
        $statePath = Get-SimTestStatePath -Name 'grace.json'
        Initialize-RdsPlatform -Option $statePath
        $initial = Get-RdsGracePeriodDays
        Restart-SimTestTermService
        $restartWithValue = Get-RdsGracePeriodDays
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        $deletedNoRestart = Get-RdsGracePeriodDays
        Restart-SimTestTermService
        $deletedRestarted = Get-RdsGracePeriodDays
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $initial | Should -Be 21
        $restartWithValue | Should -Be 21
        $deletedNoRestart | Should -Be 21
        $deletedRestarted | Should -Be 120
        ConvertTo-SimTestJson -InputObject $state.terminalServices | Should -BeExactly '{"graceDays":120,"graceDaysThrows":false,"timebombGraceDays":120}'
    }

    It 'the timebomb comes back: a TermService start without the value writes a fresh one, which later starts keep' {
        $statePath = Get-SimTestStatePath -Name 'comes-back.json'
        Initialize-RdsPlatform -Option $statePath
        $old = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        $gone = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Restart-SimTestTermService
        $fresh = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Restart-SimTestTermService
        $kept = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        $days = Get-RdsGracePeriodDays
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $gone | Should -Be $null
        $fresh.Type | Should -BeExactly 'Binary'
        $fresh.Data | Should -Not -BeExactly $old.Data
        $fresh.Data | Should -MatchExactly '\A01000000d08c9ddf0115d1118c7a00c04fc297eb01000000([0-9a-f]{2})+\z'
        $kept.Data | Should -BeExactly $fresh.Data
        $days | Should -Be 120
        $state.timebombDays[$fresh.Data] | Should -Be 120
        $state.timebombDays[$old.Data] | Should -Be 21
    }

    It 'the GracePeriod key deleted whole: TermService creates it again, with its usual security and a fresh value' {
        $statePath = Get-SimTestStatePath -Name 'key-created.json'
        Write-SimTestGraceState -Path $statePath -GracePeriod 'KeyAbsent'
        Initialize-RdsPlatform -Option $statePath
        $before = Test-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default'
        Start-RdsService -Name 'TermService'
        $runningStart = Test-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default'
        Restart-SimTestTermService
        $after = Test-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default'
        $sddl = Get-RdsRegistrySddl -Path $SimGracePeriodPath -View 'Default'
        $names = @(Get-RdsRegistryValueName -Path $SimGracePeriodPath -View 'Default')
        $days = Get-RdsGracePeriodDays
        Complete-RdsPlatform

        $before | Should -BeFalse
        # Starting a service that runs already starts nothing.
        $runningStart | Should -BeFalse
        $after | Should -BeTrue
        $sddl | Should -BeExactly $SimGracePeriodSddl
        $names | Should -BeExactly @($SimTimebombName)
        $days | Should -Be 120
    }

    It 'after expiry GetGracePeriodDays throws a CimException of the shape Windows throws (error_Code, no HResult, localized message)' {
        $statePath = Get-SimTestStatePath -Name 'expired-shape.json'
        Write-SimTestGraceState -Path $statePath -GracePeriod 'Expired'
        Initialize-RdsPlatform -Option $statePath
        $read = Get-SimTestGraceRead
        Complete-RdsPlatform

        $read.ContainsKey('Error') | Should -BeTrue
        $windows = Get-RdsTestCimErrorShape -Exception (New-RdsTestCimException -Code 0x80070002L -Message $RdsTestFileNotFoundGerman)
        ConvertTo-SimTestJson -InputObject (Get-RdsTestCimErrorShape -Exception $read.Error) | Should -BeExactly (ConvertTo-SimTestJson -InputObject $windows)
        $read.Error.HResult | Should -Not -Be 0x80070002
        $read.Error.Message | Should -Not -Match '0x80070002|80070002|2147942402'
    }

    It 'an expired host keeps throwing until the reset takes effect' {
        $statePath = Get-SimTestStatePath -Name 'expired.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.terminalServices = @{ graceDays = 0; timebombGraceDays = 0; graceDaysThrows = $true }
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $expired = Get-SimTestGraceRead
        Restart-SimTestTermService
        $restartedWithValue = Get-SimTestGraceRead
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Stop-RdsService -Name 'TermService' -Force
        $stopped = Get-SimTestGraceRead
        Start-RdsService -Name 'TermService'
        $started = Get-SimTestGraceRead
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        foreach ($read in @($expired, $restartedWithValue, $stopped)) {
            $read.Error.ErrorData.CimInstanceProperties['error_Code'].Value | Should -Be 2147942402
        }
        $started.Days | Should -Be 120
        ConvertTo-SimTestJson -InputObject $state.terminalServices | Should -BeExactly '{"graceDays":120,"graceDaysThrows":false,"timebombGraceDays":120}'
    }

    It 'a blob written back brings back its days at the next TermService start, an expired one its expiry' {
        $statePath = Get-SimTestStatePath -Name 'written-back.json'
        Write-SimTestGraceState -Path $statePath -GracePeriod 'Expired'
        Initialize-RdsPlatform -Option $statePath
        $old = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Restart-SimTestTermService
        $reset = Get-SimTestGraceRead
        # A rollback (or reg import) writes the old blob back over the fresh one.
        Set-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -Type 'Binary' -Data $old.Data -View 'Default'
        $beforeRestart = Get-SimTestGraceRead
        Restart-SimTestTermService
        $afterRestart = Get-SimTestGraceRead
        Complete-RdsPlatform

        $reset.Days | Should -Be 120
        $beforeRestart.Days | Should -Be 120
        $afterRestart.Error.ErrorData.CimInstanceProperties['error_Code'].Value | Should -Be 2147942402
    }

    It 'Restart-RdsHost records the reboot; the next run completes it (TermService re-reads the grace period)' {
        $statePath = Get-SimTestStatePath -Name 'reboot.json'
        Initialize-RdsPlatform -Option $statePath
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'Disabled'
        Restart-RdsHost -DelaySeconds 30
        $daysBeforeReboot = Get-RdsGracePeriodDays
        Complete-RdsPlatform
        $pending = Read-SimTestState -Path $statePath

        $daysBeforeReboot | Should -Be 21
        $pending.host.rebootPending | Should -BeExactly $true
        $pending.host.rebootCount | Should -Be 1
        $pending.host.lastRebootDelaySeconds | Should -Be 30
        $pending.services.TermServLicensing.status | Should -BeExactly 'Running'

        Initialize-RdsPlatform -Option $statePath
        $daysAfterReboot = Get-RdsGracePeriodDays
        $licensing = (Get-RdsService -Name 'TermServLicensing').Status
        $value = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Complete-RdsPlatform
        $rebooted = Read-SimTestState -Path $statePath

        $daysAfterReboot | Should -Be 120
        $value | Should -Not -Be $null
        $licensing | Should -BeExactly 'Stopped'
        $rebooted.host.rebootPending | Should -BeExactly $false
        $rebooted.host.rebootCount | Should -Be 1
    }

    Context 'license servers and licensing mode: WMI writes the registry; policy values win' {
        BeforeAll {
            $statePath = Get-SimTestStatePath -Name 'wmi.json'
            $serversKey = $servicesKey + '\TermService\Parameters\LicenseServers'
            $policyKey = 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
            Initialize-RdsPlatform -Option $statePath
            Set-RdsSpecifiedLicenseServer -Server @('ls1.contoso.com', 'ls2.contoso.com')
            Set-RdsLicensingType -Type 4
            $local = Get-RdsTerminalServiceSetting
            $multi = Get-RdsRegistryValue -Path $serversKey -Name 'SpecifiedLicenseServers' -View 'Default'
            $mode = (Get-RdsRegistryValue -Path 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode' -View 'Default').Data
            Set-RdsRegistryValue -Path $policyKey -Name 'LicensingMode' -Type 'DWord' -Data 2 -View 'Default'
            Set-RdsRegistryValue -Path $policyKey -Name 'LicenseServers' -Type 'String' -Data 'gpo-ls.contoso.com, gpo-ls2' -View 'Default'
            $policy = Get-RdsTerminalServiceSetting
            Set-RdsSpecifiedLicenseServer -Server @()
            $emptied = (Get-RdsRegistryValue -Path $serversKey -Name 'SpecifiedLicenseServers' -View 'Default').Data
            $badMode = Invoke-SimTestStep { Set-RdsLicensingType -Type 3 }
            Complete-RdsPlatform
            $state = Read-SimTestState -Path $statePath
        }

        It 'SetSpecifiedLicenseServerList and ChangeMode write the local values' {
            ConvertTo-SimTestJson -InputObject $local | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    LicensingType                        = 4
                    SpecifiedLicenseServers              = @('ls1.contoso.com', 'ls2.contoso.com')
                    PolicySourceLicensingType            = 0
                    PolicySourceConfiguredLicenseServers = 0
                })
            ConvertTo-SimTestJson -InputObject $multi | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Name = 'SpecifiedLicenseServers'; Type = 'MultiString'; Data = @('ls1.contoso.com', 'ls2.contoso.com') })
            $mode | Should -Be 4
        }

        It 'the policy values win over the local ones' {
            ConvertTo-SimTestJson -InputObject $policy | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                    LicensingType                        = 2
                    SpecifiedLicenseServers              = @('gpo-ls.contoso.com', 'gpo-ls2')
                    PolicySourceLicensingType            = 1
                    PolicySourceConfiguredLicenseServers = 1
                })
        }

        It 'an empty server list empties the value; ChangeMode refuses another type with its WMI error' {
            ConvertTo-SimTestJson -InputObject $emptied | Should -BeExactly '[]'
            ConvertTo-SimTestJson -InputObject $badMode | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Win32_TerminalServiceSetting.ChangeMode returned 87 (LicensingType 3: Invalid parameter)' })
        }

        It 'saves the local values and the policy values' {
            ConvertTo-SimTestJson -InputObject (Get-SimTestStateValue -State $state -Path $serversKey -Name 'SpecifiedLicenseServers').data | Should -BeExactly '[]'
            (Get-SimTestStateValue -State $state -Path 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core' -Name 'LicensingMode').data | Should -Be 4
            (Get-SimTestStateValue -State $state -Path $policyKey -Name 'LicensingMode').data | Should -Be 2
            (Get-SimTestStateValue -State $state -Path $policyKey -Name 'LicenseServers').data | Should -BeExactly 'gpo-ls.contoso.com, gpo-ls2'
        }
    }
}

Describe 'The built-in host in each state of its grace period (New-RdsSimDefaultState -GracePeriod)' {
    It '<GracePeriod>: <Days>' -ForEach @(
        @{ GracePeriod = 'InGracePeriod'; Days = '21 days left, the original value'; Expected = @{ Days = 21; Key = $true; Fresh = $false } }
        @{ GracePeriod = 'FreshlyReset'; Days = 'a fresh value, 120 days'; Expected = @{ Days = 120; Key = $true; Fresh = $true } }
        @{ GracePeriod = 'Expired'; Days = 'the original value, GetGracePeriodDays throws'; Expected = @{ Days = $null; Key = $true; Fresh = $false } }
        @{ GracePeriod = 'KeyAbsent'; Days = 'no GracePeriod key, GetGracePeriodDays throws'; Expected = @{ Days = $null; Key = $false; Fresh = $false } }
    ) {
        $default = New-SimTestDefaultState -Path (Get-SimTestStatePath -Name ('default-' + $GracePeriod + '.json'))
        $original = (Get-SimTestStateValue -State $default -Path $SimGracePeriodPath -Name $SimTimebombName).data
        $statePath = Get-SimTestStatePath -Name ($GracePeriod + '.json')
        Write-SimTestGraceState -Path $statePath -GracePeriod $GracePeriod
        Initialize-RdsPlatform -Option $statePath
        $read = Get-SimTestGraceRead
        $key = Test-RdsRegistryKey -Path $SimGracePeriodPath -View 'Default'
        $value = $null
        if ($key) { $value = Get-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default' }
        $sddl = $null
        if ($key) { $sddl = Get-RdsRegistrySddl -Path $SimGracePeriodPath -View 'Default' }
        Complete-RdsPlatform

        $key | Should -Be $Expected.Key
        if ($null -eq $Expected.Days) {
            $read.Error.ErrorData.CimInstanceProperties['error_Code'].Value | Should -Be 2147942402
        }
        else {
            $read.Days | Should -Be $Expected.Days
        }
        if ($Expected.Key) {
            $sddl | Should -BeExactly $SimGracePeriodSddl
            ($value.Data -ne $original) | Should -Be $Expected.Fresh
        }
    }

    It 'the default host is the one in its grace period' {
        $default = New-SimTestDefaultState -Path (Get-SimTestStatePath -Name 'default.json')
        $stated = Get-SimTestStatePath -Name 'stated.json'
        Write-SimTestGraceState -Path $stated -GracePeriod 'InGracePeriod'
        Initialize-RdsPlatform -Option $stated
        Complete-RdsPlatform
        $saved = Read-SimTestState -Path $stated
        ConvertTo-SimTestJson -InputObject $saved.registry | Should -BeExactly (ConvertTo-SimTestJson -InputObject $default.registry)
        ConvertTo-SimTestJson -InputObject $saved.terminalServices | Should -BeExactly (ConvertTo-SimTestJson -InputObject $default.terminalServices)
    }
}
