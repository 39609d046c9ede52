import { resolve } from 'node:path';
import type { Plan } from '../plan/types.js';
import { findPowerShell, PowerShellConfigError, type FoundPowerShell } from '../run/find-powershell.js';
import type { HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import { isStateFolder } from '../run/state-files.js';
import { selectTargets } from '../run/targets.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { CliError, EXIT, type Io } from './command.js';
import { terminalSafe } from './terminal-safe.js';

/** Flags shared by the commands that run a script on hosts. */
export const RUN_FLAGS: Record<string, FlagSpec> = {
  target: { value: true, repeat: true, description: 'run on this target only (repeatable); default: every target of the plan' },
  simulate: { value: true, description: 'run against the simulated host: a state file (one target) or a folder of <host>.json' },
  timeout: { value: true, description: 'seconds before a run is killed (default: the plan\'s timeoutSeconds, 1800)' },
  throttle: { value: true, description: 'hosts at once in a fleet (default 16)' },
  records: { value: true, description: 'folder that holds runs/ (default: the backup folder on Windows, ./.rdsplan elsewhere)' },
  format: { value: true, choices: ['text', 'json'], description: 'output format' },
};

export async function requirePowerShell(io: Io): Promise<FoundPowerShell> {
  let found: FoundPowerShell | null;
  try {
    found = await findPowerShell(io.env);
  } catch (error) {
    if (error instanceof PowerShellConfigError) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
  if (!found) throw new CliError('no PowerShell found: install PowerShell 7 (pwsh) or Windows PowerShell, or set RDSPLAN_POWERSHELL to its path; nothing was run', EXIT.failed);
  return found;
}

function positiveInteger(flags: ParsedArgs['flags'], name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new CliError(`--${name} must be a whole number of at least 1, not ${JSON.stringify(raw)}`, EXIT.usage);
  return value;
}

export interface RunSettings {
  targets: Plan['targets'];
  simulate?: string;
  timeoutMs: number;
  throttle: number;
  recordsRoot: string;
}

export function runSettings(plan: Plan, flags: ParsedArgs['flags'], io: Io): RunSettings {
  let targets: Plan['targets'];
  try {
    targets = selectTargets(plan.targets, flags.target as string[] | undefined);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  const records = flags.records as string | undefined;
  if (typeof flags.simulate === 'string' && targets.length > 1) {
    if (!isStateFolder(resolve(io.cwd, flags.simulate))) throw new CliError(`--simulate ${flags.simulate} is one state file, but the run has ${targets.length} targets; give a folder holding <host>.json per target`, EXIT.usage);
  }
  return {
    targets,
    ...(typeof flags.simulate === 'string' ? { simulate: resolve(io.cwd, flags.simulate) } : {}),
    timeoutMs: positiveInteger(flags, 'timeout', plan.options.timeoutSeconds) * 1000,
    throttle: positiveInteger(flags, 'throttle', 16),
    recordsRoot: resolve(io.cwd, records ?? (process.platform === 'win32' ? plan.options.backupDirectory : '.rdsplan')),
  };
}

function brief(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** One line per step event as it streams (text mode). */
export function describeEvent(event: RunEvent): string | null {
  if (event.event !== 'step') return null;
  const change = event.before !== undefined || event.after !== undefined ? ` ${brief(event.before)} -> ${brief(event.after)}` : '';
  // Host text (names, values, messages) may carry control characters: escaped, never raw.
  return terminalSafe(`${event.host}  ${event.status.padEnd(11)} ${event.stepId} (${event.action})${change}${event.message ? `  ${event.message}` : ''}`);
}

/** After a rollback: whether the host is back where it started, in words (empty otherwise). */
export function restoredText(run: Pick<HostRun, 'summary'>): string {
  if (run.summary?.status !== 'rolledBack' || run.summary.restoredToStart === undefined) return '';
  return run.summary.restoredToStart ? 'rolled back: the host is back at its start' : 'rolled back INCOMPLETELY: the host is NOT back at its start';
}

export function summaryTable(runs: HostRun[], exitCodeOf: (run: HostRun) => number): string {
  const rows = runs.map((run) => {
    const counts = run.summary?.counts ?? {};
    const count = (k: keyof typeof counts) => String(counts[k] ?? 0);
    return [terminalSafe(run.host), run.summary?.status ?? 'incomplete', count('changed'), count('unchanged'), count('wouldChange'), count('failed'), count('rolledBack'), String(exitCodeOf(run)), terminalSafe([run.error ?? run.summary?.message ?? '', restoredText(run)].filter(Boolean).join('; '))];
  });
  const header = ['host', 'status', 'changed', 'unchanged', 'pending', 'failed', 'rolledBack', 'exit', 'message'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Hosts done / failed / running on a terminal, redrawn in place on stderr. */
export function progressReporter(io: Io, total: number): { onEvent(event: RunEvent): void; done(): void } {
  if (!io.stderr.isTTY || total < 2) return { onEvent: () => {}, done: () => {} };
  const started = new Set<string>();
  const finished = new Map<string, boolean>();
  const draw = () => {
    const failed = [...finished.values()].filter((ok) => !ok).length;
    io.stderr.write(`\r${finished.size}/${total} hosts done, ${failed} failed, ${started.size - finished.size} running `);
  };
  return {
    onEvent(event) {
      if (event.event === 'start') started.add(event.host);
      if (event.event === 'summary') finished.set(event.host, event.status === 'succeeded');
      draw();
    },
    done() {
      io.stderr.write('\n');
    },
  };
}
