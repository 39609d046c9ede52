/**
 * onError through the CLI on the simulated host: a fault at each step of reset-grace-period
 * (the backup, and each of its mutating platform calls in turn) rolls the run back, the
 * result says what was rolled back and that the host is back at its start, and it is.
 * `stop` and `continue` keep going / stop as documented and do not roll back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, beforeAll, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example, writePlan } from '../support/plans.js';
import { hostSections } from '../support/sim.js';

const PLAN = example('reset-grace-period');

const FAULT = { message: 'The device is not ready.' };

describe('rollback after a fault at each step', () => {
  let seed: string;
  let token: string;
  let mutatingCalls: string[];
  let termServiceStop: number;

  beforeAll(async () => {
    // The default host, saved by a check; and the calls a clean apply makes on it.
    const dir = tmp('rdsplan-rollback-');
    seed = join(dir, 'seed.json');
    expect((await rdsplan(['check', PLAN, '--simulate', seed, '--records', join(dir, 'r')])).code).toBe(3);
    token = await approvalToken(PLAN);
    const probe = join(dir, 'probe.json');
    writeFileSync(probe, readFileSync(seed));
    const ok = await rdsplan(['apply', PLAN, '--approve', token, '--simulate', probe, '--records', join(dir, 'r')]);
    expect(ok.code).toBe(0);
    const log = JSON.parse(readFileSync(probe, 'utf8')).callLog as { call: string; name?: string }[];
    mutatingCalls = log.map((c) => c.call);
    termServiceStop = log.findIndex((c) => c.call === 'Stop-RdsService' && c.name === 'TermService');
  });

  test('the plan makes mutating calls (each gets a fault below)', () => {
    expect(mutatingCalls.length).toBeGreaterThanOrEqual(5);
    expect(termServiceStop).toBeGreaterThan(0);
  });

  test('a fault at the backup and at each mutating call in turn: rolled back, restoredToStart, host as at the start', async () => {
    const faults: [string, object][] = [
      ['the backup (Export-RdsRegistryKey)', { call: 'Export-RdsRegistryKey', nth: 1 }],
      ...mutatingCalls.map((call, i): [string, object] => [`mutating call ${i + 1} (${call})`, { call: '*', nth: i + 1 }]),
    ];
    for (const [label, fault] of faults) {
      const dir = tmp('rdsplan-rollback-');
      const state = join(dir, 'host.json');
      const start = JSON.parse(readFileSync(seed, 'utf8'));
      writeFileSync(state, JSON.stringify({ ...start, faults: [{ ...fault, ...FAULT }] }));
      const records = join(dir, 'records');
      const r = await rdsplan(['apply', PLAN, '--approve', token, '--simulate', state, '--records', records, '--format', 'json']);
      const out = JSON.parse(r.stdout);
      const summary = out.hosts[0].summary;
      expect({ label, code: r.code, exitCode: out.exitCode, status: summary.status, restoredToStart: summary.restoredToStart }).toEqual({ label, code: 1, exitCode: 1, status: 'rolledBack', restoredToStart: true });

      const record = JSON.parse(readFileSync(join(recordDirs(records)[0]!, 'record.json'), 'utf8'));
      const failed = record.steps.filter((s: { status: string }) => s.status === 'failed');
      expect({ label, failed: failed.length, message: failed[0]?.message?.includes(FAULT.message) }).toEqual({ label, failed: 1, message: true });
      // What was rolled back: every step that changed the host before the failure, newest first (not the backup,
      // and not the rds.testGracePeriod gate, which reports changed when a reset is due but changes nothing).
      const readOnly = new Set(['registry.export', 'rds.testGracePeriod']);
      const changed = record.steps.filter((s: { status: string; action: string }) => s.status === 'changed' && !readOnly.has(s.action)).map((s: { stepId: string }) => s.stepId);
      const rolledBack = record.steps.filter((s: { status: string }) => s.status === 'rolledBack').map((s: { stepId: string }) => s.stepId);
      expect({ label, rolledBack }).toEqual({ label, rolledBack: [...changed].reverse() });
      expect({ label, journal: record.journal }).toEqual({ label, journal: [] });
      const shown = await rdsplan(['show-run', recordDirs(records)[0]!]);
      expect({ label, shown: shown.stdout.includes(`- rolled back: ${rolledBack.join(', ') || 'nothing had changed'}; the host is back at its start\n`) }).toEqual({ label, shown: true });

      const now = hostSections(state);
      // A fault after TermService stopped: it starts again (in the run or in the rollback, which undoes the restart
      // before it recreates the value) without a timebomb, writes a fresh one and reads its 120 days; the rollback
      // then puts the old value back, which a running TermService shows only at its next start, as on Windows.
      const nth = (fault as { nth: number }).nth;
      const afterStop = (fault as { call: string }).call === '*' && nth - 1 > termServiceStop;
      const terminalServices = afterStop ? { ...start.terminalServices, graceDays: 120 } : start.terminalServices;
      expect({ label, ...now }).toEqual({ label, registry: start.registry, services: start.services, terminalServices });
      expect({ label, token: JSON.parse(readFileSync(state, 'utf8')).token }).toEqual({ label, token: start.token });
    }
  });

  test.each([
    ['stop', 'failed'],
    ['continue', 'failed'],
  ])('onError %s: no rollback; the run says failed and not back at its start', async (onError, status) => {
    const dir = tmp('rdsplan-rollback-');
    const plan = writePlan(dir, { ...JSON.parse(readFileSync(PLAN, 'utf8')), $schema: undefined, options: { onError } });
    const state = join(dir, 'host.json');
    const start = JSON.parse(readFileSync(seed, 'utf8'));
    writeFileSync(state, JSON.stringify({ ...start, faults: [{ call: 'Remove-RdsRegistryValue', ...FAULT }] }));
    const r = await rdsplan(['apply', plan, '--approve', await approvalToken(plan), '--simulate', state, '--records', join(dir, 'records'), '--format', 'json']);
    expect(r.code).toBe(1);
    const host = JSON.parse(r.stdout).hosts[0];
    expect(host.summary.status).toBe(status);
    expect(host.summary.restoredToStart).not.toBe(true);
    const record = JSON.parse(readFileSync(join(recordDirs(join(dir, 'records'))[0]!, 'record.json'), 'utf8'));
    expect(record.steps.some((s: { status: string }) => s.status === 'rolledBack')).toBe(false);
    const statuses = Object.fromEntries(record.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status]));
    expect(statuses['grace.delete']).toBe('failed');
    // The ownership is put back either way (its finalizer), so the key's ACL is the original.
    const key = Object.keys(start.registry).find((k) => k.toLowerCase().endsWith('\\rcm\\graceperiod'))!;
    expect(hostSections(state).registry).toHaveProperty([key, 'sddl'], start.registry[key].sddl);
  });
});
