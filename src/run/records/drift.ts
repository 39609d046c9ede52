import { canonicalJson } from '../../shared/hash.js';
import { parseProtocolLine, type StateEvent } from '../protocol.js';

/**
 * Whether a host still is as a run left it. At its end an apply reads, through each changed
 * step's own Test, the state it left (a `state` event in events.jsonl, covered by the
 * manifest); an undo reads the same steps first, with -WhatIf, before it may change anything.
 * A step whose two reads differ was changed since by someone else (or by Windows), and undoing
 * it would overwrite that change with the values from before the run.
 */
export type StepState = Pick<StateEvent, 'state' | 'message'>;

/** The `state` events of one run in its events.jsonl: the last one per step. Other lines are not read here. */
export function statesInEvents(text: string, runId: string): Map<string, StepState> {
  const states = new Map<string, StepState>();
  for (const line of text.split('\n')) {
    let event;
    try {
      event = parseProtocolLine(line);
    } catch {
      // a line cut short by a kill; the manifest (when there is one) has judged the file already
      continue;
    }
    if (event?.event === 'state' && event.runId === runId) states.set(event.stepId, { state: event.state, message: event.message });
  }
  return states;
}

export interface DriftReport {
  /** One sentence per step the host no longer has as the run left it (or that cannot be read now). */
  drifted: string[];
  /** Steps that cannot be compared because the run recorded no state for them. */
  unchecked: string[];
}

const shown = (value: unknown) => (value === undefined ? 'nothing' : canonicalJson(value));

export function compareStates(stepIds: readonly string[], left: ReadonlyMap<string, StepState>, now: ReadonlyMap<string, StepState>): DriftReport {
  const report: DriftReport = { drifted: [], unchecked: [] };
  for (const id of stepIds) {
    const then = left.get(id);
    const current = now.get(id);
    if (!then || then.message !== undefined) {
      report.unchecked.push(`step ${id}: the run recorded no state it left${then?.message ? ` (${then.message})` : ''}, so a change since cannot be seen`);
      continue;
    }
    if (!current || current.message !== undefined) {
      report.drifted.push(`step ${id}: ${current?.message ?? 'the host reported no current state'}`);
      continue;
    }
    if (canonicalJson(then.state) !== canonicalJson(current.state)) report.drifted.push(`step ${id}: now ${shown(current.state)}, the run left ${shown(then.state)}`);
  }
  return report;
}
