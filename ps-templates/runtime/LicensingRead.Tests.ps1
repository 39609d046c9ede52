# rds.readLicensing (what `rdsplan diagnose` runs) over the simulated host: the reading part by
# part (mode and servers with their source, connectivity per server, grace days, the licensing
# service, the events of the window, the CAL packs on a license server), and a part that cannot
# be read named in Unread while the rest is still read. The sim's connectivity answers and its
# event log (Sim.TerminalServices.ps1, Sim.Events.ps1) are tested here too.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/pester/SimHost.ps1')
    . (Join-Path $PSScriptRoot '../../test/support/pester/CimException.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime', 'platform/sim') { . $file }
    . (Join-Path $PSScriptRoot '../actions/rds.readLicensing.ps1')

    $Rcm = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager'
    $Utc = 'yyyy-MM-ddTHH:mm:ssZ'
    # A time this many hours ago as the sim stores event times.
    function Get-TestTime {
        param([double] $HoursAgo)
        return [System.DateTime]::UtcNow.AddHours(-$HoursAgo).ToString($Utc, [System.Globalization.CultureInfo]::InvariantCulture)
    }
    # Loads a state written as JSON text into the sim; returns its path.
    function Initialize-TestHost {
        param([Parameter(Mandatory = $true)] [string] $Name, [Parameter(Mandatory = $true)] [string] $Json)
        $path = [System.IO.Path]::Combine($TestDrive, $Name)
        [System.IO.File]::WriteAllText($path, $Json)
        Initialize-RdsPlatform -Option $path
        return $path
    }
    # The reading of rds.readLicensing with the given parameters.
    function Read-TestLicensing {
        param([hashtable] $Parameters = @{})
        $result = Test-RdsLicensingReadStep -Parameters $Parameters -Context @{ CurrentStepId = 'licensing'; Mode = 'check' }
        $result.InDesiredState | Should -BeExactly $true
        return $result
    }
}

Describe 'rds.readLicensing on a session host' {
    It 'the default host: mode not configured and no server (both local), 21 days, no events, no license server' {
        $null = Initialize-TestHost -Name 'default.json' -Json '{"format":"rdsplan-sim-state/1","role":"sessionHost"}'
        $read = Read-TestLicensing
        ConvertTo-RdsJson -InputObject $read.After | Should -BeExactly '{"LicensingMode":{"Type":5,"Source":"local"},"LicenseServers":{"Servers":[],"Source":"local"},"Connectivity":[],"GraceDays":{"DaysLeft":21,"Expired":false,"Error":""},"LicensingService":{"Status":"Running","StartMode":"Automatic"},"Events":[],"KeyPacks":null,"Unread":[]}'
        $read.Message | Should -BeExactly 'read the licensing state'
    }

    It 'servers and mode from Group Policy, with the connectivity of each server as the host answers it' {
        $json = '{"format":"rdsplan-sim-state/1","role":"sessionHost","terminalServices":{"graceDays":50,"timebombGraceDays":50,"connectivity":{"lic01.contoso.com":11}},"registry":{"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services":{"values":[{"name":"LicensingMode","type":"DWord","data":2},{"name":"LicenseServers","type":"String","data":"lic01.contoso.com,LIC02.contoso.com"}]}}}'
        $null = Initialize-TestHost -Name 'policy.json' -Json $json
        $after = (Read-TestLicensing).After
        ConvertTo-RdsJson -InputObject $after.LicensingMode | Should -BeExactly '{"Type":2,"Source":"policy"}'
        ConvertTo-RdsJson -InputObject $after.LicenseServers | Should -BeExactly '{"Servers":["lic01.contoso.com","LIC02.contoso.com"],"Source":"policy"}'
        # The sim answers 6 (LS_NOT_CONNECTABLE) for a server it does not know.
        ConvertTo-RdsJson -InputObject $after.Connectivity | Should -BeExactly '[{"Server":"lic01.contoso.com","Code":11,"Error":""},{"Server":"LIC02.contoso.com","Code":6,"Error":""}]'
    }

    It 'events of the window only, newest first, at most 50 per provider; other ids and providers are not read' {
        $events = @(
            @{ providerName = $Rcm; id = 1028; timeCreated = (Get-TestTime -HoursAgo 30); level = 3; message = 'old renew' }
            @{ providerName = $Rcm; id = 1069; timeCreated = (Get-TestTime -HoursAgo 2); level = 2; message = 'expired' }
            @{ providerName = $Rcm; id = 1028; timeCreated = (Get-TestTime -HoursAgo 1); level = 3; message = 'renew' }
            @{ providerName = $Rcm; id = 261; timeCreated = (Get-TestTime -HoursAgo 1); level = 4; message = 'listener' }
            @{ providerName = 'Microsoft-Windows-TerminalServices-Licensing'; id = 21; timeCreated = (Get-TestTime -HoursAgo 400); level = 2; message = 'too old for 14 days' }
        )
        $state = @{ format = 'rdsplan-sim-state/1'; role = 'sessionHost'; events = $events }
        $null = Initialize-TestHost -Name 'events.json' -Json (ConvertTo-RdsJson -InputObject $state)
        $after = (Read-TestLicensing -Parameters @{ EventDays = 1 }).After
        ([string[]]@($after.Events | ForEach-Object { [string]$_.Id + ' ' + $_.Message }) -join ', ') | Should -BeExactly '1028 renew, 1069 expired'
        $after = (Read-TestLicensing -Parameters @{ EventDays = 2 }).After
        ([string[]]@($after.Events | ForEach-Object { [string]$_.Id + ' ' + $_.Message }) -join ', ') | Should -BeExactly '1028 renew, 1069 expired, 1028 old renew'
    }

    It 'a part that cannot be read is named, and the rest is still read' {
        $state = @{ format = 'rdsplan-sim-state/1'; role = 'sessionHost'; faults = @(@{ call = 'Get-RdsEventLogEntry'; message = 'The RPC server is unavailable.' }, @{ call = 'Get-RdsService'; error = 'AccessDenied' }) }
        $null = Initialize-TestHost -Name 'unread.json' -Json (ConvertTo-RdsJson -InputObject $state)
        $read = Read-TestLicensing
        $read.After.Unread | Should -BeExactly @('TermServLicensing: Access is denied. (TermServLicensing)', ($Rcm + ' events: The RPC server is unavailable.'), 'Microsoft-Windows-TerminalServices-Licensing events: The RPC server is unavailable.')
        $read.After.LicensingMode.Type | Should -BeExactly 5
        $read.After.GraceDays.DaysLeft | Should -BeExactly 21
        $read.Message | Should -BeLikeExactly 'read the licensing state; not read: TermServLicensing: Access is denied. *'
    }

    It 'a connectivity that cannot be read is that server''s error; the other servers are still asked' {
        $json = '{"format":"rdsplan-sim-state/1","role":"sessionHost","faults":[{"call":"Get-RdsLicenseServerConnectivity","name":"a.contoso.com","message":"RPC unavailable"}],"registry":{"HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers":{"values":[{"name":"SpecifiedLicenseServers","type":"MultiString","data":["a.contoso.com","b.contoso.com"]}]}},"terminalServices":{"connectivity":{"b.contoso.com":9}}}'
        $null = Initialize-TestHost -Name 'connectivity.json' -Json $json
        ConvertTo-RdsJson -InputObject (Read-TestLicensing).After.Connectivity | Should -BeExactly '[{"Server":"a.contoso.com","Code":null,"Error":"RPC unavailable"},{"Server":"b.contoso.com","Code":9,"Error":""}]'
    }
}

Describe 'rds.readLicensing on the license server' {
    It 'reads its CAL packs; the session host parts say it is remote administration only' {
        $null = Initialize-TestHost -Name 'rdls01.json' -Json '{"format":"rdsplan-sim-state/1","role":"licenseServer"}'
        $after = (Read-TestLicensing).After
        $after.LicensingMode.Type | Should -BeExactly 1
        ([string[]]@($after.KeyPacks | ForEach-Object { $_.ProductVersion + ' ' + $_.Type + ' ' + $_.Available + '/' + $_.Total }) -join ', ') | Should -BeExactly 'Windows Server 2016 per device 3/5, Windows Server 2019 per device 12/20, Windows Server 2019 per user 19/50'
        $after.Unread | Should -BeNullOrEmpty
    }
}

Describe 'the simulated host saves what it answers' {
    It 'connectivity and events survive a save and a load, and a state without them saves neither' {
        $path = Initialize-TestHost -Name 'roundtrip.json' -Json ('{"format":"rdsplan-sim-state/1","terminalServices":{"connectivity":{"lic01":11}},"events":[{"providerName":"' + $Rcm + '","id":1004,"timeCreated":"' + (Get-TestTime -HoursAgo 1) + '","level":2,"message":"m"}]}')
        Complete-RdsPlatform
        $saved = [System.IO.File]::ReadAllText($path)
        $saved | Should -Match '"connectivity": \{\s+"lic01": 11'
        $saved | Should -Match '"id": 1004'
        Initialize-RdsPlatform -Option $path
        Get-RdsLicenseServerConnectivity -Server 'LIC01' | Should -BeExactly 11
        (Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1004) -StartTime ([System.DateTime]::UtcNow.AddDays(-1)) -MaxEvents 5).Length | Should -BeExactly 1
        $plain = Initialize-TestHost -Name 'plain.json' -Json '{"format":"rdsplan-sim-state/1"}'
        Complete-RdsPlatform
        [System.IO.File]::ReadAllText($plain) | Should -Not -Match '"connectivity"|"events"'
    }
}
