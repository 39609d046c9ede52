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
    if ($null -eq $Value -or $Value -is [System.DBNull]) { [void]$Builder.Append('null') }
    elseif ($Value -is [string]) { Add-RdsJsonString -Builder $Builder -Text $Value }
    elseif ($Value -is [char] -or $Value -is [guid] -or $Value -is [System.Enum] -or $Value -is [version] -or $Value -is [uri]) {
        Add-RdsJsonString -Builder $Builder -Text ([string]$Value.ToString())
    } elseif ($Value -is [bool] -or $Value -is [System.Management.Automation.SwitchParameter]) {
        # [bool] of a switch is its IsPresent.
        if ([bool]$Value) { [void]$Builder.Append('true') } else { [void]$Builder.Append('false') }
    } elseif ($Value -is [byte] -or $Value -is [sbyte] -or $Value -is [int16] -or $Value -is [uint16] -or $Value -is [int32] -or
        $Value -is [uint32] -or $Value -is [int64] -or $Value -is [uint64] -or $Value -is [bigint] -or $Value -is [decimal]) {
        [void]$Builder.Append($Value.ToString($invariant))
    } elseif ($Value -is [double] -or $Value -is [single]) {
        if ([double]::IsNaN([double]$Value) -or [double]::IsInfinity([double]$Value)) { [void]$Builder.Append('null') }
        else { [void]$Builder.Append($Value.ToString('R', $invariant)) }
    } elseif ($Value -is [datetime]) { Add-RdsJsonString -Builder $Builder -Text ($Value.ToUniversalTime().ToString('o', $invariant)) }
    elseif ($Value -is [System.DateTimeOffset]) { Add-RdsJsonString -Builder $Builder -Text ($Value.UtcDateTime.ToString('o', $invariant)) }
    elseif ($Value -is [System.Collections.IDictionary] -or $Value -is [System.Management.Automation.PSCustomObject]) {
        # GetEnumerator, not .Keys: a hashtable with a key named 'Keys' would hide the property,
        # and an [ordered] dictionary indexed with an integer key would index by position.
        if ($Value -is [System.Collections.IDictionary]) {
            $members = @(foreach ($entry in $Value.GetEnumerator()) { @{ Name = $entry.Key; Value = $entry.Value } })
        } else { $members = @($Value.PSObject.Properties) }
        $names = [string[]]@(foreach ($member in $members) { [string]$member.Name })
        $order = [int[]]@(for ($i = 0; $i -lt $names.Length; $i++) { $i })
        if ($Value -is [System.Collections.IDictionary] -and -not ($Value -is [System.Collections.Specialized.OrderedDictionary])) {
            # Sort the positions by key name, ordinal: the output is the same whatever the hashtable's
            # internal order. An int[] is sorted in place; an object[] would be converted to a copy.
            [System.Array]::Sort($names, $order, [System.StringComparer]::Ordinal)
        }
        [void]$Builder.Append('{')
        for ($i = 0; $i -lt $names.Length; $i++) {
            if ($i -gt 0) { [void]$Builder.Append(',') }
            Add-RdsJsonString -Builder $Builder -Text $names[$i]
            [void]$Builder.Append(':')
            Add-RdsJsonValue -Builder $Builder -Value ($members[$order[$i]].Value) -Depth ($Depth + 1)
        }
        [void]$Builder.Append('}')
    } elseif ($Value -is [System.Collections.IEnumerable]) {
        $items = @($Value)
        [void]$Builder.Append('[')
        for ($i = 0; $i -lt $items.Length; $i++) {
            if ($i -gt 0) { [void]$Builder.Append(',') }
            Add-RdsJsonValue -Builder $Builder -Value $items[$i] -Depth ($Depth + 1)
        }
        [void]$Builder.Append(']')
    } else { Add-RdsJsonString -Builder $Builder -Text ([string]$Value.ToString()) }
}

# Converts a value to compact, deterministic, ASCII-only JSON.
function ConvertTo-RdsJson {
    param([Parameter(Mandatory, Position = 0)] [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $InputObject)
    $builder = [System.Text.StringBuilder]::new()
    Add-RdsJsonValue -Builder $builder -Value $InputObject -Depth 0
    return $builder.ToString()
}
