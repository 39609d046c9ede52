import { describe, expect, test } from '@jest/globals';
import type { PlanStep } from '../../src/actions/types.js';
import { expandSteps } from '../../src/plan/expand.js';
import { recordBeforeIrreversible } from '../../src/plan/policy/record-before-irreversible.js';
import { validatePlanText } from '../../src/plan/validate.js';

/** A revoke cannot be undone: a plan must report the CALs before it, and must say which ones. */
const report: PlanStep = { id: 'report', action: 'licenseServer.reportCals' };
const revoke = (extra: Record<string, unknown> = { computers: ['WS-042'] }): PlanStep => ({ id: 'revoke', action: 'licenseServer.revokeDeviceCal', ...extra });

const findings = (planSteps: PlanStep[]) => recordBeforeIrreversible({ planSteps, steps: expandSteps(planSteps) }).map((f) => `${f.pointer} ${f.code}`);

function diagnostics(steps: unknown[]): string[] {
  const plan = { apiVersion: 'rdsplan/v1', name: 'p', targets: ['rdls01'], steps };
  return validatePlanText('plan.json', new TextEncoder().encode(JSON.stringify(plan, null, 2))).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);
}

describe('a revoke needs the record of what existed before it', () => {
  test('a revoke without a report before it is refused at its position', () => {
    expect(findings([revoke()])).toEqual(['/steps/0 policy.record-before-irreversible']);
    expect(findings([revoke(), report])).toEqual(['/steps/0 policy.record-before-irreversible']);
    expect(diagnostics([revoke()])).toEqual([
      '8:5 error step "revoke" (licenseServer.revokeDeviceCal) cannot be undone; add a step that reports what exists before it (licenseServer.reportCals), so the run record keeps it',
    ]);
  });

  test('a report before it, and the transfer preset, pass', () => {
    expect(findings([report, revoke()])).toEqual([]);
    expect(findings([{ id: 'transfer', action: 'rds.transferDeviceCal', fromComputer: 'WS-042' }])).toEqual([]);
    expect(diagnostics([report, revoke()])).toEqual([]);
  });
});

describe('the revoke step as written', () => {
  test('it must name the CALs: computers, issuedBefore, or both', () => {
    expect(diagnostics([report, revoke({})])).toEqual(["12:5 error needs at least one of \"computers\" or \"issuedBefore\""]);
    expect(diagnostics([report, revoke({ issuedBefore: '2026-06-01' })])).toEqual([]);
    expect(diagnostics([report, revoke({ computers: ['WS-042'], issuedBefore: '2026-06-01', maxShare: 10 })])).toEqual([]);
  });

  test.each([
    [{ computers: [] }],
    [{ computers: ['WS 042'] }],
    [{ issuedBefore: '2026-13-01' }],
    [{ issuedBefore: '1 June 2026' }],
    [{ computers: ['WS-042'], maxShare: 0 }],
    [{ computers: ['WS-042'], maxShare: 101 }],
    [{ computers: ['WS-042'], maxShare: 12.5 }],
  ])('%j is refused', (extra) => {
    expect(diagnostics([report, revoke(extra)]).some((d) => d.includes(' error '))).toBe(true);
  });

  test('the revoke brings its allowance check, first in the plan, with the same selection', () => {
    const steps = expandSteps([report, revoke({ computers: ['WS-042'], maxShare: 10 })]);
    expect(steps.map((s) => `${s.id} ${s.action}`)).toEqual(['revoke.allowance licenseServer.testRevokeAllowance', 'report licenseServer.reportCals', 'revoke licenseServer.revokeDeviceCal']);
    expect(steps[0]!.params).toEqual({ computers: ['WS-042'], maxShare: 10 });
    expect(steps[2]!.params).toEqual({ computers: ['WS-042'], maxShare: 10 });
  });
});

describe('one revoke per plan', () => {
  test('a second revoke (or a transfer beside a revoke) is refused: both would pass the same allowance', () => {
    expect(diagnostics([report, revoke(), { id: 'again', action: 'licenseServer.revokeDeviceCal', computers: ['WS-043'] }])).toEqual([
      expect.stringMatching(/ error step "again" is a second licenseServer\.revokeDeviceCal \(the first is "revoke"\); a plan holds one: its allowance is worked out before the first change/),
    ]);
    expect(diagnostics([report, revoke(), { id: 'transfer', action: 'rds.transferDeviceCal', fromComputer: 'WS-043' }])).toEqual([expect.stringMatching(/ error step "transfer\.revoke" is a second licenseServer\.revokeDeviceCal/)]);
  });

  test('a share above 20% is said in the review as a risk of its own', async () => {
    const { licenseServerRevokeDeviceCal } = await import('../../src/actions/licenseServer/revokeDeviceCal.js');
    const risks = (maxShare: number) => licenseServerRevokeDeviceCal.risks({ computers: ['WS-042'], maxShare }).map((r) => r.text);
    expect(risks(20).some((t) => t.startsWith('maxShare'))).toBe(false);
    expect(risks(50)).toContain('maxShare 50% is above the 20% a license server is commonly cited to allow: the server may refuse part-way, after some CALs are already revoked');
  });
});
