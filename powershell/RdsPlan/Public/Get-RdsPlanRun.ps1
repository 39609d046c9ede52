function Get-RdsPlanRun {
    <#
    .SYNOPSIS
        Lists the recorded runs, oldest first.
    .DESCRIPTION
        Runs `rdsplan runs --format json` and returns one object per run record with Path
        (the record folder), RunId, StartedAt, Plan, Host, Mode, Status and ExitCode. Pipe
        them to Undo-RdsPlanRun.
    .PARAMETER Records
        The folder that holds runs/ (default: .rdsplan in the current location).
    .EXAMPLE
        Get-RdsPlanRun | Where-Object Status -ne 'succeeded'

        Lists the runs that did not succeed.
    .EXAMPLE
        Get-RdsPlanRun -Records 'D:\change\rdsplan-records' | Where-Object Host -eq 'rdsh01'

        Lists the runs on rdsh01 recorded in a records folder other than the default .\.rdsplan.
    .OUTPUTS
        RdsPlan.RunRecord
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.RunRecord')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Records
    )
    try {
        if ([string]::IsNullOrEmpty($Records)) {
            $recordsPath = Resolve-RdsPlanFileSystemPath -LiteralPath '.rdsplan' -What 'Records'
        }
        else {
            $recordsPath = Resolve-RdsPlanFileSystemPath -LiteralPath $Records -What 'Records'
        }
        $result = Invoke-RdsPlanCli -ArgumentList @('runs', '--format', 'json', '--records', $recordsPath)
        if ($result.ExitCode -ne 0) {
            throw (New-RdsPlanCliErrorRecord -Result $result -Command 'runs' -TargetObject $recordsPath)
        }
        $rows = ConvertFrom-RdsPlanCliJson -Result $result -Command 'runs' -TargetObject $recordsPath
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    foreach ($row in @($rows)) {
        if ($null -eq $row) {
            continue
        }
        [pscustomobject]@{
            PSTypeName = 'RdsPlan.RunRecord'
            Path       = Get-RdsPlanProperty $row 'dir'
            RunId      = Get-RdsPlanProperty $row 'runId'
            StartedAt  = ConvertTo-RdsPlanDate (Get-RdsPlanProperty $row 'startedAt')
            Plan       = Get-RdsPlanProperty $row 'plan'
            Host       = Get-RdsPlanProperty $row 'host'
            Mode       = Get-RdsPlanProperty $row 'mode'
            Status     = Get-RdsPlanProperty $row 'status'
            ExitCode   = Get-RdsPlanProperty $row 'exitCode'
        }
    }
}
