/**
 * The renderer decides what the runtime treats differently about a step (deferral, the key a
 * deferred backup covers, the restore that closes it, no host change) from the definitions and
 * the plan graph; the runtime reads the switches and names no action.
 */
import { describe, expect, test } from '@jest/globals';
import type { Params, PrimitiveStep } from '../../src/actions/types.js';
import { stepCall } from '../../src/render/step-call.js';
import { validatePlanText } from '../../src/plan/validate.js';
import { planOf } from '../support/plans.js';

const KEY = { path: 'HKLM\\SOFTWARE\\Contoso', view: 'Default' };
const own = { ...KEY, owner: 'S-1-5-32-544', grant: [{ identity: 'S-1-5-32-544', rights: 'FullControl' }], restore: 'afterPlan' };

function step(id: string, action: string, params: Params, dependsOn: string[] = []): PrimitiveStep {
  return { id, action, params, dependsOn, runWhen: 'always', pointer: '/steps/0' };
}

function switches(steps: PrimitiveStep[]): Record<string, string[]> {
  return Object.fromEntries(steps.map((s) => [s.id, [...stepCall(s, steps).matchAll(/ -(Deferred|CoversKey|BeforeAnyChange|ClosesDeferred|NoHostChange)\b/g)].map((m) => m[1]!)]));
}

describe('step switches', () => {
  test('the grace-period reset: export and ownership wait for the delete; the restore closes them', () => {
    const { plan } = validatePlanText('plan.json', Buffer.from(JSON.stringify(planOf('g', [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true }]))));
    expect(switches(plan!.steps)).toEqual({
      'grace.restart.sessions': ['Deferred', 'BeforeAnyChange', 'NoHostChange'],
      'grace.due': [],
      'grace.export': ['Deferred', 'CoversKey', 'NoHostChange'],
      'grace.own': ['Deferred'],
      'grace.delete': [],
      'grace.restore': ['ClosesDeferred'],
      'grace.restart': [],
      'grace.days': ['NoHostChange'],
    });
  });

  test('a takeOwnership only its restore depends on is the change itself: carried out at once', () => {
    const steps = [step('own', 'registry.takeOwnership', own), step('own.restore', 'registry.restoreSecurity', { ...KEY, fromStep: 'own' }, ['own'])];
    expect(switches(steps)).toEqual({ own: [], 'own.restore': ['ClosesDeferred'] });
  });

  test('an export no step depends on runs at once; one a change depends on waits and covers its key', () => {
    const alone = [step('export', 'registry.export', KEY), step('set', 'registry.setValue', { ...KEY, name: 'A', type: 'DWord', data: 1 })];
    expect(switches(alone)).toEqual({ export: ['NoHostChange'], set: [] });
    const named = [alone[0]!, { ...alone[1]!, dependsOn: ['export'] }];
    expect(switches(named)).toEqual({ export: ['Deferred', 'CoversKey', 'NoHostChange'], set: [] });
  });
});
