function Invoke-RdsPlanValidateBatch {
    # `rdsplan validate` for a batch of plan files: one result per file, or one ErrorRecord when the whole call failed.
    param(
        [string[]]$Batch
    )
    $cliArguments = [System.Collections.Generic.List[string]]::new()
    $cliArguments.Add('validate')
    $cliArguments.Add('--format')
    $cliArguments.Add('json')
    $cliArguments.Add('--')
    $cliArguments.AddRange($Batch)
    $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
    $reports = $null
    if ($result.ExitCode -eq 0 -or $result.ExitCode -eq 2) {
        try {
            $reports = @(ConvertFrom-RdsPlanCliJson -Result $result -Command 'validate' -TargetObject $Batch[0] | ForEach-Object { $_ })
        }
        catch {
            $reports = $null
        }
    }
    if ($null -eq $reports -or $reports.Count -eq 0) {
        return (New-RdsPlanCliErrorRecord -Result $result -Command 'validate' -TargetObject $Batch[0])
    }
    foreach ($report in @(Select-RdsPlanValidateReport -Batch $Batch -Report $reports)) {
        $diagnostics = [System.Collections.Generic.List[object]]::new()
        foreach ($d in @(Get-RdsPlanProperty $report 'diagnostics')) {
            if ($null -eq $d) {
                continue
            }
            $diagnostics.Add([pscustomobject]@{
                    PSTypeName = 'RdsPlan.Diagnostic'
                    Line       = Get-RdsPlanProperty $d 'line'
                    Column     = Get-RdsPlanProperty $d 'column'
                    Pointer    = Get-RdsPlanProperty $d 'pointer'
                    Severity   = Get-RdsPlanProperty $d 'severity'
                    Code       = Get-RdsPlanProperty $d 'code'
                    Message    = Get-RdsPlanProperty $d 'message'
                })
        }
        [pscustomobject]@{
            PSTypeName  = 'RdsPlan.ValidationResult'
            Path        = Get-RdsPlanProperty $report 'file'
            Valid       = [bool](Get-RdsPlanProperty $report 'valid')
            Steps       = Get-RdsPlanProperty $report 'steps'
            Diagnostics = $diagnostics.ToArray()
        }
    }
}
