/**
 * The C# that ps-templates hand to Add-Type (AdjustTokenPrivileges P/Invoke in
 * platform/windows) never runs on Linux CI, so a typo there would first fail on a
 * customer's server. rdsplan-csharp-check compiles every such block with Roslyn, as C# 5
 * (Windows PowerShell 5.1's Add-Type compiler), and reports positions in the .ps1 file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, afterAll, beforeAll, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { csharpCheckPath } from '../support/powershell.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function ps1Files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return ps1Files(full);
    return e.name.endsWith('.ps1') ? [full] : [];
  });
}

/** Add-Type calls with inline C#, counted from the text so the checker cannot miss one silently. */
function inlineAddTypeCount(text: string): number {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .filter((line) => /\bAdd-Type\b.*-(TypeDefinition|MemberDefinition)\b/i.test(line)).length;
}

async function check(...files: string[]) {
  const r = await execa(csharpCheckPath, files, { reject: false, cwd: repoRoot });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdsplan-csharp-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded C# in ps-templates', () => {
  test('every Add-Type block in ps-templates compiles', async () => {
    const files = ps1Files(join(repoRoot, 'ps-templates')).filter((f) => /\bAdd-Type\b/i.test(readFileSync(f, 'utf8')));
    // The Windows platform embeds AdjustTokenPrivileges: finding none means the search is broken.
    expect(files.map((f) => relative(repoRoot, f))).toContain('ps-templates/platform/windows/Security.ps1');
    const r = await check(...files.map((f) => relative(repoRoot, f)));
    expect(r.stdout).not.toMatch(/: (error|warning) /);
    expect(r.exitCode).toBe(0);
    for (const f of files) {
      const rel = relative(repoRoot, f);
      const expected = inlineAddTypeCount(readFileSync(f, 'utf8'));
      expect(r.stdout).toContain(`${rel}: ${expected} Add-Type block(s)`);
    }
  });
});

describe('rdsplan-csharp-check', () => {
  const SOURCE = [
    "$script:Source = @'",
    'using System;',
    'using System.Runtime.InteropServices;',
    'namespace RdsPlan',
    '{',
    '    public static class Probe',
    '    {',
    '        [DllImport("advapi32.dll", SetLastError = true)]',
    '        public static extern bool AdjustTokenPrivileges(IntPtr token, bool disableAll, IntPtr newState, int length, IntPtr previous, IntPtr returned);',
    '        public static int Twice(int value) { return value * 2; }',
    '    }',
    '}',
    "'@",
    'function Use-Probe {',
    '    Add-Type -TypeDefinition $script:Source',
    '}',
    '',
  ].join('\n');

  test('accepts valid P/Invoke code and reports the block it found', async () => {
    const file = join(dir, 'valid.ps1');
    writeFileSync(file, SOURCE);
    const r = await check(file);
    expect(r).toEqual({ exitCode: 0, stdout: `${file}: 1 Add-Type block(s)`, stderr: '' });
  });

  test('catches a deliberate typo, with its line and column in the .ps1', async () => {
    const file = join(dir, 'typo.ps1');
    const text = SOURCE.replace('return value * 2;', 'return valeu * 2;');
    writeFileSync(file, text);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('valeu')) + 1;
    const column = lines[line - 1]!.indexOf('valeu') + 1;
    const r = await check(file);
    expect(r.exitCode).toBe(1);
    expect(line).toBe(10);
    expect(r.stdout).toContain(`${file}:${line}:${column}: error CS0103: The name 'valeu' does not exist in the current context`);
  });

  test('rejects C# newer than 5, which Windows PowerShell 5.1 cannot compile', async () => {
    const file = join(dir, 'csharp6.ps1');
    writeFileSync(file, "Add-Type -TypeDefinition @'\npublic class Modern { public string Name => \"x\"; }\n'@\n");
    const r = await check(file);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: error CS8026: .*C# 5`));
  });

  test('warnings fail as Add-Type treats them, unless -IgnoreWarnings', async () => {
    const body = "@'\npublic class W { public static void M() { int unused = 1; } }\n'@";
    const strict = join(dir, 'warn.ps1');
    writeFileSync(strict, `Add-Type -TypeDefinition ${body}\n`);
    const lenient = join(dir, 'warn-ignored.ps1');
    writeFileSync(lenient, `Add-Type -IgnoreWarnings -TypeDefinition ${body}\n`);
    const s = await check(strict);
    expect(s.exitCode).toBe(1);
    expect(s.stdout).toContain(`${strict}:2:`);
    expect(s.stdout).toContain('warning CS0219');
    const l = await check(lenient);
    expect(l.exitCode).toBe(0);
    expect(l.stdout).toContain('warning CS0219');
  });

  test('-MemberDefinition is wrapped as Add-Type wraps it; errors map into the .ps1', async () => {
    const file = join(dir, 'members.ps1');
    writeFileSync(
      file,
      "$m = @'\n[DllImport(\"kernel32.dll\")]\npublic static extern IntPtr GetCurrentProcess();\npublic static int Broken() { return missing; }\n'@\nAdd-Type -Name Native -Namespace RdsPlan -MemberDefinition $m\n",
    );
    const r = await check(file);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${file}:4:37: error CS0103: The name 'missing' does not exist in the current context`);
    expect(r.stdout).not.toContain('GetCurrentProcess');
  });

  test('a source it cannot see statically is an error, not a silent pass', async () => {
    const file = join(dir, 'dynamic.ps1');
    writeFileSync(file, 'Add-Type -TypeDefinition (Get-Source)\n');
    const r = await check(file);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${file}:1:1: error RDS001:`);
  });
});
