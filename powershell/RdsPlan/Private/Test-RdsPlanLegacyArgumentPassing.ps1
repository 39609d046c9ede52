function Test-RdsPlanLegacyArgumentPassing {
    # True where native arguments are joined without escaping quotes: Windows PowerShell 5.1, 7.0-7.2, and 7.3+ set to 'Legacy'.
    $variable = $ExecutionContext.SessionState.PSVariable.Get('PSNativeCommandArgumentPassing')
    if ($null -eq $variable) {
        return $true
    }
    return ([string]$variable.Value) -eq 'Legacy'
}
