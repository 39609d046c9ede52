function Invoke-RdsPlanDiagnoseCore {
    # `rdsplan diagnose` for one plan: Rows (one per host), and an Error the caller writes after them.
    param(
        [string]$PlanPath,
        [string[]]$Target,
        [string]$Simulate,
        [int]$TimeoutSeconds,
        [int]$ThrottleLimit
    )
    $cliArguments = [System.Collections.Generic.List[string]]::new()
    $cliArguments.Add('diagnose')
    $cliArguments.Add('--format')
    $cliArguments.Add('json')
    Add-RdsPlanRunArgument -List $cliArguments -Target $Target -Simulate $Simulate -Records '' -TimeoutSeconds $TimeoutSeconds -ThrottleLimit $ThrottleLimit
    $cliArguments.Add('--')
    $cliArguments.Add($PlanPath)
    $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
    $read = Read-RdsPlanCliReport -Result $result -Command 'diagnose' -PlanPath $PlanPath
    $report = $read.Report
    $rows = @()
    if ($null -ne $report) {
        $rows = @(foreach ($hostReport in @(Get-RdsPlanProperty -InputObject $report -Name 'hosts')) {
                $findings = @(foreach ($finding in @(Get-RdsPlanProperty -InputObject $hostReport -Name 'findings')) {
                        [pscustomobject]@{ PSTypeName = 'RdsPlan.LicensingFinding'; Severity = $finding.severity; Code = $finding.code; Text = $finding.text; Fix = $finding.fix }
                    })
                [pscustomobject]@{
                    PSTypeName = 'RdsPlan.LicensingDiagnosis'
                    Host       = $hostReport.host
                    Healthy    = ($hostReport.exitCode -eq 0)
                    ExitCode   = [int]$hostReport.exitCode
                    Findings   = $findings
                    Facts      = $hostReport.facts
                    Error      = $hostReport.error
                    PlanPath   = $PlanPath
                }
            })
    }
    [pscustomobject]@{
        Rows  = $rows
        Error = $read.Error
    }
}
