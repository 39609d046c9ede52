/**
 * The simulated platform's built-in default host and its state file: contents, the
 * platform API's return shapes over it, deterministic saving, reload, schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { GRACE, GRACE_SDDL, SimWorkspace, TIMEBOMB, repoRoot, stateKey, stateValue } from './harness.js';

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

describe('simulated host: built-in default and state file', () => {
  let first: Awaited<ReturnType<SimWorkspace['run']>>;

  beforeAll(async () => {
    first = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Write-TestResult -Label 'identity' -Value (Get-RdsHostIdentity)
Write-TestResult -Label 'graceSddl' -Value (Get-RdsRegistrySddl -Path '${GRACE}' -View 'Default')
Write-TestResult -Label 'graceNames' -Value @(Get-RdsRegistryValueName -Path '${GRACE}' -View 'Default')
Write-TestResult -Label 'timebomb' -Value (Get-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB.toLowerCase()}' -View 'Default')
Write-TestResult -Label 'mode' -Value (Get-RdsRegistryValue -Path 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core' -Name 'LicensingMode' -View 'Default')
Write-TestResult -Label 'servers' -Value (Get-RdsRegistryValue -Path 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers' -Name 'SpecifiedLicenseServers' -View 'Default')
Write-TestResult -Label 'store' -Value @(Get-RdsRegistrySubkeyName -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store' -View 'Default')
Write-TestResult -Label 'mslicensing' -Value @(Get-RdsRegistrySubkeyName -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing' -View 'Default')
Write-TestResult -Label 'policyExists' -Value (Test-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services' -View 'Default')
Write-TestResult -Label 'policyNames' -Value @(Get-RdsRegistryValueName -Path 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services' -View 'Default')
Write-TestResult -Label 'missingKey' -Value (Test-RdsRegistryKey -Path 'HKLM\\SOFTWARE\\Contoso' -View 'Default')
Write-TestResult -Label 'missingValue' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Contoso' -Name 'x' -View 'Default')
Write-TestResult -Label 'missingNames' -Value @(Get-RdsRegistryValueName -Path 'HKLM\\SOFTWARE\\Contoso' -View 'Default')
Write-TestResult -Label 'termService' -Value (Get-RdsService -Name 'termservice')
Write-TestResult -Label 'licensing' -Value (Get-RdsService -Name 'TermServLicensing')
Write-TestResult -Label 'noService' -Value (Get-RdsService -Name 'NoSuchService')
Write-TestResult -Label 'ts' -Value (Get-RdsTerminalServiceSetting)
Write-TestResult -Label 'days' -Value (Get-RdsGracePeriodDays)
Complete-RdsPlatform
`,
      'default.json',
    );
  });

  test('the run succeeds and saves the state file', () => {
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.state.format).toBe('rdsplan-sim-state/1');
  });

  test('GracePeriod: owned by NETWORK SERVICE, Administrators read only, holds the timebomb', () => {
    const r = first.results;
    expect(r.graceSddl).toBe(GRACE_SDDL);
    expect(r.graceNames).toEqual([TIMEBOMB]);
    // Case-insensitive lookup, stored case returned; canonical Binary = lowercase hex.
    expect(r.timebomb.Name).toBe(TIMEBOMB);
    expect(r.timebomb.Type).toBe('Binary');
    expect(r.timebomb.Data).toMatch(/^([0-9a-f]{2})+$/);
    expect(stateKey(first.state, GRACE)!.sddl).toBe(GRACE_SDDL);
  });

  test('licensing values, MSLicensing cache, empty policy key', () => {
    const r = first.results;
    expect(r.mode).toEqual({ Name: 'LicensingMode', Type: 'DWord', Data: 5 });
    expect(r.servers).toEqual({ Name: 'SpecifiedLicenseServers', Type: 'MultiString', Data: [] });
    expect(r.store).toEqual(['LICENSE000', 'LICENSE001']);
    expect(r.mslicensing).toEqual(['HardwareID', 'Store']);
    expect(r.policyExists).toBe(true);
    expect(r.policyNames).toEqual([]);
    expect(r.missingKey).toBe(false);
    expect(r.missingValue).toBeNull();
    expect(r.missingNames).toEqual([]);
    expect(stateValue(first.state, 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID', 'ClientHWID')!.type).toBe('Binary');
    for (const license of ['LICENSE000', 'LICENSE001']) {
      const v = stateValue(first.state, `HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\${license}`, 'ClientLicense');
      expect(v!.type).toBe('Binary');
    }
    const rcm = stateKey(first.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM')!;
    expect(rcm.values.map((v) => [v.name, v.type])).toEqual(
      expect.arrayContaining([
        ['Certificate', 'Binary'],
        ['X509 Certificate', 'Binary'],
        ['X509 Certificate ID', 'Binary'],
      ]),
    );
    // Administrators have full control on ordinary keys: only GracePeriod is locked.
    expect(stateKey(first.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService')!.sddl).toContain('(A;CIID;KA;;;BA)');
  });

  test('services, dependencies and start modes (mirrored in the registry)', () => {
    const r = first.results;
    expect(r.termService).toEqual({
      Name: 'TermService',
      StartMode: 'Manual',
      Status: 'Running',
      DependentServices: ['UmRdpService'],
      ServicesDependedOn: ['RpcSs'],
    });
    expect(r.licensing).toEqual({
      Name: 'TermServLicensing',
      StartMode: 'Automatic',
      Status: 'Running',
      DependentServices: [],
      ServicesDependedOn: ['RpcSs', 'EventLog'],
    });
    expect(r.noService).toBeNull();
    expect(Object.keys(first.state.services).sort()).toEqual(['EventLog', 'RpcSs', 'TermServLicensing', 'TermService', 'UmRdpService']);
    expect(stateValue(first.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService', 'Start')!.data).toBe(3);
    expect(stateValue(first.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermServLicensing', 'Start')!.data).toBe(2);
  });

  test('WMI settings, grace days, identity and token', () => {
    const r = first.results;
    expect(r.ts).toEqual({ LicensingType: 5, SpecifiedLicenseServers: [], PolicySourceLicensingType: 0, PolicySourceConfiguredLicenseServers: 0 });
    expect(r.days).toBe(97);
    expect(r.identity).toEqual({ ComputerName: 'RDSH01', UserName: 'CONTOSO\\Administrator', IsDomainJoined: true });
    const token = first.state.token;
    expect(token.user).toMatch(/^S-1-5-21-\d+-\d+-\d+-500$/);
    expect(token.groups).toContain('S-1-5-32-544');
    for (const p of ['SeTakeOwnershipPrivilege', 'SeRestorePrivilege', 'SeBackupPrivilege', 'SeShutdownPrivilege']) {
      expect(token.privileges[p]).toEqual({ held: true, enabled: false });
    }
    expect(first.state.terminalServices).toEqual({ graceDays: 97, timebombGraceDays: 97, graceDaysThrows: false });
  });

  test('call counters of the run are saved', () => {
    expect(first.state.calls['Get-RdsRegistryValue']).toBe(4);
    expect(first.state.calls['Get-RdsService']).toBe(3);
    expect(first.state.calls['*']).toBeUndefined();
    expect(first.state.callLog).toEqual([]);
  });

  test('the saved state validates against schemas/sim-state.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'sim-state.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(first.state);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The schema is not vacuous.
    expect(validate({ ...first.state, registry: { HKLM: { values: [{ name: 'x', type: 'DWord', data: -1 }] } } })).toBe(false);
  });

  test('reloading and saving again is byte-stable (sorted keys, same order) apart from counters', async () => {
    const before = readFileSync(first.statePath, 'utf8');
    const again = await ws.run('Initialize-RdsPlatform -Option $StatePath\nComplete-RdsPlatform', 'default.json', 'again.ps1');
    expect(again.exitCode).toBe(0);
    const after = readFileSync(first.statePath, 'utf8');
    const strip = (s: string) => {
      const o = JSON.parse(s);
      delete o.calls;
      return JSON.stringify(o);
    };
    expect(strip(after)).toBe(strip(before));
    const third = await ws.run('Initialize-RdsPlatform -Option $StatePath\nComplete-RdsPlatform', 'default.json', 'third.ps1');
    expect(third.exitCode).toBe(0);
    expect(readFileSync(first.statePath, 'utf8')).toBe(after);
    // Pretty-printed, ASCII, newline-terminated, top-level keys sorted.
    expect(after.endsWith('}\n')).toBe(true);
    expect(/^[\x00-\x7f]*$/.test(after)).toBe(true);
    expect(Object.keys(JSON.parse(after))).toEqual([...Object.keys(JSON.parse(after))].sort());
  });

  test('an empty -Option is refused; a broken state file is reported with its path', async () => {
    const r = await ws.run(
      `
Invoke-TestStep -Label 'empty' { Initialize-RdsPlatform -Option '' }
Invoke-TestStep -Label 'notInitialized' { Get-RdsHostIdentity }
[System.IO.File]::WriteAllText($StatePath, '{"registry": {"HKLM\\\\SOFTWARE": {"values": [{"name": "a", "type": "DWord", "data": 4294967296}]}}}')
Invoke-TestStep -Label 'badDword' { Initialize-RdsPlatform -Option $StatePath }
[System.IO.File]::WriteAllText($StatePath, '{"registry": {"HKLM\\\\SOFTWARE\\\\X": {"sddl": "O:BAG:SYD:(A;;QQ;;;BA)"}}}')
Invoke-TestStep -Label 'badSddl' { Initialize-RdsPlatform -Option $StatePath }
`,
      'broken.json',
      'broken.ps1',
    );
    expect(r.exitCode).toBe(0);
    expect(r.results.empty).toEqual({ ok: false, error: 'the simulated platform needs a state file' });
    expect(r.results.notInitialized.error).toMatch(/not initialized/);
    expect(r.results.badDword.error).toBe(`invalid simulated host state: invalid DWord data (HKLM\\SOFTWARE\\a) (${r.statePath})`);
    expect(r.results.badSddl.error).toMatch(/^invalid simulated host state: The SDDL form of a security descriptor object is invalid\./);
  });

  test('a minimal hand-written state: missing parents and SDDL are inherited, the rest defaults', async () => {
    ws.writeState('minimal.json', {
      registry: {
        'HKLM\\SOFTWARE\\Contoso\\App': { values: [{ name: 'Level', type: 'dword', data: 7 }] },
      },
      services: { Foo: { startMode: 'Disabled', status: 'Stopped' } },
    });
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Write-TestResult -Label 'sddl' -Value (Get-RdsRegistrySddl -Path 'HKLM\\SOFTWARE\\Contoso\\App' -View 'Default')
Write-TestResult -Label 'level' -Value (Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Contoso\\App' -Name 'level' -View 'Default')
Write-TestResult -Label 'foo' -Value (Get-RdsService -Name 'Foo')
Complete-RdsPlatform
`,
      'minimal.json',
      'minimal.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.level).toEqual({ Name: 'Level', Type: 'DWord', Data: 7 });
    expect(r.results.sddl).toBe('O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)');
    expect(r.results.foo.StartMode).toBe('Disabled');
    expect(Object.keys(r.state.registry)).toEqual(
      expect.arrayContaining(['HKLM\\SOFTWARE', 'HKLM\\SOFTWARE\\Contoso', 'HKLM\\SOFTWARE\\Contoso\\App', 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Foo']),
    );
    expect(stateValue(r.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Foo', 'Start')!.data).toBe(4);
  });
});
