# platform/windows/Sessions.ps1 executed with the compiled helper mocked as Windows answers it:
# WTSEnumerateSessions lists session 0 (Services, disconnected, no user), the console (connected,
# no user until someone signs in), RDP sessions with their DOMAIN and user, and the RDP-Tcp
# listener (session 65536, no user); a failure is a Win32Exception with the last error.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/RuntimeHarness.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
    . (Join-Path $PSScriptRoot 'Sessions.ps1')
    . (Join-Path $PSScriptRoot '../../actions/host.testSessions.ps1')
    $Rows = @(
        , [string[]]@('0', 'Services', 'Disconnected', '', '')
        , [string[]]@('1', 'Console', 'Connected', '', '')
        , [string[]]@('2', 'RDP-Tcp#4', 'Active', 'CONTOSO', 'alice')
        , [string[]]@('3', '', 'Disconnected', 'CONTOSO', 'bob')
        , [string[]]@('65536', 'RDP-Tcp', 'Listen', '', '')
    )
}

Describe 'Get-RdsSessionList: WTSEnumerateSessions through the compiled helper' {
    BeforeEach {
        Mock Add-Type
    }

    It 'compiles the helper from the embedded C# when it is not loaded' {
        Mock Invoke-RdsSessionEnumeration { , [string[][]]@() }
        [void](Get-RdsSessionList)
        Should -Invoke Add-Type -Times 1 -Exactly -ParameterFilter { $Language -eq 'CSharp' -and $TypeDefinition -ceq $script:RdsTerminalSessionsSource -and $TypeDefinition.Contains('WTSEnumerateSessionsW') }
    }

    It 'returns every session with its state and DOMAIN\user, no user as ""' {
        Mock Invoke-RdsSessionEnumeration { , [string[][]]$Rows }
        $sessions = Get-RdsSessionList
        $sessions.Count | Should -Be 5
        ($sessions | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Id, $_.Station, $_.State, $_.User }) | Should -Be @('0|Services|Disconnected|', '1|Console|Connected|', '2|RDP-Tcp#4|Active|CONTOSO\alice', '3||Disconnected|CONTOSO\bob', '65536|RDP-Tcp|Listen|')
    }

    It 'a failed enumeration throws the Win32 message' {
        Mock Invoke-RdsSessionEnumeration { throw [System.ComponentModel.Win32Exception]::new(5, 'WTSEnumerateSessions failed') }
        { Get-RdsSessionList } | Should -Throw -ExpectedMessage '*WTSEnumerateSessions failed*'
    }

    It 'the users a stop would disconnect: the RDP sessions with a user, active or disconnected; not session 0, the console or the listener' {
        Mock Invoke-RdsSessionEnumeration { , [string[][]]$Rows }
        $signedIn = Get-RdsSignedInSession
        $signedIn | Should -Be @('CONTOSO\alice (active, session 2)', 'CONTOSO\bob (disconnected, session 3)')
    }
}
