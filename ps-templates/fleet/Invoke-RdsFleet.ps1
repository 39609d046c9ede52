<#
.SYNOPSIS
    Runs one rendered rdsplan script on many hosts from one PowerShell process.
.DESCRIPTION
    Remote targets go through PowerShell remoting (Invoke-Command -ComputerName ... -ThrottleLimit),
    grouped by port and SSL. With -Simulate every target runs locally against its own state file,
    in a runspace pool of the same size: the same fan-out with the remoting call replaced by a
    local one. The plan script reports its own @@rdsplan events, tagged with the target's name;
    this driver adds one 'unreachable' summary for a host whose remoting call failed.
    Target names and parameters arrive in a JSON file and are used as data, never as code.
.PARAMETER ScriptPath
    The rendered plan script (already verified by rdsplan).
.PARAMETER TargetFile
    JSON: an array of { computerName, port, useSSL, stateFile }.
.PARAMETER RunId
    The run id shared by every host.
.PARAMETER BackupDirectory
    The backup folder on each host (with -Simulate: a local folder, one subfolder per host).
.PARAMETER ThrottleLimit
    How many hosts run at once.
.PARAMETER Check
    Runs the plan with -WhatIf (read-only).
.PARAMETER Simulate
    Runs every target locally against its state file.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $ScriptPath,
    [Parameter(Mandatory = $true)] [string] $TargetFile,
    [Parameter(Mandatory = $true)] [string] $RunId,
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
# target name from the address it was reached at, which is the name rdsplan was given.
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
    & $plan @Parameters
}

function New-RdsFleetParameter {
    <#
    .SYNOPSIS
    The plan script's parameters for one target.
    #>
    param([object] $Target)
    $parameters = @{ RunId = $RunId; WhatIf = [bool]$Check }
    if ($BackupDirectory -ne '') { $parameters['BackupDirectory'] = $BackupDirectory }
    if ($Simulate) {
        $parameters['SimulationState'] = [string]$Target.stateFile
        $parameters['TargetName'] = [string]$Target.computerName
        if ($BackupDirectory -ne '') { $parameters['BackupDirectory'] = [System.IO.Path]::Combine($BackupDirectory, [string]$Target.computerName) }
    }
    return $parameters
}

function Write-RdsUnreachable {
    <#
    .SYNOPSIS
    Reports a host the fan-out could not run the plan on, in the results protocol.
    #>
    param([string] $ComputerName, [string] $Message)
    $summary = [ordered]@{ event = 'summary'; runId = $RunId; host = $ComputerName; time = [DateTime]::UtcNow.ToString('o'); status = 'failed'; counts = [ordered]@{}; message = $Message; durationMs = 0 }
    Write-Host ('@@rdsplan ' + (ConvertTo-RdsJson -InputObject $summary))
}

if ($Simulate) {
    # The session's own initial state (same cmdlets in every runspace); $Host.Runspace is not
    # available in every host (a host without IHostSupportsInteractiveSession returns $null).
    $sessionState = [System.Management.Automation.Runspaces.Runspace]::DefaultRunspace.InitialSessionState
    $pool = [runspacefactory]::CreateRunspacePool(1, [Math]::Max(1, $ThrottleLimit), $sessionState, $Host)
    $pool.Open()
    $running = @()
    foreach ($target in $targets) {
        $shell = [powershell]::Create()
        $shell.RunspacePool = $pool
        [void]$shell.AddScript($runPlan).AddArgument($scriptText).AddArgument((New-RdsFleetParameter -Target $target))
        $running += @{ Name = [string]$target.computerName; Shell = $shell; Handle = $shell.BeginInvoke() }
    }
    foreach ($job in $running) {
        try {
            [void]$job.Shell.EndInvoke($job.Handle)
        }
        catch {
            # 'exit' inside the plan ends its pipeline; anything else is a failure to report.
            if ($_.Exception.InnerException -isnot [System.Management.Automation.ExitException]) {
                Write-RdsUnreachable -ComputerName $job.Name -Message ('the simulated host failed: ' + $_.Exception.Message)
            }
        }
        finally {
            $job.Shell.Dispose()
        }
    }
    $pool.Close()
    exit 0
}

# One Invoke-Command per port/SSL combination: remoting takes one of each per call.
$groups = [ordered]@{}
foreach ($target in $targets) {
    $key = '{0}|{1}' -f $target.port, $target.useSSL
    if (-not $groups.Contains($key)) { $groups[$key] = [System.Collections.Generic.List[object]]::new() }
    $groups[$key].Add($target)
}
foreach ($group in $groups.Values) {
    $first = $group[0]
    $connection = @{ ComputerName = @($group | ForEach-Object { [string]$_.computerName }); ThrottleLimit = $ThrottleLimit; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures' }
    if ($null -ne $first.port -and [int]$first.port -gt 0) { $connection['Port'] = [int]$first.port }
    if ([bool]$first.useSSL) { $connection['UseSSL'] = $true }
    $failures = @()
    Invoke-Command @connection -ScriptBlock $runPlan -ArgumentList $scriptText, (New-RdsFleetParameter -Target $first)
    foreach ($failure in $failures) {
        $name = [string]$failure.TargetObject
        if ($failure.PSObject.Properties['OriginInfo'] -and $null -ne $failure.OriginInfo) { $name = [string]$failure.OriginInfo.PSComputerName }
        Write-RdsUnreachable -ComputerName $name -Message ('remoting failed: ' + $failure.Exception.Message)
    }
}
exit 0
