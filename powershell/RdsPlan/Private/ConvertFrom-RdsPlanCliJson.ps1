function ConvertFrom-RdsPlanCliJson {
    # Parses the CLI's stdout; throws an ErrorRecord (with stderr) when it is not JSON.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Result,
        [Parameter(Mandatory = $true)][string]$Command,
        [AllowNull()][object]$TargetObject
    )
    if ([string]::IsNullOrWhiteSpace($Result.StdOut)) {
        throw (New-RdsPlanCliErrorRecord -Result $Result -Command $Command -TargetObject $TargetObject -Fallback ('rdsplan {0} printed nothing (exit code {1})' -f $Command, $Result.ExitCode))
    }
    try {
        return (ConvertFrom-Json -InputObject $Result.StdOut)
    }
    catch {
        $detail = $Result.StdErr
        if ([string]::IsNullOrEmpty($detail)) {
            $detail = $_.Exception.Message
        }
        throw (New-RdsPlanErrorRecord -Message ('rdsplan {0} did not print JSON (exit code {1}): {2}' -f $Command, $Result.ExitCode, $detail) -ErrorId 'RdsPlan.BadOutput' -Category InvalidResult -TargetObject $TargetObject -ExitCode $Result.ExitCode)
    }
}
