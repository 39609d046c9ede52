function Invoke-RdsPlanCheckCore {
    # `rdsplan check` for one plan: Rows, and an Error the caller writes after them outside its try/catch (a downstream error is never ours).
    param(
        [string]$PlanPath,
        [string[]]$Target,
        [string]$Simulate,
        [string]$Records,
        [int]$TimeoutSeconds,
        [int]$ThrottleLimit
    )
    $cliArguments = [System.Collections.Generic.List[string]]::new()
    $cliArguments.Add('check')
    $cliArguments.Add('--format')
    $cliArguments.Add('json')
    Add-RdsPlanRunArgument -List $cliArguments -Target $Target -Simulate $Simulate -Records $Records -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
    $cliArguments.Add('--')
    $cliArguments.Add($PlanPath)
    $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
    $report = $null
    $errorRecord = $null
    if ($result.ExitCode -eq 0 -or $result.ExitCode -eq 3) {
        try {
            $report = ConvertFrom-RdsPlanCliJson -Result $result -Command 'check' -TargetObject $PlanPath
        }
        catch {
            $errorRecord = $_
        }
    }
    else {
        if (-not [string]::IsNullOrWhiteSpace($result.StdOut)) {
            try {
                $report = ConvertFrom-Json -InputObject $result.StdOut
            }
            catch {
                $report = $null
            }
        }
        $errorRecord = New-RdsPlanCliErrorRecord -Result $result -Command 'check' -TargetObject $PlanPath -Fallback (Get-RdsPlanHostError -Report $report -Command 'check')
    }
    $rows = @()
    if ($null -ne $report) {
        $rows = @(ConvertTo-RdsPlanCheckResult -Report $report -PlanPath $PlanPath)
    }
    [pscustomobject]@{
        Rows  = $rows
        Error = $errorRecord
    }
}
