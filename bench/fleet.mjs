// Wall time of `rdsplan apply` on a fleet of 20 simulated hosts (one PowerShell process, the
// fan-out driver's runspace pool) against 20 sequential single-host applies (20 PowerShell
// starts), same plan steps, fresh default hosts each run. Median of BENCH_RUNS (default 3).
// Needs `npm run build` first; runs on $RDSPLAN_POWERSHELL or the tests' pwsh 7.6.9 (.tools/,
// installed when missing).
//
//   node bench/fleet.mjs            # BENCH_RUNS=5 BENCH_HOSTS=20 BENCH_THROTTLE=16 to change
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchPowerShell, fmt } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = process.env.RDSPLAN_BIN ?? join(root, 'dist', 'rdsplan.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const hostCount = Number(process.env.BENCH_HOSTS ?? 20);
const throttle = process.env.BENCH_THROTTLE ?? '16';

const env = { ...process.env, RDSPLAN_POWERSHELL: await benchPowerShell() };

function rdsplan(args, okCodes = [0]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!okCodes.includes(r.status)) throw new Error(`rdsplan ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), 'rdsplan-bench-fleet-'));
const hosts = Array.from({ length: hostCount }, (_, i) => `rdsh${String(i + 1).padStart(2, '0')}.contoso.com`);
const steps = [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true }];
const plan = (name, targets) => {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({ apiVersion: 'rdsplan/v1', name, targets, options: { onError: 'rollback' }, steps }));
  return { file, token: JSON.parse(rdsplan(['review', file, '--format', 'json'])).approvalToken };
};
const fleetPlan = plan('bench-fleet', hosts);
const onePlan = plan('bench-one', ['localhost']);

function time(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
}

const fleetSamples = [];
const serialSamples = [];
const loadBefore = loadavg();
for (let i = 0; i < runs; i++) {
  // A fresh folder per run: every host starts as the built-in default host.
  const fleetDir = join(work, `fleet-${i}`);
  mkdirSync(join(fleetDir, 'hosts'), { recursive: true });
  fleetSamples.push(time(() => rdsplan(['apply', fleetPlan.file, '--approve', fleetPlan.token, '--simulate', join(fleetDir, 'hosts'), '--records', join(fleetDir, 'records'), '--throttle', throttle])));
  const serialDir = join(work, `serial-${i}`);
  mkdirSync(serialDir, { recursive: true });
  serialSamples.push(
    time(() => {
      for (const host of hosts) rdsplan(['apply', onePlan.file, '--approve', onePlan.token, '--simulate', join(serialDir, `${host}.json`), '--records', join(serialDir, 'records')]);
    }),
  );
  process.stderr.write(`run ${i + 1}/${runs}: fleet ${fmt(fleetSamples.at(-1))}, ${hostCount} x one host ${fmt(serialSamples.at(-1))}\n`);
}
const loadAfter = loadavg();
rmSync(work, { recursive: true, force: true });

const fleet = median(fleetSamples);
const serial = median(serialSamples);
const load = (l) => l.map((x) => x.toFixed(2)).join(', ');
console.log(`PowerShell             ${env.RDSPLAN_POWERSHELL}`);
console.log(`machine                ${cpus().length} CPU(s); load average before ${load(loadBefore)}, after ${load(loadAfter)}`);
console.log(`fleet of ${hostCount} (1 process)  median ${fmt(fleet.median)} (min ${fmt(fleet.min)}, max ${fmt(fleet.max)}, ${runs} runs, throttle ${throttle})`);
console.log(`${hostCount} x one host          median ${fmt(serial.median)} (min ${fmt(serial.min)}, max ${fmt(serial.max)}, ${runs} runs)`);
console.log(`per host               fleet ${fmt(fleet.median / hostCount)}, sequential ${fmt(serial.median / hostCount)}`);
const ratios = median(serialSamples.map((ms, i) => ms / fleetSamples[i]));
console.log(`speed-up               ${(serial.median / fleet.median).toFixed(2)}x of the medians; per run (paired, same load) median ${ratios.median.toFixed(2)}x, ${ratios.min.toFixed(2)}x to ${ratios.max.toFixed(2)}x`);
