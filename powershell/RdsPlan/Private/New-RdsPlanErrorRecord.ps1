function New-RdsPlanErrorRecord {
    # The module's ErrorRecords: a CLI exit code travels in Exception.Data['ExitCode'].
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string]$Message,
        [Parameter(Mandatory = $true)][string]$ErrorId,
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorCategory]$Category,
        [AllowNull()][object]$TargetObject,
        [int]$ExitCode = -1,
        [switch]$NotFound
    )
    if ($NotFound) {
        # Not a RuntimeException: PowerShell 7 would show that as a bare `throw` ("Exception:")
        # instead of naming the public function.
        $exception = [System.IO.FileNotFoundException]::new($Message)
    }
    else {
        $exception = [System.InvalidOperationException]::new($Message)
    }
    if ($ExitCode -ge 0) {
        $exception.Data['ExitCode'] = $ExitCode
    }
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
}
