# rdsplan action: rds.readLicensing (read-only; what `rdsplan diagnose` runs)
# Reads what RD Licensing Diagnoser shows, as data, and decides nothing about it (the findings
# are worked out by rdsplan from this reading): the licensing mode and the license servers with
# their source (local or Group Policy), the connectivity to each server
# (GetTStoLSConnectivityStatus), the grace days left, the TermServLicensing service, the
# licensing events of the last EventDays days and, on a license server, its CAL packs. Each
# part that cannot be read is named in Unread and the rest is still read. Always 'unchanged'.
# Parameters: EventDays (how far back the events are read).

Register-RdsAction -Name 'rds.readLicensing' -Test 'Test-RdsLicensingReadStep' -Set 'Set-RdsReadOnlyStep' -Undo 'Undo-RdsNothingStep'

# The events DOMAIN.md names: the session host's (RemoteConnectionManager) and the license server's.
$script:RdsLicensingEvents = @(
    @{ ProviderName = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager'; Id = [long[]]@(1069, 1028, 1004, 50280, 50282) },
    @{ ProviderName = 'Microsoft-Windows-TerminalServices-Licensing'; Id = [long[]]@(18, 21) })

# Returns 'policy' for a Win32_TerminalServiceSetting PolicySource… of 1 (Group Policy), else 'local'.
function Get-RdsSettingSource {
    param([Parameter(Mandatory)] [long] $PolicySource)
    if ($PolicySource -eq 1) { return 'policy' }
    return 'local'
}

# Test of rds.readLicensing: the reading, part by part.
function Test-RdsLicensingReadStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $unread = [System.Collections.Generic.List[string]]::new()
    $facts = [ordered]@{ LicensingMode = $null; LicenseServers = $null; Connectivity = [object[]]@(); GraceDays = $null; LicensingService = $null; Events = [object[]]@(); KeyPacks = $null }
    try {
        $setting = Get-RdsTerminalServiceSetting
        $facts.LicensingMode = [ordered]@{ Type = $setting.LicensingType; Source = (Get-RdsSettingSource -PolicySource $setting.PolicySourceLicensingType) }
        $facts.LicenseServers = [ordered]@{ Servers = [string[]]$setting.SpecifiedLicenseServers; Source = (Get-RdsSettingSource -PolicySource $setting.PolicySourceConfiguredLicenseServers) }
        $facts.Connectivity = [object[]]@(foreach ($server in $setting.SpecifiedLicenseServers) {
                try { [ordered]@{ Server = $server; Code = (Get-RdsLicenseServerConnectivity -Server $server); Error = '' } }
                catch { [ordered]@{ Server = $server; Code = $null; Error = (Get-RdsExceptionMessage -ErrorRecord $_) } }
            })
    } catch { $unread.Add('Win32_TerminalServiceSetting: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
    $grace = Read-RdsGracePeriodDays
    $facts.GraceDays = [ordered]@{ DaysLeft = $grace.DaysLeft; Expired = [bool]$grace.Expired; Error = [string]$grace.Error }
    try {
        $service = Get-RdsService -Name 'TermServLicensing'
        if ($null -ne $service) { $facts.LicensingService = [ordered]@{ Status = [string]$service.Status; StartMode = [string]$service.StartMode } }
    } catch { $unread.Add('TermServLicensing: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
    $since = [System.DateTime]::UtcNow.AddDays(-[int](Get-RdsParameter -Parameters $Parameters -Name 'EventDays' -Default 7))
    $facts.Events = [object[]]@(foreach ($source in $script:RdsLicensingEvents) {
            try { foreach ($entry in (Get-RdsEventLogEntry -ProviderName $source.ProviderName -Id $source.Id -StartTime $since -MaxEvents 50)) { $entry } }
            catch { $unread.Add($source.ProviderName + ' events: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
        })
    # A license server answers with its packs; any other host has no such WMI class (KeyPacks stays $null).
    try {
        $inventory = Get-RdsCalInventory -AllowMissing
        if ($null -ne $inventory) { $facts.KeyPacks = $inventory.KeyPacks }
    } catch { $unread.Add('CAL packs: ' + (Get-RdsExceptionMessage -ErrorRecord $_)) }
    $facts.Unread = [string[]]$unread.ToArray()
    $message = 'read the licensing state'
    if ($unread.Count -gt 0) { $message += '; not read: ' + ($unread -join '; ') }
    return @{ InDesiredState = $true; Target = 'RD licensing on the host'; Operation = 'Read the licensing state'; Before = $null; After = $facts; Message = $message }
}
