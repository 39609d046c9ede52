/**
 * `rdsplan diagnose` through the CLI on simulated hosts: the default session host (mode not
 * configured, no license server, 21 days left), a configured one, one whose license server
 * does not answer, settings from Group Policy, licensing events, the built-in license server,
 * and a fleet. The JSON validates against schemas/diagnosis.schema.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import Ajv2020 from 'ajv/dist/2020.js';
import { rdsplan } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { examplePath, planOf } from '../support/plans.js';
import { defaultState, LICENSE_SERVERS_KEY, LICENSING_CORE, POLICY_KEY } from '../support/sim.js';

const AjvClass = ((Ajv2020 as any).default ?? Ajv2020) as typeof Ajv2020.default;
const validate = new AjvClass({ allErrors: true }).compile(JSON.parse(readFileSync('schemas/diagnosis.schema.json', 'utf8')));

const setValue = (state: any, path: string, name: string, type: string, data: unknown) => {
  const key = (state.registry[path] ??= { values: [] });
  key.values = [...key.values.filter((v: any) => v.name !== name), { name, type, data }];
};
/** Per user, lic01 as the license server, answering with the given GetTStoLSConnectivityStatus. */
const configured = (code: number) => (s: any) => {
  setValue(s, LICENSING_CORE, 'LicensingMode', 'DWord', 4);
  setValue(s, LICENSE_SERVERS_KEY, 'SpecifiedLicenseServers', 'MultiString', ['lic01.contoso.com']);
  s.terminalServices.connectivity = { 'lic01.contoso.com': code };
};
const recent = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

async function stateFile(dir: string, name: string, edit: (s: any) => void = () => {}, role: 'SessionHost' | 'LicenseServer' = 'SessionHost'): Promise<string> {
  const state = JSON.parse(await defaultState('InGracePeriod', role));
  edit(state);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(state));
  return path;
}

async function diagnose(plan: string, simulate: string, format = 'json') {
  const r = await rdsplan(['diagnose', plan, '--simulate', simulate, '--format', format]);
  return { ...r, json: format === 'json' && r.stdout.startsWith('{') ? JSON.parse(r.stdout) : undefined };
}

const codesOf = (json: any, host = 0) => json.hosts[host].findings.map((f: any) => `${f.severity} ${f.code}`);

describe('rdsplan diagnose on simulated hosts', () => {
  let dir: string;
  let plan: string;
  beforeAll(() => {
    dir = tempDir();
    plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify(planOf('farm', [{ id: 'noop', action: 'rds.readLicensing' }])));
  });

  test('the default session host: three findings, exit 3, in words with every fix', async () => {
    const text = await diagnose(plan, await stateFile(dir, 'default.json'), 'text');
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 3, stderr: '' });
    expect(text.stdout.split('\n')).toEqual([
      'localhost: 3 finding(s)',
      '  licensing mode     not configured (5), local',
      '  license servers    (none), local',
      '  grace period       21 day(s) left',
      '  TermServLicensing  Running, Automatic',
      '  licensing events   none',
      '  CAL packs          no license server',
      '  findings:',
      '    ERROR licensing-mode: the licensing mode is not configured (5): when the grace period ends the session host refuses connections (event 1069)',
      '      fix: rds.configureLicensing (servers and mode), mode perDevice or perUser as the CALs bought',
      '    ERROR no-license-server: no license server is configured: the session host cannot get CALs for its clients (events 50280/50282 on 2019+)',
      '      fix: rds.configureLicensing (servers and mode)',
      '    WARNING grace-ending: the grace period ends in 21 day(s) and no license server answers',
      '      fix: configure a reachable license server with CALs (rds.configureLicensing (servers and mode)); rds.resetGracePeriod only buys time',
      '',
    ]);
    const json = await diagnose(plan, await stateFile(dir, 'default-json.json'));
    expect(validate(json.json)).toBe(true);
    expect(json.json).toMatchObject({ formatVersion: 1, kind: 'rdsplan-diagnosis', exitCode: 3, plan: { name: 'farm' } });
    expect(codesOf(json.json)).toEqual(['error licensing-mode', 'error no-license-server', 'warning grace-ending']);
  }, 60_000);

  test('a configured session host whose license server answers as valid: healthy, exit 0', async () => {
    const r = await diagnose(plan, await stateFile(dir, 'healthy.json', configured(11)));
    expect(r.code).toBe(0);
    expect(validate(r.json)).toBe(true);
    expect(r.json.hosts[0]).toMatchObject({ exitCode: 0, error: null, findings: [], facts: { licensingMode: { type: 4, source: 'local' }, connectivity: [{ server: 'lic01.contoso.com', code: 11, error: '' }] } });
    const text = await diagnose(plan, await stateFile(dir, 'healthy-text.json', configured(11)), 'text');
    expect(text.stdout).toContain('localhost: healthy\n');
    expect(text.stdout).toContain('    lic01.contoso.com  LS_CONNECTABLE_VALID_LS (11)\n');
  }, 60_000);

  test('a license server that does not answer: named by its code, with what to check', async () => {
    const r = await diagnose(plan, await stateFile(dir, 'unreachable.json', configured(6)));
    expect(r.code).toBe(3);
    expect(codesOf(r.json)).toEqual(['error license-server-unusable', 'warning grace-ending']);
    expect(r.json.hosts[0].findings[0].text).toBe('lic01.contoso.com: LS_NOT_CONNECTABLE (6): the license server cannot be reached');
  }, 60_000);

  test('mode and servers from Group Policy: read as such, context only', async () => {
    const r = await diagnose(
      plan,
      await stateFile(dir, 'policy.json', (s) => {
        setValue(s, POLICY_KEY, 'LicensingMode', 'DWord', 2);
        setValue(s, POLICY_KEY, 'LicenseServers', 'String', 'lic02.contoso.com');
        s.terminalServices.connectivity = { 'lic02.contoso.com': 11 };
      }),
    );
    expect(r.code).toBe(0);
    expect(r.json.hosts[0].facts).toMatchObject({ licensingMode: { type: 2, source: 'policy' }, licenseServers: { servers: ['lic02.contoso.com'], source: 'policy' } });
    expect(codesOf(r.json)).toEqual(['info set-by-policy']);
  }, 60_000);

  test('licensing events of the last days are findings; older ones are not read', async () => {
    const rcm = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager';
    const r = await diagnose(
      plan,
      await stateFile(dir, 'events.json', (s) => {
        configured(11)(s);
        s.events = [
          { providerName: rcm, id: 1028, timeCreated: recent(2), level: 3, message: 'Remote Desktop license could not be renewed for WS-042' },
          { providerName: rcm, id: 1069, timeCreated: recent(24 * 30), level: 2, message: 'old' },
        ];
      }),
    );
    expect(r.code).toBe(3);
    expect(codesOf(r.json)).toEqual(['warning event-1028']);
    expect(r.json.hosts[0].facts.events).toEqual([expect.objectContaining({ id: 1028, message: 'Remote Desktop license could not be renewed for WS-042' })]);
    // A plan that reads the licensing state itself sets the window: 60 days reach the old event too.
    const wider = join(dir, 'wider.json');
    writeFileSync(wider, JSON.stringify(planOf('farm', [{ id: 'read', action: 'rds.readLicensing', eventDays: 60 }])));
    const old = await diagnose(wider, join(dir, 'events.json'));
    expect(codesOf(old.json)).toEqual(['warning event-1028', 'error event-1069']);
  }, 60_000);

  test('the built-in license server: its CAL packs are read; a pack type with none left and event 21 are findings', async () => {
    const r = await diagnose(
      plan,
      await stateFile(
        dir,
        'rdls01.json',
        (s) => {
          s.licenseServer.keyPacks.find((p: any) => p.keyPackId === 4).issuedLicenses = 50;
          s.events = [{ providerName: 'Microsoft-Windows-TerminalServices-Licensing', id: 21, timeCreated: recent(1), level: 2, message: '' }];
        },
        'LicenseServer',
      ),
    );
    expect(validate(r.json)).toBe(true);
    expect(r.json.hosts[0].facts.keyPacks).toHaveLength(3);
    // No RD Session Host role on it: the session host checks do not apply.
    expect(codesOf(r.json)).toEqual(['info not-a-session-host', 'error event-21', 'warning no-cals-available']);
    expect(r.json.hosts[0].findings.at(-1).text).toBe('Windows Server 2019 per user: all 50 CAL(s) are issued');
  }, 60_000);

  test('a fleet: one block per host, the worst exit; markdown as a report', async () => {
    const hosts = join(dir, 'fleet');
    mkdirSync(hosts);
    await stateFile(hosts, 'rdsh01.contoso.com.json', configured(11));
    await stateFile(hosts, 'rdsh02.contoso.com.json', configured(6));
    await stateFile(hosts, 'rdls01.contoso.com.json', configured(11), 'LicenseServer');
    const r = await diagnose(examplePath('diagnose-fleet'), hosts);
    expect(r.code).toBe(3);
    expect(r.json.hosts.map((h: any) => `${h.host} ${h.exitCode}`)).toEqual(['rdsh01.contoso.com 0', 'rdsh02.contoso.com 3', 'rdls01.contoso.com 0']);
    const md = await diagnose(examplePath('diagnose-fleet'), hosts, 'markdown');
    expect(md.stdout).toMatch(/^# Licensing diagnosis: licensing-diagnosis-farm\n/);
    expect(md.stdout).toContain('## rdsh02.contoso.com: 2 finding(s)');
    expect(md.stdout).toContain('| ERROR | license-server-unusable: lic01.contoso.com: LS_NOT_CONNECTABLE (6): the license server cannot be reached |');
  }, 120_000);

  test('a host that cannot be read: exit 1 with why', async () => {
    const r = await diagnose(plan, await stateFile(dir, 'broken.json', (s) => (s.format = 'rdsplan-sim-state/9')));
    expect(r.code).toBe(1);
    expect(r.json.hosts[0]).toMatchObject({ exitCode: 1, facts: null, findings: [] });
    expect(r.json.hosts[0].error).toMatch(/unsupported state format/);
  }, 60_000);
});
