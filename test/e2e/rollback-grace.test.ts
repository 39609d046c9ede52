/**
 * Rollback on the grace-period and client-cache examples: a fault at each mutating platform
 * call in turn leaves the simulated host exactly as it was (registry incl. the GracePeriod ACL,
 * services, grace days, token privileges).
 */
import { describe, beforeAll, expect, test } from '@jest/globals';
import { expectRolledBackToStart, faultAtEachCall, type FaultSweep } from '../support/faults.js';
import { examplePath, renderPlan } from '../support/plans.js';
import { GRACE, GRACE_SDDL, MSLICENSING, stateKey, stateValue, statuses, TIMEBOMB } from '../support/sim.js';

/** The registry calls of the grace-period reset, in order; the TermService restart comes after them. */
const REGISTRY_CALLS = [
  'Set-RdsRegistryOwner',
  'Add-RdsRegistryAccessRule',
  'Remove-RdsRegistryValue',
  // restoreSecurity: the owner (NETWORK SERVICE, with SeRestore) and then the whole SDDL.
  'Set-RdsRegistryOwner',
  'Set-RdsRegistrySddl',
];

/** The platform calls of the TermService restart: its dependent stopped first, TermService stopped and started, then the dependent again. */
const RESTART_CALLS = ['Stop-RdsService UmRdpService', 'Stop-RdsService TermService', 'Start-RdsService TermService', 'Start-RdsService UmRdpService'];

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
    const calls = grace.clean.state.callLog as { call: string; name: string }[];
    expect(calls.slice(0, REGISTRY_CALLS.length).map((c) => c.call)).toEqual(REGISTRY_CALLS);
    // Then the TermService restart (its dependent UmRdpService stopped before it and started after it).
    expect(calls.slice(REGISTRY_CALLS.length).map((c) => `${c.call} ${c.name}`)).toEqual(RESTART_CALLS);
    expect(grace.faults).toHaveLength(calls.length);
  });

  test.each([1, 2, 3, 4, 5])('grace period: fault at mutating call %i (the registry) → rolled back to the start', (k) => {
    expectRolledBackToStart(grace, grace.faults[k - 1]!);
  });

  test('grace period: a fault at each call of the TermService restart → rolled back to the start', () => {
    const restartFaults = grace.faults.slice(REGISTRY_CALLS.length);
    expect(restartFaults).toHaveLength(RESTART_CALLS.length);
    for (const fault of restartFaults) {
      // Once TermService started again in the run (before the faulty call, or after it to put the
      // service back), it has read the new grace period, and a rollback cannot make it forget:
      // GetGracePeriodDays answers 120 until its next start, when the old value written back stands
      // for its 21 days again. The faulty call itself (index k - 1) started nothing.
      const started = (fault.run.state.callLog as { call: string; name: string }[]).some(
        (c, i) => i !== fault.k - 1 && c.call === 'Start-RdsService' && c.name === 'TermService',
      );
      const start = started ? { ...grace.start, terminalServices: { ...grace.start.terminalServices, graceDays: 120 } } : grace.start;
      expectRolledBackToStart({ ...grace, start }, fault);
    }
  });

  test('grace period: the delete fails after the deferred ownership was taken → ownership rolled back, ACL byte-identical', () => {
    const { run } = grace.faults.find((f) => f.call.call === 'Remove-RdsRegistryValue')!;
    expect(statuses(run)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
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
    expect(run.state.terminalServices.graceDays).toBe(21);
  });

  test('grace period: the restart fails after the ACL was restored → the value comes back into the locked key', () => {
    const { run } = grace.faults[REGISTRY_CALLS.length]!;
    expect(statuses(run).slice(0, 11)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
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
