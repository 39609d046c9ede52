// One apply of a 10-primitive-step plan on the simulated host, side by side with a bare start
// of the same PowerShell (`pwsh -NoProfile -Command exit`). Goal: the apply
// takes at most 1.3× the bare start. Also times cut-down copies of the same script, to show
// where the time goes:
//   parse      the script up to the steps section, then `exit 0` (parse + define functions)
//   context    + New-RdsPlanContext and Complete-RdsPlan, no steps (platform load/save, self-check, lock)
//   apply      the whole script (10 steps)
//
//   node bench/engine-apply.mjs [--runs 11]
//
// Runs on $RDSPLAN_POWERSHELL or the tests' pwsh 7.6.9 (.tools/, installed when missing); dist/ is built when missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchPowerShell, plainTerminalEnv } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = await benchPowerShell();
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(11, runsArg > 0 ? Number(process.argv[runsArg + 1]) : 11);
const WARMUP = 2;

if (!existsSync(join(root, 'dist', 'rdsplan.mjs'))) spawnSync(process.execPath, [join(root, 'esbuild.config.mjs')], { cwd: root, stdio: 'inherit' });

const MS = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing';
const TS = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
// Ten primitive steps, every one of which changes the default host.
const plan = {
  apiVersion: 'rdsplan/v1',
  name: 'bench-ten-steps',
  targets: ['localhost'],
  options: { onError: 'rollback' },
  steps: [
    { id: 'ms-backup', action: 'registry.export', path: MS },
    { id: 'licenses', action: 'registry.deleteSubkeys', path: `${MS}\\Store`, namePattern: 'LICENSE*', dependsOn: ['ms-backup'] },
    { id: 'hwid', action: 'registry.deleteKey', path: `${MS}\\HardwareID`, dependsOn: ['ms-backup'] },
    { id: 'ts-backup', action: 'registry.export', path: TS },
    { id: 'certs', action: 'registry.deleteValue', path: `${TS}\\RCM`, namePattern: 'X509*', dependsOn: ['ts-backup'] },
    { id: 'deny', action: 'registry.setValue', path: TS, name: 'fDenyTSConnections', type: 'DWord', data: 1, dependsOn: ['ts-backup'] },
    { id: 'marker', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\Contoso\\RdsPlan', name: 'LastChange', type: 'String', data: 'bench', backup: { skip: true, reason: 'a new key: nothing to back up' } },
    { id: 'lsvc', action: 'service.setStartMode', name: 'TermServLicensing', startMode: 'Manual' },
    { id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com'] },
    { id: 'mode', action: 'rds.setLicensingMode', mode: 'PerUser' },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'rdsplan-bench-apply-'));
const planFile = join(dir, 'plan.json');
writeFileSync(planFile, JSON.stringify(plan, null, 2));
const script = join(dir, 'apply.ps1');
const rendered = spawnSync(process.execPath, [join(root, 'dist', 'rdsplan.mjs'), 'render', planFile, '--platform', 'sim', '--out', script], { encoding: 'utf8', env: { ...process.env, ...plainTerminalEnv } });
if (rendered.status !== 0) throw new Error(`render failed: ${rendered.stderr}`);

// Cut-down copies (no header, so the self-check is skipped in these two; see README).
const text = readFileSync(script, 'utf8');
// At the start of a line: the runtime's comments quote the same call.
const contextAt = text.indexOf('\n$RdsContext = New-RdsPlanContext') + 1;
if (contextAt === 0) throw new Error('no New-RdsPlanContext line in the rendered script');
const firstStep = text.indexOf('Invoke-RdsPlanStep -Context $RdsContext', contextAt);
const contextLineEnd = text.indexOf('\n', contextAt) + 1;
const parseOnly = join(dir, 'parse.ps1');
writeFileSync(parseOnly, text.slice(0, contextAt) + 'exit 0\r\n');
const contextOnly = join(dir, 'context.ps1');
writeFileSync(contextOnly, text.slice(0, contextAt) + text.slice(contextAt, contextLineEnd).replace(' -ScriptPath $PSCommandPath', '') + 'Complete-RdsPlan -Context $RdsContext\r\n');
if (firstStep < 0) throw new Error('no steps found in the rendered script');

const FLAGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];
let n = 0;
function once(args, check) {
  const start = process.hrtime.bigint();
  const r = spawnSync(engine, args, { encoding: 'utf8', env: { ...process.env, ...plainTerminalEnv } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (check) check(r);
  return ms;
}
// The default host saved once (a missing state file makes the sim build it in-process, which
// costs ~0.8 s of cold PowerShell on its own: measured separately as 'apply (no state file)').
const seed = join(dir, 'seed.json');
function simArgs(file, { fresh = false } = {}) {
  n += 1;
  const state = join(dir, `state-${n}.json`);
  if (!fresh) copyFileSync(seed, state);
  return [...FLAGS, '-File', file, '-SimulationState', state, '-BackupDirectory', join(dir, `backups-${n}`), '-RunId', `run-${n}`];
}
const expectApply = (r) => {
  const summary = r.stdout.split('\n').find((l) => l.includes('"event":"summary"'));
  if (r.status !== 0 || !summary?.includes('"status":"succeeded"') || !summary.includes('"changed":10')) {
    throw new Error(`apply did not succeed with 10 changes (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
};
const expectZero = (r) => {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
};

{
  const r = spawnSync(engine, [...FLAGS, '-File', contextOnly, '-SimulationState', seed, '-BackupDirectory', join(dir, 'seed-backups'), '-RunId', 'seed'], { encoding: 'utf8', env: { ...process.env, ...plainTerminalEnv } });
  if (r.status !== 0 || !existsSync(seed)) throw new Error(`seeding the default host failed (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
}

const cases = {
  bare: () => once(['-NoProfile', '-Command', 'exit'], expectZero),
  parse: () => once(simArgs(parseOnly), expectZero),
  context: () => once(simArgs(contextOnly), expectZero),
  apply: () => once(simArgs(script), expectApply),
  applyFresh: () => once(simArgs(script, { fresh: true }), expectApply),
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < WARMUP + RUNS; i++) {
  // Interleaved, so a load spike on this machine hits every case alike.
  for (const [name, run] of Object.entries(cases)) {
    const ms = run();
    if (i >= WARMUP) samples[name].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));

const row = (label, key, note) => `${label.padEnd(34)} ${m[key].toFixed(0).padStart(6)} ms  (min ${min(samples[key]).toFixed(0).padStart(5)})  ${note}`;
console.log(`engine-apply: ${RUNS} runs each (+${WARMUP} warm-up), ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(row('bare engine start (-Command exit)', 'bare', ''));
console.log(row('script parsed, functions defined', 'parse', `+${(m.parse - m.bare).toFixed(0)} ms over bare`));
console.log(row('+ context and completion, 0 steps', 'context', `+${(m.context - m.parse).toFixed(0)} ms (platform load/save, lock)`));
console.log(row('apply, 10 steps', 'apply', `+${(m.apply - m.context).toFixed(0)} ms (steps; self-check)`));
console.log(row('apply, no state file (default host)', 'applyFresh', `+${(m.applyFresh - m.apply).toFixed(0)} ms (the sim builds its default host)`));
const ratio = m.apply / m.bare;
console.log(`ratio apply / bare start: ${ratio.toFixed(2)}× (goal ≤ 1.30×: ${ratio <= 1.3 ? 'met' : 'missed'})`);
rmSync(dir, { recursive: true, force: true });
