/**
 * One host's steps as a block an administrator reads top to bottom: in plan order (the events
 * arrive in the order the runner reports them: a rollback reports its steps again, newest
 * first, and a fleet's hosts interleave), one line per step with its outcome, then its message
 * and what changed. Used by check, apply, undo and show-run; their JSON keeps every event.
 */
import { terminalSafe } from '../../apply/terminal-safe.js';
import { changeLines } from './change.js';
import { reportLines } from './report-tables.js';

/** What the views read of a step event or a record's step; every field but stepId may be missing in an old or damaged record. */
export interface StepLike {
  stepId: string;
  action?: string;
  status?: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  message?: string;
}

/** What the views read of a host's run (a HostRun or a record). */
export interface HostLike {
  host: string;
  steps: readonly StepLike[];
  summary?: { status?: string; counts?: Record<string, number | undefined>; message?: string; restoredToStart?: boolean } | undefined;
  error?: string | undefined;
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  changed: 'changed',
  unchanged: 'unchanged',
  wouldChange: 'would change',
  skipped: 'skipped',
  failed: 'FAILED',
  rolledBack: 'rolled back',
  succeeded: 'succeeded',
  refused: 'refused',
  incomplete: 'incomplete',
};

export const statusWord = (status: string | undefined): string => (status ? (STATUS_WORDS[status] ?? status) : 'incomplete');

interface StepView {
  stepId: string;
  action: string;
  status: string | undefined;
  target: string | undefined;
  change: StepLike | undefined;
  messages: string[];
}

/** The events of each step merged (a rolled-back step: its change, then the rollback), in plan order where known. */
export function stepViews(steps: readonly StepLike[], order: readonly string[] = []): StepView[] {
  const views = new Map<string, StepView>();
  for (const step of steps) {
    if (typeof step?.stepId !== 'string') continue;
    let view = views.get(step.stepId);
    if (!view) {
      view = { stepId: step.stepId, action: step.action ?? '?', status: undefined, target: undefined, change: undefined, messages: [] };
      views.set(step.stepId, view);
    }
    view.status = step.status ?? view.status;
    view.target ??= step.target;
    // The change a rollback undid is the one to show: the rollback's own before/after is its mirror.
    if (step.status !== 'rolledBack' || view.change === undefined) {
      if (step.before !== undefined || step.after !== undefined) view.change = step;
    }
    if (typeof step.message === 'string' && step.message !== '' && !view.messages.includes(step.message)) view.messages.push(step.message);
  }
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i === -1 ? order.length : i;
  };
  // Array.prototype.sort is stable: steps the plan does not name (finalizers) keep their arrival order, last.
  return [...views.values()].sort((a, b) => rank(a.stepId) - rank(b.stepId));
}

/** The lines of one host's steps, indented under its name. */
export function stepLines(steps: readonly StepLike[], order: readonly string[] = []): string[] {
  const views = stepViews(steps, order);
  const width = Math.max(0, ...views.map((v) => statusWord(v.status).length));
  return views.flatMap((view) => {
    const head = `  ${statusWord(view.status).padEnd(width)}  ${view.stepId} (${view.action})${view.target ? `  ${view.target}` : ''}`;
    const report = view.change && view.status !== 'failed' ? reportLines(view.action, view.stepId, view.change.after) : undefined;
    const details = [
      ...view.messages.map((m) => (view.status === 'failed' ? `error: ${m}` : m)),
      ...(report ?? []),
      // A rolled-back step shows the change the rollback undid, marked so nobody reads it as the host's state.
      // An unchanged read says what it read in its message (days left, and how it was read): its state would repeat it.
      ...(view.change && !report && !(view.status === 'unchanged' && view.messages.length > 0) ? changeLines(view.change.before, view.change.after).map((line) => (view.status === 'rolledBack' && view.change!.status !== 'rolledBack' ? `${line} (undone)` : line)) : []),
    ];
    return [head, ...details.map((line) => `${' '.repeat(width + 4)}${line}`)];
  });
}

function countsText(counts: Record<string, number | undefined> | undefined): string {
  const parts = Object.entries(counts ?? {})
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([status, n]) => `${n} ${statusWord(status)}`);
  return parts.length > 0 ? parts.join(', ') : 'no steps';
}

/** The failing step in one sentence, where a host failed at one: `failed at <id> (<action>): <message>`. */
export function failureText(run: Pick<HostLike, 'steps'>): string {
  const failed = run.steps.find((s) => s?.status === 'failed');
  if (!failed) return '';
  return `failed at ${failed.stepId} (${failed.action ?? '?'})${failed.message ? `: ${failed.message}` : ''}`;
}

/** `rdsh02: rolled back (1 changed, 1 FAILED, 1 rolled back), exit 1: failed at …` */
export function hostSummaryLine(run: HostLike, exitCode: number | undefined): string {
  const why = [run.error ?? run.summary?.message, failureText(run), restoredWords(run)].filter(Boolean).join('; ');
  return `${run.host}: ${statusWord(run.summary?.status)} (${countsText(run.summary?.counts)})${exitCode === undefined ? '' : `, exit ${exitCode}`}${why ? `: ${why}` : ''}`;
}

function restoredWords(run: HostLike): string {
  if (run.summary?.status !== 'rolledBack' || run.summary.restoredToStart === undefined) return '';
  return run.summary.restoredToStart ? 'the host is back at its start' : 'the host is NOT back at its start';
}

/** A host's block: its name, its steps, its summary line. Host text is escaped line by line. */
export function hostBlock(run: HostLike, options: { order?: readonly string[]; exitCode?: number } = {}): string {
  const lines = [run.host, ...stepLines(run.steps ?? [], options.order), `  ${hostSummaryLine(run, options.exitCode)}`];
  return `${lines.map((line) => terminalSafe(line)).join('\n')}\n`;
}

/** Every host's block, one after the other, never interleaved. */
export function hostBlocks<R extends HostLike>(runs: readonly R[], exitCodeOf: (run: R) => number, order?: readonly string[]): string {
  return runs.map((run) => hostBlock(run, { ...(order ? { order } : {}), exitCode: exitCodeOf(run) })).join('\n');
}
