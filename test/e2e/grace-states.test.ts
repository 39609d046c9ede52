/**
 * rds.resetGracePeriod on the simulated host in each state of its grace period
 * (New-RdsSimDefaultState -GracePeriod): the desired state is "enough days left", not "timebomb
 * value absent" (DOMAIN.md: TermService writes a fresh value when it starts). A freshly reset
 * host changes nothing and restarts nothing, and its check exits 0; an expired host (GetGracePeriodDays
 * throws 0x80070002) is reset without a rollback; a host without the GracePeriod key is reported
 * (check exits 3), not failed; the read-back after the restart waits for WMI and never rolls back.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { addEvent, hostExitCode, newHostRun } from '../../src/run/host-run.js';
import { examplePath, planOf, renderPlan } from '../support/plans.js';
import { copyState, defaultState, GRACE, GRACE_SDDL, hostView, type PlanRun, runPlan, stateKey, stateValue, statuses, TIMEBOMB } from '../support/sim.js';

/** The exit code `rdsplan check` / `apply` gives this run (0 desired state, 3 changes pending, 1 failed). */
function exitCode(run: PlanRun, mode: 'check' | 'apply'): number {
  const host = newHostRun('rdsh01');
  for (const event of run.events) addEvent(host, event as any);
  return hostExitCode(host, mode);
}

/** Every step of the reset skipped behind a gate in desired state. */
const SETTLED = ['grace.restart.sessions:unchanged', 'grace.due:unchanged', 'grace.export:skipped', 'grace.own:skipped', 'grace.delete:skipped', 'grace.restore:skipped', 'grace.restart:skipped', 'grace.days:unchanged'];

/** How often the run restarted TermService (the sim's call log: each restart stops it, then starts it). */
const restarts = (run: PlanRun): number =>
  (run.state.callLog as { call: string; name: string }[]).filter((c) => c.call === 'Stop-RdsService' && c.name === 'TermService').length;

describe('grace-period reset: desired state is enough days left', () => {
  const script = (): string => renderPlan(examplePath('reset-grace-period')).script;
  let fresh: { apply: PlanRun; check: PlanRun };
  let reset: { apply: PlanRun; again: PlanRun; check: PlanRun };

  beforeAll(async () => {
    const grace = script();
    const [freshApply, freshCheck, firstApply] = await Promise.all([
      runPlan(grace, { grace: 'FreshlyReset' }),
      runPlan(grace, { grace: 'FreshlyReset', whatIf: true }),
      runPlan(grace),
    ]);
    const [again, check] = await Promise.all([
      runPlan(grace, { statePath: copyState(firstApply.statePath), runId: 'run-2' }),
      runPlan(grace, { statePath: copyState(firstApply.statePath), runId: 'run-2', whatIf: true }),
    ]);
    fresh = { apply: freshApply, check: freshCheck };
    reset = { apply: firstApply, again, check };
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([fresh.apply, fresh.check, reset.apply, reset.again, reset.check].flatMap((r) => r.problems)).toEqual([]);
  });

  test('a freshly reset host (120 days): apply changes nothing and restarts nothing; check exits 0', () => {
    expect(statuses(fresh.apply)).toEqual(SETTLED);
    expect(fresh.apply.steps[1]!.message).toBe('no reset due: 120 day(s) left (a reset is due below 30)');
    expect(fresh.apply.summary).toMatchObject({ status: 'succeeded', counts: { changed: 0, wouldChange: 0, failed: 0 } });
    expect(restarts(fresh.apply)).toBe(0);
    expect(fresh.apply.state.callLog).toEqual([]);
    expect(statuses(fresh.check)).toEqual(SETTLED);
    expect(exitCode(fresh.check, 'check')).toBe(0);
  });

  test('after a reset with restart, a second apply changes nothing and restarts nothing; check exits 0', () => {
    expect(statuses(reset.apply)).toContain('grace.restart:changed');
    expect(restarts(reset.apply)).toBe(1);
    // TermService wrote a fresh timebomb value at its restart: 120 days.
    expect(stateValue(reset.apply.state, GRACE, TIMEBOMB)).toBeDefined();
    expect(reset.apply.state.terminalServices.graceDays).toBe(120);

    expect(statuses(reset.again)).toEqual(SETTLED);
    expect(reset.again.summary).toMatchObject({ status: 'succeeded', counts: { changed: 0, wouldChange: 0, failed: 0 } });
    expect(restarts(reset.again)).toBe(0);
    expect(reset.again.state.callLog).toEqual([]);
    expect(hostView(reset.again.state)).toEqual(hostView(reset.apply.state));
    expect(exitCode(reset.again, 'apply')).toBe(0);

    expect(statuses(reset.check)).toEqual(SETTLED);
    expect(exitCode(reset.check, 'check')).toBe(0);
  });
});

describe('grace-period reset on an expired host and on a host without the GracePeriod key', () => {
  let expired: { check: PlanRun; apply: PlanRun; again: PlanRun };
  let absent: { check: PlanRun; apply: PlanRun; again: PlanRun; start: any };
  let expiredNoRestart: PlanRun;

  beforeAll(async () => {
    const { script } = renderPlan(examplePath('reset-grace-period'));
    const noRestart = renderPlan(planOf('reset-no-restart', [{ id: 'grace', action: 'rds.resetGracePeriod' }])).script;
    const [expiredCheck, expiredApply, absentCheck, absentApply, expiredOnly] = await Promise.all([
      runPlan(script, { grace: 'Expired', whatIf: true }),
      runPlan(script, { grace: 'Expired' }),
      runPlan(script, { grace: 'KeyAbsent', whatIf: true }),
      runPlan(script, { grace: 'KeyAbsent' }),
      runPlan(noRestart, { grace: 'Expired' }),
    ]);
    expiredNoRestart = expiredOnly;
    const [expiredAgain, absentAgain] = await Promise.all([
      runPlan(script, { statePath: copyState(expiredApply.statePath), runId: 'run-2' }),
      runPlan(script, { statePath: copyState(absentApply.statePath), runId: 'run-2' }),
    ]);
    expired = { check: expiredCheck, apply: expiredApply, again: expiredAgain };
    absent = { check: absentCheck, apply: absentApply, again: absentAgain, start: JSON.parse(await defaultState('KeyAbsent')) };
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([...Object.values(expired), absent.check, absent.apply, absent.again, expiredNoRestart].flatMap((r) => r.problems)).toEqual([]);
  });

  test('expired, reset without a restart: the read-back still throws 0x80070002; it says so, and the reset is not rolled back', () => {
    expect(expiredNoRestart.steps.at(-1)).toMatchObject({
      stepId: 'grace.days',
      status: 'unchanged',
      message: 'the grace period has expired (GetGracePeriodDays: 0x80070002); a reset takes effect when TermService restarts',
    });
    expect(expiredNoRestart.summary).toMatchObject({ status: 'succeeded', counts: { failed: 0, rolledBack: 0 } });
    // The old timebomb value (and with it the old expiry) is not written back.
    expect(stateValue(expiredNoRestart.state, GRACE, TIMEBOMB)).toBeUndefined();
  });

  test('expired (GetGracePeriodDays throws 0x80070002): the reset is due, runs, and is not rolled back', () => {
    expect(expired.check.steps[1]).toMatchObject({
      stepId: 'grace.due',
      status: 'wouldChange',
      message: 'reset due: the grace period has expired (GetGracePeriodDays: 0x80070002), counted as 0 days left, fewer than 30',
    });
    expect(exitCode(expired.check, 'check')).toBe(3);
    expect(statuses(expired.apply)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:changed',
      'grace.days:unchanged',
    ]);
    expect(expired.apply.summary).toMatchObject({ status: 'succeeded', counts: { failed: 0, rolledBack: 0 } });
    expect(expired.apply.steps.at(-1)!.message).toBe('grace period days left: 120');
    expect(expired.apply.state.terminalServices).toMatchObject({ graceDays: 120, graceDaysThrows: false });
    expect(stateKey(expired.apply.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    expect(statuses(expired.again)).toEqual(['grace.restart.sessions:unchanged', 'grace.due:unchanged', 'grace.export:skipped', 'grace.own:skipped', 'grace.delete:skipped', 'grace.restore:skipped', 'grace.restart:skipped', 'grace.days:unchanged']);
  });

  test('GracePeriod key absent: check reports what it would do (exit 3), nothing fails', () => {
    expect(statuses(absent.check)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:wouldChange',
      'grace.export:unchanged',
      'grace.own:unchanged',
      'grace.delete:unchanged',
      'grace.restore:unchanged',
      'grace.restart:wouldChange',
      'grace.days:unchanged',
    ]);
    expect(absent.check.steps.find((s) => s.stepId === 'grace.own')!.message).toBe('key absent: nothing to take ownership of');
    expect(exitCode(absent.check, 'check')).toBe(3);
    expect(hostView(absent.check.state)).toEqual(hostView(absent.start));
  });

  test('GracePeriod key absent: the restart begins a new grace period; TermService creates the key again', () => {
    expect(statuses(absent.apply)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
      'grace.export:unchanged',
      'grace.own:unchanged',
      'grace.delete:unchanged',
      'grace.restore:unchanged',
      'grace.restart:changed',
      'grace.days:unchanged',
    ]);
    expect(absent.apply.summary).toMatchObject({ status: 'succeeded' });
    expect(exitCode(absent.apply, 'apply')).toBe(0);
    expect(stateKey(absent.apply.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    expect(stateValue(absent.apply.state, GRACE, TIMEBOMB)).toBeDefined();
    expect(absent.apply.steps.at(-1)!.message).toBe('grace period days left: 120');
    expect(statuses(absent.again)[1]).toBe('grace.due:unchanged');
    expect(restarts(absent.again)).toBe(0);
  });
});

describe('grace-period reset: the threshold and the read-back', () => {
  let fifty: PlanRun;
  let sixty: PlanRun;
  let slowWmi: PlanRun;
  let unreadable: PlanRun;

  beforeAll(async () => {
    const withRestart = renderPlan(examplePath('reset-grace-period')).script;
    const threshold = renderPlan(planOf('reset-below-60', [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true, minimumDaysLeft: 60 }])).script;
    const noRestart = renderPlan(planOf('reset-no-restart', [{ id: 'grace', action: 'rds.resetGracePeriod' }])).script;
    const days = (n: number) => (s: any) => (s.terminalServices = { graceDays: n, timebombGraceDays: n, graceDaysThrows: false });
    [fifty, sixty, slowWmi, unreadable] = await Promise.all([
      runPlan(withRestart, { whatIf: true, edit: days(50) }),
      runPlan(threshold, { whatIf: true, edit: days(50) }),
      // The first read is the gate's, the second the read-back's: WMI answers only the third.
      runPlan(withRestart, { edit: (s) => (s.faults = [{ call: 'Get-RdsGracePeriodDays', nth: 2, message: 'Der RPC-Server ist nicht verfügbar.' }]) }),
      runPlan(noRestart, { edit: (s) => (s.faults = [{ call: 'Get-RdsGracePeriodDays', nth: 2, message: 'Der RPC-Server ist nicht verfügbar.' }]) }),
    ]);
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([fifty, sixty, slowWmi, unreadable].flatMap((r) => r.problems)).toEqual([]);
  });

  test('50 days left: in desired state under the default threshold (30), due under minimumDaysLeft 60', () => {
    expect(statuses(fifty)).toEqual(['grace.restart.sessions:unchanged', 'grace.due:unchanged', 'grace.export:skipped', 'grace.own:skipped', 'grace.delete:skipped', 'grace.restore:skipped', 'grace.restart:skipped', 'grace.days:unchanged']);
    expect(exitCode(fifty, 'check')).toBe(0);
    expect(sixty.steps[1]).toMatchObject({ stepId: 'grace.due', status: 'wouldChange', message: 'reset due: 50 day(s) left, fewer than 60' });
    expect(exitCode(sixty, 'check')).toBe(3);
  });

  test('after the TermService restart the read-back waits for WMI to answer', () => {
    expect(slowWmi.state.faults).toEqual([expect.objectContaining({ call: 'Get-RdsGracePeriodDays', nth: 2, fired: 1 })]);
    expect(slowWmi.steps.at(-1)!.message).toMatch(/^grace period days left: 120 \(2 reads in \d+ s after the TermService restart\)$/);
    expect(slowWmi.summary).toMatchObject({ status: 'succeeded', counts: { failed: 0, rolledBack: 0 } });
  });

  test('a read-back that fails is a warning: the reset stays, nothing is rolled back', () => {
    expect(unreadable.steps.at(-1)).toMatchObject({
      stepId: 'grace.days',
      status: 'unchanged',
      message: 'warning: GetGracePeriodDays could not be read: Der RPC-Server ist nicht verfügbar.',
    });
    expect(unreadable.summary).toMatchObject({ status: 'succeeded', counts: { failed: 0, rolledBack: 0 } });
    expect(stateValue(unreadable.state, GRACE, TIMEBOMB)).toBeUndefined();
  });
});
