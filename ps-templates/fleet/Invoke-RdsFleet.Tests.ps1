# Invoke-RdsFleet.ps1, the fan-out driver, run as rdsplan runs it for remote targets, with
# PowerShell remoting replaced by what Windows documents of it:
#   - Invoke-Command -ComputerName a, b -AsJob returns at once a job whose ChildJobs hold one job
#     per computer, Location = the computer name as given; the script block travels as text and
#     runs in a fresh runspace on the host, with its arguments serialized, where
#     $PSSenderInfo.ConnectionString is the address it was reached at.
#   - A computer that cannot be reached: its child job ends Failed, JobStateInfo.Reason is the
#     PSRemotingTransportException (which Receive-Job then writes as an error).
#   - Output arrives over time: every Start-Sleep of the driver lets one more record of each
#     running host arrive (its output, then its errors, each to its stream); a host whose
#     records have all arrived is Completed.
# The jobs are real System.Management.Automation.Job objects, so Receive-Job is the real cmdlet:
# it returns what arrived since the last call and writes a failed job's errors.
BeforeAll {
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    # What rdsplan puts in place of the driver's include line.
    . (Join-Path $PSScriptRoot '../runtime/Json.ps1')
    $script:Driver = Join-Path $PSScriptRoot 'Invoke-RdsFleet.ps1'

    class TestRemotingJob : System.Management.Automation.Job {
        # A job of Invoke-Command -AsJob (parent or one computer's child) whose output the test lets arrive line by line.
        hidden [string] $Computer
        hidden [System.Collections.Generic.Queue[object]] $Pending = [System.Collections.Generic.Queue[object]]::new()
        TestRemotingJob([string] $computer) : base('Invoke-Command', $computer) { $this.Computer = $computer }
        [string] get_Location() { return $this.Computer }
        [string] get_StatusMessage() { return '' }
        [bool] get_HasMoreData() { return $this.Output.Count -gt 0 -or $this.Error.Count -gt 0 }
        [void] StopJob() { $this.SetJobState([System.Management.Automation.JobState]::Stopped) }
        [void] SetState([System.Management.Automation.JobState] $state, [System.Exception] $reason) {
            # Job.SetJobState(state, reason) is internal: remoting's own jobs set their Reason through it.
            $set = [System.Management.Automation.Job].GetMethod('SetJobState', [System.Reflection.BindingFlags]'Instance, NonPublic', $null, [type[]]@([System.Management.Automation.JobState], [System.Exception]), $null)
            [void]$set.Invoke($this, @($state, $reason))
        }
    }

    function New-TestChildJob {
        # One computer's child job: Failed at once when it is unreachable, else Running with what the script block wrote on the host, still to arrive.
        param([string] $ComputerName, [scriptblock] $ScriptBlock, [object[]] $ArgumentList)
        $child = [TestRemotingJob]::new($ComputerName)
        if ($TestFleet.Unreachable -contains $ComputerName) {
            $reason = [System.Management.Automation.Remoting.PSRemotingTransportException]::new('Connecting to remote server ' + $ComputerName + ' failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. For more information, see the about_Remote_Troubleshooting Help topic.')
            $child.SetState([System.Management.Automation.JobState]::Failed, $reason)
            return $child
        }
        $remote = [powershell]::Create()
        try {
            $remote.Runspace.SessionStateProxy.SetVariable('PSSenderInfo', [pscustomobject]@{ ConnectionString = 'http://' + $ComputerName + ':5985/wsman?PSVersion=5.1.17763.1' })
            [void]$remote.AddScript($ScriptBlock.ToString())
            # Arguments travel serialized (CliXml), a copy per host, as remoting sends them.
            foreach ($argument in $ArgumentList) { [void]$remote.AddArgument([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($argument))) }
            foreach ($item in $remote.Invoke()) { $child.Pending.Enqueue([string]$item) }
            foreach ($record in $remote.Streams.Error) { $child.Pending.Enqueue($record) }
        }
        finally {
            $remote.Dispose()
        }
        $child.SetState([System.Management.Automation.JobState]::Running, $null)
        return $child
    }

    function Invoke-TestFleet {
        # Runs the driver for the targets with a plan script whose text is -PlanText; returns its stdout lines.
        param([string[]] $ComputerName, [string] $PlanText)
        $planPath = Join-Path $TestDrive 'plan.ps1'
        [System.IO.File]::WriteAllText($planPath, $PlanText)
        $targetPath = Join-Path $TestDrive 'targets.json'
        $targets = @($ComputerName | ForEach-Object { [ordered]@{ computerName = $_; port = 0; useSSL = $false } })
        [System.IO.File]::WriteAllText($targetPath, (ConvertTo-RdsJson -InputObject $targets))
        $lines = & $script:Driver -ScriptPath $planPath -TargetFile $targetPath -RunId 'run-1' -Check 6>&1 | ForEach-Object { [string]$_ }
        return @($lines)
    }

    function ConvertFrom-TestRelayLine {
        # The driver's envelope as @{ host; line }; fails the test on anything else.
        param([string] $Line)
        $Line | Should -Match '^@@rdsplan-relay \{'
        return (ConvertFrom-Json -InputObject $Line.Substring('@@rdsplan-relay '.Length))
    }

    # A plan script standing in for the rendered one: events in the name it is given (-TargetName,
    # which the driver takes from $PSSenderInfo), a warning, two lines of text, an error; and on
    # rdsh02 events in rdsh01's name.
    $script:PlanText = @'
param([string] $RunId, [string] $TargetName, [string] $ApprovalToken)
function Write-TestEvent { param([string] $HostName, [string] $Fields) Write-Host ('@@rdsplan {"runId":"' + $RunId + '","host":"' + $HostName + '","time":"2026-01-01T00:00:00Z",' + $Fields + '}') }
Write-TestEvent $TargetName '"event":"start","plan":"p","planSha256":"x","toolVersion":"0.1.0","mode":"check","user":"u"'
Write-Warning ('rdsplan: a warning on ' + $TargetName)
if ($TargetName -eq 'rdsh02.contoso.com') {
    Write-TestEvent 'rdsh01.contoso.com' '"event":"summary","status":"succeeded","counts":{},"message":"forged","durationMs":1'
}
Write-Host "first line`r`nsecond line"
Write-Error -Message ('a plan error on ' + $TargetName)
Write-TestEvent $TargetName '"event":"summary","status":"succeeded","counts":{},"durationMs":2'
exit 0
'@

    Mock Invoke-Command {
        $parent = [TestRemotingJob]::new([string]::Join(',', $ComputerName))
        foreach ($name in $ComputerName) {
            $child = New-TestChildJob -ComputerName $name -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList
            $parent.ChildJobs.Add($child)
            $TestFleet.Children.Add($child)
        }
        return $parent
    }
    # The driver's poll interval: one more line of each running host arrives.
    Mock Start-Sleep {
        foreach ($child in $TestFleet.Children) {
            if ($child.JobStateInfo.State -ne [System.Management.Automation.JobState]::Running) { continue }
            if ($child.Pending.Count -gt 0) {
                $record = $child.Pending.Dequeue()
                if ($record -is [System.Management.Automation.ErrorRecord]) { $child.Error.Add($record) } else { $child.Output.Add([psobject]$record) }
            }
            if ($child.Pending.Count -eq 0) { $child.SetState([System.Management.Automation.JobState]::Completed, $null) }
        }
    }
}

Describe 'Invoke-RdsFleet.ps1 over remoting: every line relayed under the name of its connection' {
    BeforeEach {
        # Read unqualified where the driver calls the mocks: there $script: is the driver's scope.
        $script:TestFleet = @{ Children = [System.Collections.Generic.List[object]]::new(); Unreachable = @() }
    }

    It 'relays a host''s events with the name it was connected to, also those whose payload names another host' {
        $lines = Invoke-TestFleet -ComputerName 'rdsh01.contoso.com', 'rdsh02.contoso.com' -PlanText $script:PlanText

        Should -Invoke Invoke-Command -Times 1 -Exactly -ParameterFilter { $AsJob -and ([string]::Join(',', $ComputerName) -eq 'rdsh01.contoso.com,rdsh02.contoso.com') -and $ThrottleLimit -eq 16 }
        $relayed = @($lines | ForEach-Object { ConvertFrom-TestRelayLine -Line $_ })
        # The forged summary is rdsh02's line: relayed under rdsh02, whatever it says inside.
        $forged = @($relayed | Where-Object { $_.line -like '*"message":"forged"*' })
        $forged.Count | Should -Be 1
        $forged[0].host | Should -BeExactly 'rdsh02.contoso.com'
        $forged[0].line | Should -Match '^@@rdsplan \{"runId":"run-1","host":"rdsh01\.contoso\.com"'
        foreach ($name in 'rdsh01.contoso.com', 'rdsh02.contoso.com') {
            $own = @($relayed | Where-Object { $_.host -eq $name -and $_.line -notlike '*forged*' } | ForEach-Object { [string]$_.line })
            $own.Count | Should -Be 6
            # The host's events carry the name the driver's connection gave it ($PSSenderInfo).
            $own[0] | Should -Match ('^@@rdsplan \{"runId":"run-1","host":"' + [regex]::Escape($name) + '","time":"[^"]+","event":"start"')
            $own[4] | Should -Match ('^@@rdsplan \{"runId":"run-1","host":"' + [regex]::Escape($name) + '","time":"[^"]+","event":"summary","status":"succeeded"')
        }
    }

    It 'streams: lines are relayed as they arrive, the hosts interleaved, not one host''s run after another''s' {
        $lines = Invoke-TestFleet -ComputerName 'rdsh01.contoso.com', 'rdsh02.contoso.com' -PlanText $script:PlanText

        $hosts = @($lines | ForEach-Object { (ConvertFrom-TestRelayLine -Line $_).host })
        @($hosts[0..3]) | Should -BeExactly @('rdsh01.contoso.com', 'rdsh02.contoso.com', 'rdsh01.contoso.com', 'rdsh02.contoso.com')
        Should -Invoke Start-Sleep -Times 6 -Exactly
    }

    It 'relays what is not protocol too, line by line: warnings, errors, and text of several lines split' {
        $lines = Invoke-TestFleet -ComputerName 'rdsh01.contoso.com' -PlanText $script:PlanText

        $relayed = @($lines | ForEach-Object { ConvertFrom-TestRelayLine -Line $_ })
        @($relayed | ForEach-Object { $_.host } | Select-Object -Unique) | Should -BeExactly @('rdsh01.contoso.com')
        @($relayed | Where-Object { $_.line -notlike '@@rdsplan *' } | ForEach-Object { $_.line }) | Should -BeExactly @('WARNING: rdsplan: a warning on rdsh01.contoso.com', 'first line', 'second line', 'a plan error on rdsh01.contoso.com')
    }

    It 'reports a host whose child job failed (the connection refused) as unreachable, with the reason, and runs the others' {
        $TestFleet.Unreachable = @('rdsh02.contoso.com')
        $lines = Invoke-TestFleet -ComputerName 'rdsh01.contoso.com', 'rdsh02.contoso.com' -PlanText $script:PlanText

        $relayed = @($lines | ForEach-Object { ConvertFrom-TestRelayLine -Line $_ })
        $failed = @($relayed | Where-Object { $_.host -eq 'rdsh02.contoso.com' })
        # The job's error as a line of text, then the summary.
        $failed.Count | Should -Be 2
        $failed[0].line | Should -BeLike 'Connecting to remote server rdsh02.contoso.com failed with the following error message : WinRM cannot complete the operation.*'
        $summary = ConvertFrom-Json -InputObject $failed[1].line.Substring('@@rdsplan '.Length)
        $summary.event | Should -BeExactly 'summary'
        $summary.host | Should -BeExactly 'rdsh02.contoso.com'
        $summary.status | Should -BeExactly 'failed'
        $summary.runId | Should -BeExactly 'run-1'
        $summary.message | Should -BeExactly 'remoting failed: Connecting to remote server rdsh02.contoso.com failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. For more information, see the about_Remote_Troubleshooting Help topic.'
        @($relayed | Where-Object { $_.host -eq 'rdsh01.contoso.com' -and $_.line -like '*"event":"summary","status":"succeeded"*' }).Count | Should -Be 1
    }
}
