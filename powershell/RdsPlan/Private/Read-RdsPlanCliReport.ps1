function Read-RdsPlanCliReport {
    # The JSON report of a check or diagnose run and the error to write after its rows: exit 0 and 3 are reports, anything else an error (with the hosts it did report).
    param([object]$Result, [string]$Command, [string]$PlanPath)
    $report = $null
    $errorRecord = $null
    if ($Result.ExitCode -eq 0 -or $Result.ExitCode -eq 3) {
        try {
            $report = ConvertFrom-RdsPlanCliJson -Result $Result -Command $Command -TargetObject $PlanPath
        }
        catch {
            $errorRecord = $_
        }
    }
    else {
        if (-not [string]::IsNullOrWhiteSpace($Result.StdOut)) {
            try {
                $report = ConvertFrom-Json -InputObject $Result.StdOut
            }
            catch {
                $report = $null
            }
        }
        $errorRecord = New-RdsPlanCliErrorRecord -Result $Result -Command $Command -TargetObject $PlanPath -Fallback (Get-RdsPlanHostError -Report $report -Command $Command)
    }
    [pscustomobject]@{
        Report = $report
        Error  = $errorRecord
    }
}
