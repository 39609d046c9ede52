/**
 * What a run makes sure of on the host before it changes anything (ps-templates/runtime/Host.ps1),
 * seen through the CLI on the simulated host: a PowerShell that is not elevated is refused with
 * its own exit code (5), never as "another run holds the lock"; a lock a killed run left is
 * taken with a warning that names that run; a backup folder another account made is refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { hostSections } from '../support/sim.js';

const PLAN = example('reset-grace-period');

/** A simulated host saved by a check (the default host), then edited. */
async function savedHost(edit: (state: any) => void = () => {}) {
  const dir = tmp('rdsplan-host-');
  const state = join(dir, 'host.json');
  const records = join(dir, 'records');
  expect((await rdsplan(['check', PLAN, '--simulate', state, '--records', records])).code).toBe(3);
  const document = JSON.parse(readFileSync(state, 'utf8'));
  edit(document);
  writeFileSync(state, JSON.stringify(document, null, 2));
  return { dir, state, records };
}

/** The administrator's token as UAC filters it without "Run as administrator". */
function notElevated(state: any): void {
  state.token.groups = state.token.groups.filter((g: string) => g !== 'S-1-5-32-544' && g !== 'S-1-16-12288').concat(['S-1-16-8192']);
  state.token.privileges = { SeShutdownPrivilege: { held: true, enabled: false } };
}

describe('host preconditions', () => {
  test('not elevated: check and apply exit 5 with the reason, the host and its lock untouched, the refusal on record', async () => {
    const { state, records } = await savedHost(notElevated);
    const before = hostSections(state);
    const check = await rdsplan(['check', PLAN, '--simulate', state, '--records', records, '--format', 'json']);
    expect(check.code).toBe(5);
    const summary = JSON.parse(check.stdout).hosts[0].summary;
    expect(summary).toMatchObject({ status: 'refused', reason: 'notElevated' });
    expect(summary.message).toMatch(/^refused: this PowerShell is not elevated: .*Run as administrator.*nothing was changed$/);
    expect(summary.message).not.toMatch(/another rdsplan run/i);

    const apply = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records]);
    expect(apply.code).toBe(5);
    expect(hostSections(state)).toEqual(before);
    expect(existsSync(`${state}.lock`)).toBe(false);
    const applied = recordDirs(records).map((d) => JSON.parse(readFileSync(join(d, 'record.json'), 'utf8'))).find((r) => r.mode === 'apply');
    expect(applied).toMatchObject({ status: 'refused', exitCode: 5, steps: [] });
  });

  test('a lock file left by a killed run: taken, and the summary warns with what to undo', async () => {
    const { state, records } = await savedHost();
    const gone = spawnSync(process.execPath, ['-e', '0']);
    expect(gone.status).toBe(0);
    writeFileSync(`${state}.lock`, `${JSON.stringify({ name: 'rdsplan', processId: gone.pid, user: 'CONTOSO\\Administrator' })}\n`);
    const check = await rdsplan(['check', PLAN, '--simulate', state, '--records', records, '--format', 'json']);
    expect(check.code).toBe(3);
    expect(JSON.parse(check.stdout).hosts[0].summary.message).toMatch(/the host lock was abandoned: an earlier rdsplan run on localhost ended without releasing it \(killed or crashed\)/);
    expect(existsSync(`${state}.lock`)).toBe(false);
  });

  test('a backup folder someone else made (what C:\\ProgramData passes on): apply is refused (exit 4), nothing changed', async () => {
    const { state, records } = await savedHost();
    const before = hostSections(state);
    const folder = join(records, 'backups', 'localhost');
    mkdirSync(folder, { recursive: true });
    const apply = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records, '--format', 'json']);
    expect(apply.code).toBe(4);
    expect(JSON.parse(apply.stdout).hosts[0].summary.message).toContain(
      `refused: the backup folder ${folder} cannot be trusted: it lets S-1-5-32-545 (BUILTIN\\Users) write to it (access mask 0x116), so its backups could be replaced.`,
    );
    expect(hostSections(state)).toEqual(before);
  });

  test('a backup folder rdsplan made: the next apply uses it (recorded in the simulated host)', async () => {
    const { state, records } = await savedHost();
    const token = await approvalToken(PLAN);
    expect((await rdsplan(['apply', PLAN, '--approve', token, '--simulate', state, '--records', records])).code).toBe(0);
    const folders = JSON.parse(readFileSync(state, 'utf8')).folders;
    expect(folders[join(records, 'backups', 'localhost')]).toEqual({ sddl: 'O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)' });
    expect((await rdsplan(['apply', PLAN, '--approve', token, '--simulate', state, '--records', records])).code).toBe(0);
  });
});
