function New-RdsPlanCliErrorRecord {
    # The ErrorRecord for a CLI exit code: the CLI's stderr text is the message.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][object]$Result,
        [Parameter(Mandatory = $true)][string]$Command,
        [AllowNull()][object]$TargetObject,
        [string]$Fallback
    )
    $message = $Result.StdErr
    if ([string]::IsNullOrEmpty($message)) {
        $message = $Fallback
    }
    if ([string]::IsNullOrEmpty($message)) {
        $message = 'rdsplan {0} exited with code {1}' -f $Command, $Result.ExitCode
    }
    switch ($Result.ExitCode) {
        1 {
            $errorId = 'RdsPlan.Failed'
            $category = [System.Management.Automation.ErrorCategory]::OperationStopped
        }
        2 {
            if ($message -match '(?m)^usage: ') {
                $errorId = 'RdsPlan.Usage'
                $category = [System.Management.Automation.ErrorCategory]::InvalidArgument
            }
            else {
                $errorId = 'RdsPlan.InvalidPlan'
                $category = [System.Management.Automation.ErrorCategory]::InvalidData
            }
        }
        4 {
            $errorId = 'RdsPlan.Refused'
            $category = [System.Management.Automation.ErrorCategory]::PermissionDenied
        }
        default {
            $errorId = 'RdsPlan.UnexpectedExit'
            $category = [System.Management.Automation.ErrorCategory]::NotSpecified
        }
    }
    New-RdsPlanErrorRecord -Message $message -ErrorId $errorId -Category $category -TargetObject $TargetObject -ExitCode $Result.ExitCode
}
