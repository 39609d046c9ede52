/**
 * The license server side on the simulated RD Licensing server (the built-in RDLS01: Windows
 * Server 2019 per-device pack of 20 with 8 active CALs and 1 revoked, a 2016 pack of 5 with 2;
 * the simulated server revokes 20% of a version's per-device CALs within 60 days): the revoke
 * allowance is worked out from the inventory and decided before the first change of the run,
 * and a revoke the server still refuses is reported with its NextRevokeAllowedOn.
 */
import { describe, beforeAll, expect, test } from '@jest/globals';
import { planOf, renderPlan } from '../support/plans.js';
import { defaultState, hostView, type PlanRun, runPlan, statuses } from '../support/sim.js';

const report = { id: 'before', action: 'licenseServer.reportCals' };
const revokePlan = (revoke: Record<string, unknown>, extra: object[] = [], options: Record<string, unknown> = {}) =>
  renderPlan(planOf('revoke', [report, ...extra, { id: 'revoke', action: 'licenseServer.revokeDeviceCal', ...revoke }], options)).script;
const revokeCalls = (run: PlanRun) => run.state.calls['Invoke-RdsLicenseRevoke'] ?? 0;
const status = (run: PlanRun, computer: string) => run.state.licenseServer.issuedLicenses.find((l: any) => l.issuedToComputer === computer).licenseStatus;

describe('revoking per-device CALs on the simulated license server', () => {
  let beyondCheck: PlanRun;
  let beyond: PlanRun;
  let beyondAfterChange: PlanRun;
  let serverLimit: PlanRun;
  let notLicenseServer: PlanRun;
  let start: any;

  beforeAll(async () => {
    // Issued before August 2026: the 2 of 2016 (20% of 5 allows 1) and 5 of 2019 (20% of 20, less 1 revoked, allows 3).
    const tooMany = revokePlan({ issuedBefore: '2026-08-01' });
    // A change of the host before the revoke in plan order: the allowance check still comes first.
    const afterChange = revokePlan({ computers: ['WS-OLD01', 'ws-old02'] }, [{ id: 'mode', action: 'service.setStartMode', name: 'TermServLicensing', startMode: 'AutomaticDelayedStart' }]);
    // 100% lets four through rdsplan's count; the simulated server allows 3 more (4 of 20 in 60 days, 1 revoked on 2026-11-20).
    const overServer = revokePlan({ computers: ['WS-001', 'WS-002', 'WS-003', 'WS-004'], maxShare: 100 });
    const role = 'LicenseServer' as const;
    [beyondCheck, beyond, beyondAfterChange, serverLimit, notLicenseServer] = await Promise.all([
      runPlan(tooMany, { whatIf: true, role }),
      runPlan(tooMany, { role }),
      runPlan(afterChange, { role }),
      runPlan(overServer, { role, edit: (s) => (s.licenseServer.revocations[0].on = new Date(Date.now() - 10 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z')) }),
      runPlan(revokePlan({ computers: ['WS-042'] })),
    ]);
    start = JSON.parse(await defaultState('InGracePeriod', role));
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([beyondCheck, beyond, beyondAfterChange, serverLimit, notLicenseServer].flatMap((r) => r.problems)).toEqual([]);
  });

  test('check works the allowance out per product version and says the apply would be refused', () => {
    expect(beyondCheck.exitCode).toBe(0);
    // Deferred to the first change: reported after the read-only report, before the revoke.
    expect(statuses(beyondCheck)).toEqual(['before:unchanged', 'revoke.allowance:wouldChange', 'revoke:wouldChange']);
    const gate = beyondCheck.steps[1]!;
    expect(gate.message).toBe(
      'beyond the revoke allowance: Windows Server 2016: 2 to revoke, 1 allowed (20% of 5 installed per-device CAL(s), less 0 listed as revoked); Windows Server 2019: 5 to revoke, 3 allowed (20% of 20 installed per-device CAL(s), less 1 listed as revoked): the apply is refused before its first change',
    );
    expect(gate.after.Allowance).toEqual([
      { ProductVersion: 'Windows Server 2016', Installed: 5, Revoked: 0, Allowed: 1, Selected: 2 },
      { ProductVersion: 'Windows Server 2019', Installed: 20, Revoked: 1, Allowed: 3, Selected: 5 },
    ]);
    expect(hostView(beyondCheck.state)).toEqual(hostView(start));
  });

  test('a revoke beyond the allowance is refused (exit 4) before anything is revoked: the server untouched', () => {
    expect(beyond.exitCode).toBe(4);
    expect(beyond.summary!.status).toBe('refused');
    expect(statuses(beyond)).toEqual(['before:unchanged', 'revoke.allowance:failed', 'revoke:skipped']);
    expect(beyond.steps[1]!.message).toMatch(/^refused: the revoke would go beyond the license server's revoke allowance \(Windows Server 2016: 2 to revoke, 1 allowed .*\), so nothing was revoked or changed/);
    expect(revokeCalls(beyond)).toBe(0);
    expect(hostView(beyond.state)).toEqual(hostView(start));
  });

  test('the refusal comes before a change that stands earlier in the plan', () => {
    expect(beyondAfterChange.exitCode).toBe(4);
    expect(statuses(beyondAfterChange)).toEqual(['before:unchanged', 'revoke.allowance:failed', 'mode:skipped', 'revoke:skipped']);
    expect(beyondAfterChange.state.services.TermServLicensing.startMode).toBe('Automatic');
    expect(hostView(beyondAfterChange.state)).toEqual(hostView(start));
  });

  test('a revoke the server refuses at its limit fails with NextRevokeAllowedOn and what was revoked before it', () => {
    expect(serverLimit.exitCode).toBe(1);
    const revoke = serverLimit.steps.find((s) => s.stepId === 'revoke' && s.status === 'failed')!;
    const next = new Date(Date.now() + 50 * 86_400_000).toISOString().slice(0, 10);
    expect(revoke.message).toContain('the license server refused to revoke WS-004: license 1013 in key pack 3 (Windows Server 2019, issued 2026-05-21T06:10:00Z) (Revoke returned 1)');
    expect(revoke.message).toMatch(new RegExp(`the next revoke is allowed on ${next}T\\d\\d:\\d\\d:\\d\\dZ \\(NextRevokeAllowedOn\\)`));
    expect(revoke.message).toContain('revoked before it, and not given back: WS-001 (license 1010), WS-002 (license 1011), WS-003 (license 1012)');
    expect(['WS-001', 'WS-002', 'WS-003', 'WS-004'].map((c) => status(serverLimit, c))).toEqual([4, 4, 4, 2]);
    // Rolled back, but nothing gives those three back: the host is not at its start.
    expect(serverLimit.summary).toMatchObject({ status: 'rolledBack', restoredToStart: false });
    expect(revokeCalls(serverLimit)).toBe(4);
  });

  test('on a host that is no license server the report fails, naming the missing class, and nothing is revoked', () => {
    expect(notLicenseServer.exitCode).toBe(1);
    const failed = notLicenseServer.steps.find((s) => s.status === 'failed')!;
    expect(failed.message).toBe('this host is no RD Licensing server: WMI has no Win32_TSLicenseKeyPack (0x80041010, invalid class); run the step on the license server');
    expect(revokeCalls(notLicenseServer)).toBe(0);
  });
});
