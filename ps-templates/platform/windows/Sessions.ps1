# rdsplan platform (Windows): the sessions on the host, through wtsapi32 (DOMAIN.md, "Sessions":
# qwinsta and quser print localized text, WTSEnumerateSessions does not). Thin calls: the
# runtime decides which sessions are users'.

$script:RdsTerminalSessionsSource = @'
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
namespace RdsPlan {
    public static class TerminalSessions {
        private enum WTS_CONNECTSTATE_CLASS { Active, Connected, ConnectQuery, Shadow, Disconnected, Idle, Listen, Reset, Down, Init }
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct WTS_SESSION_INFO { public int SessionId; public string pWinStationName; public WTS_CONNECTSTATE_CLASS State; }
        private const int WTSUserName = 5;
        private const int WTSDomainName = 7;
        [DllImport("wtsapi32.dll", EntryPoint = "WTSEnumerateSessionsW", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool WTSEnumerateSessions(IntPtr server, int reserved, int version, out IntPtr sessionInfo, out int count);
        [DllImport("wtsapi32.dll", EntryPoint = "WTSQuerySessionInformationW", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool WTSQuerySessionInformation(IntPtr server, int sessionId, int infoClass, out IntPtr buffer, out int bytes);
        [DllImport("wtsapi32.dll")] private static extern void WTSFreeMemory(IntPtr memory);
        // Every session of this server (WTS_CURRENT_SERVER_HANDLE) as { id, window station, state, domain, user }.
        public static string[][] List() {
            IntPtr info;
            int count;
            if (!WTSEnumerateSessions(IntPtr.Zero, 0, 1, out info, out count))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "WTSEnumerateSessions failed");
            try {
                List<string[]> rows = new List<string[]>();
                int size = Marshal.SizeOf(typeof(WTS_SESSION_INFO));
                for (int i = 0; i < count; i++) {
                    WTS_SESSION_INFO session = (WTS_SESSION_INFO)Marshal.PtrToStructure(new IntPtr(info.ToInt64() + (long)i * size), typeof(WTS_SESSION_INFO));
                    rows.Add(new string[] {
                        session.SessionId.ToString(CultureInfo.InvariantCulture), session.pWinStationName ?? "", session.State.ToString(),
                        Query(session.SessionId, WTSDomainName), Query(session.SessionId, WTSUserName)
                    });
                }
                return rows.ToArray();
            } finally { WTSFreeMemory(info); }
        }
        private static string Query(int sessionId, int infoClass) {
            IntPtr buffer;
            int bytes;
            if (!WTSQuerySessionInformation(IntPtr.Zero, sessionId, infoClass, out buffer, out bytes))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "WTSQuerySessionInformation failed for session " + sessionId.ToString(CultureInfo.InvariantCulture));
            try { return Marshal.PtrToStringUni(buffer) ?? ""; } finally { WTSFreeMemory(buffer); }
        }
    }
}
'@

# Calls the compiled WTSEnumerateSessions helper; returns its rows @(id, window station, state, domain, user).
function Invoke-RdsSessionEnumeration {
    return , ([RdsPlan.TerminalSessions]::List())
}

# Returns the host's sessions as @{ Id; Station; State; User } (User 'DOMAIN\name', or '' when no one is signed in), compiling the helper type once.
function Get-RdsSessionList {
    if (-not ([System.Management.Automation.PSTypeName]'RdsPlan.TerminalSessions').Type) {
        Add-Type -TypeDefinition $script:RdsTerminalSessionsSource -Language CSharp
    }
    try { $rows = Invoke-RdsSessionEnumeration } catch { throw (Get-RdsExceptionMessage -ErrorRecord $_) }
    $sessions = foreach ($row in $rows) {
        $user = [string]$row[4]
        if ($user -ne '' -and [string]$row[3] -ne '') { $user = [string]$row[3] + '\' + $user }
        @{ Id = [int]$row[0]; Station = [string]$row[1]; State = [string]$row[2]; User = $user }
    }
    return , @($sessions)
}
