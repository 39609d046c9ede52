/**
 * The preset variants no example covers (examples.test.ts has resetGracePeriod with restart,
 * clearClientLicenseCache, disableLicensingService with stop, configureLicensing via WMI):
 * resetGracePeriod without the restart and configureLicensing via policy, in one plan.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, beforeAll, expect, test } from '@jest/globals';
import { sha256File } from '../support/files.js';
import { examplePath, planOf, renderPlan } from '../support/plans.js';
import { copyState, defaultState, enabledPrivileges, GRACE, GRACE_SDDL, hostView, keysUnder, LICENSE_SERVERS_KEY, MSLICENSING, MSLICENSING_WOW, type PlanRun, POLICY_KEY, runPlan, stateKey, stateValue, statuses, TIMEBOMB } from '../support/sim.js';

const PLAN = planOf('grace-no-restart-and-policy-licensing', [
  { id: 'grace', action: 'rds.resetGracePeriod' },
  { id: 'policy', action: 'rds.configureLicensing', servers: ['lic01.contoso.com', 'lic02.contoso.com'], mode: 'PerDevice', via: 'policy' },
]);

describe('presets without an example, end to end', () => {
  let start: any;
  let check: PlanRun;
  let apply: PlanRun;
  let again: PlanRun;
  let wow: PlanRun;

  beforeAll(async () => {
    start = JSON.parse(await defaultState());
    const { script } = renderPlan(PLAN);
    const cache = renderPlan(examplePath('clear-client-license-cache')).script;
    [check, apply] = await Promise.all([runPlan(script, { whatIf: true }), runPlan(script)]);
    // A client with the 32-bit copy of the CAL cache too.
    [again, wow] = await Promise.all([
      runPlan(script, { statePath: copyState(apply.statePath), runId: 'run-2' }),
      runPlan(cache, {
        edit: (s) => {
          s.registry[`${MSLICENSING_WOW}\\Store\\LICENSE000`] = { values: [{ name: 'ClientLicense', type: 'Binary', data: '0a0b0c' }] };
        },
      }),
    ]);
  }, 300_000);

  test('every protocol line matches the schema', () => {
    expect([...check.problems, ...apply.problems, ...again.problems, ...wow.problems]).toEqual([]);
  });

  test('check changes nothing and names the steps that would change', () => {
    expect(statuses(check)).toEqual([
      'grace.due:wouldChange',
      'grace.export:wouldChange',
      'grace.own:wouldChange',
      'grace.delete:wouldChange',
      'grace.restore:wouldChange',
      'grace.days:unchanged',
      'policy.servers:wouldChange',
      'policy.mode:wouldChange',
    ]);
    expect(hostView(check.state)).toEqual(hostView(start));
    expect(existsSync(check.backupDirectory)).toBe(false);
    // ShouldProcess speaks for each step that would change, the deferred ones included.
    expect(check.stdout.match(/^What if: /gm)?.length).toBe(7);
  });

  test('apply: timebomb gone, ACL back byte for byte, days unchanged until a restart, policy values set', () => {
    expect(statuses(apply)).toEqual([
      'grace.due:changed',
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.days:unchanged',
      'policy.servers:changed',
      'policy.mode:changed',
    ]);
    expect(apply.summary).toMatchObject({ status: 'succeeded' });
    expect(stateValue(apply.state, GRACE, TIMEBOMB)).toBeUndefined();
    expect(stateKey(apply.state, GRACE)!.sddl).toBe(GRACE_SDDL);
    // No restart: GetGracePeriodDays still reports what TermService read at its last start.
    expect(apply.state.terminalServices.graceDays).toBe(21);
    expect(apply.steps.find((s) => s.stepId === 'grace.days')!.message).toBe('grace period days left: 21');
    expect(apply.state.services.TermService.status).toBe('Running');
    expect(apply.state.callLog.filter((c: any) => /^(Stop|Start)-RdsService$/.test(c.call))).toEqual([]);
    expect(stateValue(apply.state, POLICY_KEY, 'LicenseServers')).toEqual({ name: 'LicenseServers', type: 'String', data: 'lic01.contoso.com,lic02.contoso.com' });
    expect(stateValue(apply.state, POLICY_KEY, 'LicensingMode')).toEqual({ name: 'LicensingMode', type: 'DWord', data: 2 });
    // Via policy: the WMI-side list is untouched.
    expect(stateValue(apply.state, LICENSE_SERVERS_KEY, 'SpecifiedLicenseServers')!.data).toEqual([]);
    const backup = apply.steps.find((s) => s.stepId === 'grace.export')!.backup;
    expect(sha256File(backup.file)).toBe(backup.sha256);
    expect(enabledPrivileges(apply.state)).toEqual([]);
  });

  test('a second apply changes nothing; without a restart the reset is still due (the days are what TermService read)', () => {
    expect(statuses(again)).toEqual([
      'grace.due:changed',
      'grace.delete:unchanged',
      'grace.own:unchanged',
      'grace.restore:unchanged',
      'grace.days:unchanged',
      'policy.servers:unchanged',
      'policy.mode:unchanged',
      'grace.export:unchanged',
    ]);
    expect(again.steps[0]!.message).toBe('reset due: 21 day(s) left, fewer than 30');
    expect(again.summary).toMatchObject({ status: 'succeeded', counts: { changed: 1, wouldChange: 0, failed: 0 } });
    expect(again.state.callLog).toEqual([]);
    expect(hostView(again.state)).toEqual(hostView(apply.state));
  });

  test('clearClientLicenseCache with a 32-bit copy: both keys gone, both exports kept with the reported sha256', () => {
    expect(statuses(wow)).toEqual(['cal.export:changed', 'cal.delete:changed', 'cal.export-wow:changed', 'cal.delete-wow:changed']);
    expect(keysUnder(wow.state, MSLICENSING)).toEqual([]);
    expect(keysUnder(wow.state, MSLICENSING_WOW)).toEqual([]);
    for (const [stepId, key] of [
      ['cal.export', MSLICENSING],
      ['cal.export-wow', MSLICENSING_WOW],
    ] as const) {
      const backup = wow.steps.find((s) => s.stepId === stepId)!.backup;
      expect(sha256File(backup.file)).toBe(backup.sha256);
      // reg.exe's format: UTF-16LE with BOM, the key's own header inside.
      const text = readFileSync(backup.file).toString('utf16le');
      expect(text.startsWith('\uFEFFWindows Registry Editor Version 5.00\r\n')).toBe(true);
      expect(text).toContain(`[${key.replace(/^HKLM/, 'HKEY_LOCAL_MACHINE')}\\Store\\LICENSE000]`);
    }
  });
});
