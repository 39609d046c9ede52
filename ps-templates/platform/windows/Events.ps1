# rdsplan platform (Windows): the event log, read with Get-WinEvent -FilterHashtable
# (Microsoft.PowerShell.Diagnostics; the same cmdlet in Windows PowerShell 5.1 and PowerShell 7).
# A thin call: the runtime decides which provider and event ids to ask for and what they mean.
#
# What Get-WinEvent does, read in its source (PowerShell/PowerShell,
# src/Microsoft.PowerShell.Commands.Diagnostics/GetEventCommand.cs: today's file and the
# "Copyright (c) 2007" Windows PowerShell file the repository began with, behave alike here)
# and seen in the output people posted (PowerShell/PowerShell#2327, 5.1; microsoft/CSS-Exchange#47
# and #2458, 5.1):
# - "Nothing matches" is an error, written with WriteError: non-terminating, so only
#   -ErrorAction Stop (or a Stop preference) lets the catch below see it. No event matches:
#   FullyQualifiedErrorId 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand'
#   (ObjectNotFound, a plain Exception). No provider of that name is registered on the host (the
#   Licensing provider where the RD Licensing role is not installed):
#   'NoMatchingProvidersFound,Microsoft.PowerShell.Commands.GetWinEventCommand' (ObjectNotFound,
#   written before the query; without Stop another error follows it). Both are the empty array
#   here. The messages are localized text: the id decides, never the message. Every other error
#   passes through unchanged: an event that cannot be read is written with its exception's
#   (localized) message as its id, a failure to open the query (access denied) ends the cmdlet
#   with 'System.UnauthorizedAccessException,Microsoft.PowerShell.Commands.GetWinEventCommand'.
# - Events come newest first (the query runs in reverse unless -Oldest). A record's Message is
#   $null when the provider's message resource cannot be found (FormatDescription).
# - The keys ProviderName, Id and StartTime, and -MaxEvents ([long], at least 1: 0 fails parameter
#   validation), are in both versions; the keys SuppressHashFilter and <named-data> are 6.0+ (not used).
# - StartTime is turned into text with the current culture and parsed back (DateTime.Parse), then
#   taken as local time: milliseconds and the Kind are lost, so a UTC value would move by the
#   zone's offset. The same instant is therefore handed over as local time (a Local or Unspecified
#   value as given, a UTC value converted).

# Returns the provider's events with those ids since StartTime, newest first, at most MaxEvents, as an array of hashtables (also for none or one).
function Get-RdsEventLogEntry {
    [CmdletBinding()] param(
        [Parameter(Mandatory)] [string] $ProviderName,
        [Parameter(Mandatory)] [long[]] $Id,
        [Parameter(Mandatory)] [datetime] $StartTime,
        [Parameter(Mandatory)] [int] $MaxEvents
    )
    $since = $StartTime
    if ($since.Kind -eq [System.DateTimeKind]::Utc) { $since = $since.ToLocalTime() }
    $filter = @{ ProviderName = $ProviderName; Id = [int[]]$Id; StartTime = $since }
    try { $records = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents -ErrorAction Stop) } catch {
        $errorId = [string]$_.FullyQualifiedErrorId
        foreach ($nothing in @('NoMatchingEventsFound', 'NoMatchingProvidersFound')) {
            if ($errorId -ceq $nothing -or $errorId.StartsWith($nothing + ',', [System.StringComparison]::Ordinal)) { return , [object[]]@() }
        }
        throw
    }
    $entries = @(foreach ($record in $records) {
            @{
                ProviderName = [string]$record.ProviderName; Id = [long]$record.Id; TimeCreated = (ConvertTo-RdsUtcText -Time $record.TimeCreated)
                Level = [long]$record.Level; Message = [string]$record.Message
            }
        })
    return , [object[]]$entries
}
