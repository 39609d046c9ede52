/**
 * Every example plan, rendered as the product renders it, on the simulated default host:
 * check (-WhatIf) changes nothing and names exactly the steps that would change; apply reaches
 * the state the plan promises; a second apply finds nothing to do.
 * Multi-target examples run once, against one state file, as their first target.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { sha256File } from '../support/files.js';
import { examplePath, renderPlan } from '../support/plans.js';
import { copyState, defaultState, type HostRole, enabledPrivileges, GRACE, GRACE_SDDL, hostView, inPool, keysUnder, LICENSE_SERVERS_KEY, LICENSING_CORE, MSLICENSING, MSLICENSING_WOW, type PlanRun, runPlan, stateKey, stateValue, statuses, TIMEBOMB } from '../support/sim.js';

interface Example {
  name: string;
  /** Check mode on the default host, every step in order. */
  check: string[];
  apply: string[];
  /** A second apply on the state the first one left. */
  again: string[];
  assertApplied: (run: PlanRun) => void;
  /** The built-in host the example is for (default the session host). */
  role?: HostRole;
}

/** The export events of a run: each backup file exists and hashes to what the event reported. */
function expectBackups(run: PlanRun, stepIds: string[]): void {
  for (const stepId of stepIds) {
    const event = run.steps.find((s) => s.stepId === stepId && s.status === 'changed');
    expect(event?.backup).toBeDefined();
    expect(event!.backup.file.startsWith(run.runDirectory)).toBe(true);
    expect(existsSync(event!.backup.file)).toBe(true);
    expect(sha256File(event!.backup.file)).toBe(event!.backup.sha256);
    // The SDDL beside the .reg: a .reg file carries no ACL (DOMAIN.md).
    expect(existsSync(event!.backup.sddlFile)).toBe(true);
  }
}

const EXAMPLES: Example[] = [
  {
    name: 'reset-grace-period',
    // The default host has 21 days left: fewer than the default threshold (30), so a reset is due.
    check: [
      'grace.restart.sessions:unchanged',
      'grace.due:wouldChange',
      'grace.export:wouldChange',
      'grace.own:wouldChange',
      'grace.delete:wouldChange',
      'grace.restore:wouldChange',
      'grace.restart:wouldChange',
      'grace.days:unchanged',
    ],
    apply: ['grace.restart.sessions:unchanged', 'grace.due:changed', 'grace.export:changed', 'grace.own:changed', 'grace.delete:changed', 'grace.restore:changed', 'grace.restart:changed', 'grace.days:unchanged'],
    // TermService wrote a fresh timebomb value at its restart (120 days): no reset is due, so
    // every step of the reset is skipped and TermService is not restarted again.
    again: ['grace.restart.sessions:unchanged', 'grace.due:unchanged', 'grace.export:skipped', 'grace.own:skipped', 'grace.delete:skipped', 'grace.restore:skipped', 'grace.restart:skipped', 'grace.days:unchanged'],
    assertApplied: (run) => {
      // The old value was deleted; TermService wrote a fresh one when it restarted (DOMAIN.md).
      const fresh = stateValue(run.state, GRACE, TIMEBOMB)!;
      expect(fresh.type).toBe('Binary');
      expect(run.state.timebombDays[fresh.data as string]).toBe(120);
      expect(run.state.calls['Remove-RdsRegistryValue']).toBe(1);
      // Byte for byte: owner NETWORK SERVICE and the protected DACL are back.
      expect(stateKey(run.state, GRACE)!.sddl).toBe(GRACE_SDDL);
      expect(run.state.services.TermService.status).toBe('Running');
      expect(run.state.services.UmRdpService.status).toBe('Running');
      // TermService re-read the grace period at its restart: a fresh 120 days.
      expect(run.state.terminalServices.graceDays).toBe(120);
      expect(run.steps.find((s) => s.stepId === 'grace.days')!.message).toBe('grace period days left: 120');
      expectBackups(run, ['grace.export']);
    },
  },
  {
    name: 'clear-client-license-cache',
    // The default host has no 32-bit MSLicensing copy: its export and delete have nothing to do.
    // The export is deferred until its delete needs it, so it reports just before the delete.
    check: ['cal.export-wow:unchanged', 'cal.export:wouldChange', 'cal.delete:wouldChange', 'cal.delete-wow:unchanged'],
    apply: ['cal.export-wow:unchanged', 'cal.export:changed', 'cal.delete:changed', 'cal.delete-wow:unchanged'],
    again: ['cal.export:unchanged', 'cal.export-wow:unchanged', 'cal.delete:unchanged', 'cal.delete-wow:unchanged'],
    assertApplied: (run) => {
      expect(keysUnder(run.state, MSLICENSING)).toEqual([]);
      expect(keysUnder(run.state, MSLICENSING_WOW)).toEqual([]);
      expectBackups(run, ['cal.export']);
    },
  },
  {
    name: 'delete-stored-client-licenses',
    check: ['backup:wouldChange', 'licenses:wouldChange'],
    apply: ['backup:changed', 'licenses:changed'],
    again: ['licenses:unchanged', 'backup:unchanged'],
    assertApplied: (run) => {
      expect(keysUnder(run.state, `${MSLICENSING}\\Store`)).toEqual([`${MSLICENSING}\\Store`]);
      expect(stateValue(run.state, `${MSLICENSING}\\HardwareID`, 'ClientHWID')).toBeDefined();
      expectBackups(run, ['backup']);
    },
  },
  {
    name: 'disable-licensing-service',
    // The preset stops before it disables (so an undo can start the service again first).
    check: ['licensing.stop:wouldChange', 'licensing.start-mode:wouldChange'],
    apply: ['licensing.stop:changed', 'licensing.start-mode:changed'],
    again: ['licensing.stop:unchanged', 'licensing.start-mode:unchanged'],
    assertApplied: (run) => {
      expect(run.state.services.TermServLicensing).toMatchObject({ startMode: 'Disabled', status: 'Stopped' });
      // The start mode lives in the registry, as on Windows.
      expect(stateValue(run.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermServLicensing', 'Start')!.data).toBe(4);
      expect(run.state.services.RpcSs.status).toBe('Running');
    },
  },
  {
    name: 'configure-licensing',
    check: ['licensing.servers:wouldChange', 'licensing.mode:wouldChange'],
    apply: ['licensing.servers:changed', 'licensing.mode:changed'],
    again: ['licensing.servers:unchanged', 'licensing.mode:unchanged'],
    assertApplied: (run) => {
      expect(stateValue(run.state, LICENSE_SERVERS_KEY, 'SpecifiedLicenseServers')).toEqual({
        name: 'SpecifiedLicenseServers',
        type: 'MultiString',
        data: ['lic01.contoso.com', 'lic02.contoso.com'],
      });
      // PerUser = 4 (DOMAIN.md; not 3).
      expect(stateValue(run.state, LICENSING_CORE, 'LicensingMode')!.data).toBe(4);
    },
  },
  {
    name: 'transfer-device-cal',
    role: 'LicenseServer',
    // The allowance check stands first; it is within the allowance, so it never refuses.
    check: ['transfer.revoke.allowance:unchanged', 'transfer.before:unchanged', 'transfer.revoke:wouldChange', 'transfer.after:unchanged'],
    apply: ['transfer.revoke.allowance:unchanged', 'transfer.before:unchanged', 'transfer.revoke:changed', 'transfer.after:unchanged'],
    // WS-042's CAL is revoked now: nothing is left to revoke.
    again: ['transfer.revoke.allowance:unchanged', 'transfer.before:unchanged', 'transfer.revoke:unchanged', 'transfer.after:unchanged'],
    assertApplied: (run) => {
      const ws042 = run.state.licenseServer.issuedLicenses.filter((l: any) => l.issuedToComputer === 'WS-042');
      expect(ws042).toEqual([expect.objectContaining({ licenseId: 1015, licenseStatus: 4 })]);
      expect(run.state.calls['Invoke-RdsLicenseRevoke']).toBe(1);
      const revoke = run.steps.find((s) => s.stepId === 'transfer.revoke')!;
      expect(revoke.after.Revoked).toEqual([{ LicenseId: 1015, Computer: 'WS-042', KeyPackId: 3, ProductVersion: 'Windows Server 2019' }]);
      // The reports before and after: the pack had 8 of 20 issued, then 7.
      const issued = (stepId: string) => run.steps.find((s) => s.stepId === stepId)!.after.KeyPacks.find((p: any) => p.KeyPackId === 3).Issued;
      expect([issued('transfer.before'), issued('transfer.after')]).toEqual([8, 7]);
    },
  },
  {
    name: 'diagnose-fleet',
    check: ['licensing:unchanged'],
    apply: ['licensing:unchanged'],
    again: ['licensing:unchanged'],
    assertApplied: (run) => {
      const facts = run.steps[0]!.after;
      // The default session host as rdsplan diagnose reads it: mode not configured, no server, 21 days.
      expect(facts).toMatchObject({ LicensingMode: { Type: 5, Source: 'local' }, LicenseServers: { Servers: [], Source: 'local' }, GraceDays: { DaysLeft: 21, Expired: false }, Events: [], KeyPacks: null, Unread: [] });
      expect(run.state.calls['*'] ?? 0).toBe(0);
    },
  },
  {
    name: 'cal-report',
    role: 'LicenseServer',
    check: ['cals:unchanged'],
    apply: ['cals:unchanged'],
    again: ['cals:unchanged'],
    assertApplied: (run) => {
      expect(run.state.calls['Invoke-RdsLicenseRevoke']).toBeUndefined();
      const report = run.steps[0]!.after;
      expect(report.KeyPacks.map((p: any) => `${p.ProductVersion} ${p.Type} ${p.Issued}/${p.Total}`)).toEqual(['Windows Server 2016 per device 2/5', 'Windows Server 2019 per device 8/20', 'Windows Server 2019 per user 31/50']);
      expect(report.DeviceCals).toHaveLength(11);
      expect(report.Usage.map((u: any) => `${u.ProductVersion} ${u.Type} ${u.Issued}/${u.Installed}`)).toEqual(['Windows Server 2016 Per Device 2/5', 'Windows Server 2019 Per Device 8/20', 'Windows Server 2019 Per User 31/50']);
    },
  },
];

describe('example plans end to end on the simulated host', () => {
  const start: Partial<Record<HostRole, any>> = {};
  const runs = new Map<string, { check: PlanRun; apply: PlanRun; again: PlanRun; targets: string[] }>();

  beforeAll(async () => {
    for (const role of ['SessionHost', 'LicenseServer'] as const) start[role] = JSON.parse(await defaultState('InGracePeriod', role));
    // Two examples at a time: each run is its own engine process.
    await inPool(EXAMPLES, 2, async (example) => {
      const { script, plan } = renderPlan(examplePath(example.name));
      const targets = plan.targets.map((t) => t.computerName);
      const target = targets[0]!;
      const role = example.role ?? 'SessionHost';
      const check = await runPlan(script, { whatIf: true, targetName: target, runId: 'check-1', role });
      const apply = await runPlan(script, { targetName: target, runId: 'apply-1', role });
      const again = await runPlan(script, { targetName: target, runId: 'apply-2', statePath: copyState(apply.statePath) });
      runs.set(example.name, { check, apply, again, targets });
    });
  }, 300_000);

  describe.each(EXAMPLES.map((e) => [e.name, e] as const))('%s', (_name, example) => {
    test('every protocol line matches schemas/result.schema.json', () => {
      const r = runs.get(example.name)!;
      expect([...r.check.problems, ...r.apply.problems, ...r.again.problems]).toEqual([]);
      for (const run of [r.check, r.apply, r.again]) {
        // One start, one summary, every event tagged with the first target.
        expect(run.events[0]!.event).toBe('start');
        expect(run.events.at(-1)!.event).toBe('summary');
        expect(new Set(run.events.map((e) => e.host))).toEqual(new Set([r.targets[0]]));
      }
    });

    test('check (-WhatIf) changes nothing and reports exactly the steps that would change', () => {
      const { check } = runs.get(example.name)!;
      expect(check.events[0]).toMatchObject({ event: 'start', mode: 'check' });
      expect(statuses(check)).toEqual(example.check);
      expect(check.summary).toMatchObject({ status: 'succeeded' });
      expect(check.exitCode).toBe(0);
      expect(hostView(check.state)).toEqual(hostView(start[example.role ?? 'SessionHost']));
      // Check mode writes no run folder (nor the backup folder around it).
      expect(existsSync(check.backupDirectory)).toBe(false);
    });

    test('apply reaches the promised state and leaves no privilege enabled', () => {
      const { apply } = runs.get(example.name)!;
      expect(statuses(apply)).toEqual(example.apply);
      expect(apply.summary).toMatchObject({ status: 'succeeded', rebootRequired: false });
      expect(apply.exitCode).toBe(0);
      example.assertApplied(apply);
      expect(enabledPrivileges(apply.state)).toEqual([]);
      expect(apply.stderr).toBe('');
    });

    test('a second apply reports nothing changed and changes nothing', () => {
      const { apply, again } = runs.get(example.name)!;
      expect(statuses(again)).toEqual(example.again);
      expect(again.steps.filter((s) => !['unchanged', 'skipped'].includes(s.status))).toEqual([]);
      expect(again.summary).toMatchObject({ status: 'succeeded', counts: { changed: 0, wouldChange: 0, failed: 0 } });
      expect(hostView(again.state)).toEqual(hostView(apply.state));
    });
  });
});
