function Get-RdsPlanRunRecord {
    # A run record as `rdsplan show-run --format json` reads it, or $null when it cannot be read (the caller has the run's own result).
    param([AllowNull()][string]$Record)
    if ([string]::IsNullOrEmpty($Record)) {
        return $null
    }
    $result = Invoke-RdsPlanCli -ArgumentList @('show-run', '--format', 'json', '--', $Record)
    if ($result.ExitCode -ne 0) {
        Write-Verbose ('rdsplan show-run {0} failed (exit {1}): {2}' -f $Record, $result.ExitCode, $result.StdErr)
        return $null
    }
    try {
        return (ConvertFrom-Json -InputObject $result.StdOut)
    }
    catch {
        Write-Verbose ('rdsplan show-run {0} did not print JSON' -f $Record)
        return $null
    }
}
