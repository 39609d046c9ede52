# rdsplan action: rds.getGracePeriodDays (internal, read-only verification)
# Reads Win32_TerminalServiceSetting.GetGracePeriodDays. Always 'unchanged' with
# After = @{ DaysLeft = n } ($null with a message where WMI throws 0x80070002). The value
# is stale until TermService restarts: the renderer places this step after the restart.
# Parameters: none.

Register-RdsAction -Name 'rds.getGracePeriodDays' -Test 'Test-RdsGracePeriodDaysStep' -Set 'Set-RdsGracePeriodDaysStep' -Undo 'Undo-RdsGracePeriodDaysStep' -NoHostChange

function Test-RdsGracePeriodDaysStep {
    <#
    .SYNOPSIS
    Test of rds.getGracePeriodDays: reports the days left; always in desired state.
    .PARAMETER Parameters
    None used.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
    $days = Get-RdsGracePeriodDays
    $message = ''
    if ($null -eq $days) {
        $message = 'GetGracePeriodDays is unavailable (0x80070002: the grace period has expired or does not apply)'
    }
    else {
        $message = 'grace period days left: ' + $days
    }
    return @{
        InDesiredState = $true
        Target         = 'Win32_TerminalServiceSetting'
        Operation      = 'Read GetGracePeriodDays'
        Before         = $null
        After          = @{ DaysLeft = $days }
        Message        = $message
    }
}

function Set-RdsGracePeriodDaysStep {
    <#
    .SYNOPSIS
    Set of rds.getGracePeriodDays: never called (the step is always in desired state).
    .PARAMETER Parameters
    None used.
    .PARAMETER Context
    The plan context.
    .PARAMETER Test
    The Test result.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Parameters,
        [Parameter(Mandatory = $true)] [hashtable] $Context,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Test
    )
    return @{ After = $Test.After; Backup = $null; Undo = $null; Message = '' }
}

function Undo-RdsGracePeriodDaysStep {
    <#
    .SYNOPSIS
    Undo of rds.getGracePeriodDays: nothing to undo.
    .PARAMETER Entry
    The journal entry.
    .PARAMETER Context
    The plan context.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [AllowNull()] [object] $Entry,
        [Parameter(Mandatory = $true)] [hashtable] $Context
    )
}
