# rdsplan runtime: the license server's CALs as the licenseServer.* actions see them. What the
# server lists comes from the platform (Get-RdsLicenseKeyPack, Get-RdsIssuedLicense); what may
# be revoked is worked out here, from that inventory and before any revoke, because Windows
# says it has reached its revoke limit (NextRevokeAllowedOn) only by refusing a revoke, and a
# revoked CAL cannot be given back (DOMAIN.md, "The RD Licensing server").

# Returns the name of a documented code from a table of names, else 'code N'.
function Get-RdsCodeName {
    param([Parameter(Mandatory)] [hashtable] $Names, [Parameter(Mandatory)] [long] $Code)
    $key = $Code.ToString([System.Globalization.CultureInfo]::InvariantCulture)
    if ($Names.ContainsKey($key)) { return [string]$Names[$key] }
    return 'code ' + $key
}

# Returns the server's CAL packs and issued per-device CALs, each CAL with its pack's product version: @{ KeyPacks; DeviceCals } ($null with -AllowMissing on a host that is no license server).
function Get-RdsCalInventory {
    param([switch] $AllowMissing)
    # Locals, not script variables: every generated script would carry them at load time.
    # WMI's WBEM_E_INVALID_CLASS: the license server's classes are missing, so this host is none.
    $invalidClass = 0x80041010L
    # Win32_TSIssuedLicense.LicenseStatus and Win32_TSLicenseKeyPack.ProductType as Microsoft documents them; another code is shown as its number.
    $statusNames = @{ '0' = 'unknown'; '1' = 'temporary'; '2' = 'active'; '3' = 'upgrade'; '4' = 'revoked'; '5' = 'pending'; '6' = 'concurrent' }
    $typeNames = @{ '0' = 'per device'; '1' = 'per user'; '2' = 'not valid' }
    try { $packList = Get-RdsLicenseKeyPack }
    catch {
        if ((Get-RdsErrorCode -ErrorRecord $_) -ne $invalidClass) { throw }
        if ($AllowMissing) { return $null }
        throw ('this host is no RD Licensing server: WMI has no Win32_TSLicenseKeyPack (' + (Format-RdsErrorCode -Code $invalidClass) + ', invalid class); run the step on the license server')
    }
    $versions = @{}
    $keyPacks = foreach ($pack in $packList) {
        $versions[[string]$pack.KeyPackId] = [string]$pack.ProductVersion
        [ordered]@{
            KeyPackId = [long]$pack.KeyPackId; ProductVersion = [string]$pack.ProductVersion; Type = (Get-RdsCodeName -Names $typeNames -Code $pack.ProductType); TypeCode = [long]$pack.ProductType
            Description = [string]$pack.Description; Total = [long]$pack.TotalLicenses; Issued = [long]$pack.IssuedLicenses; Available = [long]$pack.AvailableLicenses; Expires = [string]$pack.ExpirationDate
        }
    }
    $cals = foreach ($license in (Get-RdsIssuedLicense)) {
        $version = ''
        if ($versions.ContainsKey([string]$license.KeyPackId)) { $version = $versions[[string]$license.KeyPackId] }
        [ordered]@{
            LicenseId = [long]$license.LicenseId; KeyPackId = [long]$license.KeyPackId; ProductVersion = $version; Computer = [string]$license.IssuedToComputer; User = [string]$license.IssuedToUser
            HardwareId = [string]$license.HardwareId; Status = (Get-RdsCodeName -Names $statusNames -Code $license.LicenseStatus); StatusCode = [long]$license.LicenseStatus; Issued = [string]$license.IssueDate; Expires = [string]$license.ExpirationDate
        }
    }
    return @{ KeyPacks = [object[]]@($keyPacks); DeviceCals = [object[]]@($cals) }
}

# Returns the active per-device CALs a revoke step names (issued to one of Computers, issued before IssuedBefore), in the server's order.
function Select-RdsRevocableCal {
    param([Parameter(Mandatory)] [hashtable] $Inventory, [Parameter(Mandatory)] [hashtable] $Parameters)
    $computers = [string[]]@(Get-RdsParameter -Parameters $Parameters -Name 'Computers' -Default @())
    $before = [string](Get-RdsParameter -Parameters $Parameters -Name 'IssuedBefore' -Default '')
    $selected = foreach ($cal in $Inventory.DeviceCals) {
        if ($cal.StatusCode -ne 2) { continue }
        if ($computers.Length -gt 0 -and -not (Test-RdsNameListed -Name $cal.Computer -List $computers)) { continue }
        # ISO 8601 text in UTC orders as the dates do; a CAL issued on the day itself is not before it.
        if ($before -ne '' -and -not ($cal.Issued -ne '' -and [string]::CompareOrdinal($cal.Issued, $before) -lt 0)) { continue }
        $cal
    }
    return , [object[]]@($selected)
}

# True when Name equals one of List, ignoring case (computer names).
function Test-RdsNameListed {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Name, [Parameter(Mandatory)] [string[]] $List)
    foreach ($item in $List) { if ([string]::Equals($item, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { return $true } }
    return $false
}

# Returns, per product version of the selection, what may still be revoked: MaxShare percent of the version's installed per-device CALs, less those the server lists as revoked.
function Get-RdsRevokeAllowance {
    param([Parameter(Mandatory)] [hashtable] $Inventory, [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Selection, [Parameter(Mandatory)] [int] $MaxShare)
    $rows = [ordered]@{}
    foreach ($cal in $Selection) {
        $version = [string]$cal.ProductVersion
        if (-not $rows.Contains($version)) {
            $installed = [long]0
            foreach ($pack in $Inventory.KeyPacks) {
                if ($pack.TypeCode -eq 0 -and [string]::Equals($pack.ProductVersion, $version, [System.StringComparison]::Ordinal)) { $installed += $pack.Total }
            }
            # The server does not say when a CAL was revoked: every one it still lists counts against the allowance.
            $revoked = [long]@($Inventory.DeviceCals | Where-Object { $_.StatusCode -eq 4 -and [string]::Equals($_.ProductVersion, $version, [System.StringComparison]::Ordinal) }).Count
            $allowed = [long][math]::Floor($installed * $MaxShare / 100) - $revoked
            if ($allowed -lt 0) { $allowed = [long]0 }
            $rows[$version] = [ordered]@{ ProductVersion = $version; Installed = $installed; Revoked = $revoked; Allowed = $allowed; Selected = [long]0 }
        }
        $rows[$version].Selected++
    }
    return , [object[]]@($rows.Values)
}

# Returns everything a revoke step decides on: @{ Selection; Allowance; Exceeded (the allowance rows it would go beyond); Words }.
function Get-RdsRevokePlan {
    param([Parameter(Mandatory)] [hashtable] $Parameters)
    $inventory = Get-RdsCalInventory
    $selection = Select-RdsRevocableCal -Inventory $inventory -Parameters $Parameters
    $share = [int](Get-RdsParameter -Parameters $Parameters -Name 'MaxShare' -Default 20)
    $allowance = Get-RdsRevokeAllowance -Inventory $inventory -Selection $selection -MaxShare $share
    $words = foreach ($row in $allowance) {
        $row.ProductVersion + ': ' + $row.Selected + ' to revoke, ' + $row.Allowed + ' allowed (' + $share + '% of ' + $row.Installed + ' installed per-device CAL(s), less ' + $row.Revoked + ' listed as revoked)'
    }
    return @{ Selection = $selection; Allowance = $allowance; Exceeded = [object[]]@($allowance | Where-Object { $_.Selected -gt $_.Allowed }); Words = ([string[]]@($words) -join '; ') }
}

# Returns a selected CAL as one line: 'WS-042: license 1003 in key pack 7 (Windows Server 2022, issued 2026-01-05T10:00:00Z)'.
function Format-RdsCal {
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Cal)
    return [string]$Cal.Computer + ': license ' + $Cal.LicenseId + ' in key pack ' + $Cal.KeyPackId + ' (' + $Cal.ProductVersion + ', issued ' + $Cal.Issued + ')'
}
