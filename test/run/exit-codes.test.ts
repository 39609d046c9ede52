/**
 * A check exits 0 when the only steps that "would change" are backups and reads: a backup
 * is not a change of the host (ps-templates/README.md, `-NoHostChange`). The definitions'
 * `changesHost: false` decides which step calls the renderer marks -NoHostChange.
 */
import { describe, expect, test } from '@jest/globals';
import { ACTIONS } from '../../src/actions/index.js';
import { stepCall } from '../../src/render/step-call.js';
import { addEvent, hostExitCode, newHostRun } from '../../src/run/host-run.js';
import type { StepStatus } from '../../src/run/protocol.js';

const base = { runId: 'r', host: 'h', time: 't' };
function run(steps: [string, StepStatus][]) {
  const r = newHostRun('h');
  steps.forEach(([action, status], i) => addEvent(r, { ...base, event: 'step', stepId: `s${i}`, action, status, durationMs: 1 }));
  addEvent(r, { ...base, event: 'summary', status: 'succeeded', counts: {}, durationMs: 1 });
  return r;
}

describe('check exit code and actions that change nothing on the host', () => {
  test('only a backup pending: 0; a real change pending: 3', () => {
    expect(hostExitCode(run([['registry.export', 'wouldChange'], ['registry.deleteSubkeys', 'unchanged']]), 'check')).toBe(0);
    expect(hostExitCode(run([['registry.export', 'wouldChange'], ['rds.getGracePeriodDays', 'wouldChange']]), 'check')).toBe(0);
    expect(hostExitCode(run([['registry.export', 'wouldChange'], ['registry.deleteSubkeys', 'wouldChange']]), 'check')).toBe(3);
  });

  test('the renderer marks exactly the steps of actions that change nothing on the host -NoHostChange', () => {
    for (const action of ACTIONS) {
      if (action.kind !== 'primitive') continue;
      const call = stepCall({ id: 's', action: action.name, params: {}, dependsOn: [], runWhen: 'always', pointer: '/steps/0' }, []);
      expect([action.name, / -NoHostChange /.test(call)]).toEqual([action.name, !action.changesHost]);
    }
  });

  test('the raw protocol line is kept as printed; an event without one is serialised', () => {
    const r = newHostRun('h');
    const line = '@@rdsplan {"event":"start","runId":"r","host":"h","time":"t","plan":"p","planSha256":"x","toolVersion":"0.1.0","mode":"apply","user":"u"}';
    addEvent(r, JSON.parse(line.slice(10)), line);
    addEvent(r, { ...base, event: 'summary', status: 'succeeded', counts: {}, durationMs: 1 });
    expect(r.lines).toEqual([line, '@@rdsplan {"runId":"r","host":"h","time":"t","event":"summary","status":"succeeded","counts":{},"durationMs":1}']);
  });
});
