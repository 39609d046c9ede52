import { describe, expect, test } from '@jest/globals';
import type { PlanStep } from '../../src/actions/types.js';
import { expandSteps } from '../../src/plan/expand.js';

const GRACE = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';

describe('expandSteps', () => {
  test('the grace-period preset follows DOMAIN.md behind its gate: days due?, export, own, delete the value only, restore, restart, read', () => {
    const steps = expandSteps([{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true }]);
    expect(steps.map((s) => [s.id, s.action, s.dependsOn, s.runWhen])).toEqual([
      ['grace.restart.sessions', 'host.testSessions', [], 'always'],
      ['grace.due', 'rds.testGracePeriod', [], 'always'],
      ['grace.export', 'registry.export', ['grace.due'], 'changed'],
      ['grace.own', 'registry.takeOwnership', ['grace.due', 'grace.export'], 'changed'],
      ['grace.delete', 'registry.deleteValue', ['grace.due', 'grace.export', 'grace.own'], 'changed'],
      ['grace.restore', 'registry.restoreSecurity', ['grace.due', 'grace.own'], 'changed'],
      ['grace.restart', 'service.restart', ['grace.due', 'grace.delete'], 'changed'],
      ['grace.days', 'rds.getGracePeriodDays', [], 'always'],
    ]);
    expect(steps[0]!.params).toEqual({ service: 'TermService', policy: 'refuse', waitMinutes: 0, reason: '' });
    expect(steps[1]!.params).toEqual({ minimumDaysLeft: 30 });
    expect(steps[3]!.params).toEqual({ path: GRACE, view: 'Default', owner: 'S-1-5-32-544', grant: [{ identity: 'S-1-5-32-544', rights: 'FullControl' }], restore: 'afterPlan' });
    expect(steps[4]!.params).toEqual({ path: GRACE, view: 'Default', namePattern: 'L$RTMTIMEBOMB*', mustExist: false });
    expect(steps.every((s) => s.preset?.id === 'grace' && s.pointer === '/steps/0')).toBe(true);
  });

  test('without restartService there is no restart; with always the restart is unconditional', () => {
    expect(expandSteps([{ id: 'g', action: 'rds.resetGracePeriod' }]).map((s) => s.id)).not.toContain('g.restart');
    const always = expandSteps([{ id: 'g', action: 'rds.resetGracePeriod', restartService: true, always: true }]);
    expect(always.find((s) => s.id === 'g.restart')!.runWhen).toBe('always');
  });

  test('handlers run only after a change unless always is set; other steps always run', () => {
    const steps = expandSteps([
      { id: 'a', action: 'service.restart', name: 'TermService' },
      { id: 'b', action: 'service.restart', name: 'TermService', always: true },
      { id: 'c', action: 'host.reboot' },
      { id: 'd', action: 'service.stop', name: 'TermServLicensing' },
    ] as PlanStep[]);
    // The session checks the TermService restarts bring stand first, before any change.
    expect(steps.map((s) => s.id)).toEqual(['a.sessions', 'b.sessions', 'a', 'b', 'c', 'd']);
    expect(steps.slice(2).map((s) => s.runWhen)).toEqual(['changed', 'always', 'changed', 'always']);
  });

  test('a stop or restart of TermService or UmRdpService brings its session check, with the plan\'s policy; other services none', () => {
    const steps = expandSteps([
      { id: 'x', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\X', name: 'n', type: 'String', data: 'v' },
      { id: 'stop', action: 'service.stop', name: 'umrdpservice', activeSessions: { policy: 'wait', waitMinutes: 10 } },
      { id: 'spool', action: 'service.restart', name: 'Spooler' },
    ] as PlanStep[]);
    expect(steps.map((s) => [s.id, s.params])).toEqual([
      ['stop.sessions', { service: 'umrdpservice', policy: 'wait', waitMinutes: 10, reason: '' }],
      ['x', expect.anything()],
      ['stop', { name: 'umrdpservice', force: false, activeSessions: { policy: 'wait', waitMinutes: 10 } }],
      ['spool', { name: 'Spooler', force: false }],
    ]);
  });

  test('a dependency on a preset means every step it expanded into', () => {
    const steps = expandSteps([
      { id: 'lic', action: 'rds.configureLicensing', servers: ['lic01'], mode: 'PerUser' },
      { id: 'restart', action: 'service.restart', name: 'TermService', dependsOn: ['lic'] },
    ] as PlanStep[]);
    expect(steps.at(-1)!.dependsOn).toEqual(['lic.servers', 'lic.mode']);
  });

  test('a primitive takeOwnership restoring afterPlan gets its restore step at the end of the plan', () => {
    const steps = expandSteps([
      { id: 'own', action: 'registry.takeOwnership', path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Locked\\', view: '32' },
      { id: 'set', action: 'registry.setValue', path: 'HKLM:\\SOFTWARE\\Contoso\\Locked', name: 'x', type: 'Binary', data: '0A,1b' },
    ] as PlanStep[]);
    expect(steps.map((s) => s.id)).toEqual(['own', 'set', 'own.restore']);
    expect(steps[2]!.params).toEqual({ path: 'HKLM\\SOFTWARE\\Contoso\\Locked', view: '32', fromStep: 'own' });
    expect(steps[1]!.params).toEqual({ path: 'HKLM\\SOFTWARE\\Contoso\\Locked', view: 'Default', name: 'x', type: 'Binary', data: '0a1b' });
  });

  test('QWord data becomes a decimal string, whether written as a number, decimal or hex string', () => {
    const data = (value: unknown) =>
      expandSteps([{ id: 'q', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\X', name: 'q', type: 'QWord', data: value }])[0]!.params.data;
    expect(data(42)).toBe('42');
    expect(data('18446744073709551615')).toBe('18446744073709551615');
    expect(data('0xffffffffffffffff')).toBe('18446744073709551615');
  });
});
