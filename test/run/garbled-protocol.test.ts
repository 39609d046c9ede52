/**
 * A garbled results-protocol line means the run's account of itself cannot be trusted: it
 * reaches stderr and the host's message, and the run fails (exit 1) even when the script's
 * summary says succeeded. The "PowerShell" is a script that prints what a broken one would.
 */
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, runCli } from '../support/cli.js';
import { fakePowerShell } from '../support/fake-powershell.js';
import { tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';

const PLAN = example('reset-grace-period');

function garblingPowerShell(dir: string, mode: 'apply' | 'check'): string {
  const event = (json: string) => `printf '%s\\n' '@@rdsplan ${json}'`;
  return fakePowerShell(dir, 'garbling-pwsh', [
    // The ids are not known when this file is written: the placeholders are replaced by sed.
    `{`,
    event(`{"event":"start","runId":"RUN","host":"HOST","time":"2026-01-01T00:00:00Z","plan":"reset-grace-period-rdsh01","planSha256":"x","toolVersion":"0.1.0","mode":"${mode}","user":"u"}`),
    event('{"event":"step","runId":"RUN","host":"HOST","stepId":"grace.delete","status":"chan'),
    event(`{"event":"summary","runId":"RUN","host":"HOST","time":"2026-01-01T00:00:02Z","status":"succeeded","counts":{},"durationMs":9}`),
    `} | sed -e "s/RUN/$run/g" -e "s/HOST/$host/g"`,
  ]);
}

describe('a garbled protocol line', () => {
  test('apply: exit 1, the problem on stderr and in the host row, although the summary said succeeded', async () => {
    const dir = tmp('rdsplan-garbled-');
    const env = { RDSPLAN_POWERSHELL: garblingPowerShell(dir, 'apply'), PATH: process.env.PATH };
    const r = await runCli(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'host.json'), '--records', join(dir, 'records')], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('malformed protocol line: @@rdsplan {"event":"step"');
    expect(r.stdout).toMatch(/^localhost\s+succeeded\s.*the results protocol was garbled, so the run cannot be trusted: malformed protocol line/m);
  });

  test('check: exit 1 rather than 0', async () => {
    const dir = tmp('rdsplan-garbled-');
    const env = { RDSPLAN_POWERSHELL: garblingPowerShell(dir, 'check'), PATH: process.env.PATH };
    const r = await runCli(['check', PLAN, '--simulate', join(dir, 'host.json')], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('malformed protocol line');
  });
});
