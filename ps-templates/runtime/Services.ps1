# rdsplan runtime: starting, stopping and restarting services within a time limit.
#
# The platform only passes requests to the service control manager (Start-RdsService and
# Stop-RdsService return at once) and waits when told to, as long as told
# (Wait-RdsServiceStatus). What a stop, a start and a restart are, and how long each service
# may take, is decided here: Restart-Service would wait without a limit while a service hangs
# in StopPending (DOMAIN.md, "Services"). A service that does not get there in
# $script:RdsServiceTimeoutSeconds fails its step with
# "<name> did not reach <status> within <n> s (still <status>)".
#
# With -Force the running dependents stop first, deepest first, each within the limit; a
# restart then starts the service and the dependents that were running, as Restart-Service
# -Force does (UmRdpService depends on TermService). When a restart or a stop fails after it
# stopped something, what ran before is started once more, so a failed step does not leave
# the host's sessions without TermService when it can be helped; the step still fails.
#
# service.start, service.stop and service.restart differ only in the status they lead to and
# the call that gets it there: their Test and Set results are built here, once.

$script:RdsServiceTimeoutSeconds = 120

# Returns Get-RdsService of a service; throws "service <name> not found" when it does not exist.
function Get-RdsRequiredService {
    param([Parameter(Mandatory)] [string] $Name)
    $service = Get-RdsService -Name $Name
    if ($null -eq $service) { throw "service $Name not found" }
    return $service
}

# Waits until a service is Running or Stopped, at most $script:RdsServiceTimeoutSeconds; throws "<name> did not reach <status> within <n> s (still <status>)".
function Wait-RdsServiceTransition {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [ValidateSet('Running', 'Stopped')] [string] $Status)
    $timeout = [int]$script:RdsServiceTimeoutSeconds
    if (Wait-RdsServiceStatus -Name $Name -Status $Status -TimeoutSeconds $timeout) { return }
    $now = 'not found'
    $service = Get-RdsService -Name $Name
    if ($null -ne $service) { $now = [string]$service.Status }
    throw ($Name + ' did not reach ' + $Status + ' within ' + $timeout + ' s (still ' + $now + ')')
}

# Adds the services that depend on a service, directly or not, to a list, deepest first (the order they stop in).
function Add-RdsServiceDependent {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.List[string]] $Order,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.HashSet[string]] $Seen)
    $service = Get-RdsService -Name $Name
    if ($null -eq $service) { return }
    foreach ($dependent in @($service.DependentServices)) {
        if ($null -eq $dependent -or -not $Seen.Add([string]$dependent)) { continue }
        Add-RdsServiceDependent -Name ([string]$dependent) -Order $Order -Seen $Seen
        $Order.Add([string]$dependent)
    }
}

# Returns the services that depend on a service (directly or not) and are not stopped, deepest first (written to the pipeline: wrap the call in @()).
function Get-RdsActiveServiceDependent {
    param([Parameter(Mandatory)] [string] $Name)
    $order = [System.Collections.Generic.List[string]]::new()
    $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    [void]$seen.Add($Name)
    Add-RdsServiceDependent -Name $Name -Order $order -Seen $seen
    foreach ($dependent in $order) {
        $service = Get-RdsService -Name $dependent
        if ($null -ne $service -and [string]$service.Status -ne 'Stopped') { $dependent }
    }
}

# Asks one service to stop (unless it is stopping already) and waits until it is Stopped, within the limit.
function Stop-RdsServiceAndWait {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $status = [string](Get-RdsRequiredService -Name $Name).Status
    if ($status -eq 'Stopped') { return }
    if ($status -ne 'StopPending') { Stop-RdsService -Name $Name -Force:$Force }
    Wait-RdsServiceTransition -Name $Name -Status 'Stopped'
}

# Starts a service (what it depends on starts with it) and waits until it runs, within the limit; nothing when it runs.
function Invoke-RdsServiceStart {
    param([Parameter(Mandatory)] [string] $Name)
    $status = [string](Get-RdsRequiredService -Name $Name).Status
    if ($status -eq 'Running') { return }
    if ($status -eq 'StopPending') { Wait-RdsServiceTransition -Name $Name -Status 'Stopped' }
    if ($status -ne 'StartPending') { Start-RdsService -Name $Name }
    Wait-RdsServiceTransition -Name $Name -Status 'Running'
}

# Stops a service and waits until it is Stopped, within the limit; with -Force its running dependents first, deepest first, each within the limit.
function Invoke-RdsServiceStop {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    if ([string](Get-RdsRequiredService -Name $Name).Status -eq 'Stopped') { return }
    $dependents = @(if ($Force) { Get-RdsActiveServiceDependent -Name $Name })
    $stopped = [System.Collections.Generic.List[string]]::new()
    try {
        foreach ($dependent in $dependents) {
            $stopped.Insert(0, [string]$dependent)
            Stop-RdsServiceAndWait -Name ([string]$dependent) -Force
        }
        Stop-RdsServiceAndWait -Name $Name -Force:$Force
    } catch { throw ((Get-RdsExceptionMessage -ErrorRecord $_) + (Restore-RdsServiceRunning -Name $stopped.ToArray())) }
}

# Restarts a service: stops it (with -Force its running dependents first), starts it and then the dependents that were running, each within the limit.
function Invoke-RdsServiceRestart {
    param([Parameter(Mandatory)] [string] $Name, [switch] $Force)
    $wasRunning = ([string](Get-RdsRequiredService -Name $Name).Status -ne 'Stopped')
    $dependents = [System.Collections.Generic.List[string]]::new()
    if ($Force) { foreach ($dependent in @(Get-RdsActiveServiceDependent -Name $Name)) { $dependents.Insert(0, [string]$dependent) } }
    Invoke-RdsServiceStop -Name $Name -Force:$Force
    try {
        Invoke-RdsServiceStart -Name $Name
        foreach ($dependent in $dependents) { Invoke-RdsServiceStart -Name $dependent }
    } catch {
        # What ran before starts once more: the service (when it ran) and the dependents that ran.
        if ($wasRunning) { $dependents.Insert(0, $Name) }
        throw ((Get-RdsExceptionMessage -ErrorRecord $_) + (Restore-RdsServiceRunning -Name $dependents.ToArray()))
    }
}

# After a failed stop or restart: starts once more each listed service that is not running; returns '' or, per service that did not start, '; starting <name> again failed too: <error>' (or '; <name> is still StopPending').
function Restore-RdsServiceRunning {
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Name)
    $notes = ''
    foreach ($service in $Name) {
        try {
            # One that hangs in StopPending cannot start now: no second wait for it.
            $status = [string](Get-RdsRequiredService -Name $service).Status
            if ($status -eq 'StopPending') { $notes += '; ' + $service + ' is still StopPending' } else { Invoke-RdsServiceStart -Name $service }
        } catch { $notes += '; starting ' + $service + ' again failed too: ' + (Get-RdsExceptionMessage -ErrorRecord $_) }
    }
    return $notes
}

# The Test result of service.start, .stop or .restart: in desired state when the service is in -Status already (never with -NeverDesired); throws when it does not exist.
function Get-RdsServiceControlTest {
    param([hashtable] $Parameters, [string] $Operation, [ValidateSet('Running', 'Stopped')] [string] $Status, [switch] $NeverDesired)
    $name = [string]$Parameters.Name
    $service = Get-RdsRequiredService -Name $name
    return @{
        InDesiredState = (-not $NeverDesired -and [string]$service.Status -eq $Status); Target = 'service ' + $name; Operation = $Operation
        Before = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }
        After = @{ StartMode = [string]$service.StartMode; Status = $Status }
    }
}

# The Set result of service.start, .stop or .restart: the service as it is now, no backup, the journal entry given.
function Get-RdsServiceControlResult {
    param([string] $Name, [System.Collections.IDictionary] $Undo)
    $service = Get-RdsService -Name $Name
    return @{ After = @{ StartMode = [string]$service.StartMode; Status = [string]$service.Status }; Backup = $null; Undo = $Undo; Message = '' }
}
