/**
 * `rdsplan undo <run id>`: a fleet apply writes one record per host, all with the run's id;
 * undo by that id verifies and reads every host first (one refusal refuses the whole run),
 * is approved with one token over every host's undo script, then undoes each host with a
 * record of its own, and exits as a fleet apply does: with its worst host's code.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { approvalToken, rdsplan } from '../support/cli.js';
import { recordDirs, tempDir as tmp } from '../support/files.js';
import { examplePath as example } from '../support/plans.js';
import { hostSections } from '../support/sim.js';

const PLAN = example('configure-licensing');
const HOSTS = ['rdsh01.contoso.com', 'rdsh02.contoso.com'];

async function fleetApply() {
  const dir = tmp();
  const hosts = join(dir, 'hosts');
  mkdirSync(hosts);
  const records = join(dir, 'records');
  const common = ['--simulate', hosts, '--records', records];
  const stateFiles = HOSTS.map((h) => join(hosts, `${h}.json`));
  // The hosts as they were before the apply: what the undo must bring back.
  expect((await rdsplan(['check', PLAN, ...common])).code).toBe(3);
  const before = stateFiles.map(hostSections);
  const apply = await rdsplan(['apply', PLAN, '--approve', await approvalToken(PLAN), ...common]);
  expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: '' });
  const dirs = recordDirs(records);
  const runId = JSON.parse(readFileSync(join(dirs[0]!, 'record.json'), 'utf8')).runId as string;
  return { common, stateFiles, before, runId, records };
}

async function dryRunToken(runId: string, common: string[]) {
  const dry = await rdsplan(['undo', runId, '--dry-run', ...common]);
  expect(dry.code).toBe(0);
  return { dry, token: /^approval token: (sha256:[0-9a-f]{64})$/m.exec(dry.stdout)![1]! };
}

describe('undo of a whole fleet run by its run id', () => {
  test('every host reviewed, one token, every host restored, a record per host', async () => {
    const { common, stateFiles, before, runId, records } = await fleetApply();
    const { dry, token } = await dryRunToken(runId, common);
    for (const host of HOSTS) expect(dry.stdout).toContain(`Undo of run ${runId} of plan configure-licensing-rdsh on ${host}, newest change first:`);
    // The fleet's token is none of the hosts' own: approving one host does not approve the run.
    const hostToken = /^approval token: (\S+)$/m.exec((await rdsplan(['undo', recordDirs(records)[0]!, '--dry-run', '--simulate', stateFiles[0]!])).stdout)![1]!;
    expect(token).not.toBe(hostToken);
    expect((await rdsplan(['undo', runId, ...common, '--approve', hostToken])).code).toBe(4);

    const undo = await rdsplan(['undo', runId, ...common, '--approve', token]);
    expect({ code: undo.code, stderr: undo.stderr }).toEqual({ code: 0, stderr: '' });
    for (const host of HOSTS) expect(undo.stdout).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}\\s+succeeded\\s+0\\s+0\\s+0\\s+0\\s+2\\s+0`, 'm'));
    stateFiles.forEach((file, i) => expect(hostSections(file)).toEqual(before[i]));
    const undone = recordDirs(records)
      .map((d) => JSON.parse(readFileSync(join(d, 'record.json'), 'utf8')))
      .filter((r) => r.mode === 'undo');
    expect(undone.map((r) => [r.host, r.undoOf.runId, r.status]).sort()).toEqual(HOSTS.map((h) => [h, runId, 'succeeded']));
  }, 300_000);

  test('one host changed since the run: the whole run is refused, no host touched', async () => {
    const { common, stateFiles, runId } = await fleetApply();
    const { token } = await dryRunToken(runId, common);
    const host = JSON.parse(readFileSync(stateFiles[1]!, 'utf8'));
    const key = Object.keys(host.registry).find((k) => k.toLowerCase().endsWith('\\rcm\\licensing core'))!;
    host.registry[key].values = host.registry[key].values.map((v: { name: string }) => (v.name === 'LicensingMode' ? { ...v, data: 2 } : v));
    writeFileSync(stateFiles[1]!, `${JSON.stringify(host, null, 2)}\n`);
    const bytes = stateFiles.map((f) => readFileSync(f));
    const r = await rdsplan(['undo', runId, ...common, '--approve', token]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rdsplan: refused: .*rdsh02\.contoso\.com changed since run/);
    stateFiles.forEach((f, i) => expect(readFileSync(f)).toEqual(bytes[i]));
  }, 300_000);

  test('one host fails its undo: the other is undone, each host its row, exit 1', async () => {
    const { common, stateFiles, before, runId } = await fleetApply();
    const { token } = await dryRunToken(runId, common);
    // Every change the undo makes on rdsh02 fails (the simulator's fault injection).
    const host = JSON.parse(readFileSync(stateFiles[1]!, 'utf8'));
    host.faults = [{ call: '*' }];
    writeFileSync(stateFiles[1]!, `${JSON.stringify(host, null, 2)}\n`);
    const r = await rdsplan(['undo', runId, ...common, '--approve', token]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rdsh01\.contoso\.com\s+succeeded\s.*\s0$/m);
    expect(r.stdout).toMatch(/^rdsh02\.contoso\.com\s+(failed|rolledBack)\s.*\s1\s/m);
    expect(hostSections(stateFiles[0]!)).toEqual(before[0]);
  }, 300_000);

  test('a run id with no record: refused, exit 4', async () => {
    const dir = tmp();
    const r = await rdsplan(['undo', '20261204T064143Z-abcdef', '--records', dir]);
    expect(r).toEqual({ code: 4, stdout: '', stderr: `rdsplan: refused: no record of apply run 20261204T064143Z-abcdef in ${dir}; nothing was run\n` });
  });
});
