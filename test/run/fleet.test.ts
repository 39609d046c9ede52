/**
 * A fleet of 20 simulated hosts through the fan-out driver (ps-templates/fleet/Invoke-RdsFleet.ps1,
 * one PowerShell process, a runspace pool in place of Invoke-Command): two hosts fail and
 * roll back, the other 18 complete; results are tagged per host, the exit code is the worst
 * host's, the summary table and the progress line say so, and every host gets its record.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { runCli } from '../support/cli.js';
import { approvalToken, hostSections, recordDirs, runEnv, tmp, writePlan } from '../cli/run-support.js';

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
