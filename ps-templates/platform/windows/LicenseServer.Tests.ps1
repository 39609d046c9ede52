# platform/windows/LicenseServer.ps1 executed under Mocks of the CIM cmdlets, each answering as
# Windows documents it (DOMAIN.md, "The RD Licensing server" and "CIM errors"): Get-CimInstance
# returns Win32_TSLicenseKeyPack and Win32_TSIssuedLicense instances with every class property
# (uint32 numbers, DATETIME as a local [datetime] or $null), and on a host that is not a license
# server throws a CimException with error_Code 0x80041010 (invalid class), no HResult and a
# localized message; Revoke's CimMethodResult holds ReturnValue and only the out-parameters Windows
# filled in (RevokableCals after a revoke, NextRevokeAllowedOn only after a refusal at the limit).
# The usage report: GenerateReportEx (static) answers ReturnValue and FileName, Get-CimInstance the
# Win32_TSLicenseReport instance of that FileName, FetchReportSummaryEntries ReturnValue and the
# ReportSummaryEntries array (Win32_TSLicenseReportSummaryEntry, TSCALType and TSCALAvailability
# strings as documented), 0x4001 (LSERVER_I_NO_MORE_DATA) without ReportSummaryEntries at all.
# The file runs in a zone east of UTC (on Linux, where TZ selects it) and a culture with another
# calendar, so a date left in local time or formatted with the current culture fails here.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/RuntimeHarness.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/WindowsLayerTest.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/CimCmdletStandIns.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
    . (Join-Path $PSScriptRoot 'Host.ps1')
    . (Join-Path $PSScriptRoot 'LicenseServer.ps1')
    $SavedZone = Enter-TestForeignZone

    # A CIM DATETIME as Get-CimInstance hands it over: a [datetime] of Kind Local for the given instant.
    function New-TestCimDate {
        param([string] $Text)
        return [System.DateTimeOffset]::Parse($Text, [System.Globalization.CultureInfo]::InvariantCulture).LocalDateTime
    }
    # A Win32_TSLicenseKeyPack instance: every class property, uint32 numbers, the expiry $null for a pack that never expires.
    function New-TestKeyPack {
        param([uint32] $KeyPackId = 3, [object] $ExpirationDate = $null)
        return [pscustomobject]@{
            PSTypeName = 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_TSLicenseKeyPack'
            KeyPackId = $KeyPackId; Description = 'Open License'; KeyPackType = [uint32]5; ProductType = [uint32]0
            ProductVersion = 'Windows Server 2022'; ProductVersionID = [uint32]7; TotalLicenses = [uint32]50; IssuedLicenses = [uint32]12
            AvailableLicenses = [uint32]38; ExpirationDate = $ExpirationDate; AccessRights = [uint32]0; TypeAndModel = 'RDS Per Device CAL'
            PSComputerName = $null
        }
    }
    # A Win32_TSIssuedLicense instance: every class property, as Windows lists a per-device CAL.
    function New-TestIssuedLicense {
        param([uint32] $LicenseId = 17, [uint32] $KeyPackId = 3, [object] $IssueDate = $null, [object] $ExpirationDate = $null, [string] $User = 'CONTOSO\alice', [string] $Computer = 'WS042')
        return [pscustomobject]@{
            PSTypeName = 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_TSIssuedLicense'
            LicenseId = $LicenseId; KeyPackId = $KeyPackId; sIssuedToUser = $User; sIssuedToComputer = $Computer; LicenseStatus = [uint32]2
            IssueDate = $IssueDate; ExpirationDate = $ExpirationDate; sHardwareId = '1a2b3c4d-0000-0000-0000-00000000002a'
            PSComputerName = $null
        }
    }
    # A Win32_TSLicenseReport instance as Get-CimInstance returns it: every class property (the deprecated ones 0 or $null).
    function New-TestLicenseReport {
        param([string] $FileName)
        return [pscustomobject]@{
            PSTypeName = 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_TSLicenseReport'
            FileName = $FileName; LicenseUsageCount = [uint32]0; InstalledLicenses = [uint32]0; GenerationDateTime = (New-TestCimDate '2026-05-01T10:15:00+05:30')
            ScopeType = [uint32]0; ScopeValue = $null; Version = [uint32]2
            PSComputerName = $null
        }
    }
    # A Win32_TSLicenseReportSummaryEntry as the fetch's out-parameter holds it: every class property, TSCALType and TSCALAvailability strings.
    function New-TestSummaryEntry {
        param([string] $ProductVersion = 'Windows Server 2022', [string] $CalType = 'Per User', [uint32] $Installed = 50, [uint32] $Issued = 12, [string] $Availability = 'Available')
        return [pscustomobject]@{
            PSTypeName = 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_TSLicenseReportSummaryEntry'
            ProductVersion = $ProductVersion; ProductVersionID = [uint32]7; TSCALType = $CalType; InstalledLicenses = $Installed
            IssuedLicenses = $Issued; TSCALAvailability = $Availability
            PSComputerName = $null
        }
    }
    # CimMethodResults: ReturnValue and the out-parameters Windows filled in, nothing else.
    function New-TestMethodResult {
        param([hashtable] $OutParameters = @{}, [uint32] $ReturnValue = 0)
        $result = [ordered]@{ ReturnValue = $ReturnValue; PSComputerName = $null }
        foreach ($name in $OutParameters.Keys) { $result[$name] = $OutParameters[$name] }
        return [pscustomobject]$result
    }
}

AfterAll {
    Exit-TestForeignZone -Saved $SavedZone
}

Describe 'Win32_TSLicenseKeyPack through CIM' {
    It 'a pack: every field mapped with its type, the expiry as UTC text' {
        $expires = New-TestCimDate '2027-01-31T23:59:59+05:30'
        $expires.Kind | Should -Be 'Local'
        Mock Get-CimInstance { return (New-TestKeyPack -ExpirationDate $expires) }
        $packs = Get-RdsLicenseKeyPack
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -ceq 'root\cimv2' -and $ClassName -ceq 'Win32_TSLicenseKeyPack' -and [string]::IsNullOrEmpty($Filter) }
        $packs.Count | Should -Be 1
        Get-TestFieldType $packs[0] | Should -BeExactly 'AvailableLicenses:Int64 Description:String ExpirationDate:String IssuedLicenses:Int64 KeyPackId:Int64 KeyPackType:Int64 ProductType:Int64 ProductVersion:String ProductVersionId:Int64 TotalLicenses:Int64 TypeAndModel:String'
        ConvertTo-RdsTestJson $packs[0] | Should -BeExactly (ConvertTo-RdsTestJson @{
                KeyPackId = 3; Description = 'Open License'; KeyPackType = 5; ProductType = 0; ProductVersion = 'Windows Server 2022'; ProductVersionId = 7
                TotalLicenses = 50; IssuedLicenses = 12; AvailableLicenses = 38; ExpirationDate = '2027-01-31T18:29:59Z'; TypeAndModel = 'RDS Per Device CAL'
            })
    }

    It 'a pack that never expires ($null): the expiry is ""' {
        Mock Get-CimInstance { return (New-TestKeyPack) }
        (Get-RdsLicenseKeyPack)[0].ExpirationDate | Should -BeExactly ''
    }
}

Describe 'Win32_TSIssuedLicense through CIM' {
    It 'a license: every field mapped with its type, both dates as UTC text' {
        $issued = New-TestCimDate '2026-03-31T22:30:15+05:30'
        $expires = New-TestCimDate '2026-06-12T04:10:00+05:30'
        Mock Get-CimInstance { return (New-TestIssuedLicense -IssueDate $issued -ExpirationDate $expires) }
        $licenses = Get-RdsIssuedLicense
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -ceq 'root\cimv2' -and $ClassName -ceq 'Win32_TSIssuedLicense' -and [string]::IsNullOrEmpty($Filter) }
        $licenses.Count | Should -Be 1
        Get-TestFieldType $licenses[0] | Should -BeExactly 'ExpirationDate:String HardwareId:String IssueDate:String IssuedToComputer:String IssuedToUser:String KeyPackId:Int64 LicenseId:Int64 LicenseStatus:Int64'
        ConvertTo-RdsTestJson $licenses[0] | Should -BeExactly (ConvertTo-RdsTestJson @{
                LicenseId = 17; KeyPackId = 3; IssuedToUser = 'CONTOSO\alice'; IssuedToComputer = 'WS042'; LicenseStatus = 2
                IssueDate = '2026-03-31T17:00:15Z'; ExpirationDate = '2026-06-11T22:40:00Z'; HardwareId = '1a2b3c4d-0000-0000-0000-00000000002a'
            })
    }

    It 'a license without dates or user: "" for each, strings and dates alike' {
        Mock Get-CimInstance {
            $license = New-TestIssuedLicense
            $license.sIssuedToUser = $null
            $license.sIssuedToComputer = $null
            return $license
        }
        $license = (Get-RdsIssuedLicense)[0]
        Get-TestFieldType $license | Should -BeExactly 'ExpirationDate:String HardwareId:String IssueDate:String IssuedToComputer:String IssuedToUser:String KeyPackId:Int64 LicenseId:Int64 LicenseStatus:Int64'
        '{0}|{1}|{2}|{3}' -f $license.IssuedToUser, $license.IssuedToComputer, $license.IssueDate, $license.ExpirationDate | Should -BeExactly '|||'
    }
}

Describe 'the lists: always an array, and the CIM error of a host that is not a license server' {
    It '<Function> with <Count> instance(s): an array of that length' -ForEach @(
        @{ Function = 'Get-RdsLicenseKeyPack'; Id = 'KeyPackId'; Count = 0; Ids = '' }
        @{ Function = 'Get-RdsLicenseKeyPack'; Id = 'KeyPackId'; Count = 1; Ids = '1' }
        @{ Function = 'Get-RdsLicenseKeyPack'; Id = 'KeyPackId'; Count = 3; Ids = '1,2,3' }
        @{ Function = 'Get-RdsIssuedLicense'; Id = 'LicenseId'; Count = 0; Ids = '' }
        @{ Function = 'Get-RdsIssuedLicense'; Id = 'LicenseId'; Count = 1; Ids = '1' }
        @{ Function = 'Get-RdsIssuedLicense'; Id = 'LicenseId'; Count = 3; Ids = '1,2,3' }
    ) {
        Mock Get-CimInstance {
            for ($i = 1; $i -le $Count; $i++) {
                if ($ClassName -eq 'Win32_TSLicenseKeyPack') { New-TestKeyPack -KeyPackId $i } else { New-TestIssuedLicense -LicenseId $i }
            }
        }
        $list = & $Function
        $list -is [object[]] | Should -BeTrue
        $list.Count | Should -Be $Count
        [string]::Join(',', [string[]]@($list | ForEach-Object { $_[$Id] })) | Should -BeExactly $Ids
    }

    It '<Function> where the class is missing: Get-CimInstance''s CimException unchanged, error_Code 0x80041010' -ForEach @(
        @{ Function = 'Get-RdsLicenseKeyPack' }, @{ Function = 'Get-RdsIssuedLicense' }
    ) {
        $cim = New-RdsTestCimException -Code 0x80041010L -Message 'Ungültige Klasse '
        Mock Get-CimInstance { throw $cim }
        $thrown = Get-TestThrown { & $Function }
        [object]::ReferenceEquals($thrown.Exception, $cim) | Should -BeTrue
        Get-RdsErrorCode -ErrorRecord $thrown | Should -Be 0x80041010L
    }
}

Describe 'Invoke-RdsLicenseRevoke: Win32_TSIssuedLicense.Revoke' {
    BeforeEach {
        $Found = New-TestIssuedLicense -LicenseId 4000000000 -KeyPackId 3
        Mock Get-CimInstance { return $Found } -ParameterFilter { $Filter -ceq 'KeyPackId = 3 AND LicenseId = 4000000000' }
        Mock Get-CimInstance { }
    }

    It 'revoked: Revoke on the instance the Filter found; ReturnValue 0, RevokableCals, no next date' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -OutParameters @{ RevokableCals = [uint32]9 }) }
        $answer = Invoke-RdsLicenseRevoke -LicenseId 4000000000 -KeyPackId 3
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -ceq 'root\cimv2' -and $ClassName -ceq 'Win32_TSIssuedLicense' -and $Filter -ceq 'KeyPackId = 3 AND LicenseId = 4000000000' }
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { [object]::ReferenceEquals($InputObject, $Found) -and $MethodName -ceq 'Revoke' -and $null -eq $Arguments }
        Get-TestFieldType $answer | Should -BeExactly 'NextRevokeAllowedOn:String ReturnValue:Int64 RevokableCals:Int64'
        ConvertTo-RdsTestJson $answer | Should -BeExactly (ConvertTo-RdsTestJson @{ ReturnValue = 0; RevokableCals = 9; NextRevokeAllowedOn = '' })
    }

    It 'revoked with a zero NextRevokeAllowedOn beside it (a DMTF interval reads as a TimeSpan): no date, and no throw after the revoke' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -OutParameters @{ RevokableCals = [uint32]2; NextRevokeAllowedOn = [System.TimeSpan]::Zero }) }
        $answer = Invoke-RdsLicenseRevoke -LicenseId 4000000000 -KeyPackId 3
        ConvertTo-RdsTestJson $answer | Should -BeExactly (ConvertTo-RdsTestJson @{ ReturnValue = 0; RevokableCals = 2; NextRevokeAllowedOn = '' })
    }

    It 'an answer without ReturnValue is no success: -1, which the runtime reports as a refusal' {
        Mock Invoke-CimMethod { return [pscustomobject]@{ PSComputerName = $null } }
        (Invoke-RdsLicenseRevoke -LicenseId 4000000000 -KeyPackId 3).ReturnValue | Should -BeExactly ([long]-1)
    }

    It 'refused at the limit: the non-zero ReturnValue and NextRevokeAllowedOn as UTC text, without throwing (strict mode: no RevokableCals)' {
        $next = New-TestCimDate '2026-05-02T01:15:00+05:30'
        Mock Invoke-CimMethod { return (New-TestMethodResult -ReturnValue 1 -OutParameters @{ NextRevokeAllowedOn = $next }) }
        $answer = Invoke-RdsLicenseRevoke -LicenseId 4000000000 -KeyPackId 3
        Get-TestFieldType $answer | Should -BeExactly 'NextRevokeAllowedOn:String ReturnValue:Int64 RevokableCals:null'
        ConvertTo-RdsTestJson $answer | Should -BeExactly (ConvertTo-RdsTestJson @{ ReturnValue = 1; RevokableCals = $null; NextRevokeAllowedOn = '2026-05-01T19:45:00Z' })
    }

    It 'no such license: a message naming the license and its key pack, and no Revoke' {
        Mock Invoke-CimMethod { throw 'Revoke must not be called' }
        { Invoke-RdsLicenseRevoke -LicenseId 18 -KeyPackId 3 } | Should -Throw -ExpectedMessage 'no issued license 18 in key pack 3 (Win32_TSIssuedLicense)'
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Filter -ceq 'KeyPackId = 3 AND LicenseId = 18' }
        Should -Invoke Invoke-CimMethod -Times 0 -Exactly
    }
}

Describe 'Get-RdsLicenseUsageSummary: Win32_TSLicenseReport GenerateReportEx, FetchReportSummaryEntries, DeleteReport' {
    BeforeEach {
        $ReportName = 'CAL Usage Report 2026-05-01 10-15-00'
        $Report = New-TestLicenseReport -FileName $ReportName
        $Entries = [object[]]@(New-TestSummaryEntry -ProductVersion 'Windows Server 2022' -CalType 'Per User' -Installed 4000000000 -Issued 3 -Availability 'Limited')
        $FetchResult = New-TestMethodResult -OutParameters @{ Count = [uint32]1; ReportSummaryEntries = $Entries }
        $DeleteResult = New-TestMethodResult
        # Every call in order: the method, and for the instance methods whether they ran on the report Get-CimInstance returned.
        $Calls = [System.Collections.Generic.List[string]]::new()
        Mock Invoke-CimMethod {
            $Calls.Add('GenerateReportEx')
            return (New-TestMethodResult -OutParameters @{ FileName = $ReportName })
        } -ParameterFilter { $MethodName -ceq 'GenerateReportEx' }
        Mock Get-CimInstance {
            $Calls.Add('Get-CimInstance')
            return $Report
        } -ParameterFilter { $Filter -ceq ("FileName = '" + $ReportName + "'") }
        Mock Get-CimInstance { $Calls.Add('Get-CimInstance (no match)') }
        Mock Invoke-CimMethod {
            $Calls.Add('FetchReportSummaryEntries on report: ' + [object]::ReferenceEquals($InputObject, $Report))
            return $FetchResult
        } -ParameterFilter { $MethodName -ceq 'FetchReportSummaryEntries' }
        Mock Invoke-CimMethod {
            $Calls.Add('DeleteReport on report: ' + [object]::ReferenceEquals($InputObject, $Report))
            return $DeleteResult
        } -ParameterFilter { $MethodName -ceq 'DeleteReport' }
    }

    It 'one entry: the report made, found by its FileName, read and deleted, in that order; every field mapped with its type' {
        $summary = Get-RdsLicenseUsageSummary
        ($Calls -join ' | ') | Should -BeExactly 'GenerateReportEx | Get-CimInstance | FetchReportSummaryEntries on report: True | DeleteReport on report: True'
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { $Namespace -ceq 'root\cimv2' -and $ClassName -ceq 'Win32_TSLicenseReport' -and $MethodName -ceq 'GenerateReportEx' -and $null -eq $InputObject -and $null -eq $Arguments }
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -ceq 'root\cimv2' -and $ClassName -ceq 'Win32_TSLicenseReport' -and $Filter -ceq "FileName = 'CAL Usage Report 2026-05-01 10-15-00'" }
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter {
            [object]::ReferenceEquals($InputObject, $Report) -and $MethodName -ceq 'FetchReportSummaryEntries' -and [string]::IsNullOrEmpty($ClassName) -and
            [string]::Join(',', [string[]]@($Arguments.Keys | Sort-Object)) -ceq 'Count,StartIndex' -and $Arguments['StartIndex'] -is [uint32] -and $Arguments['StartIndex'] -eq 0 -and $Arguments['Count'] -is [uint32] -and $Arguments['Count'] -eq 0
        }
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { [object]::ReferenceEquals($InputObject, $Report) -and $MethodName -ceq 'DeleteReport' -and $null -eq $Arguments }
        Should -Invoke Invoke-CimMethod -Times 3 -Exactly
        $summary -is [object[]] | Should -BeTrue
        $summary.Count | Should -Be 1
        Get-TestFieldType $summary[0] | Should -BeExactly 'Availability:String CalType:String Installed:Int64 Issued:Int64 ProductVersion:String'
        ConvertTo-RdsTestJson $summary[0] | Should -BeExactly (ConvertTo-RdsTestJson @{ ProductVersion = 'Windows Server 2022'; CalType = 'Per User'; Installed = 4000000000; Issued = 3; Availability = 'Limited' })
    }

    It '<Case>: an array of <Count>, in the order given, and the report deleted' -ForEach @(
        @{ Case = 'LSERVER_I_NO_MORE_DATA (0x4001) without ReportSummaryEntries'; ReturnValue = 0x4001; Count = 0; Versions = '' }
        @{ Case = 'ReturnValue 0 without ReportSummaryEntries'; ReturnValue = 0; Count = 0; Versions = '' }
        @{ Case = 'one entry'; ReturnValue = 0; Count = 1; Versions = 'Windows Server 2016/Per Device' }
        @{ Case = 'three entries'; ReturnValue = 0; Count = 3; Versions = 'Windows Server 2016/Per Device,Windows Server 2019/Per User,Windows Server 2022/Per Device' }
    ) {
        $given = [object[]]@(
            New-TestSummaryEntry -ProductVersion 'Windows Server 2016' -CalType 'Per Device'
            New-TestSummaryEntry -ProductVersion 'Windows Server 2019' -CalType 'Per User'
            New-TestSummaryEntry -ProductVersion 'Windows Server 2022' -CalType 'Per Device'
        )
        if ($Count -eq 0) { $FetchResult = New-TestMethodResult -ReturnValue $ReturnValue }
        else { $FetchResult = New-TestMethodResult -ReturnValue $ReturnValue -OutParameters @{ Count = [uint32]$Count; ReportSummaryEntries = [object[]]$given[0..($Count - 1)] } }
        $summary = Get-RdsLicenseUsageSummary
        $summary -is [object[]] | Should -BeTrue
        $summary.Count | Should -Be $Count
        [string]::Join(',', [string[]]@($summary | ForEach-Object { $_.ProductVersion + '/' + $_.CalType })) | Should -BeExactly $Versions
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { [object]::ReferenceEquals($InputObject, $Report) -and $MethodName -ceq 'DeleteReport' }
    }

    It 'a FileName with a quote and backslashes: the Filter escapes both for WQL, and the report found is read and deleted' {
        $ReportName = "C:\Reports\O'Brien's CALs"
        $Report = New-TestLicenseReport -FileName $ReportName
        Mock Get-CimInstance { $Calls.Add('Get-CimInstance'); return $Report } -ParameterFilter { $Filter -ceq "FileName = 'C:\\Reports\\O\'Brien\'s CALs'" }
        $null = Get-RdsLicenseUsageSummary
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Filter -ceq "FileName = 'C:\\Reports\\O\'Brien\'s CALs'" }
        ($Calls -join ' | ') | Should -BeExactly 'GenerateReportEx | Get-CimInstance | FetchReportSummaryEntries on report: True | DeleteReport on report: True'
    }

    It 'GenerateReportEx returns 5: "Win32_TSLicenseReport.GenerateReportEx returned 5", and nothing else is called' {
        Mock Invoke-CimMethod { return (New-TestMethodResult -ReturnValue 5) } -ParameterFilter { $MethodName -ceq 'GenerateReportEx' }
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        $thrown.Exception.Message | Should -BeExactly 'Win32_TSLicenseReport.GenerateReportEx returned 5'
        Should -Invoke Get-CimInstance -Times 0 -Exactly
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly
    }

    It 'no report of that FileName: a message naming it, and neither fetch nor delete' {
        Mock Get-CimInstance { } -ParameterFilter { $Filter -ceq ("FileName = '" + $ReportName + "'") }
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        $thrown.Exception.Message | Should -BeExactly "no usage report 'CAL Usage Report 2026-05-01 10-15-00' (Win32_TSLicenseReport) after GenerateReportEx"
        Should -Invoke Invoke-CimMethod -Times 0 -Exactly -ParameterFilter { $MethodName -ne 'GenerateReportEx' }
    }

    It 'FetchReportSummaryEntries returns <ReturnValue>: "Win32_TSLicenseReport.FetchReportSummaryEntries returned <ReturnValue>", the report deleted all the same' -ForEach @(
        @{ ReturnValue = 1 }, @{ ReturnValue = 0x4002 }
    ) {
        $FetchResult = New-TestMethodResult -ReturnValue $ReturnValue
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        $thrown.Exception.Message | Should -BeExactly ('Win32_TSLicenseReport.FetchReportSummaryEntries returned ' + $ReturnValue)
        ($Calls -join ' | ') | Should -BeExactly 'GenerateReportEx | Get-CimInstance | FetchReportSummaryEntries on report: True | DeleteReport on report: True'
    }

    It 'DeleteReport returns 2 after a good fetch: "Win32_TSLicenseReport.DeleteReport returned 2"' {
        $DeleteResult = New-TestMethodResult -ReturnValue 2
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        $thrown.Exception.Message | Should -BeExactly 'Win32_TSLicenseReport.DeleteReport returned 2'
    }

    It '<Method> throws a CimException (<Why>): it passes unchanged, error_Code 0x<Hex>' -ForEach @(
        @{ Method = 'GenerateReportEx'; Why = 'no such method before 2012'; Code = 0x8004102EL; Hex = '8004102E'; Expected = 'GenerateReportEx' }
        @{ Method = 'FetchReportSummaryEntries'; Why = 'access denied'; Code = 0x80070005L; Hex = '80070005'; Expected = 'GenerateReportEx | Get-CimInstance | FetchReportSummaryEntries on report: True | DeleteReport on report: True' }
        @{ Method = 'DeleteReport'; Why = 'generic failure after a good fetch'; Code = 0x80041001L; Hex = '80041001'; Expected = 'GenerateReportEx | Get-CimInstance | FetchReportSummaryEntries on report: True | DeleteReport on report: True' }
    ) {
        $cim = New-RdsTestCimException -Code $Code -Message 'Ungültige Methode '
        Mock Invoke-CimMethod {
            if ($MethodName -ceq 'DeleteReport') { $Calls.Add('DeleteReport on report: ' + [object]::ReferenceEquals($InputObject, $Report)) }
            elseif ($MethodName -ceq 'FetchReportSummaryEntries') { $Calls.Add('FetchReportSummaryEntries on report: ' + [object]::ReferenceEquals($InputObject, $Report)) }
            else { $Calls.Add($MethodName) }
            throw $cim
        } -ParameterFilter { $MethodName -ceq $Method }
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        [object]::ReferenceEquals($thrown.Exception, $cim) | Should -BeTrue
        Get-RdsErrorCode -ErrorRecord $thrown | Should -Be $Code
        ($Calls -join ' | ') | Should -BeExactly $Expected
    }

    It 'the fetch fails (<Fetch>) and the delete fails too (<Delete>): the fetch''s error is thrown, saying the report is still there' -ForEach @(
        @{ Fetch = 'CimException 0x80070005'; Delete = 'CimException 0x80041001' }
        @{ Fetch = 'CimException 0x80070005'; Delete = 'ReturnValue 2' }
        @{ Fetch = 'ReturnValue 1'; Delete = 'CimException 0x80041001' }
        @{ Fetch = 'ReturnValue 1'; Delete = 'ReturnValue 2' }
    ) {
        $fetchCim = New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert '
        $deleteCim = New-RdsTestCimException -Code 0x80041001L -Message 'Allgemeiner Fehler '
        if ($Fetch -like 'CimException*') { Mock Invoke-CimMethod { $Calls.Add('FetchReportSummaryEntries'); throw $fetchCim } -ParameterFilter { $MethodName -ceq 'FetchReportSummaryEntries' } }
        else { $FetchResult = New-TestMethodResult -ReturnValue 1 }
        if ($Delete -like 'CimException*') { Mock Invoke-CimMethod { $Calls.Add('DeleteReport on report: ' + [object]::ReferenceEquals($InputObject, $Report)); throw $deleteCim } -ParameterFilter { $MethodName -ceq 'DeleteReport' } }
        else { $DeleteResult = New-TestMethodResult -ReturnValue 2 }
        $thrown = Get-TestThrown { Get-RdsLicenseUsageSummary }
        $fetchText = 'Win32_TSLicenseReport.FetchReportSummaryEntries returned 1'
        if ($Fetch -like 'CimException*') { $fetchText = 'Zugriff verweigert ' }
        $deleteText = 'Win32_TSLicenseReport.DeleteReport returned 2'
        if ($Delete -like 'CimException*') { $deleteText = 'Allgemeiner Fehler ' }
        $thrown.Exception.Message | Should -BeExactly ($fetchText + "; the report '" + $ReportName + "' was not deleted either: " + $deleteText)
        $Calls[$Calls.Count - 1] | Should -BeExactly 'DeleteReport on report: True'
        Should -Invoke Invoke-CimMethod -Times 1 -Exactly -ParameterFilter { [object]::ReferenceEquals($InputObject, $Report) -and $MethodName -ceq 'DeleteReport' }
    }
}
