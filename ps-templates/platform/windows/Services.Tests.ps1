# platform/windows/Services.ps1 run under a Mock of Get-Service (and of Get-CimInstance where
# Get-RdsService reads Win32_Service) that returns stand-ins of the ServiceController, each
# answering as Windows documents it (DOMAIN.md, "Services"): Start and Stop are requests that
# return at once; a service that hangs stays StopPending; WaitForStatus(status, timeout) returns
# when the status is there and throws System.ServiceProcess.TimeoutException when the time is
# up. The layer passes requests and waits only when told, as long as told; the runtime
# (runtime/Services.ps1) runs with it at the end, as in a generated script.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
    . (Join-Path $PSScriptRoot 'Host.ps1')
    . (Join-Path $PSScriptRoot 'Services.ps1')

    # Linux pwsh has no Get-Service and no CimCmdlets: Mock needs a command of the name, with the parameters the layer passes.
    if ($null -eq (Get-Command -Name 'Get-Service' -ErrorAction SilentlyContinue)) {
        function Get-Service {
            [CmdletBinding()]
            param([string[]] $Name)
            throw 'Get-Service is not mocked'
        }
    }
    if ($null -eq (Get-Command -Name 'Get-CimInstance' -ErrorAction SilentlyContinue)) {
        function Get-CimInstance {
            [CmdletBinding()]
            param([string] $ClassName, [string] $Filter)
            throw 'Get-CimInstance is not mocked'
        }
    }

    function New-TestService {
        # A ServiceController stand-in: Start and Stop change Status at once (Stop to -AfterStop: StopPending for one that hangs); WaitForStatus throws TimeoutException unless the status is there. Calls are recorded.
        param([string] $Name, [string] $Status, [string] $AfterStop = 'Stopped', [object[]] $DependentServices = @())
        $service = [pscustomobject]@{
            Name              = $Name
            DisplayName       = 'Display of ' + $Name
            Status            = [System.ServiceProcess.ServiceControllerStatus]$Status
            AfterStop         = [System.ServiceProcess.ServiceControllerStatus]$AfterStop
            DependentServices = $DependentServices
            ServicesDependedOn = @()
            Calls             = [System.Collections.Generic.List[string]]::new()
        }
        $service | Add-Member -MemberType ScriptMethod -Name Start -Value { $this.Calls.Add('Start'); $this.Status = [System.ServiceProcess.ServiceControllerStatus]::Running }
        $service | Add-Member -MemberType ScriptMethod -Name Stop -Value { $this.Calls.Add('Stop'); $this.Status = $this.AfterStop }
        $service | Add-Member -MemberType ScriptMethod -Name WaitForStatus -Value {
            param($desired, [System.TimeSpan] $timeout)
            $this.Calls.Add('WaitForStatus ' + [string]$desired + ' ' + $timeout.TotalSeconds)
            if ([string]$this.Status -ne [string]$desired) { throw (New-TestTimeoutException) }
        }
        return $service
    }

    function New-TestTimeoutException {
        # What WaitForStatus throws when the time is up. On Linux the System.ServiceProcess types are stubs whose constructors throw PlatformNotSupportedException; an instance made without its constructor is of the same type, which is what the layer looks at.
        return [System.Runtime.CompilerServices.RuntimeHelpers]::GetUninitializedObject([System.ServiceProcess.TimeoutException])
    }

    function Set-TestServices {
        # What Get-Service (and Win32_Service) answer: the stand-ins by name; any other name is not found.
        param([object[]] $Service)
        $script:TestServices = @{}
        foreach ($item in $Service) { $script:TestServices[$item.Name] = $item }
    }

    # Get-Service: the stand-in of that name, else the error Get-Service writes (non-terminating).
    Mock Get-Service {
        $found = $script:TestServices[[string]$Name[0]]
        if ($null -eq $found) { Write-Error -Message ("Cannot find any service with service name '" + $Name[0] + "'.") }
        return $found
    }
}

Describe 'Wait-RdsServiceStatus: ServiceController.WaitForStatus with the caller''s time limit' {
    It 'a service that stays StopPending: $false when WaitForStatus runs out of time (TimeoutException)' {
        $term = New-TestService -Name 'TermService' -Status 'StopPending'
        Set-TestServices -Service $term
        Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 120 | Should -BeExactly $false
        @($term.Calls) | Should -BeExactly @('WaitForStatus Stopped 120')
        Should -Invoke Get-Service -ParameterFilter { $Name[0] -eq 'TermService' }
    }

    It 'a service in the status asked for: $true' {
        Set-TestServices -Service (New-TestService -Name 'TermService' -Status 'Running')
        Wait-RdsServiceStatus -Name 'TermService' -Status 'Running' -TimeoutSeconds 5 | Should -BeExactly $true
    }

    It 'any other failure of WaitForStatus is thrown, not taken for a timeout' {
        $gone = New-TestService -Name 'TermService' -Status 'Running'
        $gone | Add-Member -MemberType ScriptMethod -Name WaitForStatus -Force -Value { param($desired, $timeout) throw [System.InvalidOperationException]::new("Service TermService was not found on computer '.'.") }
        Set-TestServices -Service $gone
        { Wait-RdsServiceStatus -Name 'TermService' -Status 'Stopped' -TimeoutSeconds 5 } | Should -Throw "*Service TermService was not found on computer '.'.*"
    }

    It 'a service that does not exist: service Nope not found' {
        Set-TestServices -Service @()
        { Wait-RdsServiceStatus -Name 'Nope' -Status 'Stopped' -TimeoutSeconds 5 } | Should -Throw 'service Nope not found'
    }
}

Describe 'Start- and Stop-RdsService pass the request and do not wait' {
    It 'Stop: one ServiceController.Stop, no wait; the service may still be StopPending afterwards' {
        $term = New-TestService -Name 'TermService' -Status 'Running' -AfterStop 'StopPending'
        Set-TestServices -Service $term
        Stop-RdsService -Name 'TermService'
        @($term.Calls) | Should -BeExactly @('Stop')
        [string]$term.Status | Should -BeExactly 'StopPending'
    }

    It 'Stop of a stopped service does nothing' {
        $term = New-TestService -Name 'TermService' -Status 'Stopped'
        Set-TestServices -Service $term
        Stop-RdsService -Name 'TermService'
        @($term.Calls) | Should -BeNullOrEmpty
    }

    It 'Stop with a running dependent needs -Force (as Stop-Service), since ServiceController.Stop would stop it anyway' {
        $umrdp = New-TestService -Name 'UmRdpService' -Status 'Running'
        $term = New-TestService -Name 'TermService' -Status 'Running' -DependentServices @($umrdp)
        Set-TestServices -Service $term, $umrdp
        { Stop-RdsService -Name 'TermService' } | Should -Throw "Cannot stop service 'Display of TermService (TermService)' because it has dependent services. It can only be stopped if the Force flag is set."
        @($term.Calls) | Should -BeNullOrEmpty
        Stop-RdsService -Name 'TermService' -Force
        @($term.Calls) | Should -BeExactly @('Stop')
        # A stopped dependent needs no -Force.
        $term.Status = [System.ServiceProcess.ServiceControllerStatus]::Running
        $umrdp.Status = [System.ServiceProcess.ServiceControllerStatus]::Stopped
        Stop-RdsService -Name 'TermService'
        @($term.Calls) | Should -BeExactly @('Stop', 'Stop')
    }

    It 'Start: one ServiceController.Start, no wait; nothing for a running service' {
        $term = New-TestService -Name 'TermService' -Status 'Stopped'
        Set-TestServices -Service $term
        Start-RdsService -Name 'TermService'
        Start-RdsService -Name 'TermService'
        @($term.Calls) | Should -BeExactly @('Start')
    }
}

Describe 'through the runtime: a TermService that hangs in StopPending fails the step within the limit' {
    BeforeEach {
        # Win32_Service as Get-RdsService reads it: the state of the stand-in, in WMI's words.
        Mock Get-CimInstance {
            $name = [regex]::Match($Filter, "Name='([^']*)'").Groups[1].Value
            $found = $script:TestServices[$name]
            if ($null -eq $found) { return $null }
            $state = ([string]$found.Status) -creplace '(?<=[a-z])(?=[A-Z])', ' '
            return [pscustomobject]@{ Name = $found.Name; StartMode = 'Manual'; State = $state }
        }
    }

    It 'Invoke-RdsServiceStop: UmRdpService stops first, TermService gets its stop and 120 s, the message says where it hangs' {
        $umrdp = New-TestService -Name 'UmRdpService' -Status 'Running'
        $term = New-TestService -Name 'TermService' -Status 'Running' -AfterStop 'StopPending' -DependentServices @($umrdp)
        Set-TestServices -Service $term, $umrdp
        $thrown = { Invoke-RdsServiceStop -Name 'TermService' -Force } | Should -Throw -PassThru

        $thrown.Exception.Message | Should -BeExactly 'TermService did not reach Stopped within 120 s (still StopPending)'
        @($term.Calls) | Should -BeExactly @('Stop', 'WaitForStatus Stopped 120')
        # Stopped first and waited for; started again after the failure (it does not depend on the stand-in TermService).
        @($umrdp.Calls) | Should -BeExactly @('Stop', 'WaitForStatus Stopped 120', 'Start', 'WaitForStatus Running 120')
    }

    It 'Invoke-RdsServiceRestart with a service that stops at once: stop, wait, start, wait, then the dependent' {
        $umrdp = New-TestService -Name 'UmRdpService' -Status 'Running'
        $term = New-TestService -Name 'TermService' -Status 'Running' -DependentServices @($umrdp)
        Set-TestServices -Service $term, $umrdp
        Invoke-RdsServiceRestart -Name 'TermService' -Force

        @($term.Calls) | Should -BeExactly @('Stop', 'WaitForStatus Stopped 120', 'Start', 'WaitForStatus Running 120')
        @($umrdp.Calls) | Should -BeExactly @('Stop', 'WaitForStatus Stopped 120', 'Start', 'WaitForStatus Running 120')
        [string]$term.Status | Should -BeExactly 'Running'
    }
}
