# rdsplan platform (simulated Windows): the event log as Get-WinEvent reads it, from the state's
# events (each { providerName, id, timeCreated, level, message }, written by hand or by a test).
# As on Windows, a provider the host does not have and a filter nothing matches both answer
# with no events (the Windows layer turns Get-WinEvent's NoMatching… errors into that).

# Returns the events of a provider with those ids since StartTime, newest first, at most MaxEvents, as Get-RdsEventLogEntry does on Windows.
function Get-RdsEventLogEntry {
    param([Parameter(Mandatory)] [string] $ProviderName, [Parameter(Mandatory)] [long[]] $Id, [Parameter(Mandatory)] [datetime] $StartTime, [Parameter(Mandatory)] [int] $MaxEvents)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsEventLogEntry' -Name $ProviderName
    $since = Format-RdsSimUtc -Time $StartTime
    $matching = foreach ($entry in $state.Events) {
        if (-not [string]::Equals([string]$entry.providerName, $ProviderName, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if ($Id -notcontains [long]$entry.id) { continue }
        if ([string]::CompareOrdinal([string]$entry.timeCreated, $since) -lt 0) { continue }
        @{ ProviderName = [string]$entry.providerName; Id = [long]$entry.id; TimeCreated = [string]$entry.timeCreated; Level = [long](Get-RdsSimMember -Table $entry -Name 'level' -Default 2); Message = [string](Get-RdsSimMember -Table $entry -Name 'message' -Default '') }
    }
    $sorted = [object[]]@($matching)
    $times = [string[]]@($sorted | ForEach-Object { $_.TimeCreated })
    [System.Array]::Sort($times, $sorted, [System.StringComparer]::Ordinal)
    [System.Array]::Reverse($sorted)
    if ($sorted.Length -gt $MaxEvents) { $sorted = $sorted[0..($MaxEvents - 1)] }
    return , [object[]]$sorted
}
