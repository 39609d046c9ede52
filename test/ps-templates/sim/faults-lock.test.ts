/**
 * Fault injection (the state's "faults"), call counters, and the host lock file that keeps
 * two runs off one simulated host while a fleet of hosts runs in parallel.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { SimWorkspace, defaultState, stateValue } from './harness.js';

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

const KEY = 'HKLM\\SOFTWARE\\Contoso';

describe('simulated host: fault injection and call counters', () => {
  test('nth call of a function fails with the given message; the other calls apply', async () => {
    const state = await defaultState(ws, 'nth.json');
    state.faults = [{ call: 'Set-RdsRegistryValue', nth: 3, message: 'The device is not ready.' }];
    ws.writeState('nth.json', state);
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
foreach ($i in 1..4) {
    Invoke-TestStep -Label ('set' + $i) { Set-RdsRegistryValue -Path '${KEY}' -Name ('v' + $i) -Type 'DWord' -Data $i -View 'Default' }
}
Write-TestResult -Label 'names' -Value @(Get-RdsRegistryValueName -Path '${KEY}' -View 'Default')
Complete-RdsPlatform
`,
      'nth.json',
      'nth.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.set1.ok).toBe(true);
    expect(r.results.set2.ok).toBe(true);
    expect(r.results.set3).toEqual({ ok: false, error: 'The device is not ready.' });
    expect(r.results.set4.ok).toBe(true);
    expect(r.results.names).toEqual(['v1', 'v2', 'v4']);
    expect(r.state.calls['Set-RdsRegistryValue']).toBe(4);
    expect(r.state.calls['Get-RdsRegistryValueName']).toBe(1);
    expect(r.state.calls['*']).toBe(4);
    expect(r.state.faults).toEqual([{ call: 'Set-RdsRegistryValue', nth: 3, message: 'The device is not ready.', error: 'Failed', fired: 1 }]);
    expect(r.state.callLog).toEqual([1, 2, 3, 4].map((i) => ({ call: 'Set-RdsRegistryValue', path: KEY, name: `v${i}` })));
  });

  test('a path-specific AccessDenied fault fails every call on that path with the real message, and only there', async () => {
    const state = await defaultState(ws, 'path.json');
    state.faults = [
      { call: 'Remove-RdsRegistryValue', path: 'hklm\\software\\microsoft\\mslicensing\\store\\license000', error: 'AccessDenied' },
      { call: 'Stop-RdsService', name: 'TermServLicensing', error: 'AccessDenied' },
      { call: 'Get-RdsRegistryValue', name: 'ClientHWID', error: 'NotFound' },
    ];
    ws.writeState('path.json', state);
    const store = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store';
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'denied1' { Remove-RdsRegistryValue -Path '${store}\\LICENSE000' -Name 'ClientLicense' -View 'Default' }
Invoke-TestStep -Label 'denied2' { Remove-RdsRegistryValue -Path '${store}\\LICENSE000' -Name 'ProductID' -View 'Default' }
Invoke-TestStep -Label 'other' { Remove-RdsRegistryValue -Path '${store}\\LICENSE001' -Name 'ClientLicense' -View 'Default' }
Invoke-TestStep -Label 'otherFunction' { Set-RdsRegistryValue -Path '${store}\\LICENSE000' -Name 'ClientLicense' -Type 'Binary' -Data '00' -View 'Default' }
Invoke-TestStep -Label 'service' { Stop-RdsService -Name 'TermServLicensing' }
Invoke-TestStep -Label 'read' { Get-RdsRegistryValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID' -Name 'ClientHWID' -View 'Default' }
Complete-RdsPlatform
`,
      'path.json',
      'path.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.denied1).toEqual({ ok: false, error: `Requested registry access is not allowed. (${store}\\LICENSE000)` });
    expect(r.results.denied2).toEqual(r.results.denied1);
    expect(r.results.other.ok).toBe(true);
    expect(r.results.otherFunction.ok).toBe(true);
    expect(r.results.service).toEqual({ ok: false, error: 'Access is denied. (TermServLicensing)' });
    expect(r.results.read).toEqual({ ok: false, error: 'The system cannot find the file specified. (HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID)' });
    // Nothing of the failed calls was applied.
    expect(stateValue(r.state, `${store}\\LICENSE000`, 'ProductID')).toBeDefined();
    expect(stateValue(r.state, `${store}\\LICENSE000`, 'ClientLicense')!.data).toBe('00');
    expect(stateValue(r.state, `${store}\\LICENSE001`, 'ClientLicense')).toBeUndefined();
    expect(r.state.services.TermServLicensing.status).toBe('Running');
    expect(r.state.faults.map((f: any) => f.fired)).toEqual([2, 1, 1]);
  });

  test('"*" with nth counts mutating calls of any kind (reads and privileges do not count)', async () => {
    const state = await defaultState(ws, 'star.json');
    state.faults = [{ call: '*', nth: 3 }];
    ws.writeState('star.json', state);
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'm1' { New-RdsRegistryKey -Path '${KEY}' -View 'Default' }
Invoke-TestStep -Label 'r1' { Get-RdsRegistryValue -Path '${KEY}' -Name 'x' -View 'Default' }
Invoke-TestStep -Label 'p1' { Enable-RdsPrivilege -Name 'SeBackupPrivilege' }
Invoke-TestStep -Label 'm2' { Set-RdsServiceStartMode -Name 'TermService' -StartMode 'Manual' }
Invoke-TestStep -Label 'r2' { Get-RdsService -Name 'TermService' | Out-Null }
Invoke-TestStep -Label 'm3' { Set-RdsLicensingType -Type 2 }
Invoke-TestStep -Label 'm4' { Set-RdsLicensingType -Type 2 }
Complete-RdsPlatform
`,
      'star.json',
      'star.ps1',
    );
    expect(r.stderr).toBe('');
    for (const ok of ['m1', 'r1', 'p1', 'm2', 'r2', 'm4']) expect([ok, r.results[ok].ok]).toEqual([ok, true]);
    expect(r.results.m3).toEqual({ ok: false, error: 'simulated failure of Set-RdsLicensingType (2)' });
    expect(r.state.calls['*']).toBe(4);
    expect(r.state.callLog.map((c: any) => c.call)).toEqual(['New-RdsRegistryKey', 'Set-RdsServiceStartMode', 'Set-RdsLicensingType', 'Set-RdsLicensingType']);
    expect(stateValue(r.state, 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core', 'LicensingMode')!.data).toBe(2);
  });

  test('an invalid fault is reported when loading the state', async () => {
    const state = await defaultState(ws, 'badfault.json');
    state.faults = [{ call: 'Set-RdsRegistryValue', nth: 0 }];
    ws.writeState('badfault.json', state);
    const r = await ws.run(`Invoke-TestStep -Label 'init' { Initialize-RdsPlatform -Option $StatePath }`, 'badfault.json', 'badfault.ps1');
    expect(r.results.init).toEqual({ ok: false, error: `invalid simulated host state: faults: nth counts from 1 (${r.statePath})` });
  });
});

describe('simulated host: host lock file', () => {
  const lockBody = (holdMs: number) => `
Initialize-RdsPlatform -Option $StatePath
try {
    Lock-RdsHost -Name 'rdsplan'
}
catch {
    # As the runtime does: a refused lock ends the run before anything is changed or saved.
    Write-TestResult -Label 'lock' -Value @{ ok = $false; error = $_.Exception.Message }
    return
}
Write-TestResult -Label 'lock' -Value @{ ok = $true }
Write-TestResult -Label 'lockFile' -Value ([System.IO.File]::Exists($StatePath + '.lock'))
Invoke-TestStep -Label 'again' { Lock-RdsHost -Name 'rdsplan' }
[System.Threading.Thread]::Sleep(${holdMs})
Set-RdsRegistryValue -Path '${KEY}' -Name 'Run' -Type 'String' -Data ([System.IO.Path]::GetFileName($StatePath)) -View 'Default'
Invoke-TestStep -Label 'unlock' { Unlock-RdsHost -Name 'rdsplan' }
Write-TestResult -Label 'lockFileAfter' -Value ([System.IO.File]::Exists($StatePath + '.lock'))
Complete-RdsPlatform
`;

  test('Lock creates <state>.lock, a second lock is refused, Unlock removes it', async () => {
    const r = await ws.run(lockBody(0), 'lock.json', 'lock.ps1');
    expect(r.stderr).toBe('');
    expect(r.results.lock).toEqual({ ok: true });
    expect(r.results.lockFile).toBe(true);
    expect(r.results.again).toEqual({ ok: false, error: `Another rdsplan run holds the host lock (${r.statePath}.lock)` });
    expect(r.results.unlock.ok).toBe(true);
    expect(r.results.lockFileAfter).toBe(false);
    expect(existsSync(`${r.statePath}.lock`)).toBe(false);
  });

  test('a run against a state file whose lock is held elsewhere is refused, and leaves that lock alone', async () => {
    const statePath = ws.path('held.json');
    writeFileSync(`${statePath}.lock`, '{"name":"rdsplan","processId":1}\n');
    const r = await ws.run(lockBody(0), 'held.json', 'held.ps1');
    expect(r.results.lock).toEqual({ ok: false, error: `Another rdsplan run holds the host lock (${statePath}.lock)` });
    expect(existsSync(`${statePath}.lock`)).toBe(true);
  });

  test('a refused run never saves; a run that locks works on the state as saved at lock time and saves at unlock', async () => {
    await defaultState(ws, 'refused.json');
    const statePath = ws.path('refused.json');
    const before = readFileSync(statePath, 'utf8');
    writeFileSync(`${statePath}.lock`, '{"name":"rdsplan","processId":1}\n');
    const refused = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Invoke-TestStep -Label 'lock' { Lock-RdsHost -Name 'rdsplan' }
Set-RdsRegistryValue -Path '${KEY}' -Name 'Lost' -Type 'DWord' -Data 1 -View 'Default'
Unlock-RdsHost -Name 'rdsplan'
Complete-RdsPlatform
`,
      'refused.json',
      'refused.ps1',
    );
    expect(refused.stderr).toBe('');
    expect(refused.results.lock.ok).toBe(false);
    expect(readFileSync(statePath, 'utf8')).toBe(before);
    expect(existsSync(`${statePath}.lock`)).toBe(true);
    rmSync(`${statePath}.lock`);

    const reloaded = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
[void](Get-RdsHostIdentity)
# Another run saves the host between this run's Initialize and its lock.
$text = [System.IO.File]::ReadAllText($StatePath).Replace('"graceDays": 97', '"graceDays": 50')
[System.IO.File]::WriteAllText($StatePath, $text)
Lock-RdsHost -Name 'rdsplan'
Write-TestResult -Label 'days' -Value (Get-RdsGracePeriodDays)
Set-RdsRegistryValue -Path '${KEY}' -Name 'Kept' -Type 'DWord' -Data 1 -View 'Default'
Unlock-RdsHost -Name 'rdsplan'
# After the unlock the host may belong to another run: nothing more is saved.
Set-RdsRegistryValue -Path '${KEY}' -Name 'AfterUnlock' -Type 'DWord' -Data 1 -View 'Default'
Complete-RdsPlatform
`,
      'refused.json',
      'reloaded.ps1',
    );
    expect(reloaded.stderr).toBe('');
    expect(reloaded.results.days).toBe(50);
    expect(stateValue(reloaded.state, KEY, 'Kept')!.data).toBe(1);
    expect(stateValue(reloaded.state, KEY, 'AfterUnlock')).toBeUndefined();
    expect(reloaded.state.terminalServices.graceDays).toBe(50);
    expect(reloaded.state.calls['Get-RdsHostIdentity']).toBe(1);
    expect(reloaded.state.calls['Unlock-RdsHost']).toBe(1);
  });

  test('a fleet (one state file per host) runs in parallel; a second run on a held host is refused', async () => {
    const fleet = await Promise.all(['host-a', 'host-b', 'host-c'].map((h) => ws.run(lockBody(1500), `${h}.json`, `${h}.ps1`)));
    for (const r of fleet) {
      expect(r.stderr).toBe('');
      expect(r.results.lock).toEqual({ ok: true });
      expect(stateValue(r.state, KEY, 'Run')!.data).toBe(r.statePath.split('/').pop());
      expect(existsSync(`${r.statePath}.lock`)).toBe(false);
    }
    // Two runs on one host: the second starts while the first holds the lock.
    const shared = ws.path('shared.json');
    const first = ws.run(lockBody(8000), 'shared.json', 'shared-1.ps1');
    const deadline = Date.now() + 60_000;
    while (!existsSync(`${shared}.lock`) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(existsSync(`${shared}.lock`)).toBe(true);
    const second = await ws.run(lockBody(0), 'shared.json', 'shared-2.ps1');
    expect(second.results.lock).toEqual({ ok: false, error: `Another rdsplan run holds the host lock (${shared}.lock)` });
    expect(existsSync(`${shared}.lock`)).toBe(true);
    const done = await first;
    expect(done.stderr).toBe('');
    expect(done.results.lock).toEqual({ ok: true });
    expect(stateValue(done.state, KEY, 'Run')!.data).toBe('shared.json');
    expect(existsSync(`${shared}.lock`)).toBe(false);
  });
});
