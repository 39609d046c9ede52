function Write-RdsPlanValidateResult {
    # Validates a batch for a cmdlet: results to its pipeline, a failed call as its error, an unexpected failure as its terminating error.
    param(
        [System.Management.Automation.PSCmdlet]$Cmdlet,
        [string[]]$Batch
    )
    $results = $null
    try {
        $results = @(Invoke-RdsPlanValidateBatch -Batch $Batch)
    }
    catch {
        $Cmdlet.ThrowTerminatingError($_)
    }
    foreach ($one in $results) {
        if ($one -is [System.Management.Automation.ErrorRecord]) {
            $Cmdlet.WriteError($one)
        }
        else {
            $one
        }
    }
}
