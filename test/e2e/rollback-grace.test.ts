/**
 * Rollback on the grace-period and client-cache examples: a fault at each mutating platform
 * call in turn leaves the simulated host exactly as it was (registry incl. the GracePeriod ACL,
 * services, grace days, token privileges).
 */
import { describe, beforeAll, expect, test } from '@jest/globals';
import { GRACE, GRACE_SDDL, MSLICENSING, TIMEBOMB, examplePath, renderPlan, stateKey, stateValue, statuses } from './harness.js';
import { expectRolledBackToStart, faultAtEachCall, type FaultSweep } from './faults.js';

describe('fault at each mutating call: grace-period and client-cache examples', () => {
  let grace: FaultSweep;
  let cache: FaultSweep;

  beforeAll(async () => {
    // The two sweeps one after the other: each already runs two engines at a time.
    grace = await faultAtEachCall(renderPlan(examplePath('reset-grace-period')).script);
    cache = await faultAtEachCall(renderPlan(examplePath('clear-client-license-cache')).script);
  }, 300_000);

  test('grace period: the clean apply makes the calls the fault sweep walks through', () => {
    expect([...grace.clean.problems, ...cache.clean.problems]).toEqual([]);
    expect(grace.clean.summary).toMatchObject({ status: 'succeeded' });
    expect(grace.clean.state.callLog.map((c: any) => c.call)).toEqual([
      'Set-RdsRegistryOwner',
      'Add-RdsRegistryAccessRule',
      'Remove-RdsRegistryValue',
      // restoreSecurity: the owner (NETWORK SERVICE, with SeRestore) and then the whole SDDL.
      'Set-RdsRegistryOwner',
      'Set-RdsRegistrySddl',
      'Restart-RdsService',
    ]);
    expect(grace.faults).toHaveLength(6);
  });

  test.each([1, 2, 3, 4, 5, 6])('grace period: fault at mutating call %i → rolled back to the start', (k) => {
    expectRolledBackToStart(grace, grace.faults[k - 1]!);
  });

  test('grace period: the delete fails after the deferred ownership was taken → ownership rolled back, ACL byte-identical', () => {
    const { run } = grace.faults.find((f) => f.call.call === 'Remove-RdsRegistryValue')!;
    expect(statuses(run)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:failed',
      'grace.own:rolledBack',
      // The run stopped: restore and restart are skipped, the read-only days step too.
      'grace.restore:skipped',
      'grace.restart:skipped',
      'grace.days:skipped',
    ]);
    expect(stateKey(run.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    expect(stateValue(run.state, GRACE, TIMEBOMB)).toBeDefined();
    expect(run.state.terminalServices.graceDays).toBe(97);
  });

  test('grace period: the restart fails after the ACL was restored → the value comes back into the locked key', () => {
    const { run } = grace.faults.find((f) => f.call.call === 'Restart-RdsService')!;
    expect(statuses(run).slice(0, 9)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:failed',
      'grace.restore:rolledBack',
      'grace.delete:rolledBack',
      'grace.own:rolledBack',
      'grace.days:skipped',
    ]);
    expect(stateKey(run.state, GRACE)!.sddl).toBe(GRACE_SDDL);
  });

  test('client cache: one recursive delete; a fault there leaves MSLicensing whole', () => {
    expect(cache.clean.state.callLog).toEqual([{ call: 'Remove-RdsRegistryKey', path: MSLICENSING, name: '' }]);
    expectRolledBackToStart(cache, cache.faults[0]!);
    expect(statuses(cache.faults[0]!.run)).toEqual(['cal.export-wow:unchanged', 'cal.export:changed', 'cal.delete:failed', 'cal.delete-wow:skipped']);
  });
});
