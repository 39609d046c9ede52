/**
 * The issue "Run records and undo you can trust": "Records on a full disk: 200 changes applied,
 * record.json 0 bytes, undo fails on JSON." A full disk is injected through the record store's
 * FileOps, which only runRecorded takes (the CLI has no switch for it): so these tests drive
 * runRecorded, the stage `apply` runs, on the simulated host with the real pwsh, and hand its
 * result to reportApply, the step that prints what `apply` prints and picks its exit code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { reportApply } from '../../src/cli/apply-report.js';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderScript } from '../../src/render/script.js';
import { RecordIntentError, runRecorded } from '../../src/run/records/recorded-run.js';
import { realFileOps, type FileOps } from '../../src/run/records/store.js';
import { newRunId } from '../../src/run/run-id.js';
import { rdsplan } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { writePlan } from '../support/plans.js';
import { fakePowerShell, isGone } from '../support/fake-powershell.js';
import { powershellPath } from '../support/powershell.js';

/** Enough steps that PowerShell is still busy when the disk fills after the third. */
const STEPS = 40;

function manyValuesPlan(dir: string, targets: string[]): string {
  const steps = Array.from({ length: STEPS }, (_, i) => ({
    id: `v${i}`,
    action: 'registry.setValue',
    path: 'HKLM\\SOFTWARE\\Contoso\\RdsPlan',
    name: `Value${i}`,
    type: 'DWord',
    data: i,
    backup: { skip: true, reason: 'a new key: nothing to back up' },
  }));
  return writePlan(dir, { apiVersion: 'rdsplan/v1', name: 'many-values', targets, steps });
}

/**
 * The disk fills after `writes` successful writes: every later one fails with ENOSPC, the
 * first of them after taking half its bytes, as a real disk fills in the middle of a write.
 * The record is written plan.json, script.ps1, record.json (the intent), then one write per
 * event line and one per journal entry. `atFailure` runs once, at the first refused write.
 */
function diskFullAfter(writes: number, atFailure: () => void = () => {}): FileOps {
  let done = 0;
  let failed = false;
  return {
    write(fd, data) {
      if (done >= writes) {
        if (!failed) {
          atFailure();
          realFileOps.write(fd, data.subarray(0, Math.floor(data.length / 2)));
        }
        failed = true;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      }
      done += 1;
      realFileOps.write(fd, data);
    },
  };
}

/** A Writable-enough sink for reportApply's io. */
function sink() {
  const sinkStream = { text: '', write: (chunk: string | Uint8Array) => ((sinkStream.text += String(chunk)), true) };
  return sinkStream;
}

/** runRecorded as `apply` calls it; one target's host is a state file, several a folder of them. */
function apply(dir: string, powershell: string, fileOps: FileOps, targets = ['localhost']) {
  const planFile = manyValuesPlan(dir, targets);
  const plan = validatePlanFile(planFile).plan!;
  const records = join(dir, 'records');
  const state = join(dir, targets.length === 1 ? 'host.json' : 'hosts');
  if (targets.length > 1) mkdirSync(state);
  const recorded = runRecorded({
    name: plan.name,
    mode: 'apply',
    runId: newRunId(),
    script: renderScript(plan, { platform: 'sim' }),
    plan,
    planBytes: readFileSync(planFile),
    approval: { kind: 'token', token: renderScript(plan).approvalToken },
    recordsRoot: records,
    targets: plan.targets,
    powershell: { path: powershell, source: 'RDSPLAN_POWERSHELL' },
    timeoutMs: 120_000,
    throttle: 1,
    simulate: state,
    simulatedBackupRoot: join(records, 'backups'),
    fileOps,
  });
  return { recorded, records, state };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('a full disk while the record is written', () => {
  test('the disk fills after the intent: PowerShell is killed at the first failed write, one message names the record and ENOSPC, exit 1, the intent stays listed and undoable from its whole journal lines', async () => {
    const dir = tmp('rdsplan-disk-full-');
    const lockFile = join(dir, 'host.json.lock');
    let running: number | undefined;
    // 3 intent files, the start event, v0 and v1 with their journal entries, v2's event line: v2's journal entry is refused half-written.
    const ops = diskFullAfter(9, () => {
      // The sim's lock holds the pid of the PowerShell that is running the steps.
      running = Number(JSON.parse(readFileSync(lockFile, 'utf8')).processId);
    });
    const { recorded, records, state } = apply(dir, powershellPath(), ops);
    const result = await recorded;

    expect(running).toBeGreaterThan(0);
    expect(isGone(running!)).toBe(true);
    const [host] = result.run.hosts;
    expect(host!.summary).toBeUndefined();
    expect(host!.steps.length).toBeLessThan(STEPS);
    const saved = existsSync(state) ? readFileSync(state, 'utf8') : '';
    expect(saved).not.toContain(`Value${STEPS - 1}`);
    expect(existsSync(lockFile)).toBe(false);

    const stdout = sink();
    const stderr = sink();
    const code = reportApply({ io: { stdout, stderr, env: {}, cwd: dir } as never, hosts: result.run.hosts, records: result.records, stderr: result.run.process.stderr, ...(result.interrupted ? { interrupted: result.interrupted } : {}), recordProblems: result.recordProblems, json: false, order: [] });
    expect(code).toBe(1);
    const [folder] = recordDirs(records);
    expect(result.records).toEqual([folder]);
    expect(stderr.text).toBe(`rdsplan: interrupted (the run record in ${folder} could not be written (ENOSPC: no space left on device, write)): the PowerShell process tree was killed; the record is marked incomplete and undo can use its journal\n`);

    const record = JSON.parse(readFileSync(join(folder!, 'record.json'), 'utf8'));
    expect(record).toMatchObject({ complete: false, status: 'incomplete', mode: 'apply', plan: { name: 'many-values' } });
    expect(lines(join(folder!, 'events.jsonl')).map((l) => JSON.parse(l.slice('@@rdsplan '.length)).stepId)).toEqual([undefined, 'v0', 'v1', 'v2']);
    // The half-written line is gone: the journal holds whole lines only.
    expect(readFileSync(join(folder!, 'journal.jsonl'), 'utf8')).toMatch(/\n$/);
    expect(lines(join(folder!, 'journal.jsonl')).map((l) => JSON.parse(l).stepId)).toEqual(['v0', 'v1']);

    const runs = await rdsplan(['runs', '--records', records, '--format', 'json']);
    expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ dir: folder, status: 'incomplete', complete: false })]);
    const dry = await rdsplan(['undo', folder!, '--dry-run', '--simulate', state]);
    expect({ code: dry.code, stderr: dry.stderr }).toEqual({ code: 0, stderr: '' });
    expect([...dry.stdout.matchAll(/^ {2}(\S+) \(registry\.setValue\)/gm)].map((m) => m[1])).toEqual(['v1', 'v0']);
    expect(dry.stdout).toMatch(/^warning: the run was interrupted .*not covered by a manifest/m);
    expect(dry.stdout).toMatch(/^approval token: sha256:[0-9a-f]{64}$/m);
  });

  test.each([
    ['plan.json, the very first write', 0, ['localhost']],
    ['record.json, the intent itself', 2, ['localhost']],
    ["the second host's plan.json, the first host's intent written", 3, ['rdsh01.contoso.com', 'rdsh02.contoso.com']],
  ])('the disk is full at %s: PowerShell never starts, one clear error, no half-written record left', async (_label, writes, targets) => {
    const dir = tmp('rdsplan-disk-full-');
    const started = join(dir, 'powershell-started');
    const { recorded, records, state } = apply(dir, fakePowerShell(dir, 'pwsh', [`: > '${started}'`]), diskFullAfter(writes), targets);
    await expect(recorded).rejects.toThrow(RecordIntentError);
    await expect(recorded).rejects.toThrow(/^cannot write the run record under .*records: ENOSPC: no space left on device, write; nothing was run$/);
    expect(existsSync(started)).toBe(false);
    expect(existsSync(state) && readdirSync(state).length > 0).toBe(false);
    // Nothing ran, so there is no run to keep: no folder with a 0-byte plan.json or record.json.
    expect(readdirSync(join(records, 'runs'))).toEqual([]);
    const runs = await rdsplan(['runs', '--records', records, '--format', 'json']);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});
