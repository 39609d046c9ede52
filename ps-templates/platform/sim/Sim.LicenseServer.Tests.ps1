# Sim.LicenseServer.ps1: the simulated RD Licensing server (Win32_TSLicenseKeyPack,
# Win32_TSIssuedLicense and its Revoke) and the state members that make it: `role: licenseServer`
# (the built-in RDLS01), `licenseServer` (its packs, CALs, revoke limit and revocations), a host
# without it (the classes missing: CIM error 0x80041010), the revoke limit that Revoke reports only
# by refusing (ReturnValue 1, NextRevokeAllowedOn), faults, and saving and loading again.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/SimHost.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-SimTestTemplateFile) { . $file }
    # Get-RdsErrorCode reads the Windows code out of an exception as the runtime does.
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') {
        if ([System.IO.Path]::GetFileName($file) -ceq 'Errors.ps1') { . $file }
    }

    $SchemaFile = Join-Path $PSScriptRoot '../../../schemas/sim-state.schema.json'
    $RoleOnly = '{"format":"rdsplan-sim-state/1","role":"licenseServer"}'
    $Utc = 'yyyy-MM-ddTHH:mm:ssZ'
    $Invariant = [System.Globalization.CultureInfo]::InvariantCulture

    # A UTC time as the sim writes it, and back.
    function Format-TestUtc {
        param([datetime] $Time)
        return $Time.ToString($Utc, $Invariant)
    }
    function ConvertFrom-TestUtc {
        param([string] $Text)
        return [System.DateTime]::ParseExact($Text, $Utc, $Invariant, [System.Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal')
    }
    # A revocation dated Days before now (UTC), so the window counts it (or not) whatever day the tests run.
    function New-TestRevocation {
        param([long] $LicenseId, [double] $DaysAgo, [string] $ProductVersion = 'Windows Server 2019', [long] $KeyPackId = 3)
        return @{ licenseId = $LicenseId; keyPackId = $KeyPackId; productVersion = $ProductVersion; on = (Format-TestUtc -Time ([System.DateTime]::UtcNow.AddDays(-$DaysAgo))) }
    }

    # The built-in license server as the sim saves it from '{ role: licenseServer }', the base the tests edit.
    $seedPath = Get-SimTestStatePath -Name 'seed.json'
    [System.IO.File]::WriteAllText($seedPath, $RoleOnly)
    Initialize-RdsPlatform -Option $seedPath
    Complete-RdsPlatform
    $SeedText = [System.IO.File]::ReadAllText($seedPath)

    # Writes the built-in license server, edited through JSON, to a state file and loads it; returns its path.
    function Initialize-TestServer {
        param([Parameter(Mandatory = $true)] [string] $Name, [scriptblock] $Edit = $null)
        $path = Get-SimTestStatePath -Name $Name
        $state = Read-SimTestState -Path $seedPath
        if ($null -ne $Edit) { & $Edit $state }
        Write-SimTestState -Path $path -State $state
        Initialize-RdsPlatform -Option $path
        return $path
    }
    # A CAL of a state being edited, by license id.
    function Get-TestStateCal {
        param([System.Collections.IDictionary] $State, [long] $LicenseId)
        foreach ($license in $State.licenseServer.issuedLicenses) { if ([long]$license.licenseId -eq $LicenseId) { return $license } }
        throw "no CAL $LicenseId in the test state"
    }
    # Each pack's issued and available CALs as the server lists them: '2:2/3 3:8/12 …'.
    function Get-TestPackCount {
        return ([string[]]@(foreach ($pack in (Get-RdsLicenseKeyPack)) { [string]$pack.KeyPackId + ':' + $pack.IssuedLicenses + '/' + $pack.AvailableLicenses }) -join ' ')
    }
    # The status of each CAL as the server lists it: '1001:2 … 1009:4'.
    function Get-TestCalStatus {
        return ([string[]]@(foreach ($license in (Get-RdsIssuedLicense)) { [string]$license.LicenseId + ':' + $license.LicenseStatus }) -join ' ')
    }
    # The revocations the simulated server counts, as 'licenseId|keyPackId|productVersion|on'.
    function Get-TestRevocation {
        return [string[]]@(foreach ($revocation in (Get-RdsSimState).LicenseServer.revocations) { [string]$revocation.licenseId + '|' + $revocation.keyPackId + '|' + $revocation.productVersion + '|' + $revocation.on })
    }
    # Revoke's answer as 'ReturnValue RevokableCals NextRevokeAllowedOn' (null shown as 'null').
    function Format-TestAnswer {
        param([hashtable] $Answer)
        $left = 'null'
        if ($null -ne $Answer.RevokableCals) { $left = [string]$Answer.RevokableCals }
        return [string]$Answer.ReturnValue + ' ' + $left + ' ' + $Answer.NextRevokeAllowedOn
    }
    # The message of the error a script block throws ('' when it throws none).
    function Get-TestThrownMessage {
        param([scriptblock] $Body)
        try { $null = & $Body } catch { return $_.Exception.Message }
        return ''
    }
    # Whether a JSON text validates against the state schema, and Test-Json's reasons.
    function Test-TestSchema {
        param([string] $Json)
        $schemaErrors = $null
        $valid = Test-Json -Json $Json -SchemaFile $SchemaFile -ErrorVariable schemaErrors -ErrorAction SilentlyContinue
        return @{ Valid = $valid; Errors = [string[]]@($schemaErrors | ForEach-Object { [string]$_ }) }
    }
}

Describe 'the built-in license server: a state that says role licenseServer and nothing else' {
    BeforeAll {
        $statePath = Get-SimTestStatePath -Name 'role-only.json'
        [System.IO.File]::WriteAllText($statePath, $RoleOnly)
        Initialize-RdsPlatform -Option $statePath
        $identity = Get-RdsHostIdentity
        $packs = Get-RdsLicenseKeyPack
        $licenses = Get-RdsIssuedLicense
        Complete-RdsPlatform
        $savedText = [System.IO.File]::ReadAllText($statePath)
        $saved = Read-SimTestState -Path $statePath
    }

    It 'is RDLS01 with three CAL packs and eleven per-device CALs' {
        $identity.ComputerName | Should -BeExactly 'RDLS01'
        $packs.Length | Should -Be 3
        $licenses.Length | Should -Be 11
        ([string[]]@($licenses | ForEach-Object { [string]$_.LicenseId }) -join ',') | Should -BeExactly '1001,1002,1010,1011,1012,1013,1014,1015,1016,1017,1009'
    }

    It 'lists a pack and a CAL with the platform API''s members, numbers as [long]' {
        ConvertTo-SimTestJson -InputObject $packs[0] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                KeyPackId = 2; Description = 'A02-6.00-S'; KeyPackType = 2; ProductType = 0; ProductVersion = 'Windows Server 2016'; ProductVersionId = 5
                TotalLicenses = 5; IssuedLicenses = 2; AvailableLicenses = 3; ExpirationDate = '2038-01-19T03:14:07Z'; TypeAndModel = 'RDS Per Device CAL'
            })
        foreach ($name in @('KeyPackId', 'KeyPackType', 'ProductType', 'ProductVersionId', 'TotalLicenses', 'IssuedLicenses', 'AvailableLicenses')) {
            $packs[0][$name] | Should -BeOfType ([long]) -Because $name
        }
        ConvertTo-SimTestJson -InputObject $licenses[10] | Should -BeExactly (ConvertTo-SimTestJson -InputObject @{
                LicenseId = 1009; KeyPackId = 3; IssuedToUser = 'CONTOSO\user1009'; IssuedToComputer = 'WS-RETIRED'; LicenseStatus = 4
                IssueDate = '2025-11-03T09:00:00Z'; ExpirationDate = '2026-11-20T09:00:00Z'; HardwareId = '0200030a-000003f1'
            })
        foreach ($name in @('LicenseId', 'KeyPackId', 'LicenseStatus')) { $licenses[10][$name] | Should -BeOfType ([long]) -Because $name }
    }

    It 'saves role and licenseServer, with the rest of the built-in host' {
        $saved.role | Should -BeExactly 'licenseServer'
        $saved.host.computerName | Should -BeExactly 'RDLS01'
        $server = $saved.licenseServer
        $server.revokeLimitPercent | Should -Be 20
        $server.revokeWindowDays | Should -Be 60
        @($server.keyPacks).Count | Should -Be 3
        @($server.issuedLicenses).Count | Should -Be 11
        ConvertTo-SimTestJson -InputObject $server.revocations | Should -BeExactly '[{"keyPackId":3,"licenseId":1009,"on":"2026-11-20T09:00:00Z","productVersion":"Windows Server 2019"}]'
        # A per-device pack's issued count is derived from its CALs, a per-user pack's is stated.
        ([string[]]@($server.keyPacks | ForEach-Object { [string]$_.keyPackId + ':' + $_.Contains('issuedLicenses') }) -join ' ') | Should -BeExactly '2:False 3:False 4:True'
        $server.keyPacks[2].issuedLicenses | Should -Be 31
        $saved.services.Contains('TermServLicensing') | Should -BeTrue
        $saved.token.groups -ccontains 'S-1-5-32-544' | Should -BeTrue
    }

    It 'the saved state validates against schemas/sim-state.schema.json; a broken licenseServer does not' {
        $check = Test-TestSchema -Json $savedText
        $check.Errors | Should -BeNullOrEmpty
        $check.Valid | Should -BeExactly $true
        $productType = Read-SimTestState -Path $statePath
        $productType.licenseServer.keyPacks[0].productType = 7
        (Test-TestSchema -Json (ConvertTo-Json -InputObject $productType -Depth 64)).Valid | Should -BeExactly $false
        $limit = Read-SimTestState -Path $statePath
        $limit.licenseServer.revokeLimitPercent = 101
        (Test-TestSchema -Json (ConvertTo-Json -InputObject $limit -Depth 64)).Valid | Should -BeExactly $false
        $role = Read-SimTestState -Path $statePath
        $role.role = 'printServer'
        (Test-TestSchema -Json (ConvertTo-Json -InputObject $role -Depth 64)).Valid | Should -BeExactly $false
    }

    It 'New-RdsSimDefaultState -Role: LicenseServer adds the server and names the host RDLS01; SessionHost is the default host' {
        $server = New-RdsSimDefaultState -Role 'LicenseServer'
        $server.host.computerName | Should -BeExactly 'RDLS01'
        @($server.licenseServer.keyPacks).Count | Should -Be 3
        $sessionHost = New-RdsSimDefaultState
        $sessionHost.host.computerName | Should -BeExactly 'RDSH01'
        $sessionHost.Contains('licenseServer') | Should -BeFalse
    }

    It 'the default session host (a missing file) saves neither role nor licenseServer' {
        $path = Get-SimTestStatePath -Name 'session-host.json'
        $default = New-SimTestDefaultState -Path $path
        $default.Contains('role') | Should -BeFalse
        $default.Contains('licenseServer') | Should -BeFalse
    }

    It 'what a role state states itself wins over the built-in host, member by member' {
        $path = Get-SimTestStatePath -Name 'own-server.json'
        Write-SimTestState -Path $path -State ([ordered]@{
                format        = 'rdsplan-sim-state/1'
                role          = 'licenseServer'
                host          = @{ computerName = 'LS-EDGE' }
                licenseServer = @{
                    keyPacks       = @(@{ keyPackId = 7; description = 'Open License'; keyPackType = 5; productType = 0; productVersion = 'Windows Server 2022'; productVersionId = 7; totalLicenses = 50; expirationDate = ''; typeAndModel = 'RDS Per Device CAL' })
                    issuedLicenses = @()
                }
            })
        Initialize-RdsPlatform -Option $path
        (Get-RdsHostIdentity).ComputerName | Should -BeExactly 'LS-EDGE'
        Get-TestPackCount | Should -BeExactly '7:0/50'
        (Get-RdsIssuedLicense).Length | Should -Be 0
        (Get-RdsService -Name 'TermServLicensing').Status | Should -BeExactly 'Running'
    }
}

Describe 'a state that does not load' {
    It '<Name>' -ForEach @(
        @{ Name = 'an unknown role'; Json = '{"format":"rdsplan-sim-state/1","role":"printServer"}'; Expected = "role: 'sessionHost' or 'licenseServer', not 'printServer'" }
        @{ Name = 'a license naming a key pack that is not listed'; Expected = 'licenseServer: license 7 names key pack 9, which is not in keyPacks'
            Json = '{"format":"rdsplan-sim-state/1","licenseServer":{"keyPacks":[{"keyPackId":3,"productType":0,"productVersion":"Windows Server 2019","totalLicenses":20}],"issuedLicenses":[{"licenseId":7,"keyPackId":9,"licenseStatus":2}]}}' }
        @{ Name = 'a licenseServer that is not an object'; Json = '{"format":"rdsplan-sim-state/1","licenseServer":[]}'; Expected = 'licenseServer: an object' }
    ) {
        $path = Get-SimTestStatePath -Name ('broken-' + [guid]::NewGuid().ToString('N') + '.json')
        [System.IO.File]::WriteAllText($path, $Json)
        Get-TestThrownMessage { Initialize-RdsPlatform -Option $path } | Should -BeExactly ('invalid simulated host state: ' + $Expected + ' (' + $path + ')')
    }
}

Describe 'a state with only the members the schema requires' {
    It 'lists its pack and CAL with empty text and zero numbers for what it leaves out' {
        $path = Get-SimTestStatePath -Name 'minimal.json'
        [System.IO.File]::WriteAllText($path, '{"format":"rdsplan-sim-state/1","licenseServer":{"keyPacks":[{"keyPackId":1,"productType":0,"productVersion":"Windows Server 2022","totalLicenses":10}],"issuedLicenses":[{"licenseId":5,"keyPackId":1,"licenseStatus":2}]}}')
        Initialize-RdsPlatform -Option $path
        ConvertTo-RdsJson -InputObject (Get-RdsLicenseKeyPack) | Should -BeExactly '[{"AvailableLicenses":9,"Description":"","ExpirationDate":"","IssuedLicenses":1,"KeyPackId":1,"KeyPackType":0,"ProductType":0,"ProductVersion":"Windows Server 2022","ProductVersionId":0,"TotalLicenses":10,"TypeAndModel":""}]'
        ConvertTo-RdsJson -InputObject (Get-RdsIssuedLicense) | Should -BeExactly '[{"ExpirationDate":"","HardwareId":"","IssueDate":"","IssuedToComputer":"","IssuedToUser":"","KeyPackId":1,"LicenseId":5,"LicenseStatus":2}]'
    }
}

Describe 'a host that is no license server' {
    It '<Call> throws what CIM throws for a missing class: error_Code 0x80041010' -ForEach @(
        @{ Call = 'Get-RdsLicenseKeyPack'; Body = { Get-RdsLicenseKeyPack } }
        @{ Call = 'Get-RdsIssuedLicense'; Body = { Get-RdsIssuedLicense } }
        @{ Call = 'Invoke-RdsLicenseRevoke'; Body = { Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3 } }
    ) {
        Initialize-RdsPlatform -Option (Get-SimTestStatePath -Name ('no-server-' + $Call + '.json'))
        $caught = $null
        try { $null = & $Body } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        Format-RdsErrorCode -Code (Get-RdsErrorCode -Exception $caught.Exception) | Should -BeExactly '0x80041010'
        $caught.Exception.Message | Should -Not -BeLikeExactly '*0x80041010*'
    }
}

Describe 'key pack counts' {
    It 'per-device packs count their listed CALs that are not revoked; a revoke gives one back to the pack' {
        $null = Initialize-TestServer -Name 'counts.json'
        Get-TestPackCount | Should -BeExactly '2:2/3 3:8/12 4:31/19'
        (Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3).ReturnValue | Should -Be 0
        Get-TestPackCount | Should -BeExactly '2:2/3 3:7/13 4:31/19'
    }

    It 'a per-user pack keeps its stated issuedLicenses; a per-device pack ignores one' {
        $null = Initialize-TestServer -Name 'counts-stated.json' -Edit {
            param($s)
            $s.licenseServer.keyPacks[1].issuedLicenses = 15
            $s.licenseServer.keyPacks[2].issuedLicenses = 40
        }
        Get-TestPackCount | Should -BeExactly '2:2/3 3:8/12 4:40/10'
    }
}

Describe 'Invoke-RdsLicenseRevoke and the revoke limit' {
    It 'revokes with ReturnValue 0 and RevokableCals counting down, then refuses at the limit and changes nothing' {
        # 20% of Windows Server 2019's 20 per-device CALs: four revokes in the window, none made yet.
        $null = Initialize-TestServer -Name 'count-down.json' -Edit { param($s) $s.licenseServer.revocations = @() }
        $start = ConvertFrom-TestUtc -Text (Format-TestUtc -Time ([System.DateTime]::UtcNow))
        $answers = foreach ($id in 1010..1013) { Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId $id -KeyPackId 3) }
        $end = [System.DateTime]::UtcNow
        @($answers) | Should -BeExactly @('0 3 ', '0 2 ', '0 1 ', '0 0 ')
        $revocations = Get-TestRevocation
        $revocations.Length | Should -Be 4
        foreach ($index in 0..3) {
            $parts = $revocations[$index].Split('|')
            ($parts[0..2] -join '|') | Should -BeExactly ([string](1010 + $index) + '|3|Windows Server 2019')
            $on = ConvertFrom-TestUtc -Text $parts[3]
            ($on -ge $start -and $on -le $end) | Should -BeTrue -Because ('revoked now (UTC), not ' + $parts[3])
        }
        $statusBefore = Get-TestCalStatus
        $statusBefore | Should -BeExactly '1001:2 1002:2 1010:4 1011:4 1012:4 1013:4 1014:2 1015:2 1016:2 1017:2 1009:4'
        $refused = Invoke-RdsLicenseRevoke -LicenseId 1014 -KeyPackId 3
        $refused.ReturnValue | Should -Be 1
        $refused.RevokableCals | Should -BeNullOrEmpty
        $refused.NextRevokeAllowedOn | Should -BeExactly (Format-TestUtc -Time (ConvertFrom-TestUtc -Text $revocations[0].Split('|')[3]).AddDays(60))
        Get-TestCalStatus | Should -BeExactly $statusBefore
        (Get-TestRevocation) | Should -BeExactly $revocations
        Get-TestPackCount | Should -BeExactly '2:2/3 3:4/16 4:31/19'
    }

    It 'NextRevokeAllowedOn is the oldest counted revoke plus the window; one older than the window is not counted' {
        # 10% of 20: two revokes; of the three listed only the last two are within 60 days.
        $old = New-TestRevocation -LicenseId 1009 -DaysAgo 70
        $oldest = New-TestRevocation -LicenseId 1016 -DaysAgo 30
        $recent = New-TestRevocation -LicenseId 1017 -DaysAgo 10
        $null = Initialize-TestServer -Name 'next.json' -Edit {
            param($s)
            $s.licenseServer.revokeLimitPercent = 10
            $s.licenseServer.revocations = @($old, $oldest, $recent)
        }
        $answer = Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3
        Format-TestAnswer -Answer $answer | Should -BeExactly ('1 null ' + (Format-TestUtc -Time (ConvertFrom-TestUtc -Text $oldest.on).AddDays(60)))
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:2 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
        @(Get-TestRevocation).Count | Should -Be 3
    }

    It 'revocations older than the window, or of another product version, leave the limit free' {
        $revocations = @(foreach ($id in 1010..1013) { New-TestRevocation -LicenseId $id -DaysAgo 61 }) + @(New-TestRevocation -LicenseId 1001 -DaysAgo 1 -ProductVersion 'Windows Server 2016' -KeyPackId 2)
        $null = Initialize-TestServer -Name 'old.json' -Edit { param($s) $s.licenseServer.revocations = $revocations }
        Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1014 -KeyPackId 3) | Should -BeExactly '0 3 '
        # The 2016 pack's limit (20% of 5: one) is taken by its own revocation.
        Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1002 -KeyPackId 2) | Should -BeExactly ('1 null ' + (Format-TestUtc -Time (ConvertFrom-TestUtc -Text $revocations[4].on).AddDays(60)))
    }

    It 'revokeWindowDays <Days> and revocations <DaysAgo> days ago: <Expected>' -ForEach @(
        @{ Days = 30; DaysAgo = 31; Expected = 'revoked' }
        @{ Days = 30; DaysAgo = 29; Expected = 'refused' }
    ) {
        $revocations = @(foreach ($id in 1010..1013) { New-TestRevocation -LicenseId $id -DaysAgo $DaysAgo })
        $null = Initialize-TestServer -Name ('window-' + $DaysAgo + '.json') -Edit {
            param($s)
            $s.licenseServer.revokeWindowDays = $Days
            $s.licenseServer.revocations = $revocations
        }
        $answer = Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1014 -KeyPackId 3)
        if ($Expected -eq 'revoked') { $answer | Should -BeExactly '0 3 ' }
        else { $answer | Should -BeExactly ('1 null ' + (Format-TestUtc -Time (ConvertFrom-TestUtc -Text $revocations[0].on).AddDays($Days))) }
    }

    It 'revoking a CAL that is already revoked: ReturnValue 1, nothing changes' {
        $null = Initialize-TestServer -Name 'twice.json' -Edit { param($s) $s.licenseServer.revocations = @() }
        Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1009 -KeyPackId 3) | Should -BeExactly '1 null '
        @(Get-TestRevocation).Count | Should -Be 0
        Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3) | Should -BeExactly '0 3 '
        Format-TestAnswer -Answer (Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3) | Should -BeExactly '1 null '
        @(Get-TestRevocation).Count | Should -Be 1
    }

    It 'an unknown license, or a license in another pack, throws' {
        $null = Initialize-TestServer -Name 'unknown.json'
        Get-TestThrownMessage { Invoke-RdsLicenseRevoke -LicenseId 4242 -KeyPackId 3 } | Should -BeExactly 'no issued license 4242 in key pack 3 (Win32_TSIssuedLicense)'
        Get-TestThrownMessage { Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 2 } | Should -BeExactly 'no issued license 1010 in key pack 2 (Win32_TSIssuedLicense)'
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:2 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
    }

    It 'a fault on Invoke-RdsLicenseRevoke fires before the revoke, and the run records it' {
        $path = Initialize-TestServer -Name 'fault.json' -Edit {
            param($s)
            $s.licenseServer.revocations = @()
            $s.faults = @(
                @{ call = 'Invoke-RdsLicenseRevoke'; nth = 2; message = 'The RPC server is unavailable.' }
                @{ call = 'Invoke-RdsLicenseRevoke'; name = '1012'; error = 'AccessDenied' })
        }
        $outcomes = foreach ($id in 1010..1012) {
            $message = Get-TestThrownMessage { Invoke-RdsLicenseRevoke -LicenseId $id -KeyPackId 3 }
            if ($message -eq '') { 'ok' } else { $message }
        }
        @($outcomes) | Should -BeExactly @('ok', 'The RPC server is unavailable.', 'Access is denied. (1012)')
        Get-TestCalStatus | Should -BeExactly '1001:2 1002:2 1010:4 1011:2 1012:2 1013:2 1014:2 1015:2 1016:2 1017:2 1009:4'
        Complete-RdsPlatform
        $saved = Read-SimTestState -Path $path
        ([string[]]@($saved.faults | ForEach-Object { [string]$_.fired }) -join ',') | Should -BeExactly '1,1'
        ([string[]]@($saved.callLog | ForEach-Object { $_.call + ' ' + $_.name }) -join ', ') | Should -BeExactly 'Invoke-RdsLicenseRevoke 1010, Invoke-RdsLicenseRevoke 1011, Invoke-RdsLicenseRevoke 1012'
        $saved.calls['Invoke-RdsLicenseRevoke'] | Should -Be 3
        @($saved.licenseServer.revocations).Count | Should -Be 1
    }
}

Describe 'saving and loading the license server' {
    It 'a revoke is saved, and loading and saving again gives the same bytes' {
        $path = Get-SimTestStatePath -Name 'round-trip.json'
        [System.IO.File]::WriteAllText($path, $RoleOnly)
        Initialize-RdsPlatform -Option $path
        (Invoke-RdsLicenseRevoke -LicenseId 1010 -KeyPackId 3).ReturnValue | Should -Be 0
        Complete-RdsPlatform
        $first = [System.IO.File]::ReadAllText($path)
        Initialize-RdsPlatform -Option $path
        Complete-RdsPlatform
        $second = [System.IO.File]::ReadAllText($path)
        Initialize-RdsPlatform -Option $path
        Complete-RdsPlatform
        $third = [System.IO.File]::ReadAllText($path)
        $third | Should -BeExactly $second
        # Only the counters of the first run differ; the license server is the same.
        $members = foreach ($text in @($first, $second)) {
            $document = ConvertFrom-Json -InputObject $text -AsHashtable -Depth 64 -DateKind String
            $document.Remove('calls')
            $document.Remove('callLog')
            ConvertTo-SimTestJson -InputObject $document
        }
        $members[1] | Should -BeExactly $members[0]
        $saved = ConvertFrom-Json -InputObject $second -AsHashtable -Depth 64 -DateKind String
        (Get-TestStateCal -State $saved -LicenseId 1010).licenseStatus | Should -Be 4
        @($saved.licenseServer.revocations).Count | Should -Be 2
        $saved.role | Should -BeExactly 'licenseServer'
        (Test-TestSchema -Json $second).Valid | Should -BeExactly $true
    }
}
