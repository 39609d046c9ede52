/**
 * Runs PowerShell scripts that import powershell/RdsPlan by path, in the real engine
 * (test/support/powershell.ts).
 *
 * Test data reaches the script through environment variables (RDSPLAN_T_*), never by
 * pasting it into PowerShell source, so a hostile value in a test cannot be mistaken for
 * an injection the module allowed. Scripts print results as `@@json <compact JSON>` lines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { powershellPath, runPowerShell, type PowerShellResult } from '../support/powershell.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const modulePath = join(repoRoot, 'powershell', 'RdsPlan', 'RdsPlan.psd1');
export const examplesDir = join(repoRoot, 'examples');
export const resetExample = join(examplesDir, 'reset-grace-period.json');

export const tempDir = (prefix = 'rdsplan-psmodule-') => mkdtempSync(join(tmpdir(), prefix));

export interface ModuleRun extends PowerShellResult {
  /** Every `@@json …` line of stdout, parsed, in order. */
  json: unknown[];
}

/**
 * Runs `body` after `$ErrorActionPreference = 'Stop'` and `Import-Module <psd1 path>`.
 * `env` is added to the environment; RDSPLAN_POWERSHELL is set to the engine the tests
 * use, so that `rdsplan check/apply/undo` started by the module finds a PowerShell too.
 */
export async function runModule(body: string, env: Record<string, string> = {}, options: { cwd?: string; timeoutMs?: number } = {}): Promise<ModuleRun> {
  const dir = tempDir('rdsplan-psmodule-script-');
  const file = join(dir, 'test.ps1');
  writeFileSync(file, `$ErrorActionPreference = 'Stop'\nImport-Module -Name $env:RDSPLAN_T_MODULE\n${body}\n`);
  const engineEnv: Record<string, string> = { RDSPLAN_POWERSHELL: powershellPath() };
  const r = await runPowerShell({
    file,
    env: { ...engineEnv, RDSPLAN_T_MODULE: modulePath, ...env },
    cwd: options.cwd ?? dir,
    timeoutMs: options.timeoutMs ?? 100_000,
  });
  const json = r.stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith('@@json '))
    .map((line) => JSON.parse(line.slice('@@json '.length)) as unknown);
  return { ...r, json };
}

/** PowerShell that prints its pipeline input as one `@@json` line (an array). */
export const emitJson = `ForEach-Object -Begin { $__all = [System.Collections.Generic.List[object]]::new() } -Process { $__all.Add($_) } -End { Write-Output ('@@json ' + (ConvertTo-Json -InputObject $__all.ToArray() -Depth 10 -Compress)) }`;

/** Lines that a successful `Write-Host PWNED` (or similar) would have printed. */
export function injectedLines(r: PowerShellResult): string[] {
  return `${r.stdout}\n${r.stderr}`.split(/\r?\n/).filter((line) => /^\s*PWNED\d*\s*$/.test(line));
}
