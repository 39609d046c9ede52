import { findAction } from '../actions/index.js';
import type { RunEvent, StartEvent, StepEvent, SummaryEvent } from './protocol.js';

/** Everything one host reported in one run, and how the process ended. */
export interface HostRun {
  host: string;
  start?: StartEvent;
  steps: StepEvent[];
  summary?: SummaryEvent;
  /** The raw protocol events in arrival order (the run record keeps them verbatim). */
  events: RunEvent[];
  /** The protocol lines as the script printed them (the record's raw results stream). */
  lines: string[];
  /** Set when the run could not report a summary: the reason in one sentence. */
  error?: string;
}

export function newHostRun(host: string): HostRun {
  return { host, steps: [], events: [], lines: [] };
}

export function addEvent(run: HostRun, event: RunEvent, line?: string): void {
  run.events.push(event);
  run.lines.push(line ?? `@@rdsplan ${JSON.stringify(event)}`);
  if (event.event === 'start') run.start = event;
  else if (event.event === 'step') run.steps.push(event);
  else if (event.event === 'summary') run.summary = event;
}

/** Adds a reason the host's run failed; earlier reasons stay first. */
export function addHostError(run: HostRun, sentence: string): void {
  run.error = run.error ? `${run.error}; ${sentence}` : sentence;
}

export type Mode = 'check' | 'apply' | 'undo';

/**
 * Whether a step's change is a change of the host: a backup file or a read is not, so a host in
 * the desired state checks 0 although its plan would still write a backup. The action's
 * definition says (`changesHost`); an action this tool does not know counts as a change.
 */
export function changesHost(action: string): boolean {
  const definition = findAction(action);
  return definition?.kind !== 'primitive' || definition.changesHost;
}

/** The exit code of a host whose PowerShell was not elevated (summary reason `notElevated`). */
export const NOT_ELEVATED_EXIT = 5;

/** The documented exit code for one host: 0 ok, 3 changes pending (check), 4 refused, 5 not elevated, 1 failed. */
export function hostExitCode(run: HostRun, mode: Mode): number {
  if (!run.summary || run.error) return 1;
  if (run.summary.status === 'refused') return run.summary.reason === 'notElevated' ? NOT_ELEVATED_EXIT : 4;
  if (run.summary.status !== 'succeeded' || run.steps.some((s) => s.status === 'failed')) return 1;
  if (mode === 'check' && run.steps.some((s) => s.status === 'wouldChange' && changesHost(s.action))) return 3;
  return 0;
}

/** A fleet's exit code is its worst host's: failed over not elevated over refused over pending over ok. */
export function worstExitCode(codes: number[]): number {
  const rank = [0, 3, 4, NOT_ELEVATED_EXIT, 1];
  return codes.reduce((worst, code) => (rank.indexOf(code) > rank.indexOf(worst) ? code : worst), 0);
}
