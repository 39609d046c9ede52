/**
 * The run record an auditor reads (src/run/record.ts): everything the issue lists is there,
 * plan.json and script.ps1 are byte for byte what ran, backups carry their true sha256, the
 * raw results stream is kept, and no secret from the operator's environment lands anywhere
 * under the records folder (records, backups, journal, logs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderScript, scriptBytes } from '../../src/render/script.js';
import { approvalToken, rdsplan, runEnv } from '../support/cli.js';
import { filesUnder, recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';

const PLAN = example('reset-grace-period');
const SECRETS = {
  RDSPLAN_TEST_SECRET: 'hunter2-6f1d9c0b-rdsplan-secret',
  PASSWORD: 'Pa55w0rd-correct-horse-battery',
  RDSPLAN_CREDENTIAL: 'CONTOSO\\svc-rds:s3cr3t-9b7e',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY',
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('run records', () => {
  const saved: Record<string, string | undefined> = {};
  let dir: string;
  let records: string;
  let recordDir: string;
  let record: Record<string, any>;
  let before: number;
  let after: number;

  beforeAll(async () => {
    // The secrets are in the environment the CLI and PowerShell inherit, as an operator's would be.
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    dir = tmp('rdsplan-records-');
    records = join(dir, 'records');
    const env = runEnv(SECRETS);
    const state = join(dir, 'host.json');
    expect((await rdsplan(['check', PLAN, '--simulate', state, '--records', records], { env })).code).toBe(3);
    before = Date.now();
    const apply = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records], { env });
    after = Date.now();
    expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
    recordDir = recordDirs(records)[0]!;
    record = JSON.parse(readFileSync(join(recordDir, 'record.json'), 'utf8'));
    // An undo and a failing run write their files too: all of it is searched below.
    const dry = await rdsplan(['undo', recordDir, '--dry-run', '--simulate', state], { env });
    const undoToken = /^approval token: (\S+)$/m.exec(dry.stdout)![1]!;
    expect((await rdsplan(['undo', recordDir, '--simulate', state, '--approve', undoToken], { env })).code).toBe(0);
  });

  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('one folder per run: <records>/runs/<time>-<plan>-<host>-<random>/', () => {
    expect(recordDir).toMatch(/[/\\]runs[/\\]\d{8}T\d{9}Z-reset-grace-period-rdsh01-localhost-[0-9a-f]{8}$/);
  });

  test('the plan, both hashes, the token approved, who ran it where and when', async () => {
    const plan = validatePlanFile(PLAN).plan!;
    const windows = renderScript(plan);
    expect(record).toMatchObject({
      formatVersion: 2,
      complete: true,
      mode: 'apply',
      host: 'localhost',
      status: 'succeeded',
      exitCode: 0,
      plan: { name: 'reset-grace-period-rdsh01', file: PLAN, sha256: plan.sha256 },
      script: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), approvalToken: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), platform: 'sim', toolVersion: '0.1.0' },
      approvedToken: await approvalToken(PLAN),
      ranBy: { user: userInfo().username, machine: hostname(), remoteUser: 'CONTOSO\\Administrator' },
      simulated: { stateFile: join(dir, 'host.json') },
    });
    expect(record.approvedToken).toBe(windows.approvalToken);
    expect(record.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const started = Date.parse(record.startedAt);
    const ended = Date.parse(record.endedAt);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(ended).toBeGreaterThanOrEqual(started);
    expect(ended).toBeLessThanOrEqual(after + 1000);
  });

  test('plan.json and script.ps1 are byte-equal to what was run', () => {
    expect(readFileSync(join(recordDir, 'plan.json'))).toEqual(readFileSync(PLAN));
    const script = renderScript(validatePlanFile(PLAN).plan!, { platform: 'sim' });
    const bytes = readFileSync(join(recordDir, 'script.ps1'));
    expect(bytes).toEqual(scriptBytes(script));
    expect(script.scriptSha256).toBe(record.script.sha256);
    expect(script.approvalToken).toBe(record.script.approvalToken);
    expect(bytes.toString('utf8')).toContain(record.script.approvalToken);
  });

  test('per step: status, before and after; the backups with their true sha256', () => {
    expect(record.steps.map((s: any) => `${s.stepId}:${s.status}`)).toEqual([
      'grace.restart.sessions:unchanged',
      'grace.due:changed',
      'grace.export:changed',
      'grace.own:changed',
      'grace.delete:changed',
      'grace.restore:changed',
      'grace.restart:changed',
      'grace.days:unchanged',
    ]);
    for (const s of record.steps) {
      expect(s).toHaveProperty('before');
      expect(s).toHaveProperty('after');
      expect(typeof s.durationMs).toBe('number');
    }
    expect(record.backups).toHaveLength(1);
    const backup = record.backups[0];
    expect(backup).toMatchObject({ stepId: 'grace.export', file: expect.stringContaining(join(records, 'backups', 'localhost')) });
    expect(sha256(readFileSync(backup.file))).toBe(backup.sha256);
    expect(readFileSync(backup.sddlFile, 'utf8')).toContain('O:NSG:SY');
    expect(record.journal.map((e: any) => e.stepId)).toEqual(['grace.own', 'grace.delete', 'grace.restore']);
  });

  test('the raw results stream: start, one line per step, the state each changed step left, summary, as the script printed them', () => {
    const lines = readFileSync(join(recordDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.every((l) => l.startsWith('@@rdsplan {'))).toBe(true);
    const events = lines.map((l) => JSON.parse(l.slice('@@rdsplan '.length)));
    expect(events.map((e) => e.event)).toEqual(['start', ...record.steps.map(() => 'step'), ...record.journal.map(() => 'state'), 'summary']);
    expect(events.filter((e) => e.event === 'state').map((e) => e.stepId)).toEqual(record.journal.map((e: any) => e.stepId));
    expect(events[0]).toMatchObject({ runId: record.runId, mode: 'apply', plan: 'reset-grace-period-rdsh01' });
    expect(events.at(-1)).toEqual(record.summary);
    // Verbatim: the script's compact ASCII JSON, not a re-serialization.
    expect(lines.every((l) => /^[\x20-\x7e]+$/.test(l))).toBe(true);
  });

  test('no secret from the environment anywhere under the records folder', () => {
    const files = filesUnder(records);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const bytes = readFileSync(file);
      const texts = [bytes.toString('utf8'), bytes.toString('utf16le')];
      for (const secret of Object.values(SECRETS)) {
        for (const text of texts) expect({ file, found: text.includes(secret) }).toEqual({ file, found: false });
      }
    }
  });
});
