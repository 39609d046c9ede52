#!/usr/bin/env node
// The test command's last part: installs the toolchain, runs Pester (the PowerShell the project
// owns) and Jest (TypeScript, and the CLI <-> script protocol end to end), then prints one closing
// `tests: N passed, N failed, N skipped` line over both. Exit 1 when either runner failed.
//   node test/run-all.mjs [--pester-only | --jest-only] [jest arguments…]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installToolchain, pesterManifest, pwshPath, ToolchainError } from './toolchain/install.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repoRoot, '.tmp', 'test-results');
const args = process.argv.slice(2);
const only = args.find((a) => a === '--pester-only' || a === '--jest-only');
const jestArgs = args.filter((a) => a !== only);

try {
  installToolchain();
} catch (e) {
  process.stderr.write(`toolchain: ${e instanceof ToolchainError ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const plainTerminal = { ...process.env, NO_COLOR: '1', TERM: 'dumb', POWERSHELL_TELEMETRY_OPTOUT: '1' };
const runners = [];
if (only !== '--jest-only') {
  runners.push({
    name: 'pester',
    summary: join(out, 'pester-summary.json'),
    command: pwshPath,
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', join(repoRoot, 'test', 'toolchain', 'Invoke-PesterSuite.ps1'), '-PesterManifest', pesterManifest, '-JUnitPath', join(out, 'pester-junit.xml'), '-SummaryPath', join(out, 'pester-summary.json')],
    env: plainTerminal,
  });
}
if (only !== '--pester-only') {
  runners.push({
    name: 'jest',
    summary: join(out, 'jest-summary.json'),
    command: process.execPath,
    args: ['--experimental-vm-modules', join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArgs],
    env: { ...process.env, RDSPLAN_JEST_SUMMARY: join(out, 'jest-summary.json') },
  });
}

const total = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;
for (const runner of runners) {
  const r = spawnSync(runner.command, runner.args, { stdio: 'inherit', cwd: repoRoot, env: runner.env });
  if (r.status !== 0) exitCode = 1;
  if (!existsSync(runner.summary)) {
    // The runner died before counting: that is a failure, not zero tests.
    process.stderr.write(`${runner.name}: no summary (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})\n`);
    total.failed += 1;
    continue;
  }
  const counts = JSON.parse(readFileSync(runner.summary, 'utf8'));
  for (const key of Object.keys(total)) total[key] += counts[key];
}
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(total.failed > 0 ? 1 : exitCode);
