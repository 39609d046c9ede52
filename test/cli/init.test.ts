import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaReference } from '../../src/cli/init.js';
import { runCli } from '../support/cli.js';

/** `init` writes a plan whose `$schema` an editor resolves offline, and says to keep .rdsplan/ out of git. */
const SCHEMA = resolve('schemas/plan.schema.json');

/** Where an editor looks for a plan's `$schema`: a relative reference from the plan's folder, or a file URL. */
function resolvedSchema(planFile: string, reference: string): string {
  return reference.startsWith('file:') ? fileURLToPath(reference) : resolve(dirname(planFile), reference);
}

describe('rdsplan init: $schema', () => {
  test('a plans/ folder in this repository gets the path the README shows', () => {
    expect(schemaReference(resolve('plans'))).toBe('../schemas/plan.schema.json');
    expect(schemaReference(resolve('.'))).toBe('schemas/plan.schema.json');
  });

  test('--out anywhere: the reference leads from the plan to the installed schema, with forward slashes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdsplan-init-'));
    mkdirSync(join(dir, 'plans', 'rdsh'), { recursive: true });
    const out = join(dir, 'plans', 'rdsh', 'reset.json');
    const r = await runCli(['init', 'rds.resetGracePeriod', '--out', out]);
    expect(r.code).toBe(0);
    const reference = (JSON.parse(readFileSync(out, 'utf8')) as { $schema: string }).$schema;
    expect(reference).not.toMatch(/^https?:|\\/);
    expect(resolvedSchema(out, reference)).toBe(SCHEMA);
    expect(existsSync(resolvedSchema(out, reference))).toBe(true);
    expect((await runCli(['validate', out])).code).toBe(0);
  });

  test('to stdout: relative to the folder it runs in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdsplan-init-'));
    const r = await runCli(['init', 'rds.clearClientLicenseCache'], { cwd: dir });
    expect(r.code).toBe(0);
    const reference = (JSON.parse(r.stdout) as { $schema: string }).$schema;
    expect(resolvedSchema(join(dir, 'plan.json'), reference)).toBe(SCHEMA);
  });
});

test('init says to add .rdsplan/ to .gitignore, on stderr so the plan on stdout stays clean', async () => {
  const r = await runCli(['init', 'rds.resetGracePeriod']);
  expect(r.stderr).toBe('note: rdsplan keeps run records and backups in .rdsplan/ where it runs: add the line `.rdsplan/` to the .gitignore of your plans repository\n');
  expect(() => JSON.parse(r.stdout)).not.toThrow();
});
