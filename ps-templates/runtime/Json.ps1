# rdsplan runtime: JSON writer.
#
# ConvertTo-Json differs between Windows PowerShell 5.1 and PowerShell 7 (depth limits,
# enum and date handling, escaping), so the results protocol, the journal and the simulated
# platform's state file all go through this one deterministic writer:
#   - compact, ASCII only: '"', '\', control characters and every character above 0x7E are
#     escaped ('\"', '\\', '\u00e9');
#   - Hashtable / Dictionary keys sorted ordinally; [ordered] (OrderedDictionary) keeps the
#     insertion order; PSCustomObject keeps its property order;
#   - arrays and lists stay arrays (also with one element); $null -> null;
#   - bool -> true/false; integers as digits; double/single/decimal in the invariant culture
#     ('R' round-trip form; NaN and infinities -> null); DateTime -> UTC ISO 8601 ('o');
#   - enums -> their name; anything else -> its ToString() as a string.

# Appends a string as a quoted, ASCII-only JSON string literal to a StringBuilder.
function Add-RdsJsonString {
    param([Parameter(Mandatory)] [System.Text.StringBuilder] $Builder, [Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    [void]$Builder.Append('"')
    if ($Text -cmatch '\A[\x20\x21\x23-\x5B\x5D-\x7E]*\z') {
        # Nothing to escape: the common case, appended in one go.
        [void]$Builder.Append($Text)
    } else {
        foreach ($ch in $Text.ToCharArray()) {
            $code = [int]$ch
            if ($code -eq 0x22) { [void]$Builder.Append('\"') }
            elseif ($code -eq 0x5C) { [void]$Builder.Append('\\') }
            elseif ($code -lt 0x20 -or $code -gt 0x7E) {
                [void]$Builder.Append('\u')
                [void]$Builder.Append($code.ToString('x4', [System.Globalization.CultureInfo]::InvariantCulture))
            } else { [void]$Builder.Append($ch) }
        }
    }
    [void]$Builder.Append('"')
}

# Appends any value as compact JSON to a StringBuilder (the recursive worker of ConvertTo-RdsJson).
function Add-RdsJsonValue {
    param([Parameter(Mandatory)] [System.Text.StringBuilder] $Builder,
        [Parameter(Mandatory)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Value, [Parameter(Mandatory)] [int] $Depth)
    if ($Depth -gt 100) { throw 'ConvertTo-RdsJson: the value nests deeper than 100 levels (a cycle?)' }
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    if ($null -eq $Value -or $Value -is [System.DBNull]) {
        [void]$Builder.Append('null')
        return
    }
    if ($Value -is [string]) {
        Add-RdsJsonString -Builder $Builder -Text $Value
        return
    }
    if ($Value -is [char] -or $Value -is [guid] -or $Value -is [System.Enum] -or $Value -is [version] -or $Value -is [uri]) {
        Add-RdsJsonString -Builder $Builder -Text ([string]$Value.ToString())
        return
    }
    if ($Value -is [bool]) {
        if ($Value) { [void]$Builder.Append('true') } else { [void]$Builder.Append('false') }
        return
    }
    if ($Value -is [System.Management.Automation.SwitchParameter]) {
        if ($Value.IsPresent) { [void]$Builder.Append('true') } else { [void]$Builder.Append('false') }
        return
    }
    if ($Value -is [byte] -or $Value -is [sbyte] -or $Value -is [int16] -or $Value -is [uint16] -or
        $Value -is [int32] -or $Value -is [uint32] -or $Value -is [int64] -or $Value -is [uint64] -or
        $Value -is [bigint]) {
        [void]$Builder.Append($Value.ToString($invariant))
        return
    }
    if ($Value -is [double] -or $Value -is [single]) {
        if ([double]::IsNaN([double]$Value) -or [double]::IsInfinity([double]$Value)) { [void]$Builder.Append('null') }
        else { [void]$Builder.Append($Value.ToString('R', $invariant)) }
        return
    }
    if ($Value -is [decimal]) {
        [void]$Builder.Append($Value.ToString($invariant))
        return
    }
    if ($Value -is [datetime]) {
        Add-RdsJsonString -Builder $Builder -Text ($Value.ToUniversalTime().ToString('o', $invariant))
        return
    }
    if ($Value -is [System.DateTimeOffset]) {
        Add-RdsJsonString -Builder $Builder -Text ($Value.UtcDateTime.ToString('o', $invariant))
        return
    }
    if ($Value -is [System.Collections.IDictionary]) {
        # GetEnumerator, not .Keys: a hashtable with a key named 'Keys' would hide the property,
        # and an [ordered] dictionary indexed with an integer key would index by position.
        $entryKeys = [System.Collections.Generic.List[string]]::new()
        $entryValues = [System.Collections.Generic.List[object]]::new()
        foreach ($entry in $Value.GetEnumerator()) {
            $entryKeys.Add([string]$entry.Key)
            $entryValues.Add($entry.Value)
        }
        $names = $entryKeys.ToArray()
        $order = [int[]]::new($names.Length)
        for ($i = 0; $i -lt $names.Length; $i++) { $order[$i] = $i }
        if (-not ($Value -is [System.Collections.Specialized.OrderedDictionary])) {
            # Sort the positions by key name, ordinal: the output is the same whatever the
            # hashtable's internal order.
            $sortedNames = [string[]]::new($names.Length)
            [System.Array]::Copy($names, $sortedNames, $names.Length)
            [System.Array]::Sort($sortedNames, $order, [System.StringComparer]::Ordinal)
        }
        [void]$Builder.Append('{')
        $first = $true
        foreach ($index in $order) {
            if (-not $first) { [void]$Builder.Append(',') }
            $first = $false
            Add-RdsJsonString -Builder $Builder -Text $names[$index]
            [void]$Builder.Append(':')
            Add-RdsJsonValue -Builder $Builder -Value ($entryValues[$index]) -Depth ($Depth + 1)
        }
        [void]$Builder.Append('}')
        return
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        [void]$Builder.Append('{')
        $first = $true
        foreach ($property in $Value.PSObject.Properties) {
            if (-not $first) { [void]$Builder.Append(',') }
            $first = $false
            Add-RdsJsonString -Builder $Builder -Text ([string]$property.Name)
            [void]$Builder.Append(':')
            Add-RdsJsonValue -Builder $Builder -Value ($property.Value) -Depth ($Depth + 1)
        }
        [void]$Builder.Append('}')
        return
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        [void]$Builder.Append('[')
        $first = $true
        foreach ($item in $Value) {
            if (-not $first) { [void]$Builder.Append(',') }
            $first = $false
            Add-RdsJsonValue -Builder $Builder -Value $item -Depth ($Depth + 1)
        }
        [void]$Builder.Append(']')
        return
    }
    Add-RdsJsonString -Builder $Builder -Text ([string]$Value.ToString())
}

# Converts a value to compact, deterministic, ASCII-only JSON.
function ConvertTo-RdsJson {
    param([Parameter(Mandatory, Position = 0)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $InputObject)
    $builder = [System.Text.StringBuilder]::new()
    Add-RdsJsonValue -Builder $builder -Value $InputObject -Depth 0
    return $builder.ToString()
}
