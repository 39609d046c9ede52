import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandPlanArguments } from '../../src/cli/plan-arguments.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { examplePath } from '../support/plans.js';

/** Plan inputs as an administrator gives them: new folders for --out, folders and unexpanded wildcards for validate. */
const example = readFileSync(examplePath('reset-grace-period'));

function plansFolder(): string {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'plans'));
  writeFileSync(join(cwd, 'plans', 'b-grace.json'), example);
  writeFileSync(join(cwd, 'plans', 'a-broken.json'), '{ "apiVersion": "rdsplan/v1" }\n');
  writeFileSync(join(cwd, 'plans', 'notes.txt'), 'not a plan');
  mkdirSync(join(cwd, 'plans', 'archive.json'));
  return cwd;
}

describe('init --out', () => {
  test('creates the missing parent folders and writes a plan that validates', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', 'rds.resetGracePeriod', '--out', join('plans', 'rdsh', 'grace.json')], { cwd });
    expect(r.stderr).not.toMatch(/cannot write/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'plans', 'rdsh', 'grace.json'), 'utf8')).apiVersion).toBe('rdsplan/v1');
    expect((await runCli(['validate', join('plans', 'rdsh', 'grace.json')], { cwd })).code).toBe(0);
  });

  test('a parent that is a file is one message and exit 1', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'plans'), 'a file');
    const r = await runCli(['init', 'rds.resetGracePeriod', '--out', 'plans/grace.json'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rdsplan: cannot create the folder for plans\/grace\.json: /m);
  });
});

describe('validate takes folders and wildcards itself', () => {
  test('a folder is every *.json file in it, sorted; not "is a directory"', async () => {
    const cwd = plansFolder();
    const r = await runCli(['validate', 'plans'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/is a directory/);
    expect(r.stderr.split('\n').filter(Boolean).every((line) => line.startsWith('plans/a-broken.json:1:1: error: '))).toBe(true);
    expect(r.stdout).toMatch(/^plans\/b-grace\.json: valid \(1 steps, \d+ after expansion\)\n$/);
    const json = JSON.parse((await runCli(['validate', 'plans', '--format', 'json'], { cwd })).stdout) as { file: string; valid: boolean }[];
    expect(json.map((entry) => [entry.file, entry.valid])).toEqual([['plans/a-broken.json', false], ['plans/b-grace.json', true]]);
  });

  test.each(['plans\\*.json', 'plans/*.json', 'plans/?-grace.json'])('the wildcard %s is expanded, keeping the separator typed', async (pattern) => {
    const cwd = plansFolder();
    const r = await runCli(['validate', pattern, '--format', 'json'], { cwd });
    const separator = pattern.includes('\\') ? '\\' : '/';
    const files = (JSON.parse(r.stdout) as { file: string }[]).map((entry) => entry.file);
    expect(files).toEqual(pattern.includes('?') ? [`plans${separator}b-grace.json`] : [`plans${separator}a-broken.json`, `plans${separator}b-grace.json`]);
  });

  test('a file named twice (directly and through a wildcard) is validated once', async () => {
    const cwd = plansFolder();
    const r = await runCli(['validate', 'plans/b-grace.json', 'plans/b-*.json'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plans\/b-grace\.json: valid \(1 steps, \d+ after expansion\)\n$/);
  });

  test('nothing to validate is an error at the argument, exit 2', async () => {
    const cwd = plansFolder();
    mkdirSync(join(cwd, 'empty'));
    const r = await runCli(['validate', 'plans/*.xml', 'empty', 'missing/*.json', 'pl*/b-grace.json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'plans/*.xml:1:1: error: /: no file matches plans/*.xml',
      'empty:1:1: error: /: the folder empty holds no *.json plan files',
      'missing/*.json:1:1: error: /: no file matches missing/*.json: there is no folder missing/',
      'pl*/b-grace.json:1:1: error: /: wildcards are expanded in the file name only, not in folder names: pl*/b-grace.json',
    ]);
  });

  test('an existing file whose name holds a wildcard character is that file', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'odd*.json'), example);
    writeFileSync(join(cwd, 'oddity.json'), example);
    expect(expandPlanArguments(['odd*.json'], cwd)).toEqual([{ file: 'odd*.json', path: join(cwd, 'odd*.json') }]);
  });
});

describe('targets differing only in case', () => {
  test('are refused by validate at file:line:col, beside a schema error in the same plan', async () => {
    const cwd = tempDir();
    const plan = JSON.parse(example.toString('utf8')) as Record<string, unknown>;
    writeFileSync(join(cwd, 'p.json'), JSON.stringify({ ...plan, targets: ['RDSH01', 'rdsh01'], extra: true }, null, 2));
    const r = await runCli(['validate', 'p.json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p.json:12:5: error: /targets/1: target "rdsh01" is the same host as /targets/0 (host names are case-insensitive)\n');
    expect(r.stderr).toMatch(/p\.json:\d+:\d+: error: \/extra: unknown property "extra"/);
  });
});
