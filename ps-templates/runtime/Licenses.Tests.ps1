# The license server's CALs as the licenseServer.* actions see them (runtime/Licenses.ps1) and the
# three actions (reportCals, testRevokeAllowance, revokeDeviceCal) over the simulated RD Licensing
# server of platform/sim (DOMAIN.md "The RD Licensing server"): the inventory, which CALs a revoke
# step selects, the allowance worked out before any revoke, a host that is no license server, the
# refusal before the first change, and a revoke the server refuses half-way.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/SimHost.ps1')
    . (Join-Path $PSScriptRoot '../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime', 'platform/sim') { . $file }
    foreach ($action in @('reportCals', 'testRevokeAllowance', 'revokeDeviceCal')) { . (Join-Path $PSScriptRoot ('../actions/licenseServer.' + $action + '.ps1')) }

    $Utc = 'yyyy-MM-ddTHH:mm:ssZ'
    $Invariant = [System.Globalization.CultureInfo]::InvariantCulture
    # The built-in license server's one revocation, moved to 14 days ago: the sim's 60-day window counts it whatever day the tests run.
    $RecentRevocation = [System.DateTime]::UtcNow.AddDays(-14).ToString($Utc, $Invariant)
    $NextAfterRecent = [System.DateTime]::ParseExact($RecentRevocation, $Utc, $Invariant, [System.Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal').AddDays(60).ToString($Utc, $Invariant)

    # The built-in license server RDLS01 as the sim saves it from '{ role: licenseServer }', the base every test edits.
    $seedPath = [System.IO.Path]::Combine($TestDrive, 'seed.json')
    [System.IO.File]::WriteAllText($seedPath, '{"format":"rdsplan-sim-state/1","role":"licenseServer"}')
    Initialize-RdsPlatform -Option $seedPath
    Complete-RdsPlatform
    $SeedText = [System.IO.File]::ReadAllText($seedPath)

    # Writes a state file in TestDrive (the built-in license server, edited through JSON) and loads it; returns its path.
    function Initialize-TestHost {
        param([Parameter(Mandatory = $true)] [string] $Name, [scriptblock] $Edit = $null, [switch] $KeepRevocationDate)
        $path = [System.IO.Path]::Combine($TestDrive, $Name)
        $state = ConvertFrom-Json -InputObject $SeedText -AsHashtable -Depth 64 -DateKind String
        if (-not $KeepRevocationDate) { $state.licenseServer.revocations[0].on = $RecentRevocation }
        if ($null -ne $Edit) { & $Edit $state }
        [System.IO.File]::WriteAllText($path, (ConvertTo-Json -InputObject $state -Depth 64))
        Initialize-RdsPlatform -Option $path
        return $path
    }
    # A CAL of the state being edited, by license id.
    function Get-TestStateCal {
        param([System.Collections.IDictionary] $State, [long] $LicenseId)
        foreach ($license in $State.licenseServer.issuedLicenses) { if ([long]$license.licenseId -eq $LicenseId) { return $license } }
        throw "no CAL $LicenseId in the test state"
    }
    # The status of each CAL as the simulated server lists it now: '1010:2 1011:4 …'.
    function Get-TestCalStatus {
        return ([string[]]@(foreach ($license in (Get-RdsIssuedLicense)) { [string]$license.LicenseId + ':' + $license.LicenseStatus }) -join ' ')
    }
    # How often a platform call ran since Initialize-RdsPlatform (the sim's counters).
    function Get-TestCallCount {
        param([string] $Call)
        return [long](Get-RdsSimMember -Table (Get-RdsSimState).Calls -Name $Call -Default ([long]0))
    }
    # The context the runner gives an action (New-RdsPlanContext's members an action may read or set).
    function New-TestContext {
        param([string] $StepId = 'licenses.step')
        return @{
            CurrentStepId = $StepId; Mode = 'apply'; Refused = $false; Barrier = ''; Steps = [ordered]@{}; StepState = @{}; Exports = @{}
            Deferred = [ordered]@{}; Notes = [System.Collections.Generic.List[string]]::new(); RunDirectory = [System.IO.Path]::Combine($TestDrive, 'run')
        }
    }
    # The message of the error a script block throws ('' when it throws none).
    function Get-TestThrownMessage {
        param([scriptblock] $Body)
        try { & $Body } catch { return $_.Exception.Message }
        return ''
    }
    # The selected CALs as 'licenseId:computer' in order.
    function Format-TestSelection {
        param([AllowEmptyCollection()] [object[]] $Selection)
        return ([string[]]@($Selection | ForEach-Object { [string]$_.LicenseId + ':' + $_.Computer }) -join ' ')
    }
    $Ws2019Computers = @('WS-001', 'WS-002', 'WS-003', 'WS-004', 'WS-005', 'WS-042', 'WS-043', 'WS-044')
}

Describe 'Get-RdsCalInventory on the built-in license server' {
    BeforeAll {
        $null = Initialize-TestHost -Name 'inventory.json'
        $inventory = Get-RdsCalInventory
    }

    It 'key packs: id, product version, type by name and code, counts, expiry' {
        ConvertTo-SimTestJson -InputObject $inventory.KeyPacks | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(
                @{ KeyPackId = 2; ProductVersion = 'Windows Server 2016'; Type = 'per device'; TypeCode = 0; Description = 'A02-6.00-S'; Total = 5; Issued = 2; Available = 3; Expires = '2038-01-19T03:14:07Z' }
                @{ KeyPackId = 3; ProductVersion = 'Windows Server 2019'; Type = 'per device'; TypeCode = 0; Description = 'A02-6.00-S'; Total = 20; Issued = 8; Available = 12; Expires = '2038-01-19T03:14:07Z' }
                @{ KeyPackId = 4; ProductVersion = 'Windows Server 2019'; Type = 'per user'; TypeCode = 1; Description = 'A02-6.00-S'; Total = 50; Issued = 31; Available = 19; Expires = '2038-01-19T03:14:07Z' }
            ))
    }

    It 'device CALs in the server''s order, each with its pack''s product version and its status by name' {
        $inventory.DeviceCals.Length | Should -Be 11
        ([string[]]@($inventory.DeviceCals | ForEach-Object { [string]$_.LicenseId + '|' + $_.ProductVersion + '|' + $_.Status + '|' + $_.StatusCode }) -join ' / ') | Should -BeExactly (@(
                '1001|Windows Server 2016|active|2', '1002|Windows Server 2016|active|2'
                '1010|Windows Server 2019|active|2', '1011|Windows Server 2019|active|2', '1012|Windows Server 2019|active|2', '1013|Windows Server 2019|active|2'
                '1014|Windows Server 2019|active|2', '1015|Windows Server 2019|active|2', '1016|Windows Server 2019|active|2', '1017|Windows Server 2019|active|2'
                '1009|Windows Server 2019|revoked|4') -join ' / ')
        ConvertTo-SimTestJson -InputObject $inventory.DeviceCals[10] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                LicenseId = 1009; KeyPackId = 3; ProductVersion = 'Windows Server 2019'; Computer = 'WS-RETIRED'; User = 'CONTOSO\user1009'; HardwareId = '0200030a-000003f1'
                Status = 'revoked'; StatusCode = 4; Issued = '2025-11-03T09:00:00Z'; Expires = '2026-11-20T09:00:00Z'
            })
    }

    It 'every documented LicenseStatus by name, an undocumented one as its code' {
        $null = Initialize-TestHost -Name 'statuses.json' -Edit {
            param($s)
            $codes = @{ 1001 = 0; 1002 = 1; 1010 = 3; 1011 = 5; 1012 = 6; 1013 = 9 }
            foreach ($id in $codes.Keys) { (Get-TestStateCal -State $s -LicenseId $id).licenseStatus = $codes[$id] }
        }
        $cals = (Get-RdsCalInventory).DeviceCals
        ([string[]]@($cals | Select-Object -First 6 | ForEach-Object { [string]$_.StatusCode + '=' + $_.Status }) -join ', ') | Should -BeExactly '0=unknown, 1=temporary, 3=upgrade, 5=pending, 6=concurrent, 9=code 9'
    }

    It 'the pack types and statuses by name, and a code neither table documents as its number' {
        $null = Initialize-TestHost -Name 'codes.json' -Edit {
            param($s)
            foreach ($pack in $s.licenseServer.keyPacks) { if ($pack.keyPackId -eq 2) { $pack.productType = 2 } elseif ($pack.keyPackId -eq 4) { $pack.productType = 7 } }
            (Get-TestStateCal -State $s -LicenseId 1010).licenseStatus = 12
        }
        $inventory = Get-RdsCalInventory
        $types = @{}
        foreach ($pack in $inventory.KeyPacks) { $types[[string]$pack.KeyPackId] = $pack.Type }
        $statuses = @{}
        foreach ($cal in $inventory.DeviceCals) { $statuses[[string]$cal.LicenseId] = $cal.Status }
        $types['2'] | Should -BeExactly 'not valid'
        $types['4'] | Should -BeExactly 'code 7'
        $statuses['1009'] | Should -BeExactly 'revoked'
        $statuses['1010'] | Should -BeExactly 'code 12'
    }
}

Describe 'a host that is no RD Licensing server' {
    It 'the default session host (<Name>): the inventory says so and names WBEM_E_INVALID_CLASS' -ForEach @(
        @{ Name = 'missing state file'; Text = $null }
        @{ Name = 'role sessionHost'; Text = '{"format":"rdsplan-sim-state/1","role":"sessionHost"}' }
    ) {
        $path = [System.IO.Path]::Combine($TestDrive, 'session-host-' + [guid]::NewGuid().ToString('N') + '.json')
        if ($null -ne $Text) { [System.IO.File]::WriteAllText($path, $Text) }
        Initialize-RdsPlatform -Option $path
        $message = Get-TestThrownMessage { Get-RdsCalInventory }
        $message | Should -BeLikeExactly 'this host is no RD Licensing server*'
        $message | Should -BeLikeExactly '*0x80041010*'
        # The report step fails with the same message.
        Get-TestThrownMessage { Test-RdsCalReportStep -Parameters @{} -Context (New-TestContext) } | Should -BeExactly $message
    }

    It 'a CimException of the real shape with error_Code 0x80041010 reads as no license server too' {
        $null = Initialize-TestHost -Name 'mock-invalid-class.json'
        Mock Get-RdsLicenseKeyPack { throw (New-RdsTestCimException -Code 0x80041010L -Message 'Ungültige Klasse ') }
        Get-TestThrownMessage { Get-RdsCalInventory } | Should -BeLikeExactly 'this host is no RD Licensing server*0x80041010*'
    }

    It 'another CIM error passes through unchanged' {
        $null = Initialize-TestHost -Name 'mock-access-denied.json'
        $thrown = New-RdsTestCimException -Code 0x80070005L -Message 'Zugriff verweigert '
        Mock Get-RdsLicenseKeyPack { throw $thrown }
        $caught = $null
        try { $null = Get-RdsCalInventory } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        [object]::ReferenceEquals($caught.Exception, $thrown) | Should -BeTrue
        $caught.Exception.Message | Should -BeExactly 'Zugriff verweigert '
        Format-RdsErrorCode -Code (Get-RdsErrorCode -ErrorRecord $caught) | Should -BeExactly '0x80070005'
    }

    It 'a failure of the simulated server (a fault) passes through unchanged' {
        $null = Initialize-TestHost -Name 'fault.json' -Edit { param($s) $s.faults = @(@{ call = 'Get-RdsLicenseKeyPack'; message = 'The RPC server is unavailable.' }) }
        Get-TestThrownMessage { Get-RdsCalInventory } | Should -BeExactly 'The RPC server is unavailable.'
    }
}

Describe 'Select-RdsRevocableCal' {
    BeforeAll {
        $null = Initialize-TestHost -Name 'select.json' -Edit {
            param($s)
            (Get-TestStateCal -State $s -LicenseId 1011).licenseStatus = 1
            (Get-TestStateCal -State $s -LicenseId 1013).licenseStatus = 5
            (Get-TestStateCal -State $s -LicenseId 1016).licenseStatus = 9
        }
        $inventory = Get-RdsCalInventory
    }

    It 'only active CALs (status 2), in the server''s order' {
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{}) | Should -BeExactly '1001:WS-OLD01 1002:WS-OLD02 1010:WS-001 1012:WS-003 1014:WS-005 1015:WS-042 1017:WS-044'
    }

    It 'computer names ignore case; a revoked CAL and an unknown name select nothing' {
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ Computers = @('ws-042', 'Ws-Old02', 'WS-RETIRED', 'WS-999') }) | Should -BeExactly '1002:WS-OLD02 1015:WS-042'
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ Computers = 'ws-001' }) | Should -BeExactly '1010:WS-001'
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ Computers = @('WS-999') }) | Should -BeExactly ''
    }

    It 'issuedBefore: a CAL issued on that day is not selected, one issued the day before is' {
        # WS-001's CAL was issued 2026-01-05T10:00:00Z.
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ IssuedBefore = '2026-01-05' }) | Should -BeExactly '1001:WS-OLD01 1002:WS-OLD02'
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ IssuedBefore = '2026-01-06' }) | Should -BeExactly '1001:WS-OLD01 1002:WS-OLD02 1010:WS-001'
    }

    It 'computers and issuedBefore together: both must hold' {
        Format-TestSelection (Select-RdsRevocableCal -Inventory $inventory -Parameters @{ Computers = @('WS-OLD01', 'WS-001', 'WS-042'); IssuedBefore = '2026-02-01' }) | Should -BeExactly '1001:WS-OLD01 1010:WS-001'
    }
}

Describe 'Get-RdsRevokeAllowance' {
    BeforeAll {
        $null = Initialize-TestHost -Name 'allowance.json'
        $inventory = Get-RdsCalInventory
        $everything = Select-RdsRevocableCal -Inventory $inventory -Parameters @{}
        function Format-TestAllowance {
            param([AllowEmptyCollection()] [object[]] $Rows)
            return ([string[]]@($Rows | ForEach-Object { $_.ProductVersion + ': installed ' + $_.Installed + ', revoked ' + $_.Revoked + ', allowed ' + $_.Allowed + ', selected ' + $_.Selected }) -join ' / ')
        }
    }

    It 'one row per product version of the selection, in the order of the selection; per-user packs not counted' {
        Format-TestAllowance (Get-RdsRevokeAllowance -Inventory $inventory -Selection $everything -MaxShare 20) | Should -BeExactly 'Windows Server 2016: installed 5, revoked 0, allowed 1, selected 2 / Windows Server 2019: installed 20, revoked 1, allowed 3, selected 8'
        $rows = Get-RdsRevokeAllowance -Inventory $inventory -Selection $everything -MaxShare 20
        ConvertTo-SimTestJson -InputObject $rows[1] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{ ProductVersion = 'Windows Server 2019'; Installed = 20; Revoked = 1; Allowed = 3; Selected = 8 })
    }

    It 'the share is rounded down (39% of 5 is 1, of 20 is 7)' {
        Format-TestAllowance (Get-RdsRevokeAllowance -Inventory $inventory -Selection $everything -MaxShare 39) | Should -BeExactly 'Windows Server 2016: installed 5, revoked 0, allowed 1, selected 2 / Windows Server 2019: installed 20, revoked 1, allowed 6, selected 8'
    }

    It 'only the versions the selection touches' {
        $one = Select-RdsRevocableCal -Inventory $inventory -Parameters @{ Computers = @('WS-OLD02') }
        Format-TestAllowance (Get-RdsRevokeAllowance -Inventory $inventory -Selection $one -MaxShare 100) | Should -BeExactly 'Windows Server 2016: installed 5, revoked 0, allowed 5, selected 1'
        (Get-RdsRevokeAllowance -Inventory $inventory -Selection @() -MaxShare 20).Length | Should -Be 0
    }

    It 'every CAL the server lists as revoked is subtracted, and the allowance never goes below 0' {
        $null = Initialize-TestHost -Name 'allowance-revoked.json' -Edit {
            param($s)
            foreach ($id in @(1016, 1017)) { (Get-TestStateCal -State $s -LicenseId $id).licenseStatus = 4 }
        }
        $more = Get-RdsCalInventory
        $selection = Select-RdsRevocableCal -Inventory $more -Parameters @{}
        Format-TestAllowance (Get-RdsRevokeAllowance -Inventory $more -Selection $selection -MaxShare 20) | Should -BeExactly 'Windows Server 2016: installed 5, revoked 0, allowed 1, selected 2 / Windows Server 2019: installed 20, revoked 3, allowed 1, selected 6'
        Format-TestAllowance (Get-RdsRevokeAllowance -Inventory $more -Selection $selection -MaxShare 10) | Should -BeExactly 'Windows Server 2016: installed 5, revoked 0, allowed 0, selected 2 / Windows Server 2019: installed 20, revoked 3, allowed 0, selected 6'
    }
}

Describe 'licenseServer.reportCals' {
    It 'always in the desired state; After is the inventory; the message counts packs and CALs' {
        $null = Initialize-TestHost -Name 'report.json'
        $test = Test-RdsCalReportStep -Parameters @{} -Context (New-TestContext -StepId 'report')
        $test.InDesiredState | Should -BeExactly $true
        $inventory = Get-RdsCalInventory
        ConvertTo-SimTestJson -InputObject $test.After.KeyPacks | Should -BeExactly (ConvertTo-SimTestJson -InputObject $inventory.KeyPacks)
        ConvertTo-SimTestJson -InputObject $test.After.DeviceCals | Should -BeExactly (ConvertTo-SimTestJson -InputObject $inventory.DeviceCals)
        $test.After.KeyPacks.Length | Should -Be 3
        $test.After.DeviceCals.Length | Should -Be 11
        ([string[]]@($test.After.Usage | ForEach-Object { $_.ProductVersion + ' ' + $_.Type + ' ' + $_.Issued + '/' + $_.Installed + ' ' + $_.Availability }) -join ', ') | Should -BeExactly 'Windows Server 2016 Per Device 2/5 Available, Windows Server 2019 Per Device 8/20 Available, Windows Server 2019 Per User 31/50 Available'
        $test.Message | Should -BeExactly '3 CAL pack(s); Windows Server 2016 per device: 2 of 5 issued; Windows Server 2019 per device: 8 of 20 issued; Windows Server 2019 per user: 31 of 50 issued; 11 per-device CAL(s) listed; usage report: 3 line(s), the report deleted on the server'
        Get-TestCallCount -Call 'Invoke-RdsLicenseRevoke' | Should -Be 0
    }

    It 'the counts follow the server: two packs of one version and type add up' {
        $null = Initialize-TestHost -Name 'report-sum.json' -Edit {
            param($s)
            $s.licenseServer.keyPacks = @($s.licenseServer.keyPacks) + @(@{ keyPackId = 9; description = 'Open License'; keyPackType = 5; productType = 0; productVersion = 'Windows Server 2019'; productVersionId = 6; totalLicenses = 10; expirationDate = ''; typeAndModel = 'RDS Per Device CAL' })
            (Get-TestStateCal -State $s -LicenseId 1017).keyPackId = 9
            (Get-TestStateCal -State $s -LicenseId 1010).licenseStatus = 4
        }
        $test = Test-RdsCalReportStep -Parameters @{} -Context (New-TestContext -StepId 'report')
        $test.InDesiredState | Should -BeExactly $true
        $test.Message | Should -BeExactly '4 CAL pack(s); Windows Server 2016 per device: 2 of 5 issued; Windows Server 2019 per device: 7 of 30 issued; Windows Server 2019 per user: 31 of 50 issued; 11 per-device CAL(s) listed; usage report: 3 line(s), the report deleted on the server'
    }

    It 'a server without GenerateReportEx (before 2012): the inventory without a usage report, and why' {
        $null = Initialize-TestHost -Name 'report-2008.json' -Edit { param($s) $s.licenseServer.usageReports = $false }
        $test = Test-RdsCalReportStep -Parameters @{} -Context (New-TestContext -StepId 'report')
        $test.InDesiredState | Should -BeExactly $true
        $test.After.Usage.Length | Should -Be 0
        $test.After.KeyPacks.Length | Should -Be 3
        $test.Message | Should -BeLikeExactly '*; no usage report: this server has no GenerateReportEx (Windows Server 2012 or later has one)'
    }

    It 'a usage report that fails otherwise is a warning in the message; the inventory is still the report' {
        $null = Initialize-TestHost -Name 'report-fault.json' -Edit { param($s) $s.faults = @(@{ call = 'Get-RdsLicenseUsageSummary'; message = 'The RPC server is unavailable.' }) }
        $test = Test-RdsCalReportStep -Parameters @{} -Context (New-TestContext -StepId 'report')
        $test.InDesiredState | Should -BeExactly $true
        $test.After.DeviceCals.Length | Should -Be 11
        $test.Message | Should -BeLikeExactly '*; warning: the usage report could not be read: The RPC server is unavailable.'
    }
}

Describe 'licenseServer.testRevokeAllowance' {
    It 'within the allowance (<Count> of 3 allowed): in the desired state' -ForEach @(
        @{ Count = 2 }
        @{ Count = 3 }
    ) {
        $null = Initialize-TestHost -Name ('within-' + $Count + '.json')
        $test = Test-RdsRevokeAllowanceStep -Parameters @{ Computers = @($Ws2019Computers | Select-Object -First $Count); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $true
        $test.Message | Should -BeExactly ('within the revoke allowance: Windows Server 2019: ' + $Count + ' to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked)')
        $test.After.Allowance[0].Allowed | Should -Be 3
    }

    It 'beyond the allowance: not in the desired state, and the message says the apply is refused' {
        $null = Initialize-TestHost -Name 'beyond.json'
        $test = Test-RdsRevokeAllowanceStep -Parameters @{ Computers = @($Ws2019Computers | Select-Object -First 4); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $false
        $test.Message | Should -BeExactly 'beyond the revoke allowance: Windows Server 2019: 4 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked): the apply is refused before its first change'
    }

    It 'one version beyond and another within: beyond' {
        $null = Initialize-TestHost -Name 'beyond-one.json'
        $test = Test-RdsRevokeAllowanceStep -Parameters @{ Computers = @('WS-OLD01', 'WS-OLD02', 'WS-001'); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $false
        $test.Message | Should -BeExactly 'beyond the revoke allowance: Windows Server 2016: 2 to revoke, 1 allowed (20% of 5 installed per-device CAL(s), less 0 listed as revoked); Windows Server 2019: 1 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked): the apply is refused before its first change'
    }

    It 'nothing matches: in the desired state, nothing to revoke' {
        $null = Initialize-TestHost -Name 'nothing.json'
        $test = Test-RdsRevokeAllowanceStep -Parameters @{ Computers = @('WS-RETIRED'); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $true
        $test.Message | Should -BeExactly 'no active per-device CAL matches: nothing to revoke'
    }

    It 'Set refuses the run (Deny-RdsHostChange) and revokes nothing' {
        $null = Initialize-TestHost -Name 'deny.json'
        $parameters = @{ Computers = @($Ws2019Computers | Select-Object -First 4); MaxShare = 20 }
        $context = New-TestContext -StepId 'revoke.allowance'
        $test = Test-RdsRevokeAllowanceStep -Parameters $parameters -Context $context
        $message = Get-TestThrownMessage { Set-RdsRevokeAllowanceStep -Parameters $parameters -Context $context -Test $test }
        $message | Should -BeExactly 'refused: the revoke would go beyond the license server''s revoke allowance (Windows Server 2019: 4 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked)), so nothing was revoked or changed; revoke fewer CALs in this run (computers, issuedBefore) and the rest in a later one'
        $context.Refused | Should -BeExactly $true
        $context.Barrier | Should -BeExactly "step 'revoke.allowance' refused the run"
        Get-TestCallCount -Call 'Invoke-RdsLicenseRevoke' | Should -Be 0
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:2 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }
}

Describe 'licenseServer.revokeDeviceCal' {
    It 'Test: nothing matches, in the desired state' {
        $null = Initialize-TestHost -Name 'revoke-nothing.json'
        $test = Test-RdsDeviceCalRevokeStep -Parameters @{ Computers = @('WS-999'); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $true
        $test.Message | Should -BeExactly 'no active per-device CAL matches'
        @($test.Before.Active).Count | Should -Be 0
    }

    It 'Test: the CALs it would revoke, one line each' {
        $null = Initialize-TestHost -Name 'revoke-test.json'
        $test = Test-RdsDeviceCalRevokeStep -Parameters @{ Computers = @('ws-042', 'WS-001'); MaxShare = 20 } -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $false
        $test.Operation | Should -BeExactly 'Revoke 2 per-device CAL(s)'
        $test.Before.Active | Should -BeExactly @(
            'WS-001: license 1010 in key pack 3 (Windows Server 2019, issued 2026-01-05T10:00:00Z)'
            'WS-042: license 1015 in key pack 3 (Windows Server 2019, issued 2026-08-19T14:05:00Z)')
        $test.Message | Should -BeExactly 'would revoke 2 per-device CAL(s) (Windows Server 2019: 2 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked)); a revoke cannot be undone'
        Get-TestCallCount -Call 'Invoke-RdsLicenseRevoke' | Should -Be 0
    }

    It 'Set revokes the selection in the server''s order and returns what it revoked' {
        $null = Initialize-TestHost -Name 'revoke-set.json'
        $parameters = @{ Computers = @('WS-042', 'ws-001'); MaxShare = 20 }
        $context = New-TestContext -StepId 'revoke'
        $test = Test-RdsDeviceCalRevokeStep -Parameters $parameters -Context $context
        $set = Set-RdsDeviceCalRevokeStep -Parameters $parameters -Context $context -Test $test
        ConvertTo-SimTestJson -InputObject $set.After.Revoked | Should -BeExactly (ConvertTo-SimTestJson -InputObject @(
                @{ LicenseId = 1010; Computer = 'WS-001'; KeyPackId = 3; ProductVersion = 'Windows Server 2019' }
                @{ LicenseId = 1015; Computer = 'WS-042'; KeyPackId = 3; ProductVersion = 'Windows Server 2019' }))
        $set.Undo | Should -BeNullOrEmpty
        $set.Message | Should -BeExactly 'revoked 2 per-device CAL(s); a revoke cannot be undone: the server issues a new CAL when the device connects again; the server can revoke 1 more of this type now (RevokableCals)'
        ([string[]]@((Get-RdsSimState).CallLog | ForEach-Object { $_.call + ' ' + $_.name }) -join ', ') | Should -BeExactly 'Invoke-RdsLicenseRevoke 1010, Invoke-RdsLicenseRevoke 1015'
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:4 1011:2 1012:2 1013:2 1014:2 1015:4 1016:2 1017:2 1009:4'
    }

    It 'Set refuses before the first revoke when the selection goes beyond the allowance' {
        $null = Initialize-TestHost -Name 'revoke-beyond.json'
        $parameters = @{ Computers = @($Ws2019Computers | Select-Object -First 4); MaxShare = 20 }
        $message = Get-TestThrownMessage { Set-RdsDeviceCalRevokeStep -Parameters $parameters -Context (New-TestContext) -Test @{ InDesiredState = $false } }
        $message | Should -BeExactly 'refusing to revoke: it would go beyond the revoke allowance (Windows Server 2019: 4 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked)); nothing was revoked'
        Get-TestCallCount -Call 'Invoke-RdsLicenseRevoke' | Should -Be 0
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:2 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }

    It 'Set fails when the server refuses half-way: names the CAL, NextRevokeAllowedOn and what was revoked before it' {
        # maxShare 100 lets all eight through the allowance; the sim revokes 20% of 20 in 60 days, one of them 14 days ago.
        $null = Initialize-TestHost -Name 'revoke-limit.json'
        $parameters = @{ Computers = $Ws2019Computers; MaxShare = 100 }
        $test = Test-RdsDeviceCalRevokeStep -Parameters $parameters -Context (New-TestContext)
        $test.InDesiredState | Should -BeExactly $false
        $message = Get-TestThrownMessage { Set-RdsDeviceCalRevokeStep -Parameters $parameters -Context (New-TestContext) -Test $test }
        $message | Should -BeExactly ('the license server refused to revoke WS-004: license 1013 in key pack 3 (Windows Server 2019, issued 2026-05-21T06:10:00Z) (Revoke returned 1): the next revoke is allowed on ' + $NextAfterRecent + ' (NextRevokeAllowedOn); revoked before it, and not given back: WS-001 (license 1010), WS-002 (license 1011), WS-003 (license 1012)')
        Get-TestCallCount -Call 'Invoke-RdsLicenseRevoke' | Should -Be 4
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:4 1011:4 1012:4 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }

    It 'Set fails when a revoke throws half-way (the RPC server gone): names the CAL and what was revoked before it' {
        $null = Initialize-TestHost -Name 'revoke-throws.json' -Edit { param($s) $s.faults = @(@{ call = 'Invoke-RdsLicenseRevoke'; nth = 2; message = 'The RPC server is unavailable.' }) }
        $parameters = @{ Computers = @('WS-001', 'WS-002'); MaxShare = 20 }
        $message = Get-TestThrownMessage { Set-RdsDeviceCalRevokeStep -Parameters $parameters -Context (New-TestContext) -Test @{ InDesiredState = $false } }
        $message | Should -BeExactly 'revoking WS-002: license 1011 in key pack 3 (Windows Server 2019, issued 2026-02-14T07:30:00Z) failed: The RPC server is unavailable.; revoked before it, and not given back: WS-001 (license 1010)'
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:4 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }

    It 'Set fails at the first CAL when the server refuses it: nothing was revoked' {
        $null = Initialize-TestHost -Name 'revoke-limit-first.json' -Edit { param($s) $s.licenseServer.revokeLimitPercent = 0 }
        $parameters = @{ Computers = @('WS-002'); MaxShare = 100 }
        $message = Get-TestThrownMessage { Set-RdsDeviceCalRevokeStep -Parameters $parameters -Context (New-TestContext) -Test @{ InDesiredState = $false } }
        $message | Should -BeExactly ('the license server refused to revoke WS-002: license 1011 in key pack 3 (Windows Server 2019, issued 2026-02-14T07:30:00Z) (Revoke returned 1): the next revoke is allowed on ' + $NextAfterRecent + ' (NextRevokeAllowedOn); nothing was revoked')
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:2 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }
}
