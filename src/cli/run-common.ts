import type { RunRequest } from '../apply/settings.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import type { HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import type { Io } from './command.js';

/** Flags shared by the commands that run a script on hosts. */
export const RUN_FLAGS: Record<string, FlagSpec> = {
  target: { value: true, repeat: true, description: 'run on this target only (repeatable); default: every target of the plan' },
  simulate: { value: true, description: 'run against the simulated host: a state file (one target) or a folder of <host>.json' },
  timeout: { value: true, description: 'seconds before a run is killed (default: the plan\'s timeoutSeconds, 1800)' },
  throttle: { value: true, description: 'hosts at once in a fleet (default 16)' },
  records: { value: true, description: 'folder that holds runs/ (default: the backup folder on Windows, ./.rdsplan elsewhere)' },
  format: { value: true, choices: ['text', 'json'], description: 'output format' },
};

/** The run flags as the stage takes them (src/apply/settings.ts checks them). */
export function runRequest(flags: ParsedArgs['flags'], io: Io): RunRequest {
  const text = (name: string) => (typeof flags[name] === 'string' ? { [name]: flags[name] as string } : {});
  return { cwd: io.cwd, ...(flags.target !== undefined ? { target: flags.target as string[] } : {}), ...text('simulate'), ...text('timeout'), ...text('throttle'), ...text('records') };
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
