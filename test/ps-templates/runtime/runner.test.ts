import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { repoRoot, runScript, type RunResult } from './harness.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'result.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false }).compile(schema);

function expectValidEvents(r: RunResult): void {
  for (const e of r.events) {
    const ok = validate(e);
    if (!ok) throw new Error(`invalid event ${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
  }
}

const statuses = (r: RunResult) => r.steps.map((s) => `${s.stepId}:${s.status}`);
const calls = (r: RunResult): string[] => r.fake?.calls ?? [];
const GP = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
const TIMEBOMB = 'L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588';
const ORIGINAL_SDDL = 'O:NSG:SYD:(A;CI;KR;;;BA)(A;CI;KA;;;NS)';

/** The grace-period preset as the renderer expands it. */
const GRACE_SETUP = [
  `Set-FakeValue -Path '${GP}' -Name '${TIMEBOMB}' -Type 'Binary' -Data '00aa'`,
  "$script:FakeServices['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }",
].join('\n');
const GRACE_STEPS = [
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.own' -Action 'registry.takeOwnership' -RunWhen 'always' -DependsOn @('grace.export') -Parameters @{ Path = '${GP}'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.delete' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.restore' -Action 'registry.restoreSecurity' -RunWhen 'always' -DependsOn @('grace.own') -Parameters @{ Path = '${GP}'; View = 'Default'; FromStep = 'grace.own' }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn @() -Parameters @{ Name = 'TermService'; Force = $true }`,
  `Invoke-RdsPlanStep -Context $RdsContext -StepId 'grace.days' -Action 'rds.getGracePeriodDays' -RunWhen 'always' -DependsOn @() -Parameters @{}`,
].join('\n');

const gpKey = (r: RunResult) => r.fake?.keys?.[GP];

describe('step runner (runtime + actions on a fake platform)', () => {
  test('apply: grace period reset changes, backs up, restores the ACL and succeeds', async () => {
    const r = await runScript({ setup: GRACE_SETUP, steps: GRACE_STEPS });
    expect(r.stderr).toBe('');
    expectValidEvents(r);
    expect(r.exitCode).toBe(0);
    expect(r.events[0]).toMatchObject({ event: 'start', mode: 'apply', plan: 'test-plan', runId: 'run-1', host: 'FAKEHOST', user: 'FAKE\\admin' });
    expect(statuses(r)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:changed',
      'grace.days:unchanged',
    ]);
    expect(r.summary).toMatchObject({ status: 'succeeded', counts: { changed: 5, unchanged: 1, wouldChange: 0, skipped: 0, failed: 0, rolledBack: 0 }, rebootRequired: false });
    expect(r.events.at(-1)?.event).toBe('summary');
    // Final state: value gone, key kept, original owner and ACL back, privileges disabled, lock released.
    expect(gpKey(r)).toEqual({ Sddl: ORIGINAL_SDDL, Values: {} });
    expect(r.fake?.privileges).toEqual([]);
    expect(r.fake?.lock).toBe(false);
    // The backup: .reg file + .sddl beside it, sha256 of the file's bytes.
    const exp = r.steps[0]!;
    const file = exp.backup.file as string;
    expect(file).toBe(join(r.dir, 'backups', 'run-1', 'grace.export.reg'));
    expect(exp.backup.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(readFileSync(`${file}.sddl`, 'utf8').trim()).toBe(ORIGINAL_SDDL);
    expect(r.steps[6 - 1]!.after).toEqual({ DaysLeft: 42 });
    // The journal holds one line per undoable change.
    const journal = readFileSync(join(r.dir, 'backups', 'run-1', 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.map((j) => j.stepId)).toEqual(['grace.own', 'grace.delete', 'grace.restore']);
    expect(journal[1].undo.Values).toEqual([{ Name: TIMEBOMB, Type: 'Binary', Data: '00aa' }]);
  });

  test('check mode (-WhatIf): wouldChange with before/after, no Set call, nothing written, exit 0', async () => {
    const r = await runScript({ setup: GRACE_SETUP, steps: GRACE_STEPS }, ['-WhatIf']);
    expectValidEvents(r);
    expect(r.exitCode).toBe(0);
    expect(r.events[0]).toMatchObject({ event: 'start', mode: 'check' });
    expect(statuses(r)).toEqual([
      'grace.export:wouldChange',
      'grace.own:wouldChange',
      'grace.delete:wouldChange',
      'grace.restore:wouldChange',
      'grace.restart:wouldChange',
      'grace.days:unchanged',
    ]);
    const del = r.steps[2]!;
    expect(del.before).toEqual({ Values: [{ Name: TIMEBOMB, Type: 'Binary', Data: '00aa' }] });
    expect(del.after).toEqual({ Values: [] });
    const mutating = calls(r).filter((c) => /^(Set|Remove|New|Export|Import|Add|Enable|Restart|Start|Stop)-Rds/.test(c));
    expect(mutating).toEqual([]);
    expect(gpKey(r)?.Values?.[TIMEBOMB]).toEqual({ Name: TIMEBOMB, Type: 'Binary', Data: '00aa' });
    expect(existsSync(join(r.dir, 'backups'))).toBe(false);
    expect(r.summary).toMatchObject({ status: 'succeeded', counts: { wouldChange: 5, unchanged: 1 } });
  });

  test('a step already in its desired state is unchanged and restart handlers are skipped', async () => {
    const r = await runScript({
      setup: "Set-FakeValue -Path 'HKLM\\SOFTWARE\\Contoso' -Name 'Mode' -Type 'DWord' -Data 4\n$script:FakeServices['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }",
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'mode' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Contoso'; View = 'Default'; Name = 'Mode'; Type = 'DWord'; Data = 4 }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn @() -Parameters @{ Name = 'TermService'; Force = $true }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['mode:unchanged', 'restart:skipped']);
    expect(r.steps[0]).toMatchObject({ before: { Exists: true, Type: 'DWord', Data: 4 }, after: { Exists: true, Type: 'DWord', Data: 4 } });
    expect(r.steps[1]!.message).toBe('skipped: no earlier step changed anything');
    expect(calls(r)).not.toContain('Restart-RdsService|TermService');
    expect(r.exitCode).toBe(0);
  });

  test('a platform error fails the step with the platform message, unprefixed; rollback undoes in reverse order', async () => {
    const r = await runScript({
      setup: GRACE_SETUP + "\n$script:FakeFail['Restart-RdsService|TermService'] = 'Cannot stop service TermService (TermService)'",
      steps: GRACE_STEPS,
    });
    expectValidEvents(r);
    expect(r.exitCode).toBe(1);
    expect(statuses(r)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:failed',
      'grace.restore:rolledBack',
      'grace.delete:rolledBack',
      'grace.own:rolledBack',
      'grace.days:skipped',
    ]);
    expect(r.steps[4]!.message).toBe('Cannot stop service TermService (TermService)');
    expect(r.steps[8]!.message).toBe("skipped: an earlier step failed (onError 'rollback')");
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true, counts: { changed: 4, failed: 1, rolledBack: 3, skipped: 1 } });
    // The value is back and the key has its original owner and ACL.
    expect(gpKey(r)).toEqual({ Sddl: ORIGINAL_SDDL, Values: { [TIMEBOMB]: { Name: TIMEBOMB, Type: 'Binary', Data: '00aa' } } });
    expect(r.fake?.privileges).toEqual([]);
    const journal = readFileSync(join(r.dir, 'backups', 'run-1', 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.filter((j) => j.marker === 'undone').map((j) => j.stepId)).toEqual(['grace.restore', 'grace.delete', 'grace.own']);
  });

  test("onError 'stop': remaining steps skipped, the takeOwnership finalizer still restores the ACL", async () => {
    const r = await runScript({
      onError: 'stop',
      setup: GRACE_SETUP + `\n$script:FakeFail['Remove-RdsRegistryValue|${GP}\\${TIMEBOMB}'] = 'Access is denied. (${GP})'`,
      steps: GRACE_STEPS,
    });
    expectValidEvents(r);
    expect(r.exitCode).toBe(1);
    expect(statuses(r)).toEqual([
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:failed',
      'grace.restore:skipped',
      'grace.restart:skipped',
      'grace.days:skipped',
      'finalize:grace.own:changed',
    ]);
    expect(r.steps[2]!.message).toBe(`Access is denied. (${GP})`);
    expect(r.steps[6]!.action).toBe('registry.takeOwnership');
    expect(gpKey(r)?.Sddl).toBe(ORIGINAL_SDDL);
    expect(r.summary).toMatchObject({ status: 'failed' });
    expect(r.summary).not.toHaveProperty('restoredToStart');
  });

  test("onError 'continue': independent steps run, dependents of the failed step are skipped", async () => {
    const r = await runScript({
      onError: 'continue',
      setup: "$script:FakeServices['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }",
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'missing' -Action 'service.start' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'NoSuchService' }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'dependent' -Action 'service.start' -RunWhen 'always' -DependsOn @('missing') -Parameters @{ Name = 'A' }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'independent' -Action 'service.setStartMode' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'A'; StartMode = 'Disabled' }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'second-level' -Action 'service.start' -RunWhen 'always' -DependsOn @('dependent') -Parameters @{ Name = 'A' }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['missing:failed', 'dependent:skipped', 'independent:changed', 'second-level:skipped']);
    expect(r.steps[0]!.message).toBe('service NoSuchService not found');
    expect(r.steps[1]!.message).toBe("skipped: dependency 'missing' is failed");
    expect(r.steps[3]!.message).toBe("skipped: dependency 'dependent' is skipped");
    expect(r.steps[2]).toMatchObject({ before: { StartMode: 'Manual' }, after: { StartMode: 'Disabled' }, undo: { Name: 'A', StartMode: 'Manual' } });
    expect(r.summary).toMatchObject({ status: 'failed' });
    expect(r.exitCode).toBe(1);
  });

  test('setValue rollback removes a created value and the key it created; deleteKey rollback recreates the tree', async () => {
    const r = await runScript({
      setup: [
        "Set-FakeValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000' -Name 'ClientLicense' -Type 'Binary' -Data '0102'",
        "Set-FakeValue -Path 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID' -Name 'ClientHWID' -Type 'Binary' -Data 'ff'",
        "$script:FakeKeys['HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store'].Sddl = 'O:BAG:SYD:P(A;CI;KA;;;SY)'",
        "$script:FakeFail['Get-RdsGracePeriodDays|'] = 'boom'",
      ].join('\n'),
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'new' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Contoso\\New'; View = 'Default'; Name = 'Servers'; Type = 'MultiString'; Data = @('a') }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'cache' -Action 'registry.deleteKey' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing'; View = 'Default'; Recurse = $true }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'verify' -Action 'rds.getGracePeriodDays' -RunWhen 'always' -DependsOn @() -Parameters @{}",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['new:changed', 'cache:changed', 'verify:failed', 'cache:rolledBack', 'new:rolledBack']);
    expect(r.steps[0]!.after).toEqual({ Exists: true, Type: 'MultiString', Data: ['a'] });
    const keys = r.fake?.keys ?? {};
    expect(keys['HKLM\\SOFTWARE\\Contoso\\New']).toBeUndefined();
    expect(keys['HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store\\LICENSE000']?.Values).toEqual({ ClientLicense: { Name: 'ClientLicense', Type: 'Binary', Data: '0102' } });
    expect(keys['HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\HardwareID']?.Values?.ClientHWID?.Data).toBe('ff');
    expect(keys['HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store']?.Sddl).toBe('O:BAG:SYD:P(A;CI;KA;;;SY)');
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
  });

  test('deleteKey without recurse on a key with subkeys fails before deleting anything', async () => {
    const r = await runScript({
      setup: "Add-FakeKey -Path 'HKLM\\SOFTWARE\\Contoso\\Child'",
      steps: "Invoke-RdsPlanStep -Context $RdsContext -StepId 'del' -Action 'registry.deleteKey' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Contoso'; View = 'Default'; Recurse = $false }",
    });
    expect(statuses(r)).toEqual(['del:failed']);
    expect(r.steps[0]!.message).toBe('the key has 1 subkey(s) (Child) and recurse is false (HKLM\\SOFTWARE\\Contoso)');
    expect(r.fake?.keys?.['HKLM\\SOFTWARE\\Contoso\\Child']).toBeDefined();
  });

  test('deleteValue with MustExist and no match fails; a failing undo is reported and restoredToStart is false', async () => {
    const r = await runScript({
      setup: [
        "$script:FakeServices['A'] = @{ StartMode = 'Manual'; Status = 'Running' }",
        "Add-FakeKey -Path 'HKLM\\SOFTWARE\\Contoso' -Sddl 'O:BAG:SYD:(A;CI;KA;;;BA)'",
      ].join('\n'),
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'mode' -Action 'service.setStartMode' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'A'; StartMode = 'Disabled' }",
        "$script:FakeFail['Set-RdsServiceStartMode|A'] = 'The service database is locked.'",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'gone' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Contoso'; View = 'Default'; Name = 'Nope'; MustExist = $true }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['mode:changed', 'gone:failed', 'mode:failed']);
    expect(r.steps[1]!.message).toBe("value 'Nope' not found (HKLM\\SOFTWARE\\Contoso)");
    expect(r.steps[2]!.message).toBe('rollback failed: The service database is locked.');
    expect(r.summary).toMatchObject({ status: 'rolledBack', restoredToStart: false });
    expect(r.exitCode).toBe(1);
  });

  test('the host lock held by another run refuses the run (exit 4) without running a step', async () => {
    const r = await runScript({ setup: '$script:FakeLockedByOther = $true', steps: GRACE_STEPS });
    expectValidEvents(r);
    expect(r.exitCode).toBe(4);
    expect(r.steps).toEqual([]);
    expect(r.summary?.status).toBe('refused');
    expect(r.summary?.message).toMatch(/^refused: Another rdsplan run holds the host lock/);
    expect(calls(r)).not.toContain('Unlock-RdsHost|rdsplan');
  });

  test('a wrong platform option refuses the run', async () => {
    const r = await runScript({ setup: "$script:FakeFail['Initialize-RdsPlatform|state.json'] = 'this script was rendered for Windows; -SimulationState needs a script rendered with --simulate'", steps: GRACE_STEPS }, ['-SimulationState', 'state.json']);
    expectValidEvents(r);
    expect(r.exitCode).toBe(4);
    expect(r.summary).toMatchObject({ status: 'refused', message: 'refused: this script was rendered for Windows; -SimulationState needs a script rendered with --simulate' });
  });

  describe('self-check of the approval token', () => {
    test('an untouched script runs', async () => {
      const r = await runScript({ header: true, setup: GRACE_SETUP, steps: GRACE_STEPS });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.summary?.status).toBe('succeeded');
    });

    test('a tampered body is refused with exit 4 before the lock or any step', async () => {
      const r = await runScript({ header: true, setup: GRACE_SETUP, steps: GRACE_STEPS, tamper: (b) => b.replace("'TermService'; Force", "'TermService2'; Force") });
      expectValidEvents(r);
      expect(r.exitCode).toBe(4);
      expect(r.steps).toEqual([]);
      expect(r.summary?.status).toBe('refused');
      expect(r.summary?.message).toMatch(/^refused: script self-check failed: the script was modified after rendering/);
      expect(calls(r)).not.toContain('Lock-RdsHost|rdsplan');
      expect(existsSync(join(r.dir, 'backups'))).toBe(false);
    });
  });

  describe('reboot handling', () => {
    const rebootStep = "Invoke-RdsPlanStep -Context $RdsContext -StepId 'reboot' -Action 'host.reboot' -RunWhen 'always' -DependsOn @() -Parameters @{ DelaySeconds = 30 }";

    const restartProbe = "function Restart-RdsHost([int]$DelaySeconds) { Write-Host ('@@restart ' + $DelaySeconds) }";

    test("'ifRequired' restarts after the summary when host.reboot ran", async () => {
      const r = await runScript({ reboot: 'ifRequired', setup: restartProbe, steps: rebootStep });
      expectValidEvents(r);
      expect(statuses(r)).toEqual(['reboot:changed']);
      expect(r.summary).toMatchObject({ status: 'succeeded', rebootRequired: true, message: 'restarting the host in 30 second(s)' });
      expect(r.stdout.indexOf('@@restart 30')).toBeGreaterThan(r.stdout.indexOf('"event":"summary"'));
      expect(r.exitCode).toBe(0);
    });

    test("'never' does not restart but reports rebootRequired", async () => {
      const r = await runScript({ reboot: 'never', setup: restartProbe, steps: rebootStep });
      expect(r.summary).toMatchObject({ status: 'succeeded', rebootRequired: true });
      expect(r.steps[0]!.message).toBe("restart requested, but options.reboot is 'never': restart the host yourself");
      expect(r.stdout).not.toContain('@@restart');
    });

    test("'always' restarts even without a host.reboot step, but never in check mode", async () => {
      const apply = await runScript({ reboot: 'always', steps: '', setup: restartProbe });
      expect(apply.stdout).toContain('@@restart 10');
      expect(apply.summary).toMatchObject({ status: 'succeeded', rebootRequired: true });
      const check = await runScript({ reboot: 'always', steps: rebootStep, setup: restartProbe }, ['-WhatIf']);
      expect(check.stdout).not.toContain('@@restart');
      expect(statuses(check)).toEqual(['reboot:wouldChange']);
    });

    test('no restart after a failure', async () => {
      const r = await runScript({
        reboot: 'always',
        setup: restartProbe,
        steps: "Invoke-RdsPlanStep -Context $RdsContext -StepId 'x' -Action 'service.stop' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'Nope' }",
      });
      expect(r.stdout).not.toContain('@@restart');
      expect(r.summary).toMatchObject({ status: 'rolledBack', rebootRequired: false });
    });
  });

  test('license servers and licensing mode through WMI compare order- and case-insensitively', async () => {
    const r = await runScript({
      setup: "$script:FakeTs.SpecifiedLicenseServers = @('LS2.contoso.com', 'ls1.contoso.com'); $script:FakeTs.LicensingType = 2",
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'servers' -Action 'rds.setLicenseServers' -RunWhen 'always' -DependsOn @() -Parameters @{ Servers = @('ls1.contoso.com', 'ls2.contoso.com'); Via = 'wmi' }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'mode' -Action 'rds.setLicensingMode' -RunWhen 'always' -DependsOn @() -Parameters @{ Mode = 'PerUser'; Via = 'wmi' }",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'policy' -Action 'rds.setLicenseServers' -RunWhen 'always' -DependsOn @() -Parameters @{ Servers = @('ls1'); Via = 'policy' }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['servers:unchanged', 'mode:changed', 'policy:changed']);
    expect(r.steps[1]).toMatchObject({ before: { LicensingType: 2 }, after: { LicensingType: 4 }, undo: { Via: 'wmi', LicensingType: 2 } });
    expect(r.fake?.keys?.['HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services']?.Values?.LicenseServers).toEqual({ Name: 'LicenseServers', Type: 'String', Data: 'ls1' });
  });

  test('every event line is one compact ASCII JSON object', async () => {
    const r = await runScript({ setup: GRACE_SETUP, steps: GRACE_STEPS });
    for (const line of r.stdout.split(/\r?\n/).filter((l) => l.startsWith('@@rdsplan '))) {
      expect(/^[\x20-\x7e]*$/.test(line)).toBe(true);
      expect(line).not.toMatch(/": /);
    }
    expect(readdirSync(join(r.dir, 'backups', 'run-1')).sort()).toEqual(['grace.export.reg', 'grace.export.reg.sddl', 'journal.jsonl']);
  });
});

describe('unexpected errors', () => {
  test('an error outside any step releases the lock, saves the platform, reports failed and exits 1', async () => {
    const r = await runScript({
      setup: "$script:FakeServices['A'] = @{ StartMode = 'Manual'; Status = 'Stopped' }",
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'start' -Action 'service.start' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = 'A' }",
        "throw 'statement outside a step'",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(r.exitCode).toBe(1);
    expect(statuses(r)).toEqual(['start:changed']);
    expect(r.summary).toMatchObject({ status: 'failed', message: 'unexpected error: statement outside a step' });
    expect(calls(r)).toContain('Unlock-RdsHost|rdsplan');
    expect(r.fake?.lock).toBe(false);
    expect(r.stderr).toContain('statement outside a step');
  });
});

describe('undo scripts and target names', () => {
  test('Invoke-RdsUndoStep runs journal entries newest first; the start event says undo; host is the target name', async () => {
    const r = await runScript({
      onError: 'continue',
      contextArgs: "-TargetName 'rdsh01.contoso.com' -Undo",
      setup: [
        `Set-FakeValue -Path '${GP}' -Name 'Other' -Type 'String' -Data 'x'`,
        "$script:FakeServices['A'] = @{ StartMode = 'Disabled'; Status = 'Stopped' }",
      ].join('\n'),
      steps: [
        `Invoke-RdsUndoStep -Context $RdsContext -StepId 'grace.restore' -Action 'registry.restoreSecurity' -Entry @{ Path = '${GP}'; View = 'Default'; FromStep = 'grace.own'; Sddl = 'O:BAG:SYD:(A;CI;KR;;;BA)(A;CI;KA;;;NS)(A;CI;KA;;;BA)'; OriginalSddl = '${ORIGINAL_SDDL}' }`,
        `Invoke-RdsUndoStep -Context $RdsContext -StepId 'grace.delete' -Action 'registry.deleteValue' -Entry @{ Path = '${GP}'; View = 'Default'; Values = @(@{ Name = '${TIMEBOMB}'; Type = 'Binary'; Data = '00aa' }) }`,
        `Invoke-RdsUndoStep -Context $RdsContext -StepId 'grace.own' -Action 'registry.takeOwnership' -Entry @{ StepId = 'grace.own'; Path = '${GP}'; View = 'Default'; Sddl = '${ORIGINAL_SDDL}' }`,
        "Invoke-RdsUndoStep -Context $RdsContext -StepId 'mode' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Manual' }",
        "Invoke-RdsUndoStep -Context $RdsContext -StepId 'bad' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Boot' }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(r.events[0]).toMatchObject({ event: 'start', mode: 'undo', host: 'rdsh01.contoso.com' });
    expect(r.events.every((e) => e.host === 'rdsh01.contoso.com')).toBe(true);
    expect(statuses(r)).toEqual(['grace.restore:rolledBack', 'grace.delete:rolledBack', 'grace.own:rolledBack', 'mode:rolledBack', 'bad:failed']);
    expect(r.steps[4]!.message).toBe('cannot restore start mode Boot of service A');
    expect(gpKey(r)?.Sddl).toBe(ORIGINAL_SDDL);
    expect(gpKey(r)?.Values?.[TIMEBOMB]).toEqual({ Name: TIMEBOMB, Type: 'Binary', Data: '00aa' });
    expect(r.fake?.services?.A?.StartMode).toBe('Manual');
    // No finalizer is left over: the takeOwnership undo deregistered the one restoreSecurity's undo registered.
    expect(r.steps.some((s) => String(s.stepId).startsWith('finalize:'))).toBe(false);
    expect(r.summary).toMatchObject({ status: 'failed' });
    expect(r.exitCode).toBe(1);
  });

  test('an undo script under -WhatIf reports wouldChange and changes nothing', async () => {
    const r = await runScript(
      {
        onError: 'continue',
        contextArgs: '-Undo',
        setup: "$script:FakeServices['A'] = @{ StartMode = 'Disabled'; Status = 'Stopped' }",
        steps: "Invoke-RdsUndoStep -Context $RdsContext -StepId 'mode' -Action 'service.setStartMode' -Entry @{ Name = 'A'; StartMode = 'Manual' }",
      },
      ['-WhatIf'],
    );
    expect(r.events[0]).toMatchObject({ mode: 'check' });
    expect(statuses(r)).toEqual(['mode:wouldChange']);
    expect(r.fake?.services?.A?.StartMode).toBe('Disabled');
    expect(r.exitCode).toBe(0);
  });
});

describe("RunWhen 'changed'", () => {
  test('a restart that depends on an unchanged step is skipped; an export alone does not trigger a handler', async () => {
    const r = await runScript({
      setup: `Add-FakeKey -Path '${GP}'\n$script:FakeServices['TermService'] = @{ StartMode = 'Manual'; Status = 'Running' }`,
      steps: [
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'export' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default' }`,
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'handler' -Action 'service.restart' -RunWhen 'changed' -DependsOn @() -Parameters @{ Name = 'TermService'; Force = $true }",
        // 'own' does not name 'export': an export with no dependents runs at once (not deferred),
        // so the handler really sees a 'changed' export and must still skip.
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'own' -Action 'registry.takeOwnership' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(); Restore = 'afterPlan' }`,
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'delete' -Action 'registry.deleteValue' -RunWhen 'always' -DependsOn @('own') -Parameters @{ Path = '${GP}'; View = 'Default'; NamePattern = 'L$RTMTIMEBOMB*'; MustExist = $false }`,
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'restore' -Action 'registry.restoreSecurity' -RunWhen 'always' -DependsOn @('own') -Parameters @{ Path = '${GP}'; View = 'Default'; FromStep = 'own' }`,
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'restart' -Action 'service.restart' -RunWhen 'changed' -DependsOn @('delete') -Parameters @{ Name = 'TermService'; Force = $true }",
      ].join('\n'),
    });
    expectValidEvents(r);
    // Ownership is deferred until a dependent needs it; the delete has nothing to do, so 'own'
    // closes as unchanged at its restore step and the restore finds nothing to restore.
    expect(statuses(r)).toEqual(['export:changed', 'handler:skipped', 'delete:unchanged', 'own:unchanged', 'restore:unchanged', 'restart:skipped']);
    expect(r.steps[1]!.message).toBe('skipped: no earlier step changed anything');
    expect(r.steps[2]!.message).toBe("no value matching 'L$RTMTIMEBOMB*'");
    expect(r.steps[3]!.message).toBe('not needed: no dependent step changes anything');
    expect(r.steps[5]!.message).toBe('skipped: no dependency changed anything');
    expect(calls(r)).not.toContain('Restart-RdsService|TermService');
    expect(gpKey(r)?.Sddl).toBe(ORIGINAL_SDDL);
    expect(r.exitCode).toBe(0);
  });

  test('takeOwnership already in its desired state is unchanged and restoreSecurity has nothing to restore', async () => {
    const owned = 'O:BAG:SYD:(A;CI;KA;;;BA)';
    const r = await runScript({
      setup: `Add-FakeKey -Path '${GP}' -Sddl '${owned}'`,
      steps: [
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'own' -Action 'registry.takeOwnership' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = '${GP}'; View = 'Default'; Owner = 'S-1-5-32-544'; Grant = @(@{ Identity = 'S-1-5-32-544'; Rights = 'FullControl' }); Restore = 'afterPlan' }`,
        `Invoke-RdsPlanStep -Context $RdsContext -StepId 'restore' -Action 'registry.restoreSecurity' -RunWhen 'always' -DependsOn @('own') -Parameters @{ Path = '${GP}'; View = 'Default'; FromStep = 'own' }`,
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'absent' -Action 'registry.export' -RunWhen 'always' -DependsOn @() -Parameters @{ Path = 'HKLM\\SOFTWARE\\Nothing'; View = 'Default' }",
      ].join('\n'),
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['own:unchanged', 'restore:unchanged', 'absent:unchanged']);
    expect(r.steps[1]!.message).toBe("nothing to restore: step 'own' changed nothing");
    expect(r.steps[2]!.message).toBe('key absent, nothing to export');
    expect(gpKey(r)?.Sddl).toBe(owned);
    expect(calls(r).filter((c) => c.startsWith('Enable-RdsPrivilege'))).toEqual([]);
  });
});

describe('undo into a key locked again', () => {
  test('recreating a deleted value in a key whose ACL was restored takes ownership temporarily and puts the ACL back', async () => {
    const r = await runScript({
      onError: 'continue',
      contextArgs: '-Undo',
      setup: `Add-FakeKey -Path '${GP}'`,
      steps: `Invoke-RdsUndoStep -Context $RdsContext -StepId 'grace.delete' -Action 'registry.deleteValue' -Entry @{ Path = '${GP}'; View = 'Default'; Values = @(@{ Name = '${TIMEBOMB}'; Type = 'Binary'; Data = '00aa' }) }`,
    });
    expectValidEvents(r);
    expect(statuses(r)).toEqual(['grace.delete:rolledBack']);
    expect(gpKey(r)).toEqual({ Sddl: ORIGINAL_SDDL, Values: { [TIMEBOMB]: { Name: TIMEBOMB, Type: 'Binary', Data: '00aa' } } });
    expect(r.fake?.privileges).toEqual([]);
    expect(r.exitCode).toBe(0);
  });
});

describe('run id', () => {
  test('a run id that is not one safe path segment is refused', async () => {
    const { buildScript } = await import('./harness.js');
    const { runPowerShell } = await import('../../support/powershell.js');
    const { path, dir } = buildScript({ steps: '' });
    const r = await runPowerShell({ file: path, args: ['-BackupDirectory', join(dir, 'backups'), '-RunId', '../escape'] });
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain("refused: invalid run id '../escape'");
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });
});
