/**
 * --timeout: a script that does not finish in time is killed; the run fails (exit 1) saying
 * it timed out, and the steps it reported before are kept in the output and the record.
 * The hanging "PowerShell" is a small shell wrapper (RDSPLAN_POWERSHELL) that reports a start
 * and one step in the results protocol, as the real script would, and then sleeps.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { runCli } from '../support/cli.js';
import { approvalToken, example, recordDirs, tmp } from '../cli/run-support.js';

const PLAN = example('reset-grace-period');

function hangingPowerShell(dir: string): string {
  const path = join(dir, 'hanging-pwsh');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      "run=''; host=''",
      'while [ $# -gt 0 ]; do',
      '  case "$1" in -RunId) run=$2; shift ;; -TargetName) host=$2; shift ;; esac',
      '  shift',
      'done',
      `printf '@@rdsplan {"event":"start","runId":"%s","host":"%s","time":"2026-01-01T00:00:00Z","plan":"reset-grace-period-rdsh01","planSha256":"x","toolVersion":"0.1.0","mode":"apply","user":"CONTOSO\\\\\\\\Administrator"}\\n' "$run" "$host"`,
      `printf '@@rdsplan {"event":"step","runId":"%s","host":"%s","time":"2026-01-01T00:00:01Z","stepId":"grace.export","action":"registry.export","status":"changed","before":{"Exists":true},"after":{"Exists":true},"durationMs":5}\\n' "$run" "$host"`,
      'exec sleep 60',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

describe('--timeout', () => {
  test('a run that does not finish is killed: exit 1, "timed out", the reported step kept', async () => {
    const dir = tmp('rdsplan-timeout-');
    const records = join(dir, 'records');
    const env = { RDSPLAN_POWERSHELL: hangingPowerShell(dir), PATH: process.env.PATH };
    const started = Date.now();
    const r = await runCli(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'host.json'), '--records', records, '--timeout', '1'], { env });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('localhost  changed     grace.export (registry.export) {"Exists":true} -> {"Exists":true}');
    expect(r.stdout).toMatch(/^localhost\s+incomplete\s.*timed out after 1 s; the process was killed after 1 reported steps$/m);
    const [d] = recordDirs(records);
    const record = JSON.parse(readFileSync(join(d!, 'record.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'incomplete', exitCode: 1, error: 'timed out after 1 s; the process was killed after 1 reported steps' });
    expect(record.steps).toEqual([expect.objectContaining({ stepId: 'grace.export', status: 'changed' })]);
    expect(readFileSync(join(d!, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  test('check with --timeout: exit 1 and the same sentence', async () => {
    const dir = tmp('rdsplan-timeout-');
    const env = { RDSPLAN_POWERSHELL: hangingPowerShell(dir), PATH: process.env.PATH };
    const r = await runCli(['check', PLAN, '--simulate', join(dir, 'host.json'), '--timeout', '1'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('timed out after 1 s; the process was killed after 1 reported steps');
  });

  test('--timeout must be a whole number of seconds', async () => {
    const r = await runCli(['check', PLAN, '--timeout', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rdsplan: --timeout must be a whole number of at least 1, not "0.5"\n');
  });
});
