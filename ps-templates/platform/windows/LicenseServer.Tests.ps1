# platform/windows/LicenseServer.ps1 executed under Mocks of the CIM cmdlets, each answering as
# Windows documents it (DOMAIN.md, "The RD Licensing server" and "CIM errors"): Get-CimInstance
# returns Win32_TSLicenseKeyPack and Win32_TSIssuedLicense instances with every class property
# (uint32 numbers, DATETIME as a local [datetime] or $null), and on a host that is not a license
# server throws a CimException with error_Code 0x80041010 (invalid class), no HResult and a
# localized message; Revoke's CimMethodResult holds ReturnValue and only the out-parameters Windows
# filled in (RevokableCals after a revoke, NextRevokeAllowedOn only after a refusal at the limit).
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
