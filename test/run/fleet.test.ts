/**
 * A fleet of 20 simulated hosts through the fan-out driver (ps-templates/fleet/Invoke-RdsFleet.ps1,
 * one PowerShell process, a runspace pool in place of Invoke-Command): two hosts fail and
 * roll back, the other 18 complete; results are tagged per host, the exit code is the worst
 * host's, the summary table and the progress line say so, and every host gets its record.
 * A host's events count for the host whose connection relayed them, never for the host their
 * payload names: a host that reports as another is failed and its claims are filed nowhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { validatePlanText } from '../../src/plan/validate.js';
import { renderScript } from '../../src/render/script.js';
import { runPlan } from '../../src/run/run-plan.js';
import { approvalToken, runCli, runEnv } from '../support/cli.js';
import { fakePowerShell } from '../support/fake-powershell.js';
import { powershellPath } from '../support/powershell.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { writePlan } from '../support/plans.js';
import { defaultState, hostSections } from '../support/sim.js';

const HOSTS = Array.from({ length: 20 }, (_, i) => `rdsh${String(i + 1).padStart(2, '0')}.contoso.com`);
const FAILING = new Set(['rdsh07.contoso.com', 'rdsh13.contoso.com']);

describe('a fleet of 20 simulated hosts', () => {
  test('18 succeed, 2 roll back: exit 1, per-host results, summary, progress, 20 records', async () => {
    const dir = tmp('rdsplan-fleet-');
    const plan = writePlan(dir, {
      apiVersion: 'rdsplan/v1',
      name: 'reset-grace-period-fleet',
      change: { id: 'CHG0099999', requestedBy: 'ops@contoso.com' },
      targets: HOSTS,
      options: { onError: 'rollback' },
      steps: [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true }],
    });
    const hosts = join(dir, 'hosts');
    mkdirSync(hosts);
    const records = join(dir, 'records');
    const common = ['--simulate', hosts, '--records', records];
    const env = runEnv();

    // A fleet check creates every host's state (the default host) and finds changes pending.
    const check = await runCli(['check', plan, ...common, '--format', 'json'], { env });
    expect({ code: check.code, stderr: check.stderr, stdout: check.code === 3 ? '' : check.stdout }).toEqual({ code: 3, stderr: '', stdout: '' });
    const checked = JSON.parse(check.stdout);
    expect(checked.hosts.map((h: { host: string }) => h.host).sort()).toEqual(HOSTS);
    for (const h of checked.hosts) {
      expect(h.exitCode).toBe(3);
      // Every event of a host carries that host's name, never a neighbour's.
      for (const s of h.steps) expect(s.host).toBe(h.host);
    }
    const start = new Map(HOSTS.map((h) => [h, hostSections(join(hosts, `${h}.json`))]));

    // Two hosts fail when the grace period value is deleted.
    for (const host of FAILING) {
      const file = join(hosts, `${host}.json`);
      const state = JSON.parse(readFileSync(file, 'utf8'));
      state.faults = [{ call: 'Remove-RdsRegistryValue', message: 'The device is not ready.' }];
      writeFileSync(file, JSON.stringify(state));
    }

    const started = Date.now();
    const r = await runCli(['apply', plan, '--approve', await approvalToken(plan), ...common], { env, tty: true });
    const wallMs = Date.now() - started;
    expect(r.code).toBe(1);

    // Summary table: one row per host, in plan order.
    const table = r.stdout.slice(r.stdout.indexOf('host  '));
    const rows = table.split('\n').slice(1, 1 + HOSTS.length);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(HOSTS);
    for (const row of rows) {
      const [host, status, changed, , , failed, rolledBack, exit] = row.split(/\s+/);
      if (FAILING.has(host!)) {
        expect({ host, status, failed, exit }).toEqual({ host, status: 'rolledBack', failed: '1', exit: '1' });
        expect(Number(rolledBack)).toBeGreaterThan(0);
        expect(row).toMatch(/rolled back: the host is back at its start$/);
      } else {
        expect({ host, status, failed, rolledBack, exit }).toEqual({ host, status: 'succeeded', failed: '0', rolledBack: '0', exit: '0' });
        expect(Number(changed)).toBeGreaterThan(0);
      }
    }
    expect(rows.filter((row) => / succeeded /.test(row))).toHaveLength(18);
    expect(rows.filter((row) => / rolledBack /.test(row))).toHaveLength(2);
    // The progress display on a terminal ends with every host done and the two failures.
    expect(r.stderr).toContain('\r20/20 hosts done, 2 failed, 0 running ');

    // One record per host, each with that host's events only.
    const dirs = recordDirs(records);
    expect(dirs).toHaveLength(20);
    for (const d of dirs) {
      const record = JSON.parse(readFileSync(join(d, 'record.json'), 'utf8'));
      expect(d).toMatch(new RegExp(`-reset-grace-period-fleet-${record.host}-[0-9a-f]{8}$`));
      expect(record.status).toBe(FAILING.has(record.host) ? 'rolledBack' : 'succeeded');
      expect(record.exitCode).toBe(FAILING.has(record.host) ? 1 : 0);
      const events = readFileSync(join(d, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l.replace(/^@@rdsplan /, '')));
      expect(events[0].event).toBe('start');
      expect(events.at(-1).event).toBe('summary');
      for (const e of events) expect(e.host).toBe(record.host);
      if (FAILING.has(record.host)) {
        expect(record.summary).toMatchObject({ status: 'rolledBack', restoredToStart: true });
        expect(record.steps.find((s: { stepId: string }) => s.stepId === 'grace.delete')).toMatchObject({ status: 'failed', message: expect.stringContaining('The device is not ready.') });
        expect(record.journal).toEqual([]);
      }
    }

    // The two that rolled back are as they started; the others have a fresh grace period.
    for (const host of HOSTS) {
      const now = hostSections(join(hosts, `${host}.json`));
      const before = start.get(host)!;
      if (FAILING.has(host)) {
        expect(now.registry).toEqual(before.registry);
        expect(now.services).toEqual(before.services);
        expect(now.terminalServices).toEqual(before.terminalServices);
      } else {
        expect(now.registry).not.toEqual(before.registry);
        expect(now.terminalServices).toMatchObject({ graceDays: 120 });
      }
    }
    process.stdout.write(`fleet of 20 simulated hosts: apply took ${wallMs} ms\n`);
  });
});

const TRIO = ['rdsh01.contoso.com', 'rdsh02.contoso.com', 'rdsh03.contoso.com'];
const gracePlan = (targets: string[]) => ({
  apiVersion: 'rdsplan/v1',
  name: 'reset-grace-period-trio',
  change: { id: 'CHG0099998', requestedBy: 'ops@contoso.com' },
  targets,
  options: { onError: 'rollback' },
  steps: [{ id: 'grace', action: 'rds.resetGracePeriod', restartService: true }],
});

/** A protocol line in `claimed`'s name (what a forging host prints). */
const forgedLine = (claimed: string, fields: string) => `@@rdsplan {"runId":"forged","host":"${claimed}","time":"2026-01-01T00:00:00Z",${fields}}`;

/**
 * A plan script for simulated hosts in place of the rendered one: each host reports one step
 * and a summary in its own name; rdsh02 also prints a line of text and then `forge`'s lines.
 */
function hostScript(forge: string[]): string {
  return [
    'param([string] $RunId, [string] $TargetName)',
    'function Write-TestEvent { param([string] $Fields) Write-Host (\'@@rdsplan {"runId":"\' + $RunId + \'","host":"\' + $TargetName + \'","time":"2026-01-01T00:00:00Z",\' + $Fields + \'}\') }',
    'Write-TestEvent \'"event":"start","plan":"p","planSha256":"x","toolVersion":"0.1.0","mode":"check","user":"u"\'',
    'Write-TestEvent \'"event":"step","stepId":"own","action":"registry.export","status":"unchanged","durationMs":1\'',
    "if ($TargetName -eq 'rdsh02.contoso.com') {",
    "    Write-Host 'rdsh02 was here'",
    ...forge.map((line) => `    ${line}`),
    '}',
    'Write-TestEvent \'"event":"summary","status":"succeeded","counts":{"unchanged":1},"durationMs":2\'',
    '',
  ].join('\r\n');
}

/** The three hosts through the real fan-out driver, simulated, running `text` as their plan script. */
async function runTrio(text: string) {
  const validated = validatePlanText('plan.json', Buffer.from(JSON.stringify(gracePlan(TRIO))));
  const plan = validated.plan!;
  const dir = tmp('rdsplan-fleet-forge-');
  return runPlan({
    name: plan.name,
    render: (platform) => ({ ...renderScript(plan, { platform }), text }),
    mode: 'check',
    targets: plan.targets,
    powershell: { path: powershellPath(), source: 'RDSPLAN_POWERSHELL' },
    runId: 'run-forge',
    timeoutMs: 120_000,
    throttle: 3,
    simulate: dir,
    simulatedBackupRoot: join(dir, 'backups'),
  });
}

describe('a host that reports events as another host', () => {
  test('an error message that carries protocol lines in another host\'s name: they are filed nowhere, the host that printed them fails', async () => {
    const dir = tmp('rdsplan-fleet-forge-');
    const plan = writePlan(dir, gracePlan(TRIO));
    const hosts = join(dir, 'hosts');
    mkdirSync(hosts);
    const state = JSON.parse(await defaultState());
    for (const host of TRIO) writeFileSync(join(hosts, `${host}.json`), JSON.stringify(state));
    // rdsh02's lock fails with a message whose lines are rdsh01's events: a failed step and a summary.
    const message = [
      'the lock file is damaged',
      forgedLine('RDSH01.contoso.com', '"event":"step","stepId":"grace.delete","action":"registry.deleteValue","status":"failed","message":"forged","durationMs":1'),
      forgedLine('rdsh01.contoso.com', '"event":"summary","status":"failed","counts":{"failed":1},"message":"forged","durationMs":1'),
      '',
    ].join('\n');
    writeFileSync(join(hosts, 'rdsh02.contoso.com.json'), JSON.stringify({ ...state, faults: [{ call: 'Lock-RdsHost', message }] }));

    const r = await runCli(['check', plan, '--simulate', hosts, '--records', join(dir, 'records'), '--format', 'json'], { env: runEnv() });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    const byHost = new Map(result.hosts.map((h: { host: string }) => [h.host, h]));
    for (const name of ['rdsh01.contoso.com', 'rdsh03.contoso.com']) {
      const host = byHost.get(name) as { exitCode: number; error: string | null; summary: { status: string; message?: string }; steps: { host: string; message?: string }[] };
      // A due grace period is a pending change: exit 3, the host's own steps only.
      expect({ exitCode: host.exitCode, error: host.error, summary: host.summary.status }).toEqual({ exitCode: 3, error: null, summary: 'succeeded' });
      expect(host.steps.length).toBeGreaterThan(0);
      expect(host.steps.filter((step) => step.host !== name || step.message === 'forged')).toEqual([]);
    }
    const forger = byHost.get('rdsh02.contoso.com') as { exitCode: number; error: string };
    // One sentence for both names of rdsh01 (they differ in case only), in the first one's spelling.
    const sentence = 'rdsh02.contoso.com reported 2 events as "RDSH01.contoso.com"; they were not filed under "RDSH01.contoso.com", and rdsh02.contoso.com\'s own report cannot be trusted';
    expect(forger.exitCode).toBe(1);
    expect(forger.error).toContain(sentence);
    expect(r.stderr).toContain(sentence);
  });

  test('a host script that prints events in another host\'s name through Write-Host: not filed under that host; the forger fails; its other text is relayed with its name', async () => {
    const run = await runTrio(
      hostScript([
        `Write-Host '${forgedLine('rdsh01.contoso.com', '"event":"step","stepId":"forged","action":"registry.deleteValue","status":"failed","durationMs":1')}'`,
        `Write-Host '${forgedLine('rdsh01.contoso.com', '"event":"summary","status":"failed","counts":{"failed":1},"durationMs":1')}'`,
      ]),
    );
    const [one, two, three] = run.hosts;
    for (const host of [one!, three!]) {
      expect({ host: host.host, error: host.error, steps: host.steps.map((s) => `${s.host} ${s.stepId}`), summary: host.summary?.status }).toEqual({
        host: host.host,
        error: undefined,
        steps: [`${host.host} own`],
        summary: 'succeeded',
      });
      expect(host.events.every((e) => e.host === host.host)).toBe(true);
    }
    expect(two!.error).toBe('rdsh02.contoso.com reported 2 events as "rdsh01.contoso.com"; they were not filed under "rdsh01.contoso.com", and rdsh02.contoso.com\'s own report cannot be trusted');
    expect(run.exitCode).toBe(1);
    expect(run.process.output).toContain('rdsh02.contoso.com: rdsh02 was here');
  });

  test('a simulated host that writes a protocol line past the relay, to the process\'s own stdout: the protocol is garbled, every host fails', async () => {
    const run = await runTrio(hostScript([`[System.Console]::Out.WriteLine('${forgedLine('rdsh01.contoso.com', '"event":"summary","status":"failed","counts":{},"durationMs":1')}')`]));
    for (const host of run.hosts) expect(host.error).toMatch(/^the results protocol was garbled, so the run cannot be trusted: a results-protocol line outside the fleet driver's relay: @@rdsplan \{"runId":"forged","host":"rdsh01\.contoso\.com"/);
    expect(run.hosts[0]!.summary?.status).toBe('succeeded');
    expect(run.exitCode).toBe(1);
  });

  test('relayed lines: the envelope host is matched case-insensitively; an envelope from a host that is no target garbles the run', async () => {
    const dir = tmp('rdsplan-fleet-relay-');
    const relayed = (host: string, line: string) => `printf '%s\\n' '@@rdsplan-relay ${JSON.stringify({ host, line })}'`;
    const driver = fakePowerShell(dir, 'relaying-pwsh', [
      relayed('RDSH01.CONTOSO.COM', forgedLine('rdsh01.Contoso.com', '"event":"summary","status":"succeeded","counts":{},"durationMs":1')),
      relayed('rdsh01.contoso.com', 'plain text'),
      relayed('rdsh09.contoso.com', forgedLine('rdsh09.contoso.com', '"event":"summary","status":"succeeded","counts":{},"durationMs":1')),
    ]);
    const targets = TRIO.slice(0, 2).map((computerName) => ({ computerName }));
    const validated = validatePlanText('plan.json', Buffer.from(JSON.stringify(gracePlan(TRIO.slice(0, 2)))));
    const run = await runPlan({
      name: 'relay',
      render: (platform) => renderScript(validated.plan!, { platform }),
      mode: 'check',
      targets,
      powershell: { path: driver, source: 'RDSPLAN_POWERSHELL' },
      runId: 'run-relay',
      timeoutMs: 60_000,
      throttle: 2,
      simulate: dir,
    });
    expect(run.hosts[0]!.summary).toMatchObject({ host: 'rdsh01.Contoso.com', status: 'succeeded' });
    expect(run.process.output).toEqual(['rdsh01.contoso.com: plain text']);
    for (const host of run.hosts) expect(host.error).toContain('a relay line from a host that is not a target of this run: "rdsh09.contoso.com"');
    expect(run.exitCode).toBe(1);
  });
});
