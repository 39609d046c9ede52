# Sim.Services.ps1: simulated services (dependencies, start modes mirrored in the registry),
# the Win32_TerminalServiceSetting provider (grace-days quirk, license servers, licensing
# mode) and host restarts (Restart-RdsHost in Sim.Core.ps1, completed by the next run).
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }

    $servicesKey = 'HKLM\SYSTEM\CurrentControlSet\Services'

    function Get-SimTestServiceStatus {
        # The status of each named service, to compare the whole picture after a start or stop.
        param([string[]] $Name)
        $status = @{}
        foreach ($serviceName in $Name) { $status[$serviceName] = (Get-RdsService -Name $serviceName).Status }
        return $status
    }
}

Describe 'Services of the default host' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'services.json'
        $names = @('TermService', 'UmRdpService', 'RpcSs')
        $licensingKey = $servicesKey + '\TermServLicensing'
        Initialize-RdsPlatform -Option $statePath
        $steps = [ordered]@{}
        $steps.StopNoForce = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' }
        $afterRefusal = Get-SimTestServiceStatus -Name $names
        $steps.RestartNoForce = Invoke-SimTestStep { Restart-RdsService -Name 'TermService' }
        $steps.StopForce = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' -Force; Get-SimTestServiceStatus -Name $names }
        $steps.StopAgain = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' }
        $steps.Start = Invoke-SimTestStep { Start-RdsService -Name 'TermService'; Get-SimTestServiceStatus -Name $names }
        $steps.StartUm = Invoke-SimTestStep { Start-RdsService -Name 'UmRdpService'; Get-SimTestServiceStatus -Name $names }
        $steps.RestartForce = Invoke-SimTestStep { Restart-RdsService -Name 'TermService' -Force; Get-SimTestServiceStatus -Name $names }
        $steps.StopRpcForce = Invoke-SimTestStep { Stop-RdsService -Name 'RpcSs' -Force; Get-SimTestServiceStatus -Name 'RpcSs', 'TermService', 'UmRdpService', 'TermServLicensing', 'EventLog' }
        $steps.StartUmPullsDependencies = Invoke-SimTestStep { Start-RdsService -Name 'UmRdpService'; Get-SimTestServiceStatus -Name 'RpcSs', 'TermService', 'UmRdpService', 'TermServLicensing' }
        $steps.Disable = Invoke-SimTestStep { Set-RdsServiceStartMode -Name 'termservlicensing' -StartMode 'Disabled'; Get-RdsRegistryValue -Path $licensingKey -Name 'Start' -View 'Default' }
        $steps.StartDisabled = Invoke-SimTestStep { Start-RdsService -Name 'TermServLicensing' }
        $steps.ModeAfterDisable = Invoke-SimTestStep { (Get-RdsService -Name 'TermServLicensing').StartMode }
        $steps.Delayed = Invoke-SimTestStep {
            Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'AutomaticDelayedStart'
            (Get-RdsService -Name 'TermServLicensing').StartMode
            (Get-RdsRegistryValue -Path $licensingKey -Name 'DelayedAutostart' -View 'Default').Data
        }
        $steps.AutomaticClearsDelayed = Invoke-SimTestStep {
            Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'Automatic'
            (Get-RdsService -Name 'TermServLicensing').StartMode
            (Get-RdsRegistryValue -Path $licensingKey -Name 'DelayedAutostart' -View 'Default').Data
        }
        $steps.RegistryEdit = Invoke-SimTestStep { Set-RdsRegistryValue -Path $licensingKey -Name 'Start' -Type 'DWord' -Data 4 -View 'Default'; (Get-RdsService -Name 'TermServLicensing').StartMode }
        $steps.InvalidMode = Invoke-SimTestStep { Set-RdsServiceStartMode -Name 'TermService' -StartMode 'Boot' }
        $steps.Missing = Invoke-SimTestStep { Stop-RdsService -Name 'NoSuchService' }
        $steps.MissingMode = Invoke-SimTestStep { Set-RdsServiceStartMode -Name 'NoSuchService' -StartMode 'Manual' }
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath
    }

    It 'stopping TermService with a running dependent needs -Force; -Force stops UmRdpService first' {
        $refusal = "Cannot stop service 'Remote Desktop Services (TermService)' because it has dependent services. It can only be stopped if the Force flag is set."
        ConvertTo-SimTestJson -InputObject $steps.StopNoForce | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $refusal })
        ConvertTo-SimTestJson -InputObject $afterRefusal | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Running'; RpcSs = 'Running' })
        ConvertTo-SimTestJson -InputObject $steps.RestartNoForce | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = $refusal })
        ConvertTo-SimTestJson -InputObject $steps.StopForce | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ TermService = 'Stopped'; UmRdpService = 'Stopped'; RpcSs = 'Running' } })
        # Stopping a stopped service (no running dependents) is a no-op.
        ConvertTo-SimTestJson -InputObject $steps.StopAgain | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $null })
    }

    It 'starting does not start dependents; Restart -Force restarts the dependents it stopped' {
        ConvertTo-SimTestJson -InputObject $steps.Start.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Stopped'; RpcSs = 'Running' })
        ConvertTo-SimTestJson -InputObject $steps.StartUm.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Running'; RpcSs = 'Running' })
        ConvertTo-SimTestJson -InputObject $steps.RestartForce.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Running'; RpcSs = 'Running' })
        ConvertTo-SimTestJson -InputObject $steps.StopRpcForce.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                RpcSs             = 'Stopped'
                TermService       = 'Stopped'
                UmRdpService      = 'Stopped'
                TermServLicensing = 'Stopped'
                EventLog          = 'Running'
            })
        # Starting a service starts what it depends on, transitively, and nothing else.
        ConvertTo-SimTestJson -InputObject $steps.StartUmPullsDependencies.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ RpcSs = 'Running'; TermService = 'Running'; UmRdpService = 'Running'; TermServLicensing = 'Stopped' })
    }

    It 'start modes: Disabled cannot start; modes and delayed start live in the registry' {
        ConvertTo-SimTestJson -InputObject $steps.Disable | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ Name = 'Start'; Type = 'DWord'; Data = 4 } })
        ConvertTo-SimTestJson -InputObject $steps.StartDisabled | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                Ok    = $false
                Error = "Service 'Remote Desktop Licensing (TermServLicensing)' cannot be started due to the following error: Cannot start service TermServLicensing on computer '.'."
            })
        $steps.ModeAfterDisable.Value | Should -BeExactly 'Disabled'
        ConvertTo-SimTestJson -InputObject $steps.Delayed.Value | Should -BeExactly '["AutomaticDelayedStart",1]'
        ConvertTo-SimTestJson -InputObject $steps.AutomaticClearsDelayed.Value | Should -BeExactly '["Automatic",0]'
        # A plan that edits Start directly is seen by Get-RdsService.
        $steps.RegistryEdit.Value | Should -BeExactly 'Disabled'
    }

    It 'an invalid start mode and a missing service are refused, and change nothing' {
        $steps.InvalidMode.Ok | Should -BeFalse
        $state.services.TermService.startMode | Should -BeExactly 'Manual'
        ConvertTo-SimTestJson -InputObject $steps.Missing | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'service NoSuchService not found' })
        ConvertTo-SimTestJson -InputObject $steps.MissingMode | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'service NoSuchService not found' })
        $state.services.Contains('NoSuchService') | Should -BeFalse
    }

    It 'saves a services table that agrees with the registry' {
        $state.services.TermServLicensing.startMode | Should -BeExactly 'Disabled'
        $state.services.TermServLicensing.status | Should -BeExactly 'Stopped'
        (Get-SimTestStateValue -State $state -Path $licensingKey -Name 'Start').data | Should -Be 4
        ConvertTo-SimTestJson -InputObject $state.services.UmRdpService.servicesDependedOn | Should -BeExactly '["TermService"]'
    }
}

Describe 'Win32_TerminalServiceSetting and reboots' {
    It 'grace days are read at TermService start: deleting the timebomb shows 120 only after a restart' {
        $statePath = Get-SimTestStatePath -Name 'grace.json'
        Initialize-RdsPlatform -Option $statePath
        $initial = Get-RdsGracePeriodDays
        Restart-RdsService -Name 'TermService' -Force
        $restartWithValue = Get-RdsGracePeriodDays
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        $deletedNoRestart = Get-RdsGracePeriodDays
        Restart-RdsService -Name 'TermService' -Force
        $deletedRestarted = Get-RdsGracePeriodDays
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $initial | Should -Be 97
        $restartWithValue | Should -Be 97
        $deletedNoRestart | Should -Be 97
        $deletedRestarted | Should -Be 120
        ConvertTo-SimTestJson -InputObject $state.terminalServices | Should -BeExactly '{"graceDays":120,"graceDaysThrows":false,"timebombGraceDays":120}'
    }

    It 'an expired host (graceDaysThrows) returns null until the reset takes effect' {
        $statePath = Get-SimTestStatePath -Name 'expired.json'
        $state = New-SimTestDefaultState -Path $statePath
        $state.terminalServices = @{ graceDays = 0; timebombGraceDays = 0; graceDaysThrows = $true }
        Write-SimTestState -Path $statePath -State $state
        Initialize-RdsPlatform -Option $statePath
        $expired = Get-RdsGracePeriodDays
        Restart-RdsService -Name 'TermService' -Force
        $restartedWithValue = Get-RdsGracePeriodDays
        Open-SimTestGracePeriod
        Remove-RdsRegistryValue -Path $SimGracePeriodPath -Name $SimTimebombName -View 'Default'
        Stop-RdsService -Name 'TermService' -Force
        $stopped = Get-RdsGracePeriodDays
        Start-RdsService -Name 'TermService'
        $started = Get-RdsGracePeriodDays
        Complete-RdsPlatform
        $state = Read-SimTestState -Path $statePath

        $expired | Should -Be $null
        $restartedWithValue | Should -Be $null
        $stopped | Should -Be $null
        $started | Should -Be 120
        ConvertTo-SimTestJson -InputObject $state.terminalServices | Should -BeExactly '{"graceDays":120,"graceDaysThrows":false,"timebombGraceDays":120}'
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

        $daysBeforeReboot | Should -Be 97
        $pending.host.rebootPending | Should -BeExactly $true
        $pending.host.rebootCount | Should -Be 1
        $pending.host.lastRebootDelaySeconds | Should -Be 30
        $pending.services.TermServLicensing.status | Should -BeExactly 'Running'

        Initialize-RdsPlatform -Option $statePath
        $daysAfterReboot = Get-RdsGracePeriodDays
        $licensing = (Get-RdsService -Name 'TermServLicensing').Status
        Complete-RdsPlatform
        $rebooted = Read-SimTestState -Path $statePath

        $daysAfterReboot | Should -Be 120
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
