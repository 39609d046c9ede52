/**
 * A run that dies with the CLI still leaves its record: kill -9 of rdsplan (the record written
 * before PowerShell started, the events appended as they came), and Ctrl-C / SIGTERM (the
 * PowerShell tree killed, the record finalized as interrupted). The CLI runs as its own
 * process (dist/), its PowerShell is a launcher whose child reports one step and then hangs;
 * for the undo of a killed run, the real pwsh on the simulated host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from '@jest/globals';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { hostSections } from '../support/sim.js';
import { approvalToken, rdsplan, runCli } from '../support/cli.js';
import { fakePowerShell, isGone } from '../support/fake-powershell.js';
import { powershellPath } from '../support/powershell.js';

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

/**
 * The real pwsh, its output passed on to rdsplan up to the line of `lastStep` and no further:
 * PowerShell runs to its end (and saves the simulated host), then `finished` is created; the
 * launcher itself stays until `release` exists, so rdsplan never sees the run end.
 */
function pwshHeldAfter(dir: string, lastStep: string) {
  const finished = join(dir, 'pwsh.finished');
  const release = join(dir, 'release');
  const launcher = join(dir, 'held-pwsh');
  writeFileSync(
    launcher,
    [
      '#!/bin/sh',
      `'${powershellPath()}' "$@" | {`,
      "  held=''",
      '  while IFS= read -r line; do',
      `    [ -n "$held" ] || printf '%s\\n' "$line"`,
      `    case "$line" in *'"stepId":"${lastStep}"'*) held=1 ;; esac`,
      '  done',
      `  : > '${finished}'`,
      `  while [ ! -e '${release}' ]; do sleep 0.05; done`,
      '}',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { launcher, finished, release };
}

/** Polls (bounded, 30 s) until `found` gives a value. */
async function until<T>(what: string, found: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = found();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the run's events file holds `lines` lines; returns the run folder. */
function runFolderWithEvents(records: string, lines: number): Promise<string> {
  return until(`a run folder with ${lines} events under ${records}`, () => {
    const runs = existsSync(join(records, 'runs')) ? readdirSync(join(records, 'runs')) : [];
    if (runs.length !== 1) return undefined;
    const events = join(records, 'runs', runs[0]!, 'events.jsonl');
    return existsSync(events) && readFileSync(events, 'utf8').trim().split('\n').filter(Boolean).length >= lines ? join(records, 'runs', runs[0]!) : undefined;
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}

/** `rdsplan apply` of PLAN as its own process, on `powershell`. */
async function spawnApply(dir: string, powershell: string) {
  const records = join(dir, 'records');
  const child = spawn(process.execPath, [CLI, 'apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', join(dir, 'host.json'), '--records', records], {
    env: { PATH: process.env.PATH, RDSPLAN_POWERSHELL: powershell },
    stdio: 'ignore',
  });
  return { child, done: exited(child), records };
}

async function startApply(dir: string) {
  const fake = hangingAfterOneStep(dir);
  const { child, done, records } = await spawnApply(dir, fake.launcher);
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

describe('undo of a run left incomplete by kill -9 of rdsplan', () => {
  test('the journal that streamed before the kill is shown with a warning, and undo with its token restores the host, on record', async () => {
    const dir = tmp('rdsplan-kill9-undo-');
    const state = join(dir, 'host.json');
    // A check saves the simulated host as it is before the run.
    expect((await rdsplan(['check', PLAN, '--simulate', state, '--records', join(dir, 'records')])).code).toBe(3);
    const before = hostSections(state);
    // grace.restore is the run's last change with an undo: rdsplan is killed after its line, before the summary.
    const pwsh = pwshHeldAfter(dir, 'grace.restore');
    const { child, done, records } = await spawnApply(dir, pwsh.launcher);
    try {
      await until('PowerShell to finish the run', () => (existsSync(pwsh.finished) ? true : undefined));
      child.kill('SIGKILL');
      await done;
    } finally {
      writeFileSync(pwsh.release, '');
    }
    const dirs = recordDirs(records);
    expect(dirs).toHaveLength(1);
    const folder = dirs[0]!;
    expect(JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8'))).toMatchObject({ complete: false, status: 'incomplete', mode: 'apply', journal: [] });
    expect(readFileSync(join(folder, 'events.jsonl'), 'utf8')).not.toContain('"event":"summary"');
    const changed = hostSections(state);
    expect(changed.registry).not.toEqual(before.registry);

    const dry = await rdsplan(['undo', folder, '--dry-run', '--simulate', state]);
    expect({ code: dry.code, stderr: dry.stderr }).toEqual({ code: 0, stderr: '' });
    expect([...dry.stdout.matchAll(/^ {2}(\S+) \(/gm)].map((m) => m[1])).toEqual(['grace.restore', 'grace.delete', 'grace.own']);
    expect(dry.stdout).toMatch(/^warning: the run was interrupted \(rdsplan ended before finalizing the record\); its journal is not covered by a manifest/m);
    expect(hostSections(state)).toEqual(changed);

    const token = /^approval token: (sha256:[0-9a-f]{64})$/m.exec(dry.stdout)![1]!;
    const undo = await rdsplan(['undo', folder, '--simulate', state, '--approve', token]);
    expect(undo.code).toBe(0);
    expect(undo.stderr).toMatch(/^warning: the run was interrupted \(rdsplan ended before finalizing the record\)/m);
    expect(undo.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '))).toEqual([]);
    const after = hostSections(state);
    expect(after.registry).toEqual(before.registry);
    expect(after.services).toEqual(before.services);
    const undoDir = recordDirs(records).find((d) => d !== folder)!;
    expect(undo.stdout).toContain(`record: ${undoDir}\n`);
    const undoRecord = JSON.parse(readFileSync(join(undoDir, 'record.json'), 'utf8'));
    expect(undoRecord).toMatchObject({ mode: 'undo', complete: true, status: 'succeeded', undoOf: { runId: JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8')).runId, record: basename(folder) } });
    expect(undoRecord.steps.map((s: { stepId: string; status: string }) => `${s.stepId}:${s.status}`)).toEqual(['grace.restore:rolledBack', 'grace.delete:rolledBack', 'grace.own:rolledBack']);
  });
});
