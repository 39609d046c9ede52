# rdsplan platform (simulated Windows): the RD Licensing server's WMI provider (TlsWmiProv:
# Win32_TSLicenseKeyPack, Win32_TSIssuedLicense and its Revoke). A host whose state has no
# licenseServer is no license server: the classes are missing, and CIM throws what Windows
# throws then (WBEM_E_INVALID_CLASS, a CimException with error_Code 0x80041010).
#
# A per-device pack's issued count is the CALs it lists that are not revoked (a revoke gives
# the CAL back to the pack); a per-user pack's is the state's issuedLicenses (the server lists
# no per-user CALs). The revoke limit is the simulated server's: revokeLimitPercent of a product
# version's installed per-device CALs within revokeWindowDays (DOMAIN.md: commonly cited 20%,
# unverified). As on Windows, Revoke says the limit is reached only by failing, with
# NextRevokeAllowedOn and a non-zero ReturnValue (1 here: Windows' code is undocumented).

$script:RdsSimInvalidClassMessage = 'Ungültige Klasse '
$script:RdsSimInvalidMethodMessage = 'Ungültige Methode '

# Returns the simulated license server; throws the CimException of a missing WMI class on a host that is none.
function Get-RdsSimLicenseServer {
    param([Parameter(Mandatory)] [hashtable] $State)
    if ($null -eq $State.LicenseServer) { throw (New-RdsSimCimException -Code 0x80041010L -Message $script:RdsSimInvalidClassMessage) }
    return $State.LicenseServer
}

# Returns the key pack of a license, or $null.
function Find-RdsSimKeyPack {
    param([Parameter(Mandatory)] [hashtable] $Server, [Parameter(Mandatory)] [long] $KeyPackId)
    foreach ($pack in $Server.keyPacks) { if ([long]$pack.keyPackId -eq $KeyPackId) { return $pack } }
    return $null
}

# Returns the installed per-device CALs of a product version.
function Get-RdsSimInstalledDeviceCal {
    param([Parameter(Mandatory)] [hashtable] $Server, [Parameter(Mandatory)] [string] $ProductVersion)
    $installed = [long]0
    foreach ($pack in $Server.keyPacks) {
        if ([long]$pack.productType -eq 0 -and [string]$pack.productVersion -ceq $ProductVersion) { $installed += [long]$pack.totalLicenses }
    }
    return $installed
}

# Returns the CAL packs as Get-RdsLicenseKeyPack does on Windows.
function Get-RdsLicenseKeyPack {
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsLicenseKeyPack'
    $server = Get-RdsSimLicenseServer -State $state
    $packs = foreach ($pack in $server.keyPacks) {
        $issued = [long](Get-RdsSimMember -Table $pack -Name 'issuedLicenses' -Default 0)
        if ([long]$pack.productType -eq 0) { $issued = [long]@($server.issuedLicenses | Where-Object { [long]$_.keyPackId -eq [long]$pack.keyPackId -and [long]$_.licenseStatus -ne 4 }).Count }
        @{
            KeyPackId = [long]$pack.keyPackId; Description = [string](Get-RdsSimMember -Table $pack -Name 'description' -Default ''); KeyPackType = [long](Get-RdsSimMember -Table $pack -Name 'keyPackType' -Default 0)
            ProductType = [long]$pack.productType; ProductVersion = [string]$pack.productVersion; ProductVersionId = [long](Get-RdsSimMember -Table $pack -Name 'productVersionId' -Default 0)
            TotalLicenses = [long]$pack.totalLicenses; IssuedLicenses = $issued; AvailableLicenses = [long]$pack.totalLicenses - $issued
            ExpirationDate = [string](Get-RdsSimMember -Table $pack -Name 'expirationDate' -Default ''); TypeAndModel = [string](Get-RdsSimMember -Table $pack -Name 'typeAndModel' -Default '')
        }
    }
    return , [object[]]@($packs)
}

# Returns the issued per-device CALs as Get-RdsIssuedLicense does on Windows.
function Get-RdsIssuedLicense {
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsIssuedLicense'
    $server = Get-RdsSimLicenseServer -State $state
    $licenses = foreach ($license in $server.issuedLicenses) {
        $text = @{}
        foreach ($name in @('issuedToUser', 'issuedToComputer', 'issueDate', 'expirationDate', 'hardwareId')) { $text[$name] = [string](Get-RdsSimMember -Table $license -Name $name -Default '') }
        @{
            LicenseId = [long]$license.licenseId; KeyPackId = [long]$license.keyPackId; IssuedToUser = $text.issuedToUser; IssuedToComputer = $text.issuedToComputer
            LicenseStatus = [long]$license.licenseStatus; IssueDate = $text.issueDate; ExpirationDate = $text.expirationDate; HardwareId = $text.hardwareId
        }
    }
    return , [object[]]@($licenses)
}

# Revokes one issued per-device CAL as Win32_TSIssuedLicense.Revoke does: @{ ReturnValue; RevokableCals; NextRevokeAllowedOn }.
function Invoke-RdsLicenseRevoke {
    param([Parameter(Mandatory)] [long] $LicenseId, [Parameter(Mandatory)] [long] $KeyPackId)
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Invoke-RdsLicenseRevoke' -Name ([string]$LicenseId) -Mutating
    $server = Get-RdsSimLicenseServer -State $state
    $license = $null
    foreach ($candidate in $server.issuedLicenses) {
        if ([long]$candidate.licenseId -eq $LicenseId -and [long]$candidate.keyPackId -eq $KeyPackId) { $license = $candidate }
    }
    if ($null -eq $license) { throw ('no issued license ' + $LicenseId + ' in key pack ' + $KeyPackId + ' (Win32_TSIssuedLicense)') }
    $refused = @{ ReturnValue = [long]1; RevokableCals = $null; NextRevokeAllowedOn = '' }
    if ([long]$license.licenseStatus -eq 4) { return $refused }
    $version = [string](Find-RdsSimKeyPack -Server $server -KeyPackId $KeyPackId).productVersion
    $limit = [long][math]::Floor((Get-RdsSimInstalledDeviceCal -Server $server -ProductVersion $version) * [long]$server.revokeLimitPercent / 100)
    $now = [System.DateTime]::UtcNow
    $since = Format-RdsSimUtc -Time $now.AddDays(-[double]$server.revokeWindowDays)
    $recent = [string[]]@(foreach ($revocation in $server.revocations) {
            if ([string]$revocation.productVersion -ceq $version -and [string]::CompareOrdinal([string]$revocation.on, $since) -gt 0) { [string]$revocation.on }
        })
    if ($recent.Length -ge $limit) {
        $oldest = $now
        if ($recent.Length -gt 0) {
            [System.Array]::Sort($recent, [System.StringComparer]::Ordinal)
            $oldest = [System.DateTime]::ParseExact($recent[0], 'yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal')
        }
        $refused.NextRevokeAllowedOn = Format-RdsSimUtc -Time $oldest.AddDays([double]$server.revokeWindowDays)
        return $refused
    }
    $license.licenseStatus = [long]4
    $server.revocations = @($server.revocations) + @(@{ licenseId = $LicenseId; keyPackId = $KeyPackId; productVersion = $version; on = (Format-RdsSimUtc -Time $now) })
    return @{ ReturnValue = [long]0; RevokableCals = $limit - $recent.Length - 1; NextRevokeAllowedOn = '' }
}

# Returns the usage report summary as Get-RdsLicenseUsageSummary does on Windows: one entry per product version and CAL type of the packs (TSCALType and TSCALAvailability are text, as Microsoft documents them); a server with usageReports false has no GenerateReportEx (before 2012).
function Get-RdsLicenseUsageSummary {
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsLicenseUsageSummary'
    $server = Get-RdsSimLicenseServer -State $state
    if (-not $server.usageReports) { throw (New-RdsSimCimException -Code 0x8004102EL -Message $script:RdsSimInvalidMethodMessage) }
    $totals = [ordered]@{}
    foreach ($pack in (Get-RdsLicenseKeyPack)) {
        $key = $pack.ProductVersion + '|' + $pack.ProductType
        $type = 'Unknown'
        if ($pack.ProductType -eq 0) { $type = 'Per Device' } elseif ($pack.ProductType -eq 1) { $type = 'Per User' }
        if (-not $totals.Contains($key)) { $totals[$key] = @{ ProductVersion = $pack.ProductVersion; CalType = $type; Installed = [long]0; Issued = [long]0; Availability = '' } }
        $totals[$key].Installed += $pack.TotalLicenses
        $totals[$key].Issued += $pack.IssuedLicenses
    }
    foreach ($entry in $totals.Values) {
        $entry.Availability = 'None'
        if ($entry.Issued -lt $entry.Installed) { $entry.Availability = 'Available' }
    }
    return , [object[]]@($totals.Values)
}

# Returns a UTC time as the platform writes CIM dates: yyyy-MM-ddTHH:mm:ssZ.
function Format-RdsSimUtc {
    param([Parameter(Mandatory)] [datetime] $Time)
    return $Time.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)
}

# Builds the simulated license server from the state's licenseServer member ($null: the host is none).
function Import-RdsSimLicenseServer {
    param([Parameter(Mandatory)] [hashtable] $Document)
    $doc = Get-RdsSimMember -Table $Document -Name 'licenseServer'
    if ($null -eq $doc) { return $null }
    if (-not ($doc -is [System.Collections.IDictionary])) { throw 'licenseServer: an object' }
    $server = @{
        revokeLimitPercent = [long](Get-RdsSimMember -Table $doc -Name 'revokeLimitPercent' -Default 20)
        revokeWindowDays = [long](Get-RdsSimMember -Table $doc -Name 'revokeWindowDays' -Default 60)
        keyPacks = Get-RdsSimList -Table $doc -Name 'keyPacks'; issuedLicenses = Get-RdsSimList -Table $doc -Name 'issuedLicenses'
        revocations = Get-RdsSimList -Table $doc -Name 'revocations'
        usageReports = [bool](Get-RdsSimMember -Table $doc -Name 'usageReports' -Default $true)
    }
    foreach ($license in $server.issuedLicenses) {
        if ($null -eq (Find-RdsSimKeyPack -Server $server -KeyPackId ([long]$license.keyPackId))) { throw ('licenseServer: license ' + $license.licenseId + ' names key pack ' + $license.keyPackId + ', which is not in keyPacks') }
    }
    return $server
}

# Returns the built-in license server: Windows Server 2019 per-device (20) and per-user (50) packs, a 2016 per-device pack (5), ten issued per-device CALs and one revoked.
function New-RdsSimDefaultLicenseServer {
    $newPack = {
        param([long] $Id, [string] $Version, [long] $VersionId, [long] $Type, [long] $Total, [string] $Model)
        return @{ keyPackId = $Id; description = 'A02-6.00-S'; keyPackType = [long]2; productType = $Type; productVersion = $Version; productVersionId = $VersionId; totalLicenses = $Total; expirationDate = '2038-01-19T03:14:07Z'; typeAndModel = $Model }
    }
    $newCal = {
        param([long] $Id, [long] $Pack, [string] $Computer, [long] $Status, [string] $Issued, [string] $Expires)
        return @{ licenseId = $Id; keyPackId = $Pack; issuedToUser = 'CONTOSO\user' + $Id; issuedToComputer = $Computer; licenseStatus = $Status; issueDate = $Issued; expirationDate = $Expires; hardwareId = ('0200030a-' + $Id.ToString('x8', [System.Globalization.CultureInfo]::InvariantCulture)) }
    }
    $packs = @(
        (& $newPack 2 'Windows Server 2016' 5 0 5 'RDS Per Device CAL'),
        (& $newPack 3 'Windows Server 2019' 6 0 20 'RDS Per Device CAL'),
        (& $newPack 4 'Windows Server 2019' 6 1 50 'RDS Per User CAL'))
    $packs[2].issuedLicenses = [long]31
    $licenses = @(
        (& $newCal 1001 2 'WS-OLD01' 2 '2025-03-02T08:15:00Z' '2027-02-01T08:15:00Z'),
        (& $newCal 1002 2 'WS-OLD02' 2 '2025-04-11T09:00:00Z' '2027-03-10T09:00:00Z'),
        (& $newCal 1010 3 'WS-001' 2 '2026-01-05T10:00:00Z' '2027-04-20T10:00:00Z'),
        (& $newCal 1011 3 'WS-002' 2 '2026-02-14T07:30:00Z' '2027-05-01T07:30:00Z'),
        (& $newCal 1012 3 'WS-003' 2 '2026-03-09T12:45:00Z' '2027-05-30T12:45:00Z'),
        (& $newCal 1013 3 'WS-004' 2 '2026-05-21T06:10:00Z' '2027-06-15T06:10:00Z'),
        (& $newCal 1014 3 'WS-005' 2 '2026-07-02T11:20:00Z' '2027-07-01T11:20:00Z'),
        (& $newCal 1015 3 'WS-042' 2 '2026-08-19T14:05:00Z' '2027-08-18T14:05:00Z'),
        (& $newCal 1016 3 'WS-043' 2 '2026-09-30T08:00:00Z' '2027-09-29T08:00:00Z'),
        (& $newCal 1017 3 'WS-044' 2 '2026-10-12T16:40:00Z' '2027-10-11T16:40:00Z'),
        (& $newCal 1009 3 'WS-RETIRED' 4 '2025-11-03T09:00:00Z' '2026-11-20T09:00:00Z'))
    return @{
        revokeLimitPercent = [long]20; revokeWindowDays = [long]60; keyPacks = $packs; issuedLicenses = $licenses
        revocations = @(@{ licenseId = [long]1009; keyPackId = [long]3; productVersion = 'Windows Server 2019'; on = '2026-11-20T09:00:00Z' })
    }
}
