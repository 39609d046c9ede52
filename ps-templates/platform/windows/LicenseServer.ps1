# rdsplan platform (Windows): the RD Licensing server's WMI provider (TlsWmiProv.dll, root\cimv2:
# Win32_TSLicenseKeyPack, Win32_TSIssuedLicense). Thin calls that decide nothing: the runtime works
# out how many per-device CALs may be revoked and reads the limit back from a refused Revoke.
# Errors are Get-CimInstance's own CimExceptions (on a host that is not a license server the class
# is missing: error_Code 0x80041010), classified by the runtime (Get-RdsErrorCode). CIM DATETIME
# values arrive as [datetime] (local time) or $null and leave as UTC text (yyyy-MM-ddTHH:mm:ssZ,
# invariant culture) or ''. Revoke's out-parameters exist only when Windows filled them in, so
# they are read through PSObject.Properties (Get-RdsPropertyValue: strict mode). The usage report
# summary (Win32_TSLicenseReport, 2012+) is made, read and deleted as Microsoft documents it;
# TSCALType and TSCALAvailability are strings there ("Per Device", "Available", ...), passed on as text.

# Returns every installed CAL pack (Win32_TSLicenseKeyPack) as an array of hashtables, also for none or one.
function Get-RdsLicenseKeyPack {
    [CmdletBinding()] param()
    $packs = @(foreach ($instance in (Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSLicenseKeyPack')) {
        @{
            KeyPackId = [long]$instance.KeyPackId; Description = [string]$instance.Description; KeyPackType = [long]$instance.KeyPackType
            ProductType = [long]$instance.ProductType; ProductVersion = [string]$instance.ProductVersion
            ProductVersionId = [long]$instance.ProductVersionID; TotalLicenses = [long]$instance.TotalLicenses
            IssuedLicenses = [long]$instance.IssuedLicenses; AvailableLicenses = [long]$instance.AvailableLicenses
            ExpirationDate = (ConvertTo-RdsUtcText -Time $instance.ExpirationDate); TypeAndModel = [string]$instance.TypeAndModel
        }
    })
    return , [object[]]$packs
}

# Returns every issued per-device CAL (Win32_TSIssuedLicense) as an array of hashtables, also for none or one.
function Get-RdsIssuedLicense {
    [CmdletBinding()] param()
    $licenses = @(foreach ($instance in (Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSIssuedLicense')) {
        @{
            LicenseId = [long]$instance.LicenseId; KeyPackId = [long]$instance.KeyPackId; IssuedToUser = [string]$instance.sIssuedToUser
            IssuedToComputer = [string]$instance.sIssuedToComputer; LicenseStatus = [long]$instance.LicenseStatus
            IssueDate = (ConvertTo-RdsUtcText -Time $instance.IssueDate); ExpirationDate = (ConvertTo-RdsUtcText -Time $instance.ExpirationDate)
            HardwareId = [string]$instance.sHardwareId
        }
    })
    return , [object[]]$licenses
}

# Revokes one issued per-device CAL (Win32_TSIssuedLicense.Revoke); returns its answer, a refusal too, without throwing.
function Invoke-RdsLicenseRevoke {
    param([Parameter(Mandatory)] [long] $LicenseId, [Parameter(Mandatory)] [long] $KeyPackId)
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
    # Valid only after a refusal (Microsoft): a zero DMTF value beside a success may read as a TimeSpan, so only a date is converted; the call has happened, so nothing here may throw.
    if ($next -is [datetime]) { $nextText = ConvertTo-RdsUtcText -Time $next }
    $returnValue = Get-RdsPropertyValue -InputObject $result -Name 'ReturnValue'
    # No ReturnValue is no answer, not success: -1 reads as a refusal the runtime reports.
    if ($null -eq $returnValue) { $returnValue = -1 }
    return @{ ReturnValue = [long]$returnValue; RevokableCals = $revokable; NextRevokeAllowedOn = $nextText }
}

# Returns the usage report summary (Win32_TSLicenseReport: GenerateReportEx, FetchReportSummaryEntries, then DeleteReport, also after a failed fetch) as an array of hashtables, also for none or one.
function Get-RdsLicenseUsageSummary {
    [CmdletBinding()] param()
    $generated = Invoke-CimMethod -Namespace 'root\cimv2' -ClassName 'Win32_TSLicenseReport' -MethodName 'GenerateReportEx'
    $generateCode = [long](Get-RdsPropertyValue -InputObject $generated -Name 'ReturnValue')
    if ($generateCode -ne 0) { throw ('Win32_TSLicenseReport.GenerateReportEx returned ' + $generateCode) }
    $fileName = [string](Get-RdsPropertyValue -InputObject $generated -Name 'FileName')
    $quoted = $fileName.Replace('\', '\\').Replace("'", "\'")
    $report = Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_TSLicenseReport' -Filter ("FileName = '" + $quoted + "'")
    if ($null -eq $report) { throw ("no usage report '" + $fileName + "' (Win32_TSLicenseReport) after GenerateReportEx") }
    $fetchError = $null
    try {
        $result = Invoke-CimMethod -InputObject $report -MethodName 'FetchReportSummaryEntries' -Arguments @{ StartIndex = [uint32]0; Count = [uint32]0 }
        # 0x4001 is LSERVER_I_NO_MORE_DATA: no entries, and no ReportSummaryEntries in the result.
        $fetchCode = [long](Get-RdsPropertyValue -InputObject $result -Name 'ReturnValue')
        if ($fetchCode -ne 0 -and $fetchCode -ne 0x4001L) { throw ('Win32_TSLicenseReport.FetchReportSummaryEntries returned ' + $fetchCode) }
        $summary = @(foreach ($entry in (Get-RdsPropertyValue -InputObject $result -Name 'ReportSummaryEntries')) {
            @{
                ProductVersion = [string]$entry.ProductVersion; CalType = [string]$entry.TSCALType; Installed = [long]$entry.InstalledLicenses
                Issued = [long]$entry.IssuedLicenses; Availability = [string]$entry.TSCALAvailability
            }
        })
    } catch { $fetchError = $_ }
    # The report is deleted whatever the fetch did; when both fail, the fetch's error leaves and says the report is still there.
    try {
        $deleted = Invoke-CimMethod -InputObject $report -MethodName 'DeleteReport'
        $deleteCode = [long](Get-RdsPropertyValue -InputObject $deleted -Name 'ReturnValue')
        if ($deleteCode -ne 0) { throw ('Win32_TSLicenseReport.DeleteReport returned ' + $deleteCode) }
    } catch {
        if ($null -eq $fetchError) { throw }
        throw ((Get-RdsExceptionMessage -ErrorRecord $fetchError) + "; the report '" + $fileName + "' was not deleted either: " + (Get-RdsExceptionMessage -ErrorRecord $_))
    }
    if ($null -ne $fetchError) { throw $fetchError }
    return , [object[]]$summary
}
