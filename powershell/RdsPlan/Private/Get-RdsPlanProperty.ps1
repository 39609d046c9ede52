function Get-RdsPlanProperty {
    # A property of a ConvertFrom-Json object, or $null when it is missing (StrictMode-safe).
    param([AllowNull()][object]$InputObject, [string]$Name, [switch]$NoEnumerate)
    if ($null -eq $InputObject) {
        return $null
    }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) {
        return $null
    }
    # An array value is enumerated (for foreach) unless the caller keeps it one value.
    if ($NoEnumerate -and $property.Value -is [array]) {
        return , $property.Value
    }
    return $property.Value
}
