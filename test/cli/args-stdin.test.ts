import { describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const EXAMPLE = 'examples/reset-grace-period.json';

describe('rdsplan --args-stdin (how the PowerShell module passes its values)', () => {
  test('the array on stdin is the command line: same result as the same arguments on argv', async () => {
    const args = ['validate', '--format', 'json', '--', EXAMPLE];
    const direct = await runCli(args);
    const piped = await runCli(['--args-stdin'], { stdin: `${JSON.stringify(args)}\r\n` });
    expect(piped).toEqual(direct);
    expect(piped.code).toBe(0);
  });

  test('values a shell would change arrive intact: wildcards, quotes, spaces, non-ASCII as \\u escapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdsplan-args-'));
    const file = join(dir, 'say "hi" * ? [a] \'x\' ü 日本.json');
    copyFileSync(EXAMPLE, file);
    // What the module writes: ASCII only, so no code page of any PowerShell can garble it.
    const ascii = JSON.stringify(['validate', '--format', 'json', '--', file]).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const r = await runCli(['--args-stdin'], { stdin: `\uFEFF${ascii}` });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ file, valid: true }]);
  });

  test.each([
    ['not JSON', 'validate plan.json', /^rdsplan: --args-stdin: stdin is not JSON \(.+\); expected an array of argument strings\n$/],
    ['not an array of strings', '["validate", 1]', /^rdsplan: --args-stdin: stdin must be a JSON array of strings, such as \["validate","--","plan.json"\]\n$/],
    ['an object', '{"argv":["validate"]}', /^rdsplan: --args-stdin: stdin must be a JSON array of strings/],
    ['--args-stdin again', '["--args-stdin"]', /^rdsplan: --args-stdin: the arguments on stdin cannot ask for --args-stdin again\n$/],
  ])('%s: one usage message, exit 2', async (_what, stdin, message) => {
    const r = await runCli(['--args-stdin'], { stdin });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  test('with other arguments, without stdin, or on a terminal: a usage error, nothing read', async () => {
    const extra = await runCli(['--args-stdin', 'validate'], { stdin: '["validate"]' });
    expect(extra).toEqual({ code: 2, stdout: '', stderr: 'rdsplan: --args-stdin takes no other arguments; they all come from stdin\n' });
    const none = await runCli(['--args-stdin']);
    expect(none).toEqual({ code: 2, stdout: '', stderr: 'rdsplan: --args-stdin: there is no stdin to read the arguments from\n' });
    const tty = await runCli(['--args-stdin'], { stdin: '["validate"]', tty: true });
    expect(tty.code).toBe(2);
    expect(tty.stderr).toBe('rdsplan: --args-stdin reads a JSON array of argument strings from stdin, not from a terminal\n');
  });

  test('the command gets no stdin: apply without --approve is refused instead of asking', async () => {
    const r = await runCli(['--args-stdin'], { stdin: JSON.stringify(['apply', '--simulate', join(mkdtempSync(join(tmpdir(), 'rdsplan-args-')), 'state.json'), '--', EXAMPLE]), tty: false });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rdsplan: refused: /);
  });
});
