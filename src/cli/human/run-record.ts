/**
 * `show-run` in text: the record's steps in the view check and apply print (one line per step,
 * its message and what changed, rollbacks folded into the step they undid), and which hosts
 * the run covered. Records come from disk and from older versions: every field is read as
 * possibly missing.
 */
import type { RunRecord } from '../../run/record.js';
import { hostSummaryLine, stepLines } from './host-steps.js';

/** A fleet run writes one record per host; this says which run the record is a part of. */
export function recordHostsLines(r: Pick<RunRecord, 'host' | 'targets'>): string[] {
  const targets = Array.isArray(r.targets) ? r.targets.filter((t) => typeof t === 'string') : [];
  if (targets.length < 2) return [];
  return [`- hosts of this run: ${targets.join(', ')} (one record each; this one: ${r.host})`];
}

export function recordStepLines(r: Pick<RunRecord, 'host' | 'steps' | 'summary' | 'error' | 'exitCode'>): string[] {
  const steps = Array.isArray(r.steps) ? r.steps : [];
  return ['steps:', ...(steps.length > 0 ? stepLines(steps) : ['  (none reported)']), '', hostSummaryLine({ host: r.host, steps, summary: r.summary, error: r.error }, typeof r.exitCode === 'number' ? r.exitCode : undefined)];
}
