# rdsplan platform (Windows): the RD Licensing server's WMI provider (TlsWmiProv.dll, root\cimv2:
# Win32_TSLicenseKeyPack, Win32_TSIssuedLicense). Thin calls that decide nothing: the runtime works
# out how many per-device CALs may be revoked and reads the limit back from a refused Revoke.
# Errors are Get-CimInstance's own CimExceptions (on a host that is not a license server the class
# is missing: error_Code 0x80041010), classified by the runtime (Get-RdsErrorCode). CIM DATETIME
# values arrive as [datetime] (local time) or $null and leave as UTC text (yyyy-MM-ddTHH:mm:ssZ,
# invariant culture) or ''. Revoke's out-parameters exist only when Windows filled them in, so
# they are read through PSObject.Properties (Get-RdsPropertyValue: strict mode).

# Returns every installed CAL pack (Win32_TSLicenseKeyPack) as an array of hashtables, also for none or one.
function Get-RdsLicenseKeyPack {
    [CmdletBinding()]
    param()
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $packs = @(foreach ($instance in (Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSLicenseKeyPack')) {
        $expires = ''
        if ($null -ne $instance.ExpirationDate) { $expires = ([datetime]$instance.ExpirationDate).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant) }
        @{
            KeyPackId         = [long]$instance.KeyPackId
            Description       = [string]$instance.Description
            KeyPackType       = [long]$instance.KeyPackType
            ProductType       = [long]$instance.ProductType
            ProductVersion    = [string]$instance.ProductVersion
            ProductVersionId  = [long]$instance.ProductVersionID
            TotalLicenses     = [long]$instance.TotalLicenses
            IssuedLicenses    = [long]$instance.IssuedLicenses
            AvailableLicenses = [long]$instance.AvailableLicenses
            ExpirationDate    = $expires
            TypeAndModel      = [string]$instance.TypeAndModel
        }
    })
    return , [object[]]$packs
}

# Returns every issued per-device CAL (Win32_TSIssuedLicense) as an array of hashtables, also for none or one.
function Get-RdsIssuedLicense {
    [CmdletBinding()]
    param()
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $licenses = @(foreach ($instance in (Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSIssuedLicense')) {
        $issued = ''
        if ($null -ne $instance.IssueDate) { $issued = ([datetime]$instance.IssueDate).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant) }
        $expires = ''
        if ($null -ne $instance.ExpirationDate) { $expires = ([datetime]$instance.ExpirationDate).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant) }
        @{
            LicenseId        = [long]$instance.LicenseId
            KeyPackId        = [long]$instance.KeyPackId
            IssuedToUser     = [string]$instance.sIssuedToUser
            IssuedToComputer = [string]$instance.sIssuedToComputer
            LicenseStatus    = [long]$instance.LicenseStatus
            IssueDate        = $issued
            ExpirationDate   = $expires
            HardwareId       = [string]$instance.sHardwareId
        }
    })
    return , [object[]]$licenses
}

# Revokes one issued per-device CAL (Win32_TSIssuedLicense.Revoke); returns its answer, a refusal too, without throwing.
function Invoke-RdsLicenseRevoke {
    param([Parameter(Mandatory = $true)] [long] $LicenseId, [Parameter(Mandatory = $true)] [long] $KeyPackId)
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $license = $LicenseId.ToString($invariant)
    $pack = $KeyPackId.ToString($invariant)
    $instance = Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSIssuedLicense' -Filter ('KeyPackId = ' + $pack + ' AND LicenseId = ' + $license)
    if ($null -eq $instance) { throw ('no issued license ' + $license + ' in key pack ' + $pack + ' (Win32_TSIssuedLicense)') }
    $result = Invoke-CimMethod -InputObject $instance -MethodName 'Revoke'
    $revokable = Get-RdsPropertyValue -InputObject $result -Name 'RevokableCals'
    if ($null -ne $revokable) { $revokable = [long]$revokable }
    $next = Get-RdsPropertyValue -InputObject $result -Name 'NextRevokeAllowedOn'
    $nextText = ''
    if ($null -ne $next) { $nextText = ([datetime]$next).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $invariant) }
    return @{
        ReturnValue         = [long](Get-RdsPropertyValue -InputObject $result -Name 'ReturnValue')
        RevokableCals       = $revokable
        NextRevokeAllowedOn = $nextText
    }
}
