/**
 * The issue "Run records and undo you can trust": "A record without plan.json: undo changes the
 * host, then crashes without an undo record." The plan is what every journal entry is checked
 * against, so a record that lost it is refused before anything runs, however undo is called.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { filesUnder, recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';

const PLAN = example('reset-grace-period');

describe('undo of a record whose plan.json was deleted', () => {
  const dir = tmp('rdsplan-no-plan-');
  const state = join(dir, 'host.json');
  const records = join(dir, 'records');
  let record: string;
  let token: string | undefined;

  beforeAll(async () => {
    expect((await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), '--simulate', state, '--records', records])).code).toBe(0);
    [record] = recordDirs(records) as [string];
    // The token is the one the operator reviewed while the record was whole.
    token = /^approval token: (\S+)$/m.exec((await rdsplan(['undo', record, '--dry-run', '--simulate', state])).stdout)?.[1];
    rmSync(join(record, 'plan.json'));
  });

  test.each([
    ['--dry-run', () => ['--dry-run']],
    ['--approve with the token reviewed before', () => ['--approve', token ?? 'no token was printed']],
    ['no token, on a pipe', () => []],
  ])('%s: refused (exit 4) naming plan.json, the host byte for byte as it was, no undo record', async (_label, flags) => {
    const host = readFileSync(state);
    const runs = recordDirs(records);
    const files = filesUnder(records);
    const r = await rdsplan(['undo', record, '--simulate', state, ...flags()]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 4, stdout: '', stderr: `rdsplan: refused: ${record}: plan.json: missing; nothing was run\n` });
    expect(readFileSync(state)).toEqual(host);
    expect(recordDirs(records)).toEqual(runs);
    expect(filesUnder(records)).toEqual(files);
  });

  test('the token was printed while plan.json was there', () => expect(token).toMatch(/^sha256:[0-9a-f]{64}$/));
});
