/**
 * "Fault at each step in turn": a clean apply on the default host tells which mutating platform
 * calls the plan makes (the sim's callLog); then one run per call k with the fault
 * { call: '*', nth: k } (the k-th mutating call fails before it changes anything).
 */
import { expect } from '@jest/globals';
import { defaultState, hostViewUnordered, inPool, runPlan, type PlanRun } from './sim.js';

export interface FaultRun {
  k: number;
  /** The clean run's k-th mutating call: the one that fails. */
  call: { call: string; path?: string; name?: string };
  run: PlanRun;
}

export interface FaultSweep {
  start: any;
  clean: PlanRun;
  faults: FaultRun[];
}

export async function faultAtEachCall(script: string): Promise<FaultSweep> {
  const start = JSON.parse(await defaultState());
  const clean = await runPlan(script, { runId: 'clean' });
  const calls = clean.state.callLog as FaultRun['call'][];
  const faults = await inPool(calls, 2, async (call, i) => {
    const k = i + 1;
    const run = await runPlan(script, { runId: `fault-${k}`, edit: (s) => (s.faults = [{ call: '*', nth: k }]) });
    return { k, call, run };
  });
  return { start, clean, faults };
}

/** The sim's message for a 'Failed' fault (platform/sim/README.md, "Fault injection"). */
export function simulatedFailure(call: FaultRun['call']): string {
  // The callLog writes '' for a missing path or name.
  return `simulated failure of ${call.call} (${call.path || call.name || call.call})`;
}

/**
 * What every faulty run with onError 'rollback' must show: the failing step carries the
 * platform's message, every step that changed something (and journaled an undo) is rolled back
 * in reverse order, the summary says rolledBack and restoredToStart, and the host is as it
 * was before the run (apart from the sim's counters and the enumeration order of re-created values).
 */
export function expectRolledBackToStart(sweep: FaultSweep, fault: FaultRun): void {
  const { run, call, k } = fault;
  expect(run.problems).toEqual([]);
  // The fault fired on the call the clean run made k-th.
  expect(run.state.faults).toEqual([expect.objectContaining({ call: '*', nth: k, fired: 1 })]);
  expect(run.state.callLog[k - 1]).toEqual(call);
  const failed = run.steps.filter((s) => s.status === 'failed');
  expect(failed.map((s) => s.message)).toEqual([simulatedFailure(call)]);
  const journaled = run.steps.filter((s) => s.status === 'changed' && s.undo !== undefined).map((s) => s.stepId);
  const rolledBack = run.steps.filter((s) => s.status === 'rolledBack').map((s) => s.stepId);
  expect(rolledBack).toEqual([...journaled].reverse());
  // Nothing after the failure changes anything (onError 'rollback' skips the rest).
  const failedAt = run.steps.indexOf(failed[0]!);
  expect(run.steps.slice(failedAt + 1).filter((s) => s.status === 'changed' && !String(s.stepId).startsWith('finalize:'))).toEqual([]);
  expect(run.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
  expect(run.exitCode).toBe(1);
  expect(hostViewUnordered(run.state)).toEqual(hostViewUnordered(sweep.start));
}
