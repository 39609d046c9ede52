import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const EXAMPLE = 'examples/reset-grace-period.json';
const tmp = () => mkdtempSync(join(tmpdir(), 'rdsplan-cli-'));

describe('rdsplan validate', () => {
  test('valid plans: exit 0 and one line each', async () => {
    const r = await runCli(['validate', EXAMPLE, 'examples/configure-licensing.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${EXAMPLE}: valid (1 steps, 8 after expansion)\nexamples/configure-licensing.json: valid (1 steps, 2 after expansion)\n`);
  });

  test('an invalid plan: exit 2, file:line:col on stderr, json on request', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "apiVersion": "rdsplan/v1",\n  "name": "x",\n  "targets": ["localhost"],\n  "steps": [{ "id": "g", "action": "rds.resetGracePeriodd" }]\n}\n');
    const text = await runCli(['validate', file]);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(`${file}:5:36: error: /steps/0/action: unknown action "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)\n`);
    const json = await runCli(['validate', file, '--format', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ file, valid: false, diagnostics: [{ line: 5, column: 36, pointer: '/steps/0/action', code: 'schema.discriminator' }] });
  });

  test('a missing file is one clear message', async () => {
    const r = await runCli(['validate', 'no/such/plan.json']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'no/such/plan.json:1:1: error: /: cannot read the plan: no such file\n' });
  });
});

describe('usage errors exit 2 without a stack trace', () => {
  test.each([
    [['frobnicate'], 'rdsplan: unknown command "frobnicate"'],
    [['review'], 'rdsplan: rdsplan review needs a plan file'],
    [['review', EXAMPLE, '--format', 'pdf'], 'rdsplan: --format must be one of text, markdown, json, html, not "pdf"'],
    [['validate', EXAMPLE, '--colour'], 'rdsplan: unknown option --colour for rdsplan validate'],
    [['init', 'rds.resetGracePeriodd'], 'rdsplan: unknown preset "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)'],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(message)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('no arguments prints the overview and exits 2; --help exits 0; --version prints the version', async () => {
    expect((await runCli([])).code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/review\s+The dry run a change board reads/);
    const version = await runCli(['--version']);
    expect(version.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });
});

describe('rdsplan review', () => {
  test('text ends with the approval token; no colour without a TTY; same bytes twice', async () => {
    const a = await runCli(['review', EXAMPLE]);
    const b = await runCli(['review', EXAMPLE]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Approval token: sha256:[0-9a-f]{64}$/);
    expect(a.stdout).not.toContain('\u001b[');
  });

  test('colour on a TTY, none with NO_COLOR', async () => {
    expect((await runCli(['review', EXAMPLE], { tty: true })).stdout).toContain('\u001b[');
    expect((await runCli(['review', EXAMPLE], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });

  test('every format carries the same token, and --out writes the file', async () => {
    const dir = tmp();
    const token = (await runCli(['review', EXAMPLE, '--format', 'json'])).stdout;
    const approval = JSON.parse(token).approvalToken as string;
    for (const format of ['markdown', 'html']) {
      const out = join(dir, `review.${format}`);
      const r = await runCli(['review', EXAMPLE, '--format', format, '--out', out]);
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(out, 'utf8')).toContain(approval);
    }
  });

  test('an invalid plan renders nothing: exit 2', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'p.json'), '{}');
    const r = await runCli(['review', join(dir, 'p.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nothing was rendered');
  });
});

describe('rdsplan render and verify', () => {
  test('writes UTF-8 with BOM and CRLF; verify accepts it and detects an edit', async () => {
    const dir = tmp();
    const out = join(dir, 'reset.ps1');
    const r = await runCli(['render', EXAMPLE, '--out', out]);
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(r.stderr).toContain('approval token sha256:');

    const clean = await runCli(['verify', out, '--no-powershell']);
    expect(clean.code).toBe(0);
    writeFileSync(out, text.replace("-OnError 'rollback'", "-OnError 'continue'"));
    const tampered = await runCli(['verify', out, '--no-powershell']);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/tampered/);
  });

  test('the same plan renders byte-identical scripts', async () => {
    expect((await runCli(['render', EXAMPLE])).stdout).toBe((await runCli(['render', EXAMPLE])).stdout);
  });
});

describe('rdsplan schema and init', () => {
  test('schema prints the committed schema', async () => {
    const r = await runCli(['schema']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('schemas/plan.schema.json', 'utf8')));
  });

  test.each(['rds.resetGracePeriod', 'rds.clearClientLicenseCache', 'rds.disableLicensingService', 'rds.configureLicensing'])('init %s writes a plan that validates', async (preset) => {
    const dir = tmp();
    const out = join(dir, 'plan.json');
    expect((await runCli(['init', preset, '--out', out])).code).toBe(0);
    expect((await runCli(['validate', out])).code).toBe(0);
    expect((await runCli(['init', preset, '--out', out])).code).toBe(1);
    expect((await runCli(['init', preset, '--out', out, '--force'])).code).toBe(0);
  });
});
