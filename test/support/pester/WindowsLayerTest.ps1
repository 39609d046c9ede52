# Helpers of the platform/windows tests that check what a layer hands back: the zone and
# culture a date conversion must not depend on, the shape of a result, and what a call threw.

# Switches to India Standard Time (+05:30, no daylight saving; TZ selects it on Linux) and the Thai Buddhist calendar (2569 for 2026), so a date left local or formatted with the current culture fails; returns what Exit-TestForeignZone puts back.
function Enter-TestForeignZone {
    $saved = @{ Zone = $env:TZ; Culture = [System.Globalization.CultureInfo]::CurrentCulture }
    $env:TZ = 'Asia/Kolkata'
    [System.TimeZoneInfo]::ClearCachedData()
    [System.Globalization.CultureInfo]::CurrentCulture = [System.Globalization.CultureInfo]::GetCultureInfo('th-TH')
    return $saved
}

# Puts back the zone and culture Enter-TestForeignZone saved.
function Exit-TestForeignZone {
    param([Parameter(Mandatory = $true)] [hashtable] $Saved)
    $env:TZ = $Saved.Zone
    [System.TimeZoneInfo]::ClearCachedData()
    [System.Globalization.CultureInfo]::CurrentCulture = $Saved.Culture
}

# The keys of a result with the type of each value, ordinally sorted: 'Name:Int64 Other:String'.
function Get-TestFieldType {
    param([System.Collections.IDictionary] $Table)
    $keys = [string[]]@($Table.Keys)
    [System.Array]::Sort($keys, [System.StringComparer]::Ordinal)
    $parts = foreach ($key in $keys) {
        if ($null -eq $Table[$key]) { $key + ':null' } else { $key + ':' + $Table[$key].GetType().Name }
    }
    return ($parts -join ' ')
}

# What a platform function threw, as the error record the runtime would catch.
function Get-TestThrown {
    param([scriptblock] $Call)
    try { & $Call } catch { return $_ }
    throw 'nothing was thrown'
}
