/**
 * The host-wide lock: a second run on a host while one is running is refused (exit 4) with a
 * message that says so, and it changes nothing. On the simulated host the lock is the file
 * `<state>.lock` (ps-templates/platform/sim/README.md, "Host").
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { hostSections } from '../support/sim.js';

const PLAN = example('reset-grace-period');
const HELD = /refused: Another rdsplan run holds the host lock \(.*host\.json\.lock\) \(another rdsplan run is in progress on localhost; nothing was changed\)/;

describe('one run per host at a time', () => {
  test('a held lock: apply and check are refused with exit 4, the host and the lock untouched', async () => {
    const dir = tmp('rdsplan-lock-');
    const state = join(dir, 'host.json');
    const records = join(dir, 'records');
    expect((await rdsplan(['check', PLAN, '--simulate', state, '--records', records])).code).toBe(3);
    const bytes = readFileSync(state);
    writeFileSync(`${state}.lock`, 'rdsplan 4242 CONTOSO\\someone-else\n');

    const apply = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records]);
    expect(apply.code).toBe(4);
    expect(apply.stdout).toMatch(new RegExp(`^localhost\\s+refused\\s.*${HELD.source}`, 'm'));
    expect(readFileSync(state)).toEqual(bytes);
    expect(readFileSync(`${state}.lock`, 'utf8')).toBe('rdsplan 4242 CONTOSO\\someone-else\n');
    // The refused attempt is on record, with no step run.
    const [record] = recordDirs(records).map((d) => JSON.parse(readFileSync(join(d, 'record.json'), 'utf8')));
    expect(record).toMatchObject({ status: 'refused', exitCode: 4, steps: [], journal: [] });

    const check = await rdsplan(['check', PLAN, '--simulate', state, '--records', records]);
    expect(check.code).toBe(4);
    expect(check.stdout).toMatch(HELD);
    expect(readFileSync(state)).toEqual(bytes);
  });

  test('two applies at once on the same host: one runs, the other is refused', async () => {
    const dir = tmp('rdsplan-lock-');
    const state = join(dir, 'host.json');
    const records = join(dir, 'records');
    expect((await rdsplan(['check', PLAN, '--simulate', state, '--records', records])).code).toBe(3);
    const start = hostSections(state);
    const token = await approvalToken(PLAN);
    const args = ['apply', PLAN, '--approve', token, '--simulate', state, '--records', records, '--format', 'json'];
    const results = await Promise.all([rdsplan(args), rdsplan(args)]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 4]);
    const refused = results.find((r) => r.code === 4)!;
    expect(JSON.parse(refused.stdout).hosts[0].summary.message).toMatch(HELD);
    expect(existsSync(`${state}.lock`)).toBe(false);
    // The host saw exactly one apply: the grace period was reset once and the ACL restored.
    const now = hostSections(state);
    expect(now.terminalServices).toMatchObject({ graceDays: 120 });
    expect(now.services).toEqual(start.services);
  });
});
