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

function Lock-RdsHost {
    <#
    .SYNOPSIS
    Takes the machine-wide lock Global\rdsplan-<Name> (a named mutex) without waiting.
    .PARAMETER Name
    The lock name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $Name
    )
    $mutex = [System.Threading.Mutex]::new($false, 'Global\rdsplan-' + $Name)
    $acquired = $false
    try {
        $acquired = $mutex.WaitOne(0)
    }
    catch {
        $inner = $_.Exception
        while ($null -ne $inner -and -not ($inner -is [System.Threading.AbandonedMutexException])) {
            $inner = $inner.InnerException
        }
        if ($null -eq $inner) {
            $mutex.Dispose()
            throw
        }
        # The previous owner died holding the lock: it is ours now.
        $acquired = $true
    }
    if (-not $acquired) {
        $mutex.Dispose()
        throw 'Another rdsplan run holds the host lock'
    }
    $script:RdsHostMutex = $mutex
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
