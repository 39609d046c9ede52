// Shared by the benchmarks: run a command many times and report the median wall time.
import { spawnSync } from 'node:child_process';

export function timeCommand(command, args, { runs = 21, warmup = 3, env = process.env, cwd } = {}) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 3) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1), runs };
}

export const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** The PowerShell the benchmarks run: $RDSPLAN_POWERSHELL, else the tests' pwsh 7.6.9 in .tools/ (installed when missing). */
export async function benchPowerShell() {
  if (process.env.RDSPLAN_POWERSHELL) return process.env.RDSPLAN_POWERSHELL;
  const { installToolchain, pwshPath } = await import('../test/toolchain/install.mjs');
  installToolchain();
  return pwshPath;
}

/** What every PowerShell rdsplan starts gets (src/run/terminal-text.ts), so timings match real runs. */
export const plainTerminalEnv = { NO_COLOR: '1', TERM: 'dumb', POWERSHELL_TELEMETRY_OPTOUT: '1' };
