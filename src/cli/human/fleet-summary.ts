/**
 * The end of a check, apply or undo: one row per host and one line for the whole run. A host
 * that failed says where and why in its row (the failing step, its action and Windows' message),
 * so a fleet's summary alone tells an administrator which host to look at and what to fix.
 */
import { terminalSafe } from '../../apply/terminal-safe.js';
import type { HostRun } from '../../run/host-run.js';
import { failureText, statusWord } from './host-steps.js';

/** After a rollback: whether the host is back where it started, in words (empty otherwise). */
export function restoredText(run: Pick<HostRun, 'summary'>): string {
  if (run.summary?.status !== 'rolledBack' || run.summary.restoredToStart === undefined) return '';
  return run.summary.restoredToStart ? 'rolled back: the host is back at its start' : 'rolled back INCOMPLETELY: the host is NOT back at its start';
}

export function summaryTable(runs: HostRun[], exitCodeOf: (run: HostRun) => number): string {
  const rows = runs.map((run) => {
    const counts = run.summary?.counts ?? {};
    const count = (k: keyof typeof counts) => String(counts[k] ?? 0);
    const message = [run.error ?? run.summary?.message ?? '', failureText(run), restoredText(run)].filter(Boolean).join('; ');
    return [terminalSafe(run.host), run.summary?.status ?? 'incomplete', count('changed'), count('unchanged'), count('wouldChange'), count('failed'), count('rolledBack'), String(exitCodeOf(run)), terminalSafe(message)];
  });
  const header = ['host', 'status', 'changed', 'unchanged', 'pending', 'failed', 'rolledBack', 'exit', 'message'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `2 host(s): 1 succeeded, 1 rolled back; exit 1` */
export function overallLine(runs: readonly HostRun[], exitCode: number): string {
  const tally = new Map<string, number>();
  for (const run of runs) {
    const word = statusWord(run.error && run.summary?.status === 'succeeded' ? 'failed' : run.summary?.status);
    tally.set(word, (tally.get(word) ?? 0) + 1);
  }
  const parts = [...tally].map(([word, n]) => `${n} ${word}`);
  return `${runs.length} host(s): ${parts.join(', ') || 'none ran'}; exit ${exitCode}\n`;
}
