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
    $read = Read-RdsPlanCliReport -Result $result -Command 'check' -PlanPath $PlanPath
    $report = $read.Report
    $rows = @()
    if ($null -ne $report) {
        $rows = @(ConvertTo-RdsPlanCheckResult -Report $report -PlanPath $PlanPath)
    }
    [pscustomobject]@{
        Rows  = $rows
        Error = $read.Error
    }
}
