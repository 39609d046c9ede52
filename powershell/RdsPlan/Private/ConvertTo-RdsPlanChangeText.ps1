function ConvertTo-RdsPlanChangeText {
    # What a step changes: "Name: before -> after" per property that differs, "Name: after" for one only the after side has; unchanged ones left out; else the step's message.
    param([AllowNull()][object]$Before, [AllowNull()][object]$After, [AllowNull()][object]$Message)
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($side in @($Before, $After)) {
        if ($null -eq $side -or $side -is [string] -or $side -is [System.ValueType] -or $side -is [System.Collections.IEnumerable]) {
            continue
        }
        foreach ($property in $side.PSObject.Properties) {
            if ($property.MemberType -eq 'NoteProperty' -and -not $names.Contains($property.Name)) {
                $names.Add($property.Name)
            }
        }
    }
    $parts = [System.Collections.Generic.List[string]]::new()
    foreach ($name in $names) {
        $afterProperty = $null
        if ($null -ne $After) {
            $afterProperty = $After.PSObject.Properties[$name]
        }
        # Only what the step will leave: a property the after side does not report is not a change.
        if ($null -eq $afterProperty) {
            continue
        }
        $new = ConvertTo-RdsPlanValueText -Value (Get-RdsPlanProperty $After $name -NoEnumerate)
        $beforeProperty = $null
        if ($null -ne $Before -and $Before -isnot [string] -and $Before -isnot [System.ValueType]) {
            $beforeProperty = $Before.PSObject.Properties[$name]
        }
        if ($null -eq $beforeProperty) {
            $parts.Add(('{0}: {1}' -f $name, $new))
            continue
        }
        $old = ConvertTo-RdsPlanValueText -Value (Get-RdsPlanProperty $Before $name -NoEnumerate)
        if ($old -cne $new) {
            $parts.Add(('{0}: {1} -> {2}' -f $name, $old, $new))
        }
    }
    if ($parts.Count -gt 0) {
        return ($parts.ToArray() -join '; ')
    }
    if ($null -ne $Message) {
        return [string]$Message
    }
    return ''
}
