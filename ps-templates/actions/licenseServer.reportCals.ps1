# rdsplan action: licenseServer.reportCals (read-only, on the license server)
# Reads the CAL packs (Win32_TSLicenseKeyPack: per product version and type, total, issued,
# available, expiry) and the issued per-device CALs (Win32_TSIssuedLicense: computer, hardware
# id, status, issue and expiry dates). Always 'unchanged'; its After is the report, which the
# run record keeps as JSON and CSV: the record of what existed before a revoke, which nothing
# can undo. Parameters: none.

Register-RdsAction -Name 'licenseServer.reportCals' -Test 'Test-RdsCalReportStep' -Set 'Set-RdsReadOnlyStep' -Undo 'Undo-RdsNothingStep'

# Test of licenseServer.reportCals: the inventory, and a line per product version and type.
function Test-RdsCalReportStep {
    param([Parameter(Mandatory = $true)] [hashtable] $Parameters, [Parameter(Mandatory = $true)] [hashtable] $Context)
    $inventory = Get-RdsCalInventory
    $totals = [ordered]@{}
    foreach ($pack in $inventory.KeyPacks) {
        $name = $pack.ProductVersion + ' ' + $pack.Type
        if (-not $totals.Contains($name)) { $totals[$name] = [ordered]@{ Issued = [long]0; Total = [long]0 } }
        $totals[$name].Issued += $pack.Issued
        $totals[$name].Total += $pack.Total
    }
    $lines = foreach ($entry in $totals.GetEnumerator()) { $entry.Key + ': ' + $entry.Value.Issued + ' of ' + $entry.Value.Total + ' issued' }
    return @{
        InDesiredState = $true
        Target         = 'CALs on the license server'
        Operation      = 'Report the CAL packs and the issued per-device CALs'
        Before         = $null
        After          = @{ KeyPacks = $inventory.KeyPacks; DeviceCals = $inventory.DeviceCals }
        Message        = [string]$inventory.KeyPacks.Length + ' CAL pack(s)' + ([string[]]@($lines | ForEach-Object { '; ' + $_ }) -join '') + '; ' + $inventory.DeviceCals.Length + ' per-device CAL(s) listed'
    }
}
