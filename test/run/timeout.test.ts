/**
 * --timeout: a script that does not finish in time is killed with everything it started; the
 * run fails (exit 1) saying it timed out and which steps had reported, which stay in the
 * output and the record. The hanging "PowerShell" (RDSPLAN_POWERSHELL) is a launcher that stays
 * the parent of its child, as the NuGet `pwsh` and the Windows shim stay the parent of the real
 * PowerShell: the child reports a start and one step in the results protocol, as the script
 * would, then keeps running, and would "change the host" (a marker file) if it outlived the run.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, runCli } from '../support/cli.js';
import { fakePowerShell, isGone } from '../support/fake-powershell.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';

const PLAN = example('reset-grace-period');

/** The launcher and its child's pid file and marker; `ignoreTerm`: the child ignores SIGTERM. */
function hangingPowerShell(dir: string, ignoreTerm: boolean) {
  const child = join(dir, 'child.sh');
  const pidFile = join(dir, 'child.pid');
  const marker = join(dir, 'host-changed');
  writeFileSync(
    child,
    [
      '#!/bin/sh',
      ignoreTerm ? "trap '' TERM" : '',
      `echo $$ > '${pidFile}'`,
      'run=$1; host=$2',
      `printf '@@rdsplan {"event":"start","runId":"%s","host":"%s","time":"2026-01-01T00:00:00Z","plan":"reset-grace-period-rdsh01","planSha256":"x","toolVersion":"0.1.0","mode":"apply","user":"CONTOSO\\\\\\\\Administrator"}\\n' "$run" "$host"`,
      `printf '@@rdsplan {"event":"step","runId":"%s","host":"%s","time":"2026-01-01T00:00:01Z","stepId":"grace.export","action":"registry.export","status":"changed","before":{"Exists":true},"after":{"Exists":true},"durationMs":5}\\n' "$run" "$host"`,
      // A loop of short sleeps: the shell itself is what must die, not only a sleep it runs.
      'i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done',
      `echo changed > '${marker}'`,
      '',
    ].join('\n'),
  );
  chmodSync(child, 0o755);
  // Not exec: the launcher stays the parent and waits, as dotnet-tool pwsh does.
  const launcher = fakePowerShell(dir, 'launcher-pwsh', [`'${child}' "$run" "$host" &`, 'wait']);
  return { launcher, pidFile, marker };
}


describe('--timeout', () => {
  for (const ignoreTerm of [false, true]) {
    test(`apply: the launcher, its child${ignoreTerm ? ' (which ignores SIGTERM)' : ''} and all it started are killed; exit 1, "timed out", the reported step kept`, async () => {
      const dir = tmp('rdsplan-timeout-');
      const records = join(dir, 'records');
      const fake = hangingPowerShell(dir, ignoreTerm);
      const env = { RDSPLAN_POWERSHELL: fake.launcher, PATH: process.env.PATH };
      const r = await runCli(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'host.json'), '--records', records, '--timeout', '1'], { env });
      // When the CLI has answered, nothing it started may still run: the child is gone and never changed the host.
      const childPid = Number(readFileSync(fake.pidFile, 'utf8'));
      expect(isGone(childPid)).toBe(true);
      expect(existsSync(fake.marker)).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('localhost\n  changed  grace.export (registry.export)');
      const sentence = 'timed out after 1 s; the PowerShell process tree was killed after 1 reported step (grace.export changed)';
      expect(r.stdout).toMatch(new RegExp(`^localhost\\s+incomplete\\s.*${sentence.replace(/[()]/g, '\\$&')}$`, 'm'));
      const [d] = recordDirs(records);
      const record = JSON.parse(readFileSync(join(d!, 'record.json'), 'utf8'));
      expect(record).toMatchObject({ status: 'incomplete', exitCode: 1, error: sentence });
      expect(record.steps).toEqual([expect.objectContaining({ stepId: 'grace.export', status: 'changed' })]);
      expect(readFileSync(join(d!, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    });
  }

  test('check with --timeout: exit 1 and the same sentence; nothing left running', async () => {
    const dir = tmp('rdsplan-timeout-');
    const fake = hangingPowerShell(dir, true);
    const env = { RDSPLAN_POWERSHELL: fake.launcher, PATH: process.env.PATH };
    const r = await runCli(['check', PLAN, '--simulate', join(dir, 'host.json'), '--timeout', '1'], { env });
    expect(isGone(Number(readFileSync(fake.pidFile, 'utf8')))).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('timed out after 1 s; the PowerShell process tree was killed after 1 reported step (grace.export changed)');
  });

  test('--timeout must be a whole number of seconds', async () => {
    const r = await runCli(['check', PLAN, '--timeout', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rdsplan: --timeout must be a whole number of at least 1, not "0.5"\n');
  });
});
