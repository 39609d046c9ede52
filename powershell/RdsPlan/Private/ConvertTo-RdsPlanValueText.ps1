function ConvertTo-RdsPlanValueText {
    # One before/after value as a short line for a table cell: a list by its items' names, an object by its properties, never JSON braces.
    param([AllowNull()][object]$Value, [int]$Depth = 0)
    if ($null -eq $Value) {
        return '(none)'
    }
    if ($Value -is [string] -or $Value -is [System.ValueType]) {
        return [string]$Value
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @($Value | ForEach-Object { ConvertTo-RdsPlanValueText -Value $_ -Depth ($Depth + 1) })
        if ($items.Count -eq 0) {
            return '(none)'
        }
        return ($items -join ', ')
    }
    $properties = @($Value.PSObject.Properties | Where-Object { $_.MemberType -eq 'NoteProperty' })
    foreach ($key in @('Name', 'Identity')) {
        $named = @($properties | Where-Object { $_.Name -eq $key })
        if ($named.Count -eq 1 -and $null -ne $named[0].Value) {
            $rest = @($properties | Where-Object { $_.Name -ne $key -and $_.Name -ne 'Data' -and $_.Name -ne 'Type' } | ForEach-Object { ConvertTo-RdsPlanValueText -Value $_.Value -Depth ($Depth + 1) })
            if ($rest.Count -eq 0 -or $Depth -gt 1) {
                return [string]$named[0].Value
            }
            return ('{0} ({1})' -f $named[0].Value, ($rest -join ' '))
        }
    }
    if ($Depth -gt 1) {
        return ('{0} properties' -f $properties.Count)
    }
    return (@($properties | ForEach-Object { '{0}={1}' -f $_.Name, (ConvertTo-RdsPlanValueText -Value $_.Value -Depth ($Depth + 1)) }) -join ' ')
}
