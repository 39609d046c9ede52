/**
 * A run that dies with the CLI still leaves its record: kill -9 of rdsplan (the record written
 * before PowerShell started, the events appended as they came), and Ctrl-C / SIGTERM (the
 * PowerShell tree killed, the record finalized as interrupted). The CLI runs as its own
 * process (dist/), its PowerShell is a launcher whose child reports one step and then hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, example, tmp } from '../cli/run-support.js';
import { runCli } from '../support/cli.js';
import { fakePowerShell, isGone } from '../support/fake-powershell.js';

const PLAN = example('reset-grace-period');
const CLI = resolve('dist', 'rdsplan.mjs');

function hangingAfterOneStep(dir: string): { launcher: string; pidFile: string } {
  const pidFile = join(dir, 'child.pid');
  const child = fakePowerShell(dir, 'child.sh', [
    `echo $$ > '${pidFile}'`,
    `printf '@@rdsplan {"event":"start","runId":"%s","host":"%s","time":"2026-01-01T00:00:00Z","plan":"reset-grace-period-rdsh01","planSha256":"x","toolVersion":"0.1.0","mode":"apply","user":"u"}\\n' "$run" "$host"`,
    `printf '@@rdsplan {"event":"step","runId":"%s","host":"%s","time":"2026-01-01T00:00:01Z","stepId":"grace.export","action":"registry.export","status":"changed","durationMs":5}\\n' "$run" "$host"`,
    'i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done',
  ]);
  // The launcher passes -RunId and -TargetName on and stays the parent.
  const launcher = fakePowerShell(dir, 'launcher-pwsh', [`'${child}' -RunId "$run" -TargetName "$host" &`, 'wait']);
  return { launcher, pidFile };
}

/** Waits (bounded) until the run's events file holds `lines` lines; returns the run folder. */
async function runFolderWithEvents(records: string, lines: number): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const runs = existsSync(join(records, 'runs')) ? readdirSync(join(records, 'runs')) : [];
    if (runs.length === 1) {
      const events = join(records, 'runs', runs[0]!, 'events.jsonl');
      if (existsSync(events) && readFileSync(events, 'utf8').trim().split('\n').filter(Boolean).length >= lines) return join(records, 'runs', runs[0]!);
    }
    await sleep(100);
  }
  throw new Error(`no run folder with ${lines} events under ${records}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}

async function startApply(dir: string) {
  const records = join(dir, 'records');
  const fake = hangingAfterOneStep(dir);
  const child = spawn(process.execPath, [CLI, 'apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'host.json'), '--records', records], {
    env: { PATH: process.env.PATH, RDSPLAN_POWERSHELL: fake.launcher },
    stdio: 'ignore',
  });
  const done = exited(child);
  const folder = await runFolderWithEvents(records, 2);
  return { child, done, folder, records, fake };
}

describe('a run that dies with rdsplan keeps its record', () => {
  test('kill -9 of the CLI: the record of the intent and the streamed events are there, and runs lists the run as incomplete', async () => {
    const dir = tmp('rdsplan-kill9-');
    const { child, done, folder, records, fake } = await startApply(dir);
    child.kill('SIGKILL');
    await done;
    const record = JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8'));
    expect(record).toMatchObject({ complete: false, status: 'incomplete', mode: 'apply' });
    expect(readFileSync(join(folder, 'plan.json'))).toEqual(readFileSync(PLAN));
    expect(readFileSync(join(folder, 'events.jsonl'), 'utf8')).toContain('"stepId":"grace.export"');
    const runs = await runCli(['runs', '--records', records, '--format', 'json']);
    expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ status: 'incomplete', complete: false })]);
    // The orphaned PowerShell is not ours to reap any more; end it so the test leaves nothing behind.
    process.kill(Number(readFileSync(fake.pidFile, 'utf8')), 'SIGKILL');
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('%s: the PowerShell tree is killed, the record is finalized as interrupted, exit 1', async (signal) => {
    const dir = tmp('rdsplan-signal-');
    const { child, done, folder, fake } = await startApply(dir);
    child.kill(signal);
    expect(await done).toBe(1);
    expect(isGone(Number(readFileSync(fake.pidFile, 'utf8')))).toBe(true);
    const record = JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8'));
    expect(record.complete).toBe(false);
    expect(record.interrupted).toEqual(expect.stringContaining(signal));
    expect(record.steps).toEqual([expect.objectContaining({ stepId: 'grace.export', status: 'changed' })]);
  });
});
