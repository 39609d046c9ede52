/**
 * Rollback on a plan that mixes the primitive kinds (setValue over an existing value and into a
 * new key, deleteValue by pattern, deleteKey, deleteSubkeys, setLicensingMode, setStartMode,
 * service.stop, setLicenseServers):
 * a fault at each mutating call in turn leaves the simulated host exactly as it was.
 */
import { describe, beforeAll, expect, test } from '@jest/globals';
import { expectRolledBackToStart, faultAtEachCall, type FaultSweep } from '../support/faults.js';
import { planOf, renderPlan } from '../support/plans.js';
import { defaultState, enabledPrivileges, hostView, keysUnder, LICENSE_SERVERS_KEY, MSLICENSING, RCM, stateValue, statuses } from '../support/sim.js';

const TS = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
const CONTOSO = 'HKLM\\SOFTWARE\\Contoso\\RdsPlan';

export const MIXED = planOf('mixed-primitives', [
  { id: 'ms-backup', action: 'registry.export', path: MSLICENSING },
  { id: 'licenses', action: 'registry.deleteSubkeys', path: `${MSLICENSING}\\Store`, namePattern: 'LICENSE*', dependsOn: ['ms-backup'] },
  { id: 'hwid', action: 'registry.deleteKey', path: `${MSLICENSING}\\HardwareID`, dependsOn: ['ms-backup'] },
  { id: 'ts-backup', action: 'registry.export', path: TS },
  { id: 'certs', action: 'registry.deleteValue', path: RCM, namePattern: 'X509*', dependsOn: ['ts-backup'] },
  { id: 'deny', action: 'registry.setValue', path: TS, name: 'fDenyTSConnections', type: 'DWord', data: 1, dependsOn: ['ts-backup'] },
  {
    id: 'marker',
    action: 'registry.setValue',
    path: CONTOSO,
    name: 'LastChange',
    type: 'String',
    data: 'CHG0012350',
    backup: { skip: true, reason: 'a new key: nothing to back up' },
  },
  // Before the last two: a failure after it must put back LicensingMode 5 ("not configured"),
  // which WMI's ChangeMode does not accept.
  { id: 'mode', action: 'rds.setLicensingMode', mode: 'PerUser' },
  // Disabled, then stopped (as rds.disableLicensingService does): undone in reverse, the
  // stop's undo meets a Disabled service and must wait for the start mode to come back.
  { id: 'lsvc', action: 'service.setStartMode', name: 'TermServLicensing', startMode: 'Disabled' },
  { id: 'lstop', action: 'service.stop', name: 'TermServLicensing', force: true, dependsOn: ['lsvc'] },
  { id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com'] },
]);

describe('fault at each mutating call: a plan mixing the primitive kinds', () => {
  let sweep: FaultSweep;

  beforeAll(async () => {
    sweep = await faultAtEachCall(renderPlan(MIXED).script);
  }, 300_000);

  test('the clean apply does what the plan says', async () => {
    const { clean } = sweep;
    expect(clean.problems).toEqual([]);
    expect(statuses(clean)).toEqual([
      'ms-backup:changed',
      'licenses:changed',
      'hwid:changed',
      'ts-backup:changed',
      'certs:changed',
      'deny:changed',
      'marker:changed',
      'mode:changed',
      'lsvc:changed',
      'lstop:changed',
      'servers:changed',
    ]);
    expect(keysUnder(clean.state, MSLICENSING)).toEqual([MSLICENSING, `${MSLICENSING}\\Store`]);
    expect(stateValue(clean.state, RCM, 'X509 Certificate')).toBeUndefined();
    expect(stateValue(clean.state, RCM, 'Certificate')).toBeDefined();
    expect(stateValue(clean.state, TS, 'fDenyTSConnections')!.data).toBe(1);
    expect(stateValue(clean.state, CONTOSO, 'LastChange')!.data).toBe('CHG0012350');
    expect(clean.state.services.TermServLicensing).toMatchObject({ startMode: 'Disabled', status: 'Stopped' });
    expect(stateValue(clean.state, LICENSE_SERVERS_KEY, 'SpecifiedLicenseServers')!.data).toEqual(['lic01.contoso.com']);
    expect(stateValue(clean.state, `${RCM}\\Licensing Core`, 'LicensingMode')!.data).toBe(4);
    expect(enabledPrivileges(clean.state)).toEqual([]);
    // Every kind of mutating call is in the sweep.
    expect(new Set(clean.state.callLog.map((c: any) => c.call))).toEqual(
      new Set(['Remove-RdsRegistryKey', 'Remove-RdsRegistryValue', 'Set-RdsRegistryValue', 'Set-RdsLicensingType', 'Set-RdsServiceStartMode', 'Stop-RdsService', 'Set-RdsSpecifiedLicenseServer']),
    );
    expect(hostView(clean.state)).not.toEqual(hostView(JSON.parse(await defaultState())));
  });

  test('every fault rolls the host back to the start', () => {
    expect(sweep.faults.length).toBe(sweep.clean.state.callLog.length);
    expect(sweep.faults.length).toBeGreaterThanOrEqual(10);
    for (const fault of sweep.faults) {
      try {
        expectRolledBackToStart(sweep, fault);
      } catch (error) {
        (error as Error).message = `fault at mutating call ${fault.k} (${JSON.stringify(fault.call)}):\n${(error as Error).message}`;
        throw error;
      }
    }
  });
});
