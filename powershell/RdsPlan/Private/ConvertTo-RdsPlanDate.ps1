function ConvertTo-RdsPlanDate {
    # PowerShell 7's ConvertFrom-Json turns ISO 8601 strings into DateTime, 5.1's does not.
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [datetime]) {
        return $Value
    }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind, [ref]$parsed)) {
        return $parsed
    }
    return $Value
}
