import { describe, expect, test } from '@jest/globals';
import type { PlanStep } from '../../src/actions/types.js';
import { expandSteps } from '../../src/plan/expand.js';
import { gracePeriodWrites } from '../../src/plan/policy/grace-period-writes.js';
import { validatePlanText } from '../../src/plan/validate.js';

/** Writing under RCM\GracePeriod fakes the licensing date: deleting is the only change a plan may make there. */
const GRACE = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';

function findings(planSteps: PlanStep[]): string[] {
  return gracePeriodWrites({ planSteps, steps: expandSteps(planSteps) }).map((f) => `${f.pointer} ${f.code}`);
}

const setValue = (path: string, name = TIMEBOMB): PlanStep => ({ id: 'w', action: 'registry.setValue', path, name, type: 'Binary', data: '0a1b2c' });

describe('no plan writes under RCM\\GracePeriod', () => {
  test.each([
    [GRACE],
    [`${GRACE}\\`],
    ['HKEY_LOCAL_MACHINE\\system\\currentcontrolset\\control\\terminal server\\rcm\\graceperiod'],
    ['HKLM:\\SYSTEM\\ControlSet001\\Control\\Terminal Server\\RCM\\GracePeriod'],
    [`${GRACE}\\Forged`],
  ])('setValue under %s is refused', (path) => {
    expect(findings([setValue(path)])).toEqual(['/steps/0/path policy.grace-period-write']);
  });

  test('the refusal names the plan position and says what is allowed instead', () => {
    const plan = { apiVersion: 'rdsplan/v1', name: 'p', targets: ['localhost'], steps: [{ id: 'e', action: 'registry.export', path: GRACE }, { ...setValue(GRACE), dependsOn: ['e'] }] };
    const diagnostics = validatePlanText('fake.json', new TextEncoder().encode(JSON.stringify(plan, null, 2))).diagnostics;
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message}`)).toEqual([
      `fake.json:16:15 error ${GRACE} holds the grace period's expiry: no plan may write there (a written or re-imported value fakes the licensing date); deleting the value (rds.resetGracePeriod) is the only change allowed`,
    ]);
  });

  test('the reset itself, its ownership and ACL steps, and writes beside the key stay allowed', () => {
    expect(findings([{ id: 'g', action: 'rds.resetGracePeriod', restartService: true }])).toEqual([]);
    expect(findings([{ id: 'o', action: 'registry.takeOwnership', path: GRACE }, { id: 'd', action: 'registry.deleteValue', path: GRACE, name: TIMEBOMB }])).toEqual([]);
    expect(findings([setValue('HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM', 'GracePeriod')])).toEqual([]);
    expect(findings([setValue('HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriodOld')])).toEqual([]);
    expect(findings([setValue('HKLM\\SYSTEM\\ControlSet1\\Control\\Terminal Server\\RCM\\GracePeriod')])).toEqual([]);
  });
});
