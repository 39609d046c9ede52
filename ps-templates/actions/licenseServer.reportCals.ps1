# rdsplan action: licenseServer.reportCals (read-only, on the license server)
# Reads the CAL packs (Win32_TSLicenseKeyPack: per product version and type, total, issued,
# available, expiry) and the issued per-device CALs (Win32_TSIssuedLicense: computer, hardware
# id, status, issue and expiry dates) and, where the server makes one (2012+), the usage report
# summary per product version and CAL type (GenerateReportEx, the report deleted afterwards: a
# failure there is a warning in the message, not a failed step). Always 'unchanged'; its After is the report, which the
# run record keeps as JSON and CSV: the record of what existed before a revoke, which nothing
# can undo. Parameters: none.

# WMI's WBEM_E_INVALID_METHOD and WBEM_E_NOT_SUPPORTED: a server before 2012 has no GenerateReportEx.
$script:RdsNoUsageReport = @(0x8004102EL, 0x8004100CL)

Register-RdsAction -Name 'licenseServer.reportCals' -Test 'Test-RdsCalReportStep' -Set 'Set-RdsReadOnlyStep' -Undo 'Undo-RdsNothingStep'

# Returns the usage report summary per product version and CAL type (@{ Entries; Note }): none, and why, where the server makes no such report or it cannot be read.
function Read-RdsCalUsage {
    try {
        $entries = foreach ($entry in (Get-RdsLicenseUsageSummary)) {
            [ordered]@{ ProductVersion = [string]$entry.ProductVersion; Type = [string]$entry.CalType; Installed = [long]$entry.Installed; Issued = [long]$entry.Issued; Availability = [string]$entry.Availability }
        }
        $list = [object[]]@($entries)
        return @{ Entries = $list; Note = 'usage report: ' + $list.Length + ' line(s), the report deleted on the server' }
    } catch {
        $code = Get-RdsErrorCode -ErrorRecord $_
        if ($null -ne $code -and $script:RdsNoUsageReport -contains $code) { return @{ Entries = [object[]]@(); Note = 'no usage report: this server has no GenerateReportEx (Windows Server 2012 or later has one)' } }
        return @{ Entries = [object[]]@(); Note = 'warning: the usage report could not be read: ' + (Get-RdsExceptionMessage -ErrorRecord $_) }
    }
}

# Test of licenseServer.reportCals: the inventory, and a line per product version and type.
function Test-RdsCalReportStep {
    param([Parameter(Mandatory)] [hashtable] $Parameters, [Parameter(Mandatory)] [hashtable] $Context)
    $inventory = Get-RdsCalInventory
    $totals = [ordered]@{}
    foreach ($pack in $inventory.KeyPacks) {
        $name = $pack.ProductVersion + ' ' + $pack.Type
        if (-not $totals.Contains($name)) { $totals[$name] = [ordered]@{ Issued = [long]0; Total = [long]0 } }
        $totals[$name].Issued += $pack.Issued
        $totals[$name].Total += $pack.Total
    }
    $lines = foreach ($entry in $totals.GetEnumerator()) { $entry.Key + ': ' + $entry.Value.Issued + ' of ' + $entry.Value.Total + ' issued' }
    $usage = Read-RdsCalUsage
    return @{
        InDesiredState = $true; Target = 'CALs on the license server'
        Operation = 'Report the CAL packs, the issued per-device CALs and the usage report'; Before = $null
        After = @{ KeyPacks = $inventory.KeyPacks; DeviceCals = $inventory.DeviceCals; Usage = $usage.Entries }
        Message = [string]$inventory.KeyPacks.Length + ' CAL pack(s)' + ([string[]]@($lines | ForEach-Object { '; ' + $_ }) -join '') + '; ' + $inventory.DeviceCals.Length + ' per-device CAL(s) listed; ' + $usage.Note
    }
}
