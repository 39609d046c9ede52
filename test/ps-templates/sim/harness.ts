/**
 * Runs test bodies against the simulated Windows host (ps-templates/platform/sim) in a real
 * PowerShell engine: runtime/Json.ps1 + platform/sim/*.ps1 (ordinal order, as the renderer
 * concatenates them) + the body, under Set-StrictMode -Version 3.0 and
 * $ErrorActionPreference = 'Stop', with -StatePath <temp state file>.
 *
 * Bodies report with `Write-TestResult -Label 'x' -Value $v` (one `@@t x <json>` line) and
 * `Invoke-TestStep -Label 'x' { ... }` (reports the block's output, or `{ error: message }`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPowerShell, type PowerShellResult } from '../../support/powershell.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const simDir = join(repoRoot, 'ps-templates', 'platform', 'sim');

export const GRACE = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
export const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';
export const GRACE_SDDL = 'O:NSG:SYD:PAI(A;CI;KA;;;NS)(A;CI;KA;;;SY)(A;CI;KR;;;BA)';

const PRELUDE = `
function Write-TestResult {
    param([Parameter(Mandatory = $true)] [string] $Label, [AllowNull()] [AllowEmptyString()] [AllowEmptyCollection()] [object] $Value)
    Write-Output ('@@t ' + $Label + ' ' + (ConvertTo-RdsJson -InputObject $Value))
}
function Invoke-TestStep {
    param([Parameter(Mandatory = $true)] [string] $Label, [Parameter(Mandatory = $true)] [scriptblock] $Body)
    try {
        $out = [System.Collections.Generic.List[object]]::new()
        foreach ($item in @(& $Body)) { $out.Add($item) }
        $value = $null
        if ($out.Count -eq 1) { $value = $out[0] } elseif ($out.Count -gt 1) { $value = $out.ToArray() }
        Write-Output ('@@t ' + $Label + ' ' + (ConvertTo-RdsJson -InputObject @{ ok = $true; value = $value }))
    }
    catch {
        Write-Output ('@@t ' + $Label + ' ' + (ConvertTo-RdsJson -InputObject @{ ok = $false; error = $_.Exception.Message }))
    }
}
`;

/** The PowerShell the tests run: Json.ps1, the sim platform, the prelude, the body. */
export function buildScript(body: string): string {
  const files = readdirSync(simDir)
    .filter((f) => f.endsWith('.ps1'))
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0));
  const parts = [
    '[CmdletBinding()]\nparam(\n    [string] $StatePath\n)',
    'Set-StrictMode -Version 3.0',
    "$ErrorActionPreference = 'Stop'",
    readFileSync(join(repoRoot, 'ps-templates', 'runtime', 'Json.ps1'), 'utf8'),
    ...files.map((f) => readFileSync(join(simDir, f), 'utf8')),
    PRELUDE,
    body,
  ];
  return parts.join('\n');
}

export type Step = { ok: true; value: unknown } | { ok: false; error: string };

export interface SimRun extends PowerShellResult {
  /** Values reported with Write-TestResult / Invoke-TestStep, by label. */
  results: Record<string, any>;
  /** The state file after the run (undefined when the script did not save it). */
  state: any;
  statePath: string;
  dir: string;
}

export class SimWorkspace {
  readonly dir: string;
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'rdsplan-sim-'));
  }
  path(name: string): string {
    return join(this.dir, name);
  }
  writeState(name: string, state: unknown): string {
    const p = this.path(name);
    writeFileSync(p, JSON.stringify(state, null, 2));
    return p;
  }
  readState(name: string): any {
    return JSON.parse(readFileSync(this.path(name), 'utf8'));
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs a body against <dir>/<stateName> (missing: the built-in default host). */
  async run(body: string, stateName = 'state.json', scriptName = 'run.ps1'): Promise<SimRun> {
    const statePath = this.path(stateName);
    const file = this.path(scriptName);
    writeFileSync(file, buildScript(body));
    const r = await runPowerShell({ file, args: ['-StatePath', statePath], timeoutMs: 120_000 });
    const results: Record<string, any> = {};
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^@@t (\S+) (.*)$/.exec(line);
      if (m) results[m[1]!] = JSON.parse(m[2]!);
    }
    const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : undefined;
    return { ...r, results, state, statePath, dir: this.dir };
  }
}

/** The built-in default host, as the sim writes it (Initialize with a missing file + Complete). */
export async function defaultState(ws: SimWorkspace, name = 'default.json'): Promise<any> {
  const r = await ws.run('Initialize-RdsPlatform -Option $StatePath\nComplete-RdsPlatform', name, `init-${name}.ps1`);
  if (r.exitCode !== 0) throw new Error(`default state: ${r.stderr}`);
  return r.state;
}

/** A registry key of a saved state, looked up case-insensitively. */
export function stateKey(state: any, path: string): { sddl: string; values: { name: string; type: string; data: unknown }[] } | undefined {
  const found = Object.keys(state.registry).find((k) => k.toLowerCase() === path.toLowerCase());
  return found === undefined ? undefined : state.registry[found];
}

export function stateValue(state: any, path: string, name: string): { name: string; type: string; data: unknown } | undefined {
  return stateKey(state, path)?.values.find((v) => v.name.toLowerCase() === name.toLowerCase());
}

/** The body lines that take ownership of GracePeriod and open it to Administrators. */
export const OPEN_GRACE_PERIOD = `
Enable-RdsPrivilege -Name 'SeTakeOwnershipPrivilege'
Set-RdsRegistryOwner -Path '${GRACE}' -View 'Default' -Sid 'S-1-5-32-544'
Add-RdsRegistryAccessRule -Path '${GRACE}' -View 'Default' -Sid 'S-1-5-32-544' -Rights 'FullControl'
`;
