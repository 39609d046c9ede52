import { describe, expect, test } from '@jest/globals';
import { readFacts, type LicensingFacts } from '../../src/diagnose/facts.js';
import { findingsOf } from '../../src/diagnose/findings.js';

/** A session host in good order: per user, one license server that answers as valid, no events. */
const healthy = (): LicensingFacts => ({
  licensingMode: { type: 4, source: 'local' },
  licenseServers: { servers: ['lic01.contoso.com'], source: 'local' },
  connectivity: [{ server: 'lic01.contoso.com', code: 11, error: '' }],
  graceDays: { daysLeft: 0, expired: false, error: '' },
  licensingService: null,
  events: [],
  keyPacks: null,
  unread: [],
});
const codes = (facts: LicensingFacts) => findingsOf(facts).map((f) => `${f.severity} ${f.code}`);
const textOf = (facts: LicensingFacts, code: string) => findingsOf(facts).find((f) => f.code === code)!;

describe('the findings of a diagnosis', () => {
  test('a session host in good order has none, whatever its grace days say', () => {
    expect(codes(healthy())).toEqual([]);
  });

  test('mode not configured, no license server, grace ending: three findings, each with the preset that repairs it', () => {
    const f = { ...healthy(), licensingMode: { type: 5, source: 'local' as const }, licenseServers: { servers: [], source: 'local' as const }, connectivity: [], graceDays: { daysLeft: 21, expired: false, error: '' } };
    expect(codes(f)).toEqual(['error licensing-mode', 'error no-license-server', 'warning grace-ending']);
    expect(findingsOf(f).every((x) => x.fix.includes('rds.configureLicensing'))).toBe(true);
    expect(textOf(f, 'licensing-mode').text).toBe('the licensing mode is not configured (5): when the grace period ends the session host refuses connections (event 1069)');
  });

  test.each([
    [6, 'lic01.contoso.com: LS_NOT_CONNECTABLE (6): the license server cannot be reached', /firewall \(RPC\)/],
    [5, 'lic01.contoso.com: LS_CONNECTABLE_NOT_IN_TSCGROUP (5): reachable, but the license server\'s security group policy does not include this session host', /Terminal Server Computers group/],
    [8, 'lic01.contoso.com: LS_CONNECTABLE_BUT_ACCESS_DENIED (8): reachable, but the account has no administrator rights on the license server', /administrator rights/],
    [42, 'lic01.contoso.com: an undocumented code (42): a code Microsoft does not list', /rds\.configureLicensing/],
  ])('connectivity %i is named and explained', (code, text, fix) => {
    const f = { ...healthy(), connectivity: [{ server: 'lic01.contoso.com', code, error: '' }], graceDays: { daysLeft: 3, expired: false, error: '' } };
    expect(codes(f)).toEqual(['error license-server-unusable', 'warning grace-ending']);
    expect(textOf(f, 'license-server-unusable').text).toBe(text);
    expect(textOf(f, 'license-server-unusable').fix).toMatch(fix);
  });

  test.each([9, 11])('connectivity %i is valid: no finding', (code) => {
    expect(codes({ ...healthy(), connectivity: [{ server: 'lic01', code, error: '' }] })).toEqual([]);
  });

  test.each([1, 2])('connectivity %i is a 2008 (R2) license server: reachable, but no CALs for this host', (code) => {
    const f = { ...healthy(), connectivity: [{ server: 'lic01', code, error: '' }], graceDays: { daysLeft: 90, expired: false, error: '' } };
    expect(codes(f)).toEqual(['error license-server-unusable']);
    expect(textOf(f, 'license-server-unusable').fix).toMatch(/^a Windows Server 2008 \(R2\) license server issues no CALs for a later session host/);
  });

  test('one valid server of two: the other is a finding, the grace period is not', () => {
    const f = { ...healthy(), licenseServers: { servers: ['a', 'b'], source: 'local' as const }, connectivity: [{ server: 'a', code: 6, error: '' }, { server: 'b', code: 11, error: '' }], graceDays: { daysLeft: 0, expired: true, error: '' } };
    expect(codes(f)).toEqual(['error license-server-unusable']);
  });

  test('expired without a reachable server is an error; a connectivity that could not be read a warning', () => {
    const f = { ...healthy(), connectivity: [{ server: 'lic01.contoso.com', code: null, error: 'RPC unavailable' }], graceDays: { daysLeft: 0, expired: true, error: '' } };
    expect(codes(f)).toEqual(['warning connectivity-unread', 'error grace-expired']);
  });

  test('a host that is no session host (remote administration): the session host checks do not apply', () => {
    const f = { ...healthy(), licensingMode: { type: 1, source: 'local' as const }, licenseServers: { servers: [], source: 'local' as const }, connectivity: [], graceDays: { daysLeft: 0, expired: true, error: '' } };
    expect(codes(f)).toEqual(['info not-a-session-host']);
  });

  test('events: one finding per id, in id order, with its count and the last time; unknown ids are not findings', () => {
    const at = (id: number, time: string) => ({ providerName: 'p', id, timeCreated: time, level: 2, message: '' });
    const f = { ...healthy(), events: [at(1028, '2026-12-01T08:00:00Z'), at(1069, '2026-12-02T08:00:00Z'), at(1028, '2026-12-03T09:30:00Z'), at(4242, '2026-12-03T10:00:00Z')] };
    expect(findingsOf(f).map((x) => `${x.severity} ${x.text} / ${x.fix}`)).toEqual([
      "warning event 1028: a client's license could not be renewed (2 time(s), last 2026-12-03T09:30:00Z) / rds.clearClientLicenseCache on the client the event names",
      'error event 1069: the grace period has expired and the licensing mode is not configured (1 time(s), last 2026-12-02T08:00:00Z) / rds.configureLicensing (servers and mode)',
    ]);
  });

  test('a license server: service stopped, a pack type without CALs left, event 21', () => {
    const f: LicensingFacts = {
      ...healthy(),
      licensingMode: { type: 1, source: 'local' },
      licensingService: { status: 'Stopped', startMode: 'Disabled' },
      keyPacks: [
        { productVersion: 'Windows Server 2019', type: 'per device', total: 20, issued: 20, available: 0 },
        { productVersion: 'Windows Server 2019', type: 'per user', total: 50, issued: 31, available: 19 },
      ],
      events: [{ providerName: 'Microsoft-Windows-TerminalServices-Licensing', id: 21, timeCreated: '2026-12-03T10:00:00Z', level: 2, message: '' }],
    };
    expect(codes(f)).toEqual(['info not-a-session-host', 'error licensing-service', 'error event-21', 'warning no-cals-available']);
    expect(textOf(f, 'no-cals-available').fix).toMatch(/rds\.transferDeviceCal/);
    expect(codes({ ...f, keyPacks: [] })).toContain('warning no-cal-packs');
  });

  test('settings from Group Policy are context (info), and what could not be read a warning', () => {
    const f = { ...healthy(), licensingMode: { type: 2, source: 'policy' as const }, unread: ['TermServLicensing: access denied'] };
    expect(codes(f)).toEqual(['warning unread', 'info set-by-policy']);
  });
});

describe('the facts as the host reported them', () => {
  test('a reading of another shape is read as missing parts, never thrown on', () => {
    expect(readFacts('nonsense')).toEqual({ licensingMode: null, licenseServers: null, connectivity: [], graceDays: null, licensingService: null, events: [], keyPacks: null, unread: [] });
    expect(readFacts({ LicensingMode: { Type: '4' }, Connectivity: [null, { Server: 'a', Code: 11 }], KeyPacks: [] })).toMatchObject({ licensingMode: null, connectivity: [{ server: 'a', code: 11, error: '' }], keyPacks: [] });
  });
});

describe('the diagnosis as Markdown', () => {
  test('host text cannot end a cell or become markup', async () => {
    const { diagnosisMarkdown } = await import('../../src/cli/human/diagnosis.js');
    const facts = { ...healthy(), connectivity: [{ server: 'lic|01<img src=x>`\\', code: 6, error: '' }] };
    const md = diagnosisMarkdown({ formatVersion: 1, kind: 'rdsplan-diagnosis', plan: { name: 'p', file: 'p.json' }, exitCode: 3, hosts: [{ host: 'h', exitCode: 3, error: null, facts, findings: findingsOf(facts) }] });
    expect(md).toContain('| ERROR | license-server-unusable: lic\\|01\\<img src=x\\>\\`\\\\: LS_NOT_CONNECTABLE (6): the license server cannot be reached |');
  });
});
