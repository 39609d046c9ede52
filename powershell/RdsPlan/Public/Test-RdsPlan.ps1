function Test-RdsPlan {
    <#
    .SYNOPSIS
        Validates rdsplan plans (schema and policy rules) and returns one result per plan.
    .DESCRIPTION
        Runs `rdsplan validate --format json` and returns one object per plan file with
        Path, Valid, Steps (steps after preset expansion) and Diagnostics (Line, Column,
        Pointer, Severity, Code, Message). An invalid plan is a result with Valid = $false,
        not an error. Paths are literal (no wildcards) and relative to the current location.
        Plans are validated in batches, so a long pipeline starts node only a few times.
    .PARAMETER Path
        One or more plan files. Accepts strings from the pipeline, and objects with a Path
        or FullName property (for example the output of Get-ChildItem).
    .EXAMPLE
        Get-ChildItem .\plans\*.json | Test-RdsPlan | Where-Object { -not $_.Valid }

        Lists the plans that do not validate.
    .EXAMPLE
        (Test-RdsPlan -Path .\plans\reset-rdsh01.json).Diagnostics |
            ForEach-Object { '{0}:{1} {2} {3}' -f $_.Line, $_.Column, $_.Pointer, $_.Message }

        Prints every diagnostic of one plan with its position and JSON pointer.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        RdsPlan.ValidationResult
    .NOTES
        Needs Node.js (RDSPLAN_NODE or node on PATH) and rdsplan.mjs (RDSPLAN_CLI or the
        package's dist/rdsplan.mjs).
    #>
    [CmdletBinding()]
    [OutputType('RdsPlan.ValidationResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path
    )
    begin {
        # Plan files per `rdsplan validate`: Windows command lines are limited to 32767 characters.
        $batchSize = 25
        $pending = [System.Collections.Generic.List[string]]::new()
    }
    process {
        foreach ($item in $Path) {
            try {
                $pending.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'))
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            if ($pending.Count -ge $batchSize) {
                Write-RdsPlanValidateResult -Cmdlet $PSCmdlet -Batch $pending.ToArray()
                $pending.Clear()
            }
        }
    }
    end {
        if ($pending.Count -gt 0) {
            Write-RdsPlanValidateResult -Cmdlet $PSCmdlet -Batch $pending.ToArray()
        }
    }
}
