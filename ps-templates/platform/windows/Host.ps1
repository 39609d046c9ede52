# rdsplan platform (Windows): host identity, host lock, reboot, platform lifecycle.
#
# platform/windows/ is the ONLY code in a generated script that touches Windows, and it makes
# no decisions: the runtime does, and the tests run it against platform/sim/ and run this layer
# under Pester mocks of the cmdlets it calls. Keep every function small and obviously right;
# each throws a terminating error naming the key/service on failure and swallows nothing.

function Initialize-RdsPlatform {
    <#
    .SYNOPSIS
    Prepares the Windows platform. -Option must be empty (it is the simulated platform's state file).
    .PARAMETER Option
    Must be empty for the Windows platform.
    #>
    [CmdletBinding()]
    param(
        [AllowEmptyString()] [AllowNull()] [string] $Option = ''
    )
    if (-not [string]::IsNullOrEmpty($Option)) {
        throw 'this script was rendered for Windows; -SimulationState needs a script rendered with --simulate'
    }
    $script:RdsHostMutex = $null
}

function Complete-RdsPlatform {
    <#
    .SYNOPSIS
    Ends the use of the Windows platform (nothing to save).
    #>
    [CmdletBinding()]
    param()
}

function Get-RdsHostIdentity {
    <#
    .SYNOPSIS
    Returns @{ ComputerName; UserName; IsDomainJoined } of this host and account.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $system = Get-CimInstance -ClassName 'Win32_ComputerSystem'
    return @{
        ComputerName   = [System.Environment]::MachineName
        UserName       = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
        IsDomainJoined = [bool]$system.PartOfDomain
    }
}

function Test-RdsElevation {
    <#
    .SYNOPSIS
    Returns $true when this process runs with an elevated token (Administrators, S-1-5-32-544, is an enabled group of it).
    .DESCRIPTION
    WindowsPrincipal.IsInRole looks at the token's enabled groups: in the filtered token UAC
    gives an administrator who did not "Run as administrator", Administrators is deny-only, so
    the answer is $false there, as for a standard user.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    try {
        $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
        return [bool]$principal.IsInRole([System.Security.Principal.SecurityIdentifier]::new('S-1-5-32-544'))
    }
    finally {
        $identity.Dispose()
    }
}

function New-RdsHostMutex {
    <#
    .SYNOPSIS
    Creates (or opens) the named mutex Global\rdsplan-<Name>, not owned yet.
    .DESCRIPTION
    Creating a Global\ object needs SeCreateGlobalPrivilege (an elevated token): without it .NET
    throws UnauthorizedAccessException, which goes to the caller as it is.
    .PARAMETER Name
    The lock name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    return [System.Threading.Mutex]::new($false, 'Global\rdsplan-' + $Name)
}

function Test-RdsWrappedException {
    <#
    .SYNOPSIS
    Returns $true when an error's exception, or one it wraps, is of a .NET type (PowerShell wraps what a .NET method throws in MethodInvocationException).
    .PARAMETER ErrorRecord
    The error.
    .PARAMETER Type
    The exception type.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord,
        [Parameter(Mandatory = $true)] [type] $Type
    )
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($Type.IsInstanceOfType($exception)) { return $true }
        $exception = $exception.InnerException
    }
    return $false
}

function Lock-RdsHost {
    <#
    .SYNOPSIS
    Takes the machine-wide lock Global\rdsplan-<Name> (a named mutex) without waiting; returns @{ Status; Lock }.
    .DESCRIPTION
    Status 'Acquired'; 'Abandoned' when an earlier run died holding it (WaitOne throws
    AbandonedMutexException and the mutex is ours now); 'Held' when another run holds it
    (nothing taken). Lock is the mutex name. Any other failure throws, e.g. the
    UnauthorizedAccessException of a token without SeCreateGlobalPrivilege.
    .PARAMETER Name
    The lock name.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $mutex = New-RdsHostMutex -Name $Name
    $status = 'Held'
    try {
        if ($mutex.WaitOne(0)) { $status = 'Acquired' }
    }
    catch {
        if (-not (Test-RdsWrappedException -ErrorRecord $_ -Type ([System.Threading.AbandonedMutexException]))) {
            $mutex.Dispose()
            throw
        }
        $status = 'Abandoned'
    }
    if ($status -eq 'Held') {
        $mutex.Dispose()
    }
    else {
        $script:RdsHostMutex = $mutex
    }
    return @{ Status = $status; Lock = 'Global\rdsplan-' + $Name }
}

function Unlock-RdsHost {
    <#
    .SYNOPSIS
    Releases the lock taken by Lock-RdsHost.
    .PARAMETER Name
    The lock name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $mutex = $script:RdsHostMutex
    $script:RdsHostMutex = $null
    if ($null -ne $mutex) {
        try {
            $mutex.ReleaseMutex()
        }
        finally {
            $mutex.Dispose()
        }
    }
}

function Restart-RdsHost {
    <#
    .SYNOPSIS
    Schedules a restart of this host with shutdown.exe.
    .PARAMETER DelaySeconds
    Seconds before the restart (0..315360000).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [int] $DelaySeconds
    )
    $arguments = @('/r', '/t', [string]$DelaySeconds, '/d', 'p:4:1', '/c', 'rdsplan: planned restart after RDS licensing maintenance')
    $output = Invoke-RdsNativeCommand -FilePath 'shutdown.exe' -ArgumentList $arguments
    if ($output.ExitCode -ne 0) {
        throw ('shutdown.exe failed with exit code ' + $output.ExitCode + ': ' + $output.Output)
    }
}

function Invoke-RdsNativeCommand {
    <#
    .SYNOPSIS
    Runs a native program with each argument as its own element; returns @{ ExitCode; Output }.
    .DESCRIPTION
    Standard error is merged into the output text. $ErrorActionPreference is 'Continue' for the
    call only, because Windows PowerShell 5.1 turns redirected native stderr into error records
    that 'Stop' would make terminating.
    .PARAMETER FilePath
    The program (e.g. 'reg.exe', 'sc.exe'; always with .exe: 'sc' is Set-Content).
    .PARAMETER ArgumentList
    The arguments, one element each; never a composed command line.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string] $FilePath,
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [AllowEmptyCollection()] [string[]] $ArgumentList
    )
    $ErrorActionPreference = 'Continue'
    $lines = & $FilePath @ArgumentList 2>&1
    $exitCode = $LASTEXITCODE
    $text = (@($lines) | ForEach-Object { [string]$_ }) -join ' '
    return @{ ExitCode = [int]$exitCode; Output = $text.Trim() }
}
