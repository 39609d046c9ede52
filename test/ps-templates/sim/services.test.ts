/**
 * Simulated services (dependencies, start modes mirrored in the registry), the
 * Win32_TerminalServiceSetting provider (grace-days quirk, license servers, licensing mode)
 * and host restarts.
 */
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { GRACE, OPEN_GRACE_PERIOD, SimWorkspace, TIMEBOMB, defaultState, stateValue } from './harness.js';

let ws: SimWorkspace;
beforeAll(() => {
  ws = new SimWorkspace();
});
afterAll(() => ws.dispose());

const SERVICES = 'HKLM\\SYSTEM\\CurrentControlSet\\Services';

describe('simulated host: services', () => {
  let run: Awaited<ReturnType<SimWorkspace['run']>>;

  beforeAll(async () => {
    run = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
function Get-TestStatus { param([string[]] $Names) $r = @{}; foreach ($n in $Names) { $r[$n] = (Get-RdsService -Name $n).Status }; return $r }
$names = @('TermService', 'UmRdpService', 'RpcSs')
Invoke-TestStep -Label 'stopNoForce' { Stop-RdsService -Name 'TermService' }
Write-TestResult -Label 'afterRefusal' -Value (Get-TestStatus $names)
Invoke-TestStep -Label 'restartNoForce' { Restart-RdsService -Name 'TermService' }
Invoke-TestStep -Label 'stopForce' { Stop-RdsService -Name 'TermService' -Force; Get-TestStatus $names }
Invoke-TestStep -Label 'stopAgain' { Stop-RdsService -Name 'TermService' }
Invoke-TestStep -Label 'start' { Start-RdsService -Name 'TermService'; Get-TestStatus $names }
Invoke-TestStep -Label 'startUm' { Start-RdsService -Name 'UmRdpService'; Get-TestStatus $names }
Invoke-TestStep -Label 'restartForce' { Restart-RdsService -Name 'TermService' -Force; Get-TestStatus $names }
Invoke-TestStep -Label 'stopRpcForce' { Stop-RdsService -Name 'RpcSs' -Force; Get-TestStatus @('RpcSs', 'TermService', 'UmRdpService', 'TermServLicensing', 'EventLog') }
Invoke-TestStep -Label 'startUmPullsDependencies' { Start-RdsService -Name 'UmRdpService'; Get-TestStatus @('RpcSs', 'TermService', 'UmRdpService', 'TermServLicensing') }
Invoke-TestStep -Label 'disable' { Set-RdsServiceStartMode -Name 'termservlicensing' -StartMode 'Disabled'; Get-RdsRegistryValue -Path '${SERVICES}\\TermServLicensing' -Name 'Start' -View 'Default' }
Invoke-TestStep -Label 'startDisabled' { Start-RdsService -Name 'TermServLicensing' }
Invoke-TestStep -Label 'modeAfterDisable' { (Get-RdsService -Name 'TermServLicensing').StartMode }
Invoke-TestStep -Label 'delayed' { Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'AutomaticDelayedStart'; (Get-RdsService -Name 'TermServLicensing').StartMode; (Get-RdsRegistryValue -Path '${SERVICES}\\TermServLicensing' -Name 'DelayedAutostart' -View 'Default').Data }
Invoke-TestStep -Label 'automaticClearsDelayed' { Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'Automatic'; (Get-RdsService -Name 'TermServLicensing').StartMode; (Get-RdsRegistryValue -Path '${SERVICES}\\TermServLicensing' -Name 'DelayedAutostart' -View 'Default').Data }
Invoke-TestStep -Label 'registryEdit' { Set-RdsRegistryValue -Path '${SERVICES}\\TermServLicensing' -Name 'Start' -Type 'DWord' -Data 4 -View 'Default'; (Get-RdsService -Name 'TermServLicensing').StartMode }
Invoke-TestStep -Label 'invalidMode' { Set-RdsServiceStartMode -Name 'TermService' -StartMode 'Boot' }
Invoke-TestStep -Label 'missing' { Stop-RdsService -Name 'NoSuchService' }
Invoke-TestStep -Label 'missingMode' { Set-RdsServiceStartMode -Name 'NoSuchService' -StartMode 'Manual' }
Complete-RdsPlatform
`,
      'services.json',
      'services.ps1',
    );
  });

  test('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  test('stopping TermService with a running dependent needs -Force; -Force stops UmRdpService first', () => {
    const refusal = "Cannot stop service 'Remote Desktop Services (TermService)' because it has dependent services. It can only be stopped if the Force flag is set.";
    expect(run.results.stopNoForce).toEqual({ ok: false, error: refusal });
    expect(run.results.afterRefusal).toEqual({ TermService: 'Running', UmRdpService: 'Running', RpcSs: 'Running' });
    expect(run.results.restartNoForce).toEqual({ ok: false, error: refusal });
    expect(run.results.stopForce).toEqual({ ok: true, value: { TermService: 'Stopped', UmRdpService: 'Stopped', RpcSs: 'Running' } });
    // Stopping a stopped service (no running dependents) is a no-op.
    expect(run.results.stopAgain).toEqual({ ok: true, value: null });
  });

  test('starting does not start dependents; Restart -Force restarts the dependents it stopped', () => {
    expect(run.results.start.value).toEqual({ TermService: 'Running', UmRdpService: 'Stopped', RpcSs: 'Running' });
    expect(run.results.startUm.value).toEqual({ TermService: 'Running', UmRdpService: 'Running', RpcSs: 'Running' });
    expect(run.results.restartForce.value).toEqual({ TermService: 'Running', UmRdpService: 'Running', RpcSs: 'Running' });
    expect(run.results.stopRpcForce.value).toEqual({
      RpcSs: 'Stopped',
      TermService: 'Stopped',
      UmRdpService: 'Stopped',
      TermServLicensing: 'Stopped',
      EventLog: 'Running',
    });
    // Starting a service starts what it depends on, transitively, and nothing else.
    expect(run.results.startUmPullsDependencies.value).toEqual({ RpcSs: 'Running', TermService: 'Running', UmRdpService: 'Running', TermServLicensing: 'Stopped' });
  });

  test('start modes: Disabled cannot start; modes and delayed start live in the registry', () => {
    expect(run.results.disable).toEqual({ ok: true, value: { Name: 'Start', Type: 'DWord', Data: 4 } });
    expect(run.results.startDisabled).toEqual({
      ok: false,
      error: "Service 'Remote Desktop Licensing (TermServLicensing)' cannot be started due to the following error: Cannot start service TermServLicensing on computer '.'.",
    });
    expect(run.results.modeAfterDisable.value).toBe('Disabled');
    expect(run.results.delayed.value).toEqual(['AutomaticDelayedStart', 1]);
    expect(run.results.automaticClearsDelayed.value).toEqual(['Automatic', 0]);
    // A plan that edits Start directly is seen by Get-RdsService.
    expect(run.results.registryEdit.value).toBe('Disabled');
    expect(run.results.invalidMode.ok).toBe(false);
    expect(run.results.missing).toEqual({ ok: false, error: 'service NoSuchService not found' });
    expect(run.results.missingMode).toEqual({ ok: false, error: 'service NoSuchService not found' });
  });

  test('the saved services table agrees with the registry', () => {
    expect(run.state.services.TermServLicensing.startMode).toBe('Disabled');
    expect(run.state.services.TermServLicensing.status).toBe('Stopped');
    expect(stateValue(run.state, `${SERVICES}\\TermServLicensing`, 'Start')!.data).toBe(4);
    expect(run.state.services.UmRdpService.servicesDependedOn).toEqual(['TermService']);
  });
});

describe('simulated host: Win32_TerminalServiceSetting and reboots', () => {
  test('grace days are read at TermService start: deleting the timebomb shows 120 only after a restart', async () => {
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Write-TestResult -Label 'initial' -Value (Get-RdsGracePeriodDays)
Restart-RdsService -Name 'TermService' -Force
Write-TestResult -Label 'restartWithValue' -Value (Get-RdsGracePeriodDays)
${OPEN_GRACE_PERIOD}
Remove-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default'
Write-TestResult -Label 'deletedNoRestart' -Value (Get-RdsGracePeriodDays)
Restart-RdsService -Name 'TermService' -Force
Write-TestResult -Label 'deletedRestarted' -Value (Get-RdsGracePeriodDays)
Complete-RdsPlatform
`,
      'grace.json',
      'grace.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.initial).toBe(97);
    expect(r.results.restartWithValue).toBe(97);
    expect(r.results.deletedNoRestart).toBe(97);
    expect(r.results.deletedRestarted).toBe(120);
    expect(r.state.terminalServices).toEqual({ graceDays: 120, timebombGraceDays: 120, graceDaysThrows: false });
  });

  test('an expired host (graceDaysThrows) returns null until the reset takes effect', async () => {
    const state = await defaultState(ws, 'expired.json');
    state.terminalServices = { graceDays: 0, timebombGraceDays: 0, graceDaysThrows: true };
    ws.writeState('expired.json', state);
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Write-TestResult -Label 'expired' -Value (Get-RdsGracePeriodDays)
Restart-RdsService -Name 'TermService' -Force
Write-TestResult -Label 'restartedWithValue' -Value (Get-RdsGracePeriodDays)
${OPEN_GRACE_PERIOD}
Remove-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default'
Stop-RdsService -Name 'TermService' -Force
Write-TestResult -Label 'stopped' -Value (Get-RdsGracePeriodDays)
Start-RdsService -Name 'TermService'
Write-TestResult -Label 'started' -Value (Get-RdsGracePeriodDays)
Complete-RdsPlatform
`,
      'expired.json',
      'expired.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.expired).toBeNull();
    expect(r.results.restartedWithValue).toBeNull();
    expect(r.results.stopped).toBeNull();
    expect(r.results.started).toBe(120);
  });

  test('Restart-RdsHost records the reboot; the next run completes it (TermService re-reads the grace period)', async () => {
    const r1 = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
${OPEN_GRACE_PERIOD}
Remove-RdsRegistryValue -Path '${GRACE}' -Name '${TIMEBOMB}' -View 'Default'
Set-RdsServiceStartMode -Name 'TermServLicensing' -StartMode 'Disabled'
Restart-RdsHost -DelaySeconds 30
Write-TestResult -Label 'days' -Value (Get-RdsGracePeriodDays)
Complete-RdsPlatform
`,
      'reboot.json',
      'reboot1.ps1',
    );
    expect(r1.stderr).toBe('');
    expect(r1.results.days).toBe(97);
    expect(r1.state.host).toMatchObject({ rebootPending: true, rebootCount: 1, lastRebootDelaySeconds: 30 });
    expect(r1.state.services.TermServLicensing.status).toBe('Running');
    const r2 = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Write-TestResult -Label 'days' -Value (Get-RdsGracePeriodDays)
Write-TestResult -Label 'licensing' -Value (Get-RdsService -Name 'TermServLicensing').Status
Complete-RdsPlatform
`,
      'reboot.json',
      'reboot2.ps1',
    );
    expect(r2.stderr).toBe('');
    expect(r2.results.days).toBe(120);
    expect(r2.results.licensing).toBe('Stopped');
    expect(r2.state.host).toMatchObject({ rebootPending: false, rebootCount: 1 });
  });

  test('license servers and licensing mode: WMI writes the registry; policy values win', async () => {
    const r = await ws.run(
      `
Initialize-RdsPlatform -Option $StatePath
Set-RdsSpecifiedLicenseServer -Server @('ls1.contoso.com', 'ls2.contoso.com')
Set-RdsLicensingType -Type 4
Write-TestResult -Label 'local' -Value (Get-RdsTerminalServiceSetting)
Write-TestResult -Label 'multi' -Value (Get-RdsRegistryValue -Path '${SERVICES}\\TermService\\Parameters\\LicenseServers' -Name 'SpecifiedLicenseServers' -View 'Default')
Write-TestResult -Label 'mode' -Value (Get-RdsRegistryValue -Path 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core' -Name 'LicensingMode' -View 'Default').Data
$policy = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services'
Set-RdsRegistryValue -Path $policy -Name 'LicensingMode' -Type 'DWord' -Data 2 -View 'Default'
Set-RdsRegistryValue -Path $policy -Name 'LicenseServers' -Type 'String' -Data 'gpo-ls.contoso.com, gpo-ls2' -View 'Default'
Write-TestResult -Label 'policy' -Value (Get-RdsTerminalServiceSetting)
Set-RdsSpecifiedLicenseServer -Server @()
Write-TestResult -Label 'emptied' -Value (Get-RdsRegistryValue -Path '${SERVICES}\\TermService\\Parameters\\LicenseServers' -Name 'SpecifiedLicenseServers' -View 'Default').Data
Invoke-TestStep -Label 'badMode' { Set-RdsLicensingType -Type 3 }
Complete-RdsPlatform
`,
      'wmi.json',
      'wmi.ps1',
    );
    expect(r.stderr).toBe('');
    expect(r.results.local).toEqual({
      LicensingType: 4,
      SpecifiedLicenseServers: ['ls1.contoso.com', 'ls2.contoso.com'],
      PolicySourceLicensingType: 0,
      PolicySourceConfiguredLicenseServers: 0,
    });
    expect(r.results.multi).toEqual({ Name: 'SpecifiedLicenseServers', Type: 'MultiString', Data: ['ls1.contoso.com', 'ls2.contoso.com'] });
    expect(r.results.mode).toBe(4);
    expect(r.results.policy).toEqual({
      LicensingType: 2,
      SpecifiedLicenseServers: ['gpo-ls.contoso.com', 'gpo-ls2'],
      PolicySourceLicensingType: 1,
      PolicySourceConfiguredLicenseServers: 1,
    });
    expect(r.results.emptied).toEqual([]);
    expect(r.results.badMode).toEqual({ ok: false, error: 'Win32_TerminalServiceSetting.ChangeMode returned 87 (LicensingType 3: Invalid parameter)' });
  });
});
