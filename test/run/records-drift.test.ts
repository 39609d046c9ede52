import { describe, expect, test } from '@jest/globals';
import { compareStates, statesInEvents } from '../../src/run/records/drift.js';

const line = (event: Record<string, unknown>) => `@@rdsplan ${JSON.stringify({ runId: 'r1', host: 'h', time: 't', ...event })}`;

describe('statesInEvents', () => {
  test("keeps the last state event per step of the run, ignoring other runs, other events and a line cut short by a kill", () => {
    const text = [
      line({ event: 'step', stepId: 'a', action: 'x', status: 'changed', durationMs: 1 }),
      line({ event: 'state', stepId: 'a', action: 'x', state: { V: 1 } }),
      line({ event: 'state', stepId: 'a', action: 'x', state: { V: 2 } }),
      line({ event: 'state', runId: 'other', stepId: 'b', action: 'x', state: { V: 9 } }),
      line({ event: 'state', stepId: 'c', action: 'x', message: 'cannot read the current state: denied' }),
      '@@rdsplan {"event":"state","runId":"r1","stepId":"d"',
    ].join('\n');
    const states = statesInEvents(text, 'r1');
    expect([...states.entries()]).toEqual([
      ['a', { state: { V: 2 }, message: undefined }],
      ['c', { state: undefined, message: 'cannot read the current state: denied' }],
    ]);
  });
});

describe('compareStates', () => {
  const left = new Map([
    ['same', { state: { B: [1, 2], A: 'x' } }],
    ['moved', { state: { StartMode: 'Disabled' } }],
    ['unread', { state: { V: 1 } }],
    ['unrecorded', { message: 'cannot read the current state: denied' }],
  ]);
  test('object key order does not count, values and array order do; an unreadable host counts as changed; an unrecorded step is only unchecked', () => {
    const now = new Map([
      ['same', { state: { A: 'x', B: [1, 2] } }],
      ['moved', { state: { StartMode: 'Manual' } }],
      ['unread', { message: 'cannot read the current state: the key is gone' }],
      ['unrecorded', { state: { V: 1 } }],
    ]);
    const report = compareStates(['same', 'moved', 'unread', 'unrecorded', 'never'], left, now);
    expect(report.drifted).toEqual([
      'step moved: now {"StartMode":"Manual"}, the run left {"StartMode":"Disabled"}',
      'step unread: cannot read the current state: the key is gone',
    ]);
    expect(report.unchecked).toEqual([
      'step unrecorded: the run recorded no state it left (cannot read the current state: denied), so a change since cannot be seen',
      'step never: the run recorded no state it left, so a change since cannot be seen',
    ]);
  });

  test('array order counts', () => {
    const report = compareStates(['same'], left, new Map([['same', { state: { A: 'x', B: [2, 1] } }]]));
    expect(report.drifted).toEqual(['step same: now {"A":"x","B":[2,1]}, the run left {"A":"x","B":[1,2]}']);
  });
});
