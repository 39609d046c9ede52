/**
 * What an administrator reads: the text of check and apply over a fleet of simulated hosts.
 * One block per host (never interleaved), named licensing modes instead of raw numbers, no
 * JSON fragments, and a failed host's step and Windows message inline in the summary.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { examplePath } from '../support/plans.js';

const PLAN = examplePath('configure-licensing');
const HOSTS = ['rdsh01.contoso.com', 'rdsh02.contoso.com'];

function fleet() {
  const dir = tempDir();
  const hosts = join(dir, 'hosts');
  mkdirSync(hosts);
  return { hosts, args: ['--simulate', hosts, '--records', join(dir, 'records')] };
}

describe('human output of a fleet', () => {
  test('check: a block per host in plan order, licensing modes named, no JSON', async () => {
    const { args } = fleet();
    const r = await rdsplan(['check', PLAN, ...args]);
    expect(r.code).toBe(3);
    const lines = r.stdout.split('\n');
    const starts = HOSTS.map((host) => lines.indexOf(host));
    expect(starts[0]).toBeGreaterThanOrEqual(0);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
    // Every step line of the first host comes before the second host's block.
    const firstBlock = lines.slice(starts[0]!, starts[1]!);
    expect(firstBlock.some((line) => /licensing\.mode/.test(line))).toBe(true);
    expect(lines.slice(starts[1]!).filter((line) => line.startsWith('  ') && line.includes(HOSTS[0]!))).toEqual([]);
    expect(r.stdout).toContain('Licensing mode: not configured (5) → Per User (4)');
    expect(r.stdout).not.toMatch(/LicensingType 5 -> 4|\{"|\.\.\.$/m);
  });

  test('apply: a host that fails shows its failing step and the Windows message in the summary', async () => {
    const { hosts, args } = fleet();
    expect((await rdsplan(['check', PLAN, ...args])).code).toBe(3);
    const file = join(hosts, readdirSync(hosts).find((f) => f.startsWith('rdsh02'))!);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    state.faults = [{ call: 'Set-RdsLicensingType', error: 'AccessDenied' }];
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    const r = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rdsh02\.contoso\.com\s+rolledBack\s.*failed at licensing\.mode \(rds\.setLicensingMode\): Access is denied/m);
    expect(r.stdout).toMatch(/^2 host\(s\): 1 succeeded, 1 rolled back; exit 1$/m);
  });
});
