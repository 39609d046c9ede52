# Sim.Services.ps1: simulated services (dependencies, start modes mirrored in the registry).
# The Win32_TerminalServiceSetting provider and host restarts: Sim.TerminalServices.Tests.ps1.
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
        $steps.StopForce = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' -Force; Get-SimTestServiceStatus -Name $names }
        $steps.StopAgain = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' }
        $steps.Start = Invoke-SimTestStep { Start-RdsService -Name 'TermService'; Get-SimTestServiceStatus -Name $names }
        $steps.StartUm = Invoke-SimTestStep { Start-RdsService -Name 'UmRdpService'; Get-SimTestServiceStatus -Name $names }
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
        ConvertTo-SimTestJson -InputObject $steps.StopForce | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = @{ TermService = 'Stopped'; UmRdpService = 'Stopped'; RpcSs = 'Running' } })
        # Stopping a stopped service (no running dependents) is a no-op.
        ConvertTo-SimTestJson -InputObject $steps.StopAgain | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $true; Value = $null })
    }

    It 'starting does not start dependents; Stop -Force stops the dependents of dependents too' {
        ConvertTo-SimTestJson -InputObject $steps.Start.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Stopped'; RpcSs = 'Running' })
        ConvertTo-SimTestJson -InputObject $steps.StartUm.Value | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'Running'; RpcSs = 'Running' })
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
                # What ServiceController.Start throws (the Windows platform's Start-RdsService).
                Error = "Cannot start service TermServLicensing on computer '.'."
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

Describe 'A service that hangs in StopPending (stopPendingSeconds)' {
    BeforeAll {
        function Invoke-SimTestStopPending {
            # TermService with the given StopPending time: what each call of a stop, the waits and a start answer, and the status after each.
            param([string] $Name, [int] $StopPendingSeconds, [scriptblock] $Body)
            $statePath = Get-SimTestStatePath -Name ($Name + '.json')
            Write-SimTestState -Path $statePath -State (New-RdsSimDefaultState -TermServiceStopPendingSeconds $StopPendingSeconds)
            Initialize-RdsPlatform -Option $statePath
            $steps = [ordered]@{}
            & $Body $steps
            Complete-RdsPlatform
            $steps.Saved = Read-SimTestState -Path $statePath
            return $steps
        }
    }

    It 'a stop is a request: StopPending until enough simulated time passed in Wait-RdsServiceStatus, then Stopped' {
        $r = Invoke-SimTestStopPending -Name 'slow' -StopPendingSeconds 90 -Body {
            param($steps)
            Stop-RdsService -Name 'TermService' -Force
            $steps.AfterStop = Get-SimTestServiceStatus -Name 'TermService', 'UmRdpService'
            $steps.StartWhilePending = Invoke-SimTestStep { Start-RdsService -Name 'TermService' }
            $steps.StopWhilePending = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' -Force }
            $steps.WaitRunning = Wait-RdsServiceStatus -Name 'TermService' -Status 'Running' -TimeoutSeconds 600
            $steps.Wait60 = Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 60
            $steps.After60 = (Get-RdsService -Name 'TermService').Status
            $steps.Wait30 = Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 30
            $steps.After90 = (Get-RdsService -Name 'TermService').Status
            $steps.WaitAgain = Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 0
            Start-RdsService -Name 'TermService'
            $steps.Started = (Get-RdsService -Name 'TermService').Status
        }
        ConvertTo-SimTestJson -InputObject $r.AfterStop | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'StopPending'; UmRdpService = 'Stopped' })
        ConvertTo-SimTestJson -InputObject $r.StartWhilePending | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = "Cannot start service TermService on computer '.'." })
        # ERROR_SERVICE_CANNOT_ACCEPT_CTRL, as ServiceController.Stop reports it.
        ConvertTo-SimTestJson -InputObject $r.StopWhilePending | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = "Cannot stop TermService service on computer '.'." })
        $r.WaitRunning | Should -BeExactly $false
        $r.Wait60 | Should -BeExactly $false
        $r.After60 | Should -BeExactly 'StopPending'
        $r.Wait30 | Should -BeExactly $true
        $r.After90 | Should -BeExactly 'Stopped'
        $r.WaitAgain | Should -BeExactly $true
        $r.Started | Should -BeExactly 'Running'
        $r.Saved.services.TermService.stopPendingSeconds | Should -Be 90
        $r.Saved.services.UmRdpService.Contains('stopPendingSeconds') | Should -BeFalse
        $r.Saved.calls['Wait-RdsServiceStatus'] | Should -Be 4
        # Waiting changes nothing on the host by itself: not a mutating call.
        @($r.Saved.callLog | ForEach-Object { $_.call }) -join ',' | Should -BeExactly 'Stop-RdsService,Start-RdsService,Stop-RdsService,Start-RdsService'
    }

    It 'a dependent that needs more than 30 s fails Stop -Force as ServiceController.Stop does, and its service keeps running' {
        $r = Invoke-SimTestStopPending -Name 'sticky-dependent' -StopPendingSeconds 0 -Body {
            param($steps)
            $state = Get-RdsSimState
            $state.Services['UmRdpService'].StopPendingSeconds = [long]45
            $steps.Stop = Invoke-SimTestStep { Stop-RdsService -Name 'TermService' -Force }
            $steps.After = Get-SimTestServiceStatus -Name 'TermService', 'UmRdpService'
            $steps.Wait = Wait-RdsServiceStatus -Name 'UmRdpService' -Status 'Stopped' -TimeoutSeconds 15
        }
        ConvertTo-SimTestJson -InputObject $r.Stop | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ Ok = $false; Error = 'Time out has expired and the operation has not been completed.' })
        ConvertTo-SimTestJson -InputObject $r.After | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ TermService = 'Running'; UmRdpService = 'StopPending' })
        # 30 of its 45 s passed inside the stop; 15 more and it is stopped.
        $r.Wait | Should -BeExactly $true
    }

    It 'a reboot ends a StopPending service; a negative or fractional stopPendingSeconds is refused when loading' {
        $r = Invoke-SimTestStopPending -Name 'reboot-pending' -StopPendingSeconds 600 -Body {
            param($steps)
            Stop-RdsService -Name 'TermService' -Force
            Restart-RdsHost -DelaySeconds 0
        }
        $r.Saved.services.TermService.status | Should -BeExactly 'StopPending'
        $statePath = Get-SimTestStatePath -Name 'reboot-pending.json'
        Initialize-RdsPlatform -Option $statePath
        (Get-RdsService -Name 'TermService').Status | Should -BeExactly 'Stopped'
        Complete-RdsPlatform

        foreach ($bad in @(-1, 1.5)) {
            $badPath = Get-SimTestStatePath -Name 'bad-pending.json'
            Write-SimTestState -Path $badPath -State @{ services = @{ TermService = @{ status = 'Running'; stopPendingSeconds = $bad } } }
            $thrown = { Initialize-RdsPlatform -Option $badPath } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeExactly ('invalid simulated host state: services: stopPendingSeconds is a whole number of seconds, 0 or more (TermService) (' + $badPath + ')')
        }
    }
}
