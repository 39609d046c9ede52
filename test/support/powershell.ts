/**
 * The PowerShell every test runs on: pwsh 7.6.9 that test/toolchain/install.mjs puts into
 * .tools/pwsh (npm test and jest's global setup install it), or $RDSPLAN_POWERSHELL when set.
 * There is no fallback and no skip: a test that needs PowerShell fails without one.
 *
 *   const r = await runPowerShell({ file: script, args: ['-BackupDirectory', dir, '-WhatIf'] });
 */
import { accessSync, constants } from 'node:fs';
import { execa } from 'execa';
// @ts-expect-error: a plain ES module of the toolchain, without typings
import { csharpCheckPath as toolchainCSharpCheck, pwshPath } from '../toolchain/install.mjs';

export interface RunPowerShellOptions {
  /** Script to run with -File; `args` follow it (parameters, switches, positionals). */
  file?: string;
  /** Script text for -Command. Without file and command, stdin is read (-Command -). */
  command?: string;
  args?: string[];
  stdin?: string;
  /** Added to (and overriding) the test process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Default 60 s; the process is killed when it runs longer and the promise rejects. */
  timeoutMs?: number;
}

export interface PowerShellResult {
  exitCode: number;
  /** Raw text, final newline kept: tests compare exact output. */
  stdout: string;
  stderr: string;
}

/** The Add-Type C# checker (test/toolchain/csharp-check): pwsh compiles current C#, not 5.1's C# 5. */
export const csharpCheckPath: string = toolchainCSharpCheck;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The pwsh the tests run, or an error saying how to get one. */
export function powershellPath(): string {
  const configured = process.env.RDSPLAN_POWERSHELL;
  if (configured) return configured;
  if (!executable(pwshPath)) throw new Error(`${pwshPath} is missing: run \`npm test\` or \`node test/toolchain/install.mjs\` (needs the .NET SDK)`);
  return pwshPath;
}

/** What every PowerShell a test starts gets, as the product sets it: no colour, no VT codes. */
export const PLAIN_TERMINAL = { NO_COLOR: '1', TERM: 'dumb', POWERSHELL_TELEMETRY_OPTOUT: '1' };

/** The flags DESIGN.md prescribes for one-shot runs. */
const COMMON_FLAGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];

export async function runPowerShell(opts: RunPowerShellOptions): Promise<PowerShellResult> {
  const path = powershellPath();
  const argv = [...COMMON_FLAGS];
  if (opts.file !== undefined) argv.push('-File', opts.file, ...(opts.args ?? []));
  else if (opts.command !== undefined) argv.push('-Command', opts.command, ...(opts.args ?? []));
  else argv.push('-Command', '-', ...(opts.args ?? []));
  const timeout = opts.timeoutMs ?? 60_000;
  const r = await execa(path, argv, {
    input: opts.stdin ?? '',
    env: { ...PLAIN_TERMINAL, ...opts.env },
    cwd: opts.cwd,
    timeout,
    forceKillAfterDelay: 2_000,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  if (r.timedOut) throw new Error(`runPowerShell: ${path} timed out after ${timeout} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  if (r.exitCode === undefined) throw new Error(`runPowerShell: ${path} failed to run: ${r.message}`);
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}
