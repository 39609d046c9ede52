/**
 * PowerShell writes terminal escape sequences (colour, `ESC[?1h`) even into pipes unless told
 * not to. Every PowerShell rdsplan starts gets `plainTerminalEnv`; whatever still arrives is
 * stripped from protocol lines, stderr and messages before it is parsed, shown or recorded.
 */
export const plainTerminalEnv: Readonly<Record<string, string>> = { NO_COLOR: '1', TERM: 'dumb', POWERSHELL_TELEMETRY_OPTOUT: '1' };

// CSI (ESC [ … final byte, or the C1 form), OSC and the other string sequences up to BEL or
// ST, then any two-byte ESC sequence.
const TERMINAL_CONTROLS = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]/g;

export function stripTerminalControls(text: string): string {
  return text.replace(TERMINAL_CONTROLS, '');
}
