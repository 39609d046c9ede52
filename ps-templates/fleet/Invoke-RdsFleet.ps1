<#
.SYNOPSIS
    Runs one rendered rdsplan script on many hosts from one PowerShell process.
.DESCRIPTION
    Remote targets go through PowerShell remoting (Invoke-Command -ComputerName ... -ThrottleLimit
    -AsJob), grouped by port and SSL. With -Simulate every target runs locally against its own
    state file, in a runspace pool of the same size: the same fan-out with the remoting call
    replaced by a local one. Every line a host prints (its @@rdsplan events and anything else)
    is relayed as it arrives, in an envelope naming the connection it came over:
        @@rdsplan-relay {"host":"<the name this driver connected to>","line":"<the host's line>"}
    The name comes from the connection (the child job's Location, or the target file with
    -Simulate), never from what the host prints, so a host cannot report events as another.
    A host whose remoting call failed gets one 'unreachable' summary in the same envelope.
    Target names and parameters arrive in a JSON file and are used as data, never as code.
.PARAMETER ScriptPath
    The rendered plan script (already verified by rdsplan).
.PARAMETER TargetFile
    JSON: an array of { computerName, port, useSSL, stateFile }.
.PARAMETER RunId
    The run id shared by every host.
.PARAMETER ApprovalToken
    The token the run was approved with, passed to the plan script on every host, whose
    self-check compares its own text with it.
.PARAMETER BackupDirectory
    The backup folder on each host (with -Simulate: a local folder, one subfolder per host).
.PARAMETER ThrottleLimit
    How many hosts run at once.
.PARAMETER Check
    Runs the plan with -WhatIf (read-only).
.PARAMETER Simulate
    Runs every target locally against its state file.
#>
[CmdletBinding()] param(
    [Parameter(Mandatory)] [string] $ScriptPath,
    [Parameter(Mandatory)] [string] $TargetFile,
    [Parameter(Mandatory)] [string] $RunId,
    [string] $ApprovalToken = '',
    [string] $BackupDirectory = '',
    [int] $ThrottleLimit = 16,
    [switch] $Check,
    [switch] $Simulate
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# pwsh 7.2+ colours errors from $PSStyle whatever NO_COLOR says; 5.1 has no $PSStyle.
$RdsPSStyle = $ExecutionContext.SessionState.PSVariable.GetValue('PSStyle'); if ($null -ne $RdsPSStyle) { $RdsPSStyle.OutputRendering = 'PlainText' }

# rdsplan:include runtime/Json.ps1

$scriptText = [System.IO.File]::ReadAllText($ScriptPath)
# Parenthesised: 5.1's ConvertFrom-Json sends an array down the pipeline as one object.
$targets = @((ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($TargetFile))))

# Runs the plan script from its text with splatted parameters; on a remote host it takes its
# target name from the address it was reached at, which is the name rdsplan was given. What the
# plan writes to the host and its warnings are merged into the output and made text on the
# host's side: its lines keep their order and reach the driver as output, which the driver
# relays under the connection's name. Errors stay in the error stream (under 5.1 a 2>&1 here
# would also turn what the plan's native programs write to stderr into error records); the
# driver relays them after the output it drained with them.
$runPlan = {
    param([string] $ScriptText, [hashtable] $Parameters)
    # Through the session state API: strict mode forbids reading $PSSenderInfo where it is not set.
    $senderVariable = $ExecutionContext.SessionState.PSVariable.Get('PSSenderInfo')
    $remoteSender = $null
    if ($null -ne $senderVariable) { $remoteSender = $senderVariable.Value }
    if ($null -ne $remoteSender -and -not $Parameters.ContainsKey('TargetName')) {
        $Parameters['TargetName'] = ([uri]$remoteSender.ConnectionString).Host
    }
    $plan = [scriptblock]::Create($ScriptText)
    & $plan @Parameters 3>&1 6>&1 | ForEach-Object {
        if ($_ -is [System.Management.Automation.WarningRecord]) { 'WARNING: ' + $_.Message } else { [string]$_ }
    }
}

# Returns the plan script's parameters for one target.
function New-RdsFleetParameter {
    param([object] $Target)
    $parameters = @{ RunId = $RunId; ApprovalToken = $ApprovalToken; WhatIf = [bool]$Check }
    if ($BackupDirectory -ne '') { $parameters['BackupDirectory'] = $BackupDirectory }
    if ($Simulate) {
        $parameters['SimulationState'] = [string]$Target.stateFile
        $parameters['TargetName'] = [string]$Target.computerName
        if ($BackupDirectory -ne '') { $parameters['BackupDirectory'] = [System.IO.Path]::Combine($BackupDirectory, [string]$Target.computerName) }
    }
    return $parameters
}

# Prints what one host wrote, one envelope per line, under the name of the connection it came over.
function Write-RdsRelayedLine {
    param([string] $ComputerName, [string] $Text)
    foreach ($line in ($Text -split '\r?\n')) {
        Write-Host ('@@rdsplan-relay ' + (ConvertTo-RdsJson -InputObject ([ordered]@{ host = $ComputerName; line = $line })))
    }
}

# Reports a host the fan-out could not run the plan on, in the results protocol.
function Write-RdsUnreachable {
    param([string] $ComputerName, [string] $Message)
    $summary = [ordered]@{ event = 'summary'; runId = $RunId; host = $ComputerName; time = [DateTime]::UtcNow.ToString('o'); status = 'failed'; counts = [ordered]@{}; message = $Message; durationMs = 0 }
    Write-RdsRelayedLine -ComputerName $ComputerName -Text ('@@rdsplan ' + (ConvertTo-RdsJson -InputObject $summary))
}

# What one running host wrote since the last call, output then errors: @{ Lines; Done; Failure ('' unless the run itself failed) }.
function Receive-RdsFleetHost {
    param([hashtable] $Running)
    if ($Simulate) {
        # Whether it was done is read before draining, so that this call drains all it wrote.
        $drained = @{ Done = $Running.Handle.IsCompleted; Failure = '' }
        $drained['Lines'] = @($Running.Output.ReadAll()) + @($Running.Shell.Streams.Error.ReadAll())
        if ($drained.Done) {
            try { [void]$Running.Shell.EndInvoke($Running.Handle) }
            catch {
                # 'exit' inside the plan ends its pipeline; anything else is a failure to report.
                if ($_.Exception.InnerException -isnot [System.Management.Automation.ExitException]) { $drained.Failure = 'the simulated host failed: ' + $_.Exception.Message }
            } finally { $Running.Shell.Dispose() }
        }
        return $drained
    }
    $job = $Running.Job
    $state = [string]$job.JobStateInfo.State
    $drained = @{ Done = ($state -eq 'Completed' -or $state -eq 'Failed' -or $state -eq 'Stopped' -or $state -eq 'Disconnected'); Failure = '' }
    # Receive-Job writes the job's errors (a failed job's reason among them), which 'Stop' would
    # make end the driver: they are collected and relayed as the host's lines instead.
    $drained['Lines'] = @(Receive-Job -Job $job -ErrorAction SilentlyContinue -ErrorVariable jobErrors) + @($jobErrors)
    if ($state -eq 'Failed') {
        $reason = 'the remoting job failed'
        if ($null -ne $job.JobStateInfo.Reason) { $reason = $job.JobStateInfo.Reason.Message }
        $drained.Failure = 'remoting failed: ' + $reason
    } elseif ($state -eq 'Disconnected') { $drained.Failure = 'remoting failed: the connection was lost; the plan may still be running on the host' }
    return $drained
}

# Relays each host's lines as they arrive until every host has finished.
function Wait-RdsFleetHost {
    param([System.Collections.Generic.List[hashtable]] $Running)
    while ($Running.Count -gt 0) {
        foreach ($entry in @($Running)) {
            $drained = Receive-RdsFleetHost -Running $entry
            foreach ($record in $drained.Lines) { Write-RdsRelayedLine -ComputerName $entry.Name -Text ([string]$record) }
            if ($drained.Done) {
                if ($drained.Failure -ne '') { Write-RdsUnreachable -ComputerName $entry.Name -Message $drained.Failure }
                [void]$Running.Remove($entry)
            }
        }
        if ($Running.Count -gt 0) { Start-Sleep -Milliseconds 100 }
    }
}

if ($Simulate) {
    # The session's own initial state (same cmdlets in every runspace); $Host.Runspace is not
    # available in every host (a host without IHostSupportsInteractiveSession returns $null).
    $sessionState = [System.Management.Automation.Runspaces.Runspace]::DefaultRunspace.InitialSessionState
    $pool = [runspacefactory]::CreateRunspacePool(1, [Math]::Max(1, $ThrottleLimit), $sessionState, $Host)
    $pool.Open()
    # Each target's output goes to a collection of its own, drained while it runs: its lines are
    # relayed under the name the target file gives it.
    $running = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($target in $targets) {
        $shell = [powershell]::Create()
        $shell.RunspacePool = $pool
        [void]$shell.AddScript($runPlan).AddArgument($scriptText).AddArgument((New-RdsFleetParameter -Target $target))
        $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $noInput.Complete()
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $running.Add(@{ Name = [string]$target.computerName; Shell = $shell; Output = $output; Handle = $shell.BeginInvoke($noInput, $output) })
    }
    Wait-RdsFleetHost -Running $running
    $pool.Close()
    exit 0
}

# One Invoke-Command per port/SSL combination, one after another: remoting takes one of each
# per call, and each call keeps to the throttle limit.
$groups = [ordered]@{}
foreach ($target in $targets) {
    $key = '{0}|{1}' -f $target.port, $target.useSSL
    if (-not $groups.Contains($key)) { $groups[$key] = [System.Collections.Generic.List[object]]::new() }
    $groups[$key].Add($target)
}
foreach ($group in $groups.Values) {
    $first = $group[0]
    $connection = @{ ComputerName = @($group | ForEach-Object { [string]$_.computerName }); ThrottleLimit = $ThrottleLimit; AsJob = $true }
    if ($null -ne $first.port -and [int]$first.port -gt 0) { $connection['Port'] = [int]$first.port }
    if ([bool]$first.useSSL) { $connection['UseSSL'] = $true }
    $job = Invoke-Command @connection -ScriptBlock $runPlan -ArgumentList $scriptText, (New-RdsFleetParameter -Target $first)
    # One child job per computer; its Location is the name it was connected to.
    $running = [System.Collections.Generic.List[hashtable]]::new()
    foreach ($child in $job.ChildJobs) { $running.Add(@{ Name = [string]$child.Location; Job = $child }) }
    Wait-RdsFleetHost -Running $running
}
exit 0
