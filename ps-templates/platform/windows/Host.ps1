# rdsplan platform (Windows): host identity, host lock, reboot, platform lifecycle.
#
# platform/windows/ is the ONLY code in a generated script that touches Windows, and it makes
# no decisions: the runtime does, and the tests run it against platform/sim/ and run this layer
# under Pester mocks of the cmdlets it calls. Keep every function small and obviously right;
# each throws a terminating error naming the key/service on failure and swallows nothing.

# Prepares the Windows platform. -Option must be empty (it is the simulated platform's state file).
function Initialize-RdsPlatform {
    [CmdletBinding()] param([AllowEmptyString()] [AllowNull()] [string] $Option = '')
    if (-not [string]::IsNullOrEmpty($Option)) {
        throw [System.ArgumentException]::new('this script was rendered for Windows; -SimulationState needs a script rendered with --simulate')
    }
    $script:RdsHostMutex = $null
}

# Ends the use of the Windows platform (nothing to save).
function Complete-RdsPlatform {
    [CmdletBinding()] param()
}

# Returns a time Windows hands over (a CIM DATETIME, an event's TimeCreated) as UTC text yyyy-MM-ddTHH:mm:ssZ, whatever the host's zone and culture; '' for none.
function ConvertTo-RdsUtcText {
    param([AllowNull()] [object] $Time)
    if ($null -eq $Time) { return '' }
    return ([datetime]$Time).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

# Returns @{ ComputerName; UserName; IsDomainJoined } of this host and account.
function Get-RdsHostIdentity {
    [CmdletBinding()] param()
    return @{
        ComputerName = [System.Environment]::MachineName; UserName = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
        IsDomainJoined = [bool](Get-CimInstance -ClassName 'Win32_ComputerSystem').PartOfDomain
    }
}

# Returns $true when this process runs with an elevated token (Administrators, S-1-5-32-544, is an enabled group of it).
function Test-RdsElevation {
    [CmdletBinding()] param()
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    try {
        $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
        return [bool]$principal.IsInRole([System.Security.Principal.SecurityIdentifier]::new('S-1-5-32-544'))
    } finally { $identity.Dispose() }
}

# Creates (or opens) the named mutex Global\rdsplan-<Name>, not owned yet.
function New-RdsHostMutex {
    param([Parameter(Mandatory)] [string] $Name)
    return [System.Threading.Mutex]::new($false, 'Global\rdsplan-' + $Name)
}

# Returns $true when an error's exception, or one it wraps, is of a .NET type (PowerShell wraps what a .NET method throws in MethodInvocationException).
function Test-RdsWrappedException {
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord, [Parameter(Mandatory)] [type] $Type)
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($Type.IsInstanceOfType($exception)) { return $true }
        $exception = $exception.InnerException
    }
    return $false
}

# Takes the machine-wide lock Global\rdsplan-<Name> (a named mutex) without waiting; returns @{ Status; Lock }.
function Lock-RdsHost {
    param([Parameter(Mandatory)] [string] $Name)
    $mutex = New-RdsHostMutex -Name $Name
    $status = 'Held'
    try { if ($mutex.WaitOne(0)) { $status = 'Acquired' } } catch {
        if (-not (Test-RdsWrappedException -ErrorRecord $_ -Type ([System.Threading.AbandonedMutexException]))) {
            $mutex.Dispose()
            throw
        }
        $status = 'Abandoned'
    }
    if ($status -eq 'Held') { $mutex.Dispose() } else { $script:RdsHostMutex = $mutex }
    return @{ Status = $status; Lock = 'Global\rdsplan-' + $Name }
}

# Releases the lock taken by Lock-RdsHost.
function Unlock-RdsHost {
    param([Parameter(Mandatory)] [string] $Name)
    $mutex = $script:RdsHostMutex
    $script:RdsHostMutex = $null
    if ($null -ne $mutex) { try { $mutex.ReleaseMutex() } finally { $mutex.Dispose() } }
}

# Schedules a restart of this host with shutdown.exe.
function Restart-RdsHost {
    param([Parameter(Mandatory)] [int] $DelaySeconds)
    $arguments = @('/r', '/t', [string]$DelaySeconds, '/d', 'p:4:1', '/c', 'rdsplan: planned restart after RDS licensing maintenance')
    $output = Invoke-RdsNativeCommand -FilePath 'shutdown.exe' -ArgumentList $arguments
    if ($output.ExitCode -ne 0) { throw ('shutdown.exe failed with exit code ' + $output.ExitCode + ': ' + $output.Output) }
}

# Runs a native program with each argument as its own element; returns @{ ExitCode; Output }.
function Invoke-RdsNativeCommand {
    param([Parameter(Mandatory)] [string] $FilePath, [Parameter(Mandatory)] [AllowEmptyString()] [AllowEmptyCollection()] [string[]] $ArgumentList)
    $ErrorActionPreference = 'Continue'
    $lines = & $FilePath @ArgumentList 2>&1
    $exitCode = $LASTEXITCODE
    $text = (@($lines) | ForEach-Object { [string]$_ }) -join ' '
    return @{ ExitCode = [int]$exitCode; Output = $text.Trim() }
}
