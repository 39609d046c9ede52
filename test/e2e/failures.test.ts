/**
 * Failures a real host produces: a token without SeTakeOwnershipPrivilege, and access denied on
 * a key. Each must surface as a failed step carrying the platform's message, never as a silent
 * success. And the sim's grace days follow the timebomb value through a rollback.
 */
import { describe, beforeAll, expect, test } from '@jest/globals';
import { examplePath, planOf, renderPlan } from '../support/plans.js';
import { defaultState, enabledPrivileges, GRACE, GRACE_SDDL, hostView, MSLICENSING, type PlanRun, runPlan, stateKey, stateValue, statuses, TIMEBOMB } from '../support/sim.js';

describe('failures surface with the platform message', () => {
  let start: any;
  let noPrivilege: PlanRun;
  let deniedKey: PlanRun;
  let deniedContinue: PlanRun;

  beforeAll(async () => {
    start = JSON.parse(await defaultState());
    const grace = renderPlan(examplePath('reset-grace-period')).script;
    const cache = renderPlan(examplePath('clear-client-license-cache')).script;
    const stored = renderPlan(
      planOf(
        'delete-licenses-continue',
        [
          { id: 'backup', action: 'registry.export', path: MSLICENSING },
          { id: 'licenses', action: 'registry.deleteSubkeys', path: `${MSLICENSING}\\Store`, namePattern: 'LICENSE*', dependsOn: ['backup'] },
          { id: 'lsvc', action: 'service.setStartMode', name: 'TermServLicensing', startMode: 'Manual' },
        ],
        { onError: 'continue' },
      ),
    ).script;
    [noPrivilege, deniedKey, deniedContinue] = await Promise.all([
      runPlan(grace, {
        edit: (s) => {
          s.token.privileges.SeTakeOwnershipPrivilege.held = false;
        },
      }),
      runPlan(cache, { edit: (s) => (s.faults = [{ call: 'Remove-RdsRegistryKey', path: MSLICENSING, error: 'AccessDenied' }]) }),
      runPlan(stored, { edit: (s) => (s.faults = [{ call: 'Remove-RdsRegistryKey', path: `${MSLICENSING}\\Store\\LICENSE001`, error: 'AccessDenied' }]) }),
    ]);
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([...noPrivilege.problems, ...deniedKey.problems, ...deniedContinue.problems]).toEqual([]);
  });

  test('SeTakeOwnershipPrivilege not held: takeOwnership fails with ERROR_NOT_ALL_ASSIGNED, nothing changes', () => {
    const r = noPrivilege;
    const own = r.steps.find((s) => s.stepId === 'grace.own' && s.status === 'failed');
    expect(own?.message).toBe('Not all privileges or groups referenced are assigned to the caller. (SeTakeOwnershipPrivilege)');
    // The delete that needed the ownership does not run, and does not claim success.
    expect(statuses(r)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
      'grace.export:changed',
      'grace.own:failed',
      'grace.delete:skipped',
      'grace.restore:skipped',
      'grace.restart:skipped',
      'grace.days:skipped',
    ]);
    expect(r.summary!.status).not.toBe('succeeded');
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
    expect(r.exitCode).toBe(1);
    expect(stateValue(r.state, GRACE, TIMEBOMB)).toBeDefined();
    expect(stateKey(r.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    expect(enabledPrivileges(r.state)).toEqual([]);
  });

  test('access denied deleting MSLicensing: the step fails with the registry message, the key stays', () => {
    const r = deniedKey;
    expect(statuses(r)).toEqual(['cal.export-wow:unchanged', 'cal.export:changed', 'cal.delete:failed', 'cal.delete-wow:skipped']);
    expect(r.steps[2]!.message).toBe(`Requested registry access is not allowed. (${MSLICENSING})`);
    expect(r.summary!.status).not.toBe('succeeded');
    expect(hostView(r.state)).toEqual(hostView(start));
  });

  test("access denied on one license with onError 'continue': failed step, the rest runs, summary failed", () => {
    const r = deniedContinue;
    expect(statuses(r)).toEqual(['backup:changed', 'licenses:failed', 'lsvc:changed']);
    expect(r.steps[1]!.message).toBe(`Requested registry access is not allowed. (${MSLICENSING}\\Store\\LICENSE001)`);
    expect(r.summary).toMatchObject({ status: 'failed' });
    expect(r.exitCode).toBe(1);
    // deleteSubkeys puts back what it deleted before the failure: LICENSE000 is still there.
    expect(stateKey(r.state, `${MSLICENSING}\\Store\\LICENSE000`)).toBeDefined();
    expect(stateKey(r.state, `${MSLICENSING}\\Store\\LICENSE001`)).toBeDefined();
  });
});

describe('deferred ownership of a key Administrators cannot read', () => {
  test("the dependent's Test is denied, so the ownership is taken first and the Test repeated", async () => {
    const LOCKED = 'HKLM\\SOFTWARE\\Contoso\\Locked';
    // Administrators may read the security descriptor (to test the owner) but not the values.
    const SDDL = 'O:SYG:SYD:P(A;CI;KA;;;SY)(A;CI;RC;;;BA)';
    const skip = { skip: true, reason: 'test key: nothing worth a backup' };
    const { script } = renderPlan(
      planOf('locked-key', [
        { id: 'own', action: 'registry.takeOwnership', path: LOCKED, grant: [{ identity: 'S-1-5-32-544', rights: 'FullControl' }], backup: skip },
        { id: 'set', action: 'registry.setValue', path: LOCKED, name: 'Mode', type: 'DWord', data: 2, dependsOn: ['own'], backup: skip },
      ]),
    );
    const r = await runPlan(script, { edit: (s) => (s.registry[LOCKED] = { sddl: SDDL, values: [{ name: 'Mode', type: 'DWord', data: 1 }] }) });
    expect(r.problems).toEqual([]);
    expect(statuses(r).slice(0, 2)).toEqual(['own:changed', 'set:changed']);
    expect(r.summary).toMatchObject({ status: 'succeeded' });
    expect(stateValue(r.state, LOCKED, 'Mode')!.data).toBe(2);
    // restore 'afterPlan': the original owner and DACL are back, read back as Windows writes a
    // protected DACL (SetSecurityInfo adds auto-inherited: D:P( reads back as D:PAI().
    expect(stateKey(r.state, LOCKED)!.sddl).toBe('O:SYG:SYD:PAI(A;CI;KA;;;SY)(A;CI;RC;;;BA)');
    expect(enabledPrivileges(r.state)).toEqual([]);
  });
});

describe('simulated host: grace days follow the timebomb value', () => {
  test('a rollback that writes the old timebomb back brings back its days at the next TermService start', async () => {
    // Reset with restart (120 days), then a step fails: the rollback re-creates the old value.
    const failing = renderPlan(
      planOf('reset-then-fail', [
        { id: 'grace', action: 'rds.resetGracePeriod', restartService: true },
        { id: 'boom', action: 'service.stop', name: 'NoSuchService' },
      ]),
    ).script;
    const r = await runPlan(failing);
    expect(r.problems).toEqual([]);
    expect(statuses(r)).toContain('grace.restart:changed');
    expect(r.steps.find((s) => s.stepId === 'grace.days')!.message).toBe('grace period days left: 120');
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
    expect(stateValue(r.state, GRACE, TIMEBOMB)!.data).toBe(stateValue(JSON.parse(await defaultState()), GRACE, TIMEBOMB)!.data);
    expect(stateKey(r.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    // The value stands for its old 21 days again; TermService still has the 120 it read at its restart.
    expect(r.state.terminalServices).toMatchObject({ graceDays: 120, timebombGraceDays: 21 });

    // The next TermService start reads the old expiry back (DOMAIN.md).
    const restart = renderPlan(planOf('restart-termservice', [{ id: 'restart', action: 'service.restart', name: 'TermService', force: true, always: true }])).script;
    const again = await runPlan(restart, { statePath: r.statePath, runId: 'run-2' });
    expect(statuses(again)).toEqual(['restart.sessions:unchanged', 'restart:changed']);
    expect(again.summary).toMatchObject({ status: 'succeeded' });
    expect(again.state.terminalServices).toMatchObject({ graceDays: 21, timebombGraceDays: 21 });
  });
});
