import { describe, expect, test } from '@jest/globals';
import { validatePlanText } from '../../src/plan/validate.js';

/** activeSessions: one of three policies, each with exactly what it needs, and only where a stop disconnects users. */
function messages(step: object): string[] {
  const plan = { apiVersion: 'rdsplan/v1', name: 'p', targets: ['localhost'], steps: [{ id: 's', ...step }] };
  return validatePlanText('plan.json', new TextEncoder().encode(JSON.stringify(plan, null, 2))).diagnostics.map((d) => `${d.pointer} ${d.message}`);
}

const restart = (activeSessions: unknown, name = 'TermService') => ({ action: 'service.restart', name, activeSessions });

describe('activeSessions in a plan', () => {
  test.each([
    [restart({ policy: 'refuse' })],
    [restart({ policy: 'wait', waitMinutes: 30 })],
    [restart({ policy: 'proceed', reason: 'maintenance window announced' }, 'UmRdpService')],
    [{ action: 'service.stop', name: 'termservice', activeSessions: { policy: 'refuse' } }],
    [{ action: 'rds.resetGracePeriod', restartService: true, activeSessions: { policy: 'wait', waitMinutes: 5 } }],
  ])('%j is valid', (step) => {
    expect(messages(step)).toEqual([]);
  });

  test('each policy gets what it needs and nothing that belongs to another', () => {
    expect(messages(restart({ policy: 'wait' }))).toEqual(['/steps/0/activeSessions missing required property "waitMinutes"']);
    expect(messages(restart({ policy: 'proceed' }))).toEqual(['/steps/0/activeSessions missing required property "reason"']);
    expect(messages(restart({ policy: 'refuse', waitMinutes: 5 }))).toEqual(['/steps/0/activeSessions/waitMinutes waitMinutes applies only to policy "wait"']);
    expect(messages(restart({ policy: 'wait', waitMinutes: 5, reason: 'because it is late' }))).toEqual(['/steps/0/activeSessions/reason reason applies only to policy "proceed"']);
    expect(messages(restart({ policy: 'wait', waitMinutes: 61 }))[0]).toMatch(/^\/steps\/0\/activeSessions\/waitMinutes must be <= 60/);
  });

  test('on a service whose stop disconnects no one it would be ignored, so it is refused', () => {
    expect(messages(restart({ policy: 'refuse' }, 'Spooler'))).toEqual([
      '/steps/0/activeSessions activeSessions applies only to TermService and UmRdpService, whose stop disconnects the signed-in users',
    ]);
  });
});
