# rdsplan platform (simulated Windows): the sessions WTSEnumerateSessions lists. The state's
# terminalServices.sessions are the user sessions; session 0 (Services) and the RDP-Tcp listener
# are always there, as on Windows. A session with endsAfterReads signs off after that many
# reads (a user leaving while a run waits); stopping TermService ends every session
# (Stop-RdsSimServiceInternal calls Clear-RdsSimSession), as it does on Windows.

# Returns the host's sessions as @{ Id; Station; State; User }, as the Windows platform does.
function Get-RdsSessionList {
    $state = Get-RdsSimState
    Register-RdsSimCall -Call 'Get-RdsSessionList'
    $sessions = [System.Collections.Generic.List[hashtable]]::new()
    $sessions.Add(@{ Id = 0; Station = 'Services'; State = 'Disconnected'; User = '' })
    foreach ($session in @($state.TerminalServices.sessions)) {
        $sessions.Add(@{ Id = [int]$session.id; Station = [string]$session.station; State = [string]$session.state; User = [string]$session.user })
    }
    $sessions.Add(@{ Id = 65536; Station = 'RDP-Tcp'; State = 'Listen'; User = '' })
    # Reading counts down the sessions that are about to end.
    $state.TerminalServices.sessions = @(foreach ($session in @($state.TerminalServices.sessions)) {
            if (-not $session.Contains('endsAfterReads')) { $session; continue }
            $session.endsAfterReads = [int]$session.endsAfterReads - 1
            if ($session.endsAfterReads -gt 0) { $session }
        })
    return , $sessions.ToArray()
}

# Ends every user session (TermService stopped).
function Clear-RdsSimSession {
    param([Parameter(Mandatory)] [hashtable] $State)
    $State.TerminalServices.sessions = @()
}
