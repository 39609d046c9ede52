/**
 * Where engine tests find a real PowerShell, and how they run it.
 *
 *   import { describeEngine, runPowerShell } from '../support/engine.js';
 *   describeEngine('my script', () => {
 *     test('runs', async () => {
 *       const r = await runPowerShell({ file: script, args: ['-BackupDirectory', dir, '-WhatIf'] });
 *       expect(r.exitCode).toBe(0);
 *     });
 *   });
 *
 * Order (DESIGN.md, "Running PowerShell"): $RDSPLAN_POWERSHELL, `pwsh` on PATH, then the
 * SMA-based test engine built by `npm run build:engine` (test/engine/bin/rdsplan-engine).
 * Without any of them the suite is skipped with one line saying why, unless
 * RDSPLAN_REQUIRE_ENGINE=1 (CI), where it fails instead.
 */
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from '@jest/globals';
import { execa } from 'execa';

export type PowerShellKind = 'pwsh' | 'engine' | 'env';
export type FoundPowerShell = { path: string; kind: PowerShellKind };

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

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The launcher build.mjs writes; exported for tests of the engine itself. */
export const enginePath = join(repoRoot, 'test', 'engine', 'bin', 'rdsplan-engine');
/** Where describeEngine notes that it printed a skip line (see firstTimeInThisRun). */
export const skipMarkerDir = join(tmpdir(), 'rdsplan-engine-skip-notes');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

let cached: FoundPowerShell | { skipReason: string } | undefined;

export function findPowerShell(): FoundPowerShell | { skipReason: string } {
  if (cached) return cached;
  const fromEnv = process.env.RDSPLAN_POWERSHELL;
  if (fromEnv) {
    const path = fromEnv.includes('/') || fromEnv.includes('\\') ? (isExecutable(fromEnv) ? fromEnv : undefined) : onPath(fromEnv);
    cached = path ? { path, kind: 'env' } : { skipReason: `RDSPLAN_POWERSHELL=${fromEnv} is not an executable` };
    return cached;
  }
  const pwsh = onPath('pwsh');
  if (pwsh) return (cached = { path: pwsh, kind: 'pwsh' });
  if (isExecutable(enginePath)) return (cached = { path: enginePath, kind: 'engine' });
  cached = onPath('dotnet')
    ? { skipReason: 'no pwsh, and test/engine is not built (run npm run build:engine)' }
    : { skipReason: 'no pwsh and no .NET SDK to build test/engine' };
  return cached;
}

/** The flags DESIGN.md prescribes for one-shot runs. */
const COMMON_FLAGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];

export async function runPowerShell(opts: RunPowerShellOptions): Promise<PowerShellResult> {
  const found = findPowerShell();
  if ('skipReason' in found) throw new Error(`runPowerShell: ${found.skipReason}`);
  const argv = [...COMMON_FLAGS];
  if (opts.file !== undefined) argv.push('-File', opts.file, ...(opts.args ?? []));
  else if (opts.command !== undefined) argv.push('-Command', opts.command, ...(opts.args ?? []));
  else argv.push('-Command', '-', ...(opts.args ?? []));
  const timeout = opts.timeoutMs ?? 60_000;
  const r = await execa(found.path, argv, {
    input: opts.stdin ?? '',
    env: opts.env ?? {},
    cwd: opts.cwd,
    timeout,
    forceKillAfterDelay: 2_000,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  if (r.timedOut) throw new Error(`runPowerShell: ${found.path} timed out after ${timeout} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  if (r.exitCode === undefined) throw new Error(`runPowerShell: ${found.path} failed to run: ${r.message}`);
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `describe` when a PowerShell exists; otherwise `describe.skip` with one line on stderr
 * (once per jest run), or, with RDSPLAN_REQUIRE_ENGINE=1, a suite whose one test fails.
 */
export function describeEngine(name: string, fn: () => void): void {
  const found = findPowerShell();
  describeOrSkip(name, 'skipReason' in found ? found.skipReason : undefined, fn);
}

/** The Add-Type C# checker build.mjs writes (needs the .NET SDK; pwsh has no equivalent). */
export const csharpCheckPath = join(repoRoot, 'test', 'engine', 'bin', 'rdsplan-csharp-check');

/** Like describeEngine, for suites that need rdsplan-csharp-check. */
export function describeCSharpCheck(name: string, fn: () => void): void {
  const reason = isExecutable(csharpCheckPath)
    ? undefined
    : onPath('dotnet')
      ? 'test/engine/bin/rdsplan-csharp-check is not built (run npm run build:engine)'
      : 'no .NET SDK to build test/engine/csharp-check';
  describeOrSkip(name, reason, fn);
}

function describeOrSkip(name: string, skipReason: string | undefined, fn: () => void): void {
  if (skipReason === undefined) {
    describe(name, fn);
    return;
  }
  if (process.env.RDSPLAN_REQUIRE_ENGINE === '1') {
    describe(name, () => {
      test('needs a PowerShell engine (RDSPLAN_REQUIRE_ENGINE=1)', () => {
        throw new Error(`engine tests required but unavailable: ${skipReason}`);
      });
    });
    return;
  }
  if (firstTimeInThisRun(skipReason)) process.stderr.write(`engine tests skipped: ${skipReason}\n`);
  describe.skip(name, fn);
}

/**
 * Jest runs files in several worker processes; a marker file per reason and jest run
 * (RDSPLAN_JEST_RUN_ID, set by global-setup.js, which also clears old markers) makes the
 * skip line appear once per run rather than once per worker.
 */
function firstTimeInThisRun(reason: string): boolean {
  const key = `RDSPLAN_ENGINE_SKIP_NOTED_${createHash('sha256').update(reason).digest('hex').slice(0, 12)}`;
  if (process.env[key]) return false;
  process.env[key] = '1';
  const runId = process.env.RDSPLAN_JEST_RUN_ID;
  if (!runId) return true;
  try {
    mkdirSync(skipMarkerDir, { recursive: true });
    closeSync(openSync(join(skipMarkerDir, `${runId}-${key}`), 'wx'));
    return true;
  } catch {
    return false; // another worker said it already
  }
}

/** True when the tests run against the SMA-based test engine rather than a real pwsh. */
export function usingTestEngine(): boolean {
  const found = findPowerShell();
  return !('skipReason' in found) && found.kind === 'engine';
}

