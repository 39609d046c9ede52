/**
 * The action templates against the simulated Windows of platform/sim (not the fake): a
 * failure at the end of a plan rolls every change back, and the registry, services and
 * license settings are as before. (The full end-to-end tests through the renderer live
 * elsewhere; this one pins the undo paths of the templates on a realistic ACL model.)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { runScript } from './harness.js';

const GP = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';

const STEPS = [
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.own' -Action 'registry.takeOwnership' -RunWhen 'always' -DependsOn @('grace.export') -Parameters @{ Path = '${GP}'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.delete' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $true }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.restore' -Action 'registry.restoreSecurity' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; FromStep = 'grace.own' }`,
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'cache.export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing'; View = 'Default' }",
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'cache.delete' -Action 'registry.deleteKey' -RunWhen 'always' -DependsOn @('cache.export') -Parameters @{ Path = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing'; View = 'Default'; Recurse = $true }",
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'lic.servers' -Action 'rds.setLicenseServers' -RunWhen 'always' -DependsOn @() -Parameters @{ Servers = @('ls1.contoso.com'); Via = 'wmi' }",
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'lic.mode' -Action 'rds.setLicensingMode' -RunWhen 'always' -DependsOn @() -Parameters @{ Mode = 'PerUser'; Via = 'policy' }",
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'val' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Contoso'; View = '32'; Name = 'Q'; Type = 'QWord'; Data = '18446744073709551615' }",
  "Invoke-RdsPlanStep -Context $RdsContext -StepId 'boom' -Action 'service.stop' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'NoSuchService' }",
].join('\n');

describe('action templates on the simulated host', () => {
  test('a late failure rolls everything back to the starting registry', async () => {
    // An empty plan saves the default host; the real plan starts from that file.
    const stateFile = join(mkdtempSync(join(tmpdir(), 'rdsplan-sim-')), 'state.json');
    const seed = await runScript({ platform: 'sim', steps: '' }, ['-SimulationState', stateFile]);
    expect(seed.exitCode).toBe(0);
    const before = JSON.parse(readFileSync(stateFile, 'utf8'));
    const r = await runScript({ platform: 'sim', steps: STEPS }, ['-SimulationState', stateFile]);
    expect(r.steps.map((s) => `${s.stepId}:${s.status}`)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'cache.export:changed',
      'cache.delete:changed',
      'lic.servers:changed',
      'lic.mode:changed',
      'val:changed',
      'boom:failed',
      'val:rolledBack',
      'lic.mode:rolledBack',
      'lic.servers:rolledBack',
      'cache.delete:rolledBack',
      'grace.restore:rolledBack',
      'grace.delete:rolledBack',
      'grace.own:rolledBack',
    ]);
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
    expect(r.exitCode).toBe(1);
    const after = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(after.registry).toEqual(before.registry);
    expect(after.token).toEqual(before.token);
  });
});
