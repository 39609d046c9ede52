import { describe, expect, test } from '@jest/globals';
import { addEvent, hostExitCode, newHostRun, worstExitCode } from '../../src/run/host-run.js';
import type { StepStatus } from '../../src/run/protocol.js';

const base = { runId: 'r', host: 'h', time: 't' };
function run(statuses: StepStatus[], summary?: 'succeeded' | 'failed' | 'rolledBack' | 'refused', reason?: 'notElevated') {
  const r = newHostRun('h');
  statuses.forEach((status, i) => addEvent(r, { ...base, event: 'step', stepId: `s${i}`, action: 'service.start', status, durationMs: 1 }));
  if (summary) addEvent(r, { ...base, event: 'summary', status: summary, ...(reason ? { reason } : {}), counts: {}, durationMs: 1 });
  return r;
}

describe('exit codes', () => {
  test('check: 0 in the desired state, 3 pending, 1 failed; a run without a summary failed', () => {
    expect(hostExitCode(run(['unchanged', 'unchanged'], 'succeeded'), 'check')).toBe(0);
    expect(hostExitCode(run(['unchanged', 'wouldChange'], 'succeeded'), 'check')).toBe(3);
    expect(hostExitCode(run(['failed'], 'failed'), 'check')).toBe(1);
    expect(hostExitCode(run(['changed']), 'apply')).toBe(1);
  });

  test('apply: 0 succeeded, 1 failed or rolled back, 4 refused', () => {
    expect(hostExitCode(run(['changed'], 'succeeded'), 'apply')).toBe(0);
    expect(hostExitCode(run(['changed', 'failed', 'rolledBack'], 'rolledBack'), 'apply')).toBe(1);
    expect(hostExitCode(run([], 'refused'), 'apply')).toBe(4);
  });

  test('refused because the PowerShell is not elevated (summary reason notElevated): 5, in check and apply', () => {
    expect(hostExitCode(run([], 'refused', 'notElevated'), 'apply')).toBe(5);
    expect(hostExitCode(run([], 'refused', 'notElevated'), 'check')).toBe(5);
    expect(hostExitCode(run([], 'refused', 'notElevated'), 'undo')).toBe(5);
  });

  test('a fleet reports its worst host: failed over not elevated over refused over pending', () => {
    expect(worstExitCode([0, 5, 0])).toBe(5);
    expect(worstExitCode([4, 5, 3])).toBe(5);
    expect(worstExitCode([5, 1])).toBe(1);
  });

  test('a fleet reports its worst host', () => {
    expect(worstExitCode([0, 0, 3])).toBe(3);
    expect(worstExitCode([0, 4, 3])).toBe(4);
    expect(worstExitCode([1, 4, 0])).toBe(1);
    expect(worstExitCode([])).toBe(0);
  });
});
