/**
 * A TermService restart respects signed-in users: the session check stands first and is
 * decided before the first change of the run, on the simulated host (WTSEnumerateSessions'
 * sessions in the state; stopping TermService ends them, as on Windows).
 */
import { existsSync } from 'node:fs';
import { describe, beforeAll, expect, test } from '@jest/globals';
import { planOf, renderPlan } from '../support/plans.js';
import { defaultState, hostView, LICENSE_SERVERS_KEY, type PlanRun, runPlan, stateKey, statuses } from '../support/sim.js';

const ALICE = { id: 2, station: 'RDP-Tcp#4', state: 'Active', user: 'CONTOSO\\alice' };
const BOB = { id: 3, station: '', state: 'Disconnected', user: 'CONTOSO\\bob' };
const signedIn = (...sessions: object[]) => (s: any) => {
  s.terminalServices.sessions = sessions;
};

const grace = (extra: Record<string, unknown> = {}) => renderPlan(planOf('grace', [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true, ...extra }])).script;
const changed = (run: PlanRun) => run.steps.filter((s) => s.status === 'changed').map((s) => s.stepId);

describe('a TermService restart and the users signed in', () => {
  let refuseCheck: PlanRun;
  let refused: PlanRun;
  let continueRefused: PlanRun;
  let waited: PlanRun;
  let proceeded: PlanRun;
  let notDue: PlanRun;
  let before: any;

  beforeAll(async () => {
    const refuse = grace();
    const onErrorContinue = renderPlan(
      planOf(
        'servers-then-restart',
        [
          { id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com'] },
          { id: 'restart', action: 'service.restart', name: 'TermService', force: true },
        ],
        { onError: 'continue' },
      ),
    ).script;
    const sessionsBoth = signedIn(ALICE, BOB);
    [refuseCheck, refused, continueRefused, waited, proceeded, notDue] = await Promise.all([
      runPlan(refuse, { whatIf: true, edit: sessionsBoth }),
      runPlan(refuse, { edit: sessionsBoth }),
      runPlan(onErrorContinue, { edit: sessionsBoth }),
      runPlan(grace({ activeSessions: { policy: 'wait', waitMinutes: 1 } }), { edit: signedIn({ ...ALICE, endsAfterReads: 1 }) }),
      runPlan(grace({ activeSessions: { policy: 'proceed', reason: 'maintenance window announced to all users' } }), { edit: sessionsBoth }),
      runPlan(refuse, { grace: 'FreshlyReset', edit: sessionsBoth }),
    ]);
    before = JSON.parse(await defaultState());
    sessionsBoth(before);
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([refuseCheck, refused, continueRefused, waited, proceeded, notDue].flatMap((r) => r.problems)).toEqual([]);
  });

  test('check names the users and says the apply would be refused', () => {
    expect(refuseCheck.summary!.status).toBe('succeeded');
    const check = refuseCheck.steps[0]!;
    expect(`${check.stepId}:${check.status}`).toBe('grace.restart.sessions:wouldChange');
    expect(check.message).toBe('2 user session(s) (CONTOSO\\alice (active, session 2), CONTOSO\\bob (disconnected, session 3)): the apply is refused before its first change (activeSessions refuse)');
  });

  test('users signed in: the run is refused (exit 4) before any change, the host untouched', () => {
    expect(refused.exitCode).toBe(4);
    expect(refused.summary!.status).toBe('refused');
    expect(changed(refused)).toEqual([]);
    expect(refused.steps[0]!.message).toMatch(/^refused: 2 user session\(s\) .* signed in; stopping TermService would disconnect them, so nothing was changed/);
    expect(statuses(refused).slice(1).every((s) => s.endsWith(':skipped'))).toBe(true);
    expect(refused.state.terminalServices.sessions).toHaveLength(2);
    expect(refused.state.services.TermService.status).toBe('Running');
    expect(existsSync(refused.runDirectory) && existsSync(`${refused.runDirectory}/grace.export.reg`)).toBe(false);
    expect(refused.state.calls['Stop-RdsService'] ?? 0).toBe(0);
    expect(hostView(refused.state)).toEqual(hostView(before));
  });

  test('onError continue does not let a change past a refusal: the license servers stay as they were', () => {
    expect(continueRefused.exitCode).toBe(4);
    expect(statuses(continueRefused)).toEqual(['restart.sessions:failed', 'servers:skipped', 'restart:skipped']);
    expect(continueRefused.steps[1]!.message).toBe("skipped: no change may run: step 'restart.sessions' refused the run");
    expect(stateKey(continueRefused.state, LICENSE_SERVERS_KEY)).toEqual(stateKey(refused.state, LICENSE_SERVERS_KEY));
  });

  test('wait: a user who signs off lets the reset go ahead', () => {
    expect(waited.exitCode).toBe(0);
    expect(waited.steps[0]!.stepId).toBe('grace.restart.sessions');
    expect(waited.steps[0]!.status).toBe('changed');
    expect(waited.steps[0]!.message).toMatch(/^every user signed off after \d+ s; TermService disconnects no one$/);
    expect(changed(waited)).toContain('grace.restart');
  });

  test('proceed: the reason is reported, the reset runs, and the restart ends the sessions as Windows does', () => {
    expect(proceeded.exitCode).toBe(0);
    expect(proceeded.steps[0]!.message).toBe('going ahead with 2 user session(s) (CONTOSO\\alice (active, session 2), CONTOSO\\bob (disconnected, session 3)), disconnected when TermService stops: maintenance window announced to all users');
    expect(changed(proceeded)).toContain('grace.restart');
    expect(proceeded.state.terminalServices.sessions).toBeUndefined();
  });

  test('a host with enough days left changes nothing, so its users are not asked about', () => {
    expect(notDue.exitCode).toBe(0);
    const check = notDue.steps.find((s) => s.stepId === 'grace.restart.sessions')!;
    expect(check.status).toBe('unchanged');
    expect(check.message).toBe('not needed: no dependent step changes anything');
    expect(notDue.state.terminalServices.sessions).toHaveLength(2);
  });
});
