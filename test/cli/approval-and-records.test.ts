/**
 * Issue 11, approval and audit, records: a refusal never hands out the plan's token (not even
 * its first characters); a record says how its run was approved (the change board's token or a
 * named terminal confirmation) and show-run shows it; one records folder for every command on
 * every platform; `runs` says when there are none, marks simulated runs and names damaged
 * records; show-run and undo of a damaged record answer with a message and an exit code.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { runSettings } from '../../src/apply/settings.js';
import { listRuns } from '../../src/apply/records.js';
import { validatePlanFile } from '../../src/plan/validate.js';
import { approvalToken, rdsplan, runCli, runEnv } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';

const PLAN = example('reset-grace-period');
const hex = (token: string) => token.slice('sha256:'.length);

async function appliedRun(dir: string, extra: string[] = []) {
  const records = join(dir, 'records');
  const state = join(dir, 'host.json');
  const token = await approvalToken(PLAN);
  const apply = await rdsplan(['apply', PLAN, '--approve', token, '--simulate', state, '--records', records, ...extra]);
  expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
  return { records, state, token, record: recordDirs(records)[0]! };
}

describe('a refusal says how to get a token and never prints one', () => {
  test.each([
    ['a wrong token', ['--approve', `sha256:${'0'.repeat(64)}`]],
    ['no token off a terminal', []],
  ])('apply, %s: exit 4, no part of the token, the way to get one', async (_label, flags) => {
    const dir = tmp();
    const token = await approvalToken(PLAN);
    const r = await rdsplan(['apply', PLAN, ...flags, '--simulate', join(dir, 'h.json'), '--records', join(dir, 'records')]);
    expect(r.code).toBe(4);
    // Seven hex digits are enough to recognise (and misuse) the token: none may appear.
    for (let i = 0; i + 7 <= 64; i += 7) expect(r.stderr).not.toContain(hex(token).slice(i, i + 7));
    expect(r.stderr).toContain(`to get one, run rdsplan review ${PLAN}, have that review approved, and pass the token it ends with to --approve`);
  });

  test('undo off a terminal: no part of the undo token, the dry run named', async () => {
    const dir = tmp();
    const { state, record } = await appliedRun(dir);
    const dry = await rdsplan(['undo', record, '--dry-run', '--simulate', state]);
    const undoToken = /^approval token: (sha256:[0-9a-f]{64})$/m.exec(dry.stdout)![1]!;
    const r = await rdsplan(['undo', record, '--simulate', state]);
    expect(r.code).toBe(4);
    expect(r.stderr).not.toContain(hex(undoToken).slice(0, 7));
    expect(r.stderr).toContain(`to get one, run rdsplan undo ${record} --dry-run, have that review approved`);
  });
});

describe('how a run was approved is on record and shown', () => {
  test('--approve: kind token with the approved token; show-run shows it, not only the script token', async () => {
    const dir = tmp();
    const { record, token } = await appliedRun(dir);
    const saved = JSON.parse(readFileSync(join(record, 'record.json'), 'utf8'));
    expect(saved.approval).toEqual({ kind: 'token', token });
    expect(saved.approvedToken).toBe(token);
    // A simulated run's script has its own token: the one approved is the plan's (Windows) token.
    expect(saved.script.approvalToken).not.toBe(token);
    const json = JSON.parse((await runCli(['show-run', record, '--format', 'json'])).stdout);
    expect(json.approval).toEqual({ kind: 'token', token });
    const text = await runCli(['show-run', record]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`approved with token ${token} (--approve, the reviewed token)`);
    expect(text.stdout).toContain(`script token ${saved.script.approvalToken}`);
    expect(text.stdout).not.toMatch(/approval token/);
  });

  test('a typed confirmation is recorded as interactive, with who, where and when', async () => {
    const dir = tmp();
    const records = join(dir, 'records');
    const before = Date.now();
    const r = await runCli(['apply', PLAN, '--simulate', join(dir, 'h.json'), '--records', records], { env: runEnv(), tty: true, stdin: 'apply\n' });
    expect(r.code).toBe(0);
    const record = recordDirs(records)[0]!;
    const saved = JSON.parse(readFileSync(join(record, 'record.json'), 'utf8'));
    expect(saved.approval).toEqual({ kind: 'interactive', token: await approvalToken(PLAN), user: userInfo().username, host: hostname(), time: expect.any(String) });
    expect(Date.parse(saved.approval.time)).toBeGreaterThanOrEqual(before - 1000);
    const text = (await runCli(['show-run', record])).stdout;
    expect(text).toContain(`approved interactively: ${userInfo().username} on ${hostname()} typed the confirmation at ${saved.approval.time}`);
    expect(text).not.toContain('approved with token');
    const rows = JSON.parse((await runCli(['runs', '--records', records, '--format', 'json'])).stdout);
    expect(rows[0]).toMatchObject({ approval: 'interactive', simulated: true });
  });

  test('a record written before (approval { how, token }) reads as the same two kinds', async () => {
    const dir = tmp();
    const { record, token } = await appliedRun(dir);
    const file = join(record, 'record.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...saved, approval: { how: 'confirmed', token } }));
    const json = JSON.parse((await runCli(['show-run', record, '--format', 'json'])).stdout);
    expect(json.approval).toEqual({ kind: 'interactive', token, user: saved.ranBy.user, host: saved.ranBy.machine, time: saved.startedAt });
  });
});

describe('one records folder for every command on every platform', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
  afterEach(() => {
    Object.defineProperty(process, 'platform', platform);
  });

  test.each(['linux', 'win32', 'darwin'])('%s: apply writes where runs reads: ./.rdsplan, or --records', (name) => {
    Object.defineProperty(process, 'platform', { value: name });
    const cwd = tmp();
    const plan = validatePlanFile(PLAN).plan!;
    expect(runSettings(plan, { cwd }).recordsRoot).toBe(join(cwd, '.rdsplan'));
    expect(runSettings(plan, { cwd, records: 'elsewhere' }).recordsRoot).toBe(join(cwd, 'elsewhere'));
    expect(listRuns(cwd, undefined).folder).toBe(join(cwd, '.rdsplan'));
    expect(listRuns(cwd, 'elsewhere').folder).toBe(join(cwd, 'elsewhere'));
  });

  test('apply and runs without --records meet in ./.rdsplan', async () => {
    const cwd = tmp();
    const apply = await runCli(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', 'h.json'], { env: runEnv(), cwd });
    expect(apply.code).toBe(0);
    const runs = await runCli(['runs'], { cwd });
    expect(runs.stdout).toContain(join(cwd, '.rdsplan', 'runs'));
    expect(runs.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('runs, show-run and undo on what the records folder holds', () => {
  test('no runs: says so, with the folder', async () => {
    const cwd = tmp();
    const r = await runCli(['runs'], { cwd });
    expect(r).toEqual({ code: 0, stdout: `no runs in ${join(cwd, '.rdsplan')}\n`, stderr: '' });
    expect((await runCli(['runs', '--format', 'json'], { cwd })).stdout).toBe('[]\n');
  });

  test('a simulated run is marked', async () => {
    const dir = tmp();
    const { records } = await appliedRun(dir);
    const r = await runCli(['runs', '--records', records]);
    expect(r.stdout).toMatch(/ apply +succeeded +localhost +reset-grace-period-rdsh01 +\(simulated\) /);
    expect(JSON.parse((await runCli(['runs', '--records', records, '--format', 'json'])).stdout)[0]).toMatchObject({ simulated: true, approval: 'token' });
  });

  test('a damaged record is listed with its file, the others still listed', async () => {
    const dir = tmp();
    const { records, record } = await appliedRun(dir);
    const broken = join(records, 'runs', 'zz-broken');
    mkdirSync(broken, { mode: 0o700 });
    writeFileSync(join(broken, 'record.json'), '{', { mode: 0o600 });
    const r = await runCli(['runs', '--records', records]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(record);
    expect(lines[1]).toMatch(new RegExp(`^DAMAGED  ${join(broken, 'record.json').replace(/[\\/.]/g, '\\$&')}: damaged run record: not JSON`));
    expect(r.stderr).toContain(`rdsplan: ${join(broken, 'record.json')}: damaged run record: not JSON`);
    const rows = JSON.parse((await runCli(['runs', '--records', records, '--format', 'json'])).stdout);
    expect(rows[1]).toMatchObject({ dir: broken, file: join(broken, 'record.json'), status: 'damaged', problem: expect.stringMatching(/^damaged run record: not JSON/) });
  });

  test('show-run and undo of a record missing fields: one message naming them, exit 1 and 4, no internal error', async () => {
    const dir = tmp();
    const { record, state } = await appliedRun(dir);
    const file = join(record, 'record.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    delete saved.plan;
    delete saved.steps;
    writeFileSync(file, JSON.stringify(saved));
    chmodSync(file, 0o600);
    const message = `${file}: damaged run record: missing or malformed plan.name, plan.file, plan.sha256, steps, plan.bytesSha256`;
    for (const format of ['text', 'json', 'markdown']) {
      const show = await runCli(['show-run', record, '--format', format]);
      expect(show).toEqual({ code: 1, stdout: '', stderr: `rdsplan: cannot read the run record in ${record}: ${message}\n` });
    }
    const undo = await rdsplan(['undo', record, '--dry-run', '--simulate', state]);
    expect(undo.code).toBe(4);
    expect(undo.stderr).toBe(`rdsplan: refused: ${record}: cannot read the run record: ${message}; nothing was run\n`);
    const runs = await runCli(['runs', '--records', join(dir, 'records')]);
    expect(runs.stdout).toContain(`DAMAGED  ${message}`);
  });
});
