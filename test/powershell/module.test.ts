/**
 * powershell/RdsPlan: the module admins import into their own pipelines. Runs the module
 * in the real PowerShell engine against the built CLI (dist/rdsplan.mjs).
 */
import { describe, test, expect } from '@jest/globals';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emitJson, examplesDir, injectedLines, modulePath, repoRoot, resetExample, runModule, tempDir } from './harness.js';

const EXPORTED = ['Export-RdsPlanScript', 'Get-RdsPlanReview', 'Get-RdsPlanRun', 'Invoke-RdsPlan', 'Invoke-RdsPlanCheck', 'Test-RdsPlan', 'Test-RdsPlanScript', 'Undo-RdsPlanRun'];
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => join(examplesDir, f))
  .sort();
const psm1 = join(repoRoot, 'powershell', 'RdsPlan', 'RdsPlan.psm1');

/** A plan with three errors at known positions (line:column of each value). */
const BROKEN_PLAN = '{\n  "apiVersion": "rdsplan/v1",\n  "name": "x",\n  "targets": ["localhost"],\n  "steps": [{ "id": "g", "action": "rds.resetGracePeriodd" }]\n}\n';

describe('RdsPlan module source (static)', () => {
  const source = readFileSync(psm1, 'utf8');
  const code = source
    .replace(/<#[\s\S]*?#>/g, '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');

  test('never composes a command line: no Invoke-Expression, Start-Process, script blocks from text, cmd /c', () => {
    expect(code).not.toMatch(/Invoke-Expression|\biex\b|Start-Process|\[scriptblock\]::Create|NewScriptBlock|cmd(\.exe)?\s+\/c|Invoke-Command/i);
  });

  test('node is started in exactly one place, with the call operator and an argument array', () => {
    const calls = code.match(/&\s*\$\w+[^\n]*/g) ?? [];
    expect(calls).toEqual(['& $node @argumentArray 2>&1']);
  });

  test('Windows PowerShell 5.1 syntax only: no ?:, ??, &&, ||, ?. (and no command aliases)', () => {
    const noStrings = code.replace(/'[^'\n]*'/g, "''").replace(/"[^"\n]*"/g, '""');
    expect(noStrings).not.toMatch(/\?\?|&&|\|\||\?\.|\$\w+\s*\?\s*[^\s]+\s*:/);
    expect(noStrings).not.toMatch(/(^|[|;]\s*)(%|\?|gci|gc|select|where|foreach|sort|iex)\s/m);
  });

  test('the manifest exports exactly the public functions, no aliases, same version as package.json', () => {
    const manifest = readFileSync(modulePath, 'utf8');
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
    expect(manifest).toContain(`ModuleVersion        = '${version}'`);
    expect(manifest).toMatch(/AliasesToExport\s*=\s*@\(\)/);
    expect(manifest).toMatch(/CompatiblePSEditions\s*=\s*@\('Desktop', 'Core'\)/);
    for (const name of EXPORTED) expect(manifest).toContain(`'${name}'`);
  });
});

describe('RdsPlan module in PowerShell', () => {
  test('imports by path; every public function is an advanced function with help and examples', async () => {
    const r = await runModule(`
      $manifest = Test-ModuleManifest -Path $env:RDSPLAN_T_MODULE
      $module = Get-Module -Name RdsPlan
      $module.ExportedFunctions.Values | ForEach-Object {
        $help = Get-Help -Name $_.Name -Full
        [pscustomobject]@{
          Name = $_.Name
          CmdletBinding = $_.CmdletBinding
          Synopsis = [string]$help.Synopsis
          Examples = @($help.examples.example).Count
          Parameters = @($_.Parameters.Keys)
          SupportsShouldProcess = $_.Parameters.ContainsKey('WhatIf')
        }
      } | ${emitJson}
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Version = $manifest.Version.ToString(); Aliases = $module.ExportedAliases.Count; Cmdlets = $module.ExportedCmdlets.Count }))
    `);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const functions = r.json[0] as { Name: string; CmdletBinding: boolean; Synopsis: string; Examples: number; Parameters: string[]; SupportsShouldProcess: boolean }[];
    expect(functions.map((f) => f.Name).sort()).toEqual(EXPORTED);
    for (const f of functions) {
      expect(f.CmdletBinding).toBe(true);
      expect(f.Synopsis.length).toBeGreaterThan(20);
      expect(f.Synopsis).not.toContain(f.Name); // a real synopsis, not the generated syntax line
      expect(f.Examples).toBeGreaterThanOrEqual(1);
    }
    const byName = Object.fromEntries(functions.map((f) => [f.Name, f]));
    expect(byName['Invoke-RdsPlan']!.SupportsShouldProcess).toBe(true);
    expect(byName['Undo-RdsPlanRun']!.SupportsShouldProcess).toBe(true);
    expect(byName['Invoke-RdsPlanCheck']!.SupportsShouldProcess).toBe(false);
    expect(byName['Invoke-RdsPlan']!.Parameters).toEqual(expect.arrayContaining(['Path', 'ApprovalToken', 'Target', 'Simulate', 'ExpectState']));
    expect(r.json[1]).toEqual({ Version: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version, Aliases: 0, Cmdlets: 0 });
  });

  test('the module parses cleanly and has no PowerShell 7-only syntax (Test-RdsPlanScript on itself)', async () => {
    const r = await runModule(`
      $tokens = $null; $errors = $null
      $null = [System.Management.Automation.Language.Parser]::ParseFile($env:RDSPLAN_T_PSM1, [ref]$tokens, [ref]$errors)
      $v = Test-RdsPlanScript -Path $env:RDSPLAN_T_PSM1
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -Depth 5 -InputObject @{ ParseErrors = @($errors).Count; Findings = @($v.Findings) }))
    `, { RDSPLAN_T_PSM1: psm1 });
    expect(r.stderr).toBe('');
    const { ParseErrors, Findings } = r.json[0] as { ParseErrors: number; Findings: { Code: string; Message: string }[] };
    expect(ParseErrors).toBe(0);
    // A module is not a rendered plan script: header and steps findings are expected; syntax ones are not.
    expect(Findings.filter((f) => !['header-missing', 'steps-missing'].includes(f.Code))).toEqual([]);
  });

  test('Test-RdsPlan over examples/*.json: strings, objects with Path, and FileInfo (FullName) from the pipeline', async () => {
    const r = await runModule(`
      $files = [System.IO.Directory]::GetFiles($env:RDSPLAN_T_DIR, '*.json')
      [System.Array]::Sort($files)
      $files | Test-RdsPlan | ${emitJson}
      $files | ForEach-Object { [pscustomobject]@{ Path = $_ } } | Test-RdsPlan | ${emitJson}
      [System.IO.DirectoryInfo]::new($env:RDSPLAN_T_DIR).GetFiles('*.json') | Test-RdsPlan | Where-Object { -not $_.Valid } | ${emitJson}
      Test-RdsPlan $files[0] | ${emitJson}
      # More plans than one validate call takes (25): still one result per plan, in order.
      $many = @($files + $files + $files + $files + $files + $files + $files)
      $batched = @($many | Test-RdsPlan)
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Count = $batched.Count; InOrder = (($batched | ForEach-Object { $_.Path }) -join '|') -eq ($many -join '|') }))
    `, { RDSPLAN_T_DIR: examplesDir });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [fromStrings, fromObjects, invalid, positional] = r.json as { Path: string; Valid: boolean; Steps: number; Diagnostics: unknown[] }[][];
    expect(r.json[4]).toEqual({ Count: examples.length * 7, InOrder: true });
    expect(fromStrings!.map((x) => x.Path)).toEqual(examples);
    for (const result of fromStrings!) {
      expect(result.Valid).toBe(true);
      expect(result.Steps).toBeGreaterThan(0);
      expect(result.Diagnostics).toEqual([]);
    }
    expect(fromObjects).toEqual(fromStrings);
    expect(invalid).toEqual([]);
    expect(positional).toEqual([fromStrings![0]]);
  });

  test('an error thrown downstream in the pipeline stays the caller\'s, not an RdsPlan error', async () => {
    const r = await runModule(`
      foreach ($command in @('Test-RdsPlan', 'Get-RdsPlanReview')) {
        try { & $command -Path $env:RDSPLAN_T_PLAN | ForEach-Object { throw 'downstream boom' } } catch {
          Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message }))
        }
      }
    `, { RDSPLAN_T_PLAN: resetExample });
    expect(r.stderr).toBe('');
    expect(r.json).toEqual([
      { Id: 'downstream boom', Message: 'downstream boom' },
      { Id: 'downstream boom', Message: 'downstream boom' },
    ]);
  });

  test('a broken plan: Valid false, diagnostics with line, column and pointer; relative paths resolve against the current location', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), BROKEN_PLAN);
    writeFileSync(join(dir, 'syntax.json'), '{\n  "apiVersion": \n');
    const r = await runModule(
      `Test-RdsPlan -Path 'broken.json', 'syntax.json', 'missing.json' | ${emitJson}`,
      {},
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [results] = r.json as { Path: string; Valid: boolean; Diagnostics: Record<string, unknown>[] }[][];
    expect(results!.map((x) => [x.Path, x.Valid])).toEqual([
      [join(dir, 'broken.json'), false],
      [join(dir, 'syntax.json'), false],
      [join(dir, 'missing.json'), false],
    ]);
    expect(results![0]!.Diagnostics).toEqual([
      {
        Line: 5,
        Column: 36,
        Pointer: '/steps/0/action',
        Severity: 'error',
        Code: 'schema.discriminator',
        Message: 'unknown action "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)',
      },
    ]);
    expect(results![1]!.Diagnostics[0]).toMatchObject({ Severity: 'error', Code: 'load.syntax' });
    expect(results![2]!.Diagnostics[0]).toMatchObject({ Line: 1, Column: 1, Code: 'load.read' });
  });

  test('Get-RdsPlanReview: json is an object with the CLI\'s ApprovalToken; text and markdown are strings; -OutFile returns the file', async () => {
    const dir = tempDir();
    const r = await runModule(`
      $json = Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format json
      $text = Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN
      $file = Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format markdown -OutFile (Join-Path $env:RDSPLAN_T_DIR 'review.md')
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{
        Token = $json.ApprovalToken; PlanName = $json.plan.name
        TextType = $text.GetType().FullName; TextHasToken = $text.Contains($json.ApprovalToken)
        FileType = $file.GetType().FullName; FilePath = $file.FullName
      }))
    `, { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_DIR: dir });
    expect(r.stderr).toBe('');
    const out = r.json[0] as Record<string, unknown>;
    expect(out.Token).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.PlanName).toBe('reset-grace-period-rdsh01');
    expect(out).toMatchObject({ TextType: 'System.String', TextHasToken: true, FileType: 'System.IO.FileInfo', FilePath: join(dir, 'review.md') });
    const markdown = readFileSync(join(dir, 'review.md'), 'utf8');
    expect(markdown).toContain(out.Token as string);
  });

  test('an invalid plan in Get-RdsPlanReview is a non-terminating error with the CLI\'s message; the next plan still runs', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, BROKEN_PLAN);
    const r = await runModule(`
      $tokens = @($env:RDSPLAN_T_BROKEN, $env:RDSPLAN_T_PLAN) | Get-RdsPlanReview -Format json -ErrorAction SilentlyContinue -ErrorVariable failures | ForEach-Object { $_.ApprovalToken }
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{
        Tokens = @($tokens); Errors = $failures.Count
        Id = $failures[0].FullyQualifiedErrorId; Category = [string]$failures[0].CategoryInfo.Category
        Message = $failures[0].Exception.Message; Target = $failures[0].TargetObject; ExitCode = $failures[0].Exception.Data['ExitCode']
      }))
    `, { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_BROKEN: broken });
    expect(r.stderr).toBe('');
    const out = r.json[0] as Record<string, unknown>;
    expect((out.Tokens as string[]).length).toBe(1);
    expect(out).toMatchObject({ Errors: 1, Id: 'RdsPlan.InvalidPlan,Get-RdsPlanReview', Category: 'InvalidData', Target: broken, ExitCode: 2 });
    expect(out.Message).toBe(`${broken}:5:36: error: /steps/0/action: unknown action "rds.resetGracePeriodd" (did you mean "rds.resetGracePeriod"?)\nrdsplan: ${broken}: 1 error; nothing was rendered`);
  });

  test('Export-RdsPlanScript writes UTF-8 with BOM and CRLF; Test-RdsPlanScript passes it and catches tampering', async () => {
    const dir = tempDir();
    const script = join(dir, 'reset.ps1');
    const r = await runModule(`
      $file = Export-RdsPlanScript -Path $env:RDSPLAN_T_PLAN -OutFile $env:RDSPLAN_T_OUT
      $token = (Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format json).ApprovalToken
      $clean = Test-RdsPlanScript -Path $file.FullName
      Write-Output ('@@json ' + (ConvertTo-Json -Compress -Depth 5 -InputObject @{ Type = $file.GetType().FullName; Path = $file.FullName; Token = $token; Ok = $clean.Ok; Findings = @($clean.Findings) }))
    `, { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_OUT: script });
    expect(r.stderr).toBe('');
    const out = r.json[0] as { Type: string; Path: string; Token: string; Ok: boolean; Findings: unknown[] };
    expect(out).toMatchObject({ Type: 'System.IO.FileInfo', Path: script, Ok: true, Findings: [] });
    const bytes = readFileSync(script);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain(out.Token);

    writeFileSync(script, text.replace(/\r\n(\s*)Set-StrictMode -Version 3\.0/, '\r\n$1Set-StrictMode -Off'));
    const tampered = await runModule(`[System.IO.FileInfo]::new($env:RDSPLAN_T_OUT) | Test-RdsPlanScript | ${emitJson}`, { RDSPLAN_T_OUT: script });
    expect(tampered.stderr).toBe('');
    const verdict = (tampered.json[0] as { Path: string; Ok: boolean; Findings: { Severity: string; Code: string; Line: number }[] }[])[0];
    expect(verdict!.Path).toBe(script);
    expect(verdict!.Ok).toBe(false);
    expect(verdict!.Findings.length).toBeGreaterThan(0);
  });

  test('Test-RdsPlanScript reports 7-only syntax in a hand-written script as findings, not an error', async () => {
    const dir = tempDir();
    const script = join(dir, 'hand.ps1');
    writeFileSync(script, "$x = $null\n$y = $x ?? 'default'\n");
    const r = await runModule(`Test-RdsPlanScript -Path $env:RDSPLAN_T_SCRIPT | ${emitJson}`, { RDSPLAN_T_SCRIPT: script });
    expect(r.stderr).toBe('');
    const verdict = (r.json[0] as { Ok: boolean; Findings: { Code: string; Line: number; Column: number; Severity: string; Message: string }[] }[])[0];
    expect(verdict!.Ok).toBe(false);
    expect(verdict!.Findings).toContainEqual(expect.objectContaining({ Code: 'ps7-only', Line: 2, Severity: 'error' }));
  });
});

describe('RdsPlan module: hostile paths and values pass through untouched', () => {
  const HOSTILE_NAMES = [
    "x'; Write-Host PWNED; '.json",
    "y'; Write-Host ('PW'+'NED1'); '.json",
    '$(Write-Host PWNED2).json',
    '"; Write-Host PWNED3; ".json',
    'a b; c & d | e > f.json',
    '`$env:HOME `n back`tick.json',
    '--help.json',
    '-Path.json',
    '‘typographic’ ‚quotes‛ ; Write-Host PWNED4 ’.json',
    '[wild]*card?.json',
    '@(splat) %PATH% ü 日本.json',
  ];

  test('Test-RdsPlan and Get-RdsPlanReview report each hostile file as itself, and nothing runs', async () => {
    const dir = tempDir();
    const files = HOSTILE_NAMES.map((name) => join(dir, name));
    for (const f of files) copyFileSync(resetExample, f);
    const r = await runModule(`
      $files = ConvertFrom-Json -InputObject $env:RDSPLAN_T_FILES
      $files | Test-RdsPlan | ${emitJson}
      $files | ForEach-Object { [pscustomobject]@{ FullName = $_ } } | Get-RdsPlanReview -Format json | ForEach-Object { $_.plan.file } | ${emitJson}
    `, { RDSPLAN_T_FILES: JSON.stringify(files) });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [validated, reviewed] = r.json as [{ Path: string; Valid: boolean }[], string[]];
    expect(validated.map((x) => x.Path)).toEqual(files);
    expect(validated.every((x) => x.Valid)).toBe(true);
    expect(reviewed).toEqual(files);
    expect(injectedLines(r)).toEqual([]);
    expect(r.stdout).not.toMatch(/PWNED\d?\s*$/m);
    expect(`${r.stdout}${r.stderr}`).not.toContain('NED1\n');
  });

  test("the brief's file x'; Write-Host PWNED; '.json also works relative to the current location", async () => {
    const dir = tempDir();
    const name = "x'; Write-Host PWNED; '.json";
    copyFileSync(resetExample, join(dir, name));
    const r = await runModule(`Test-RdsPlan -Path $env:RDSPLAN_T_NAME | ${emitJson}`, { RDSPLAN_T_NAME: name }, { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.json[0]).toEqual([{ Path: join(dir, name), Valid: true, Steps: 6, Diagnostics: [] }]);
    expect(injectedLines(r)).toEqual([]);
  });

  test('hostile plan values come back verbatim in the review', async () => {
    const dir = tempDir();
    const plan = JSON.parse(readFileSync(resetExample, 'utf8')) as Record<string, unknown>;
    const description = `'; Write-Host PWNED; $(Write-Host PWNED5) "; & whoami; \`$x ‘’‚‛`;
    plan.description = description;
    const file = join(dir, 'hostile-values.json');
    writeFileSync(file, JSON.stringify(plan, null, 2));
    const r = await runModule(`(Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN -Format json).plan.description | ${emitJson}`, { RDSPLAN_T_PLAN: file });
    expect(r.stderr).toBe('');
    expect(r.json[0]).toEqual([description]);
    expect(injectedLines(r)).toEqual([]);
  });

  test('a hostile -Target is one argument: the CLI names it as not a target of the plan', async () => {
    const dir = tempDir();
    const target = "rdsh01'; Write-Host PWNED; --approve $(Write-Host PWNED6)";
    const r = await runModule(
      `try { Invoke-RdsPlanCheck -Path $env:RDSPLAN_T_PLAN -Target $env:RDSPLAN_T_TARGET -Simulate (Join-Path $env:RDSPLAN_T_DIR 'state.json') -Records $env:RDSPLAN_T_DIR } catch { Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; ExitCode = $_.Exception.Data['ExitCode'] })) }`,
      { RDSPLAN_T_PLAN: resetExample, RDSPLAN_T_TARGET: target, RDSPLAN_T_DIR: dir },
    );
    expect(r.stderr).toBe('');
    const out = r.json[0] as { Id: string; Message: string; ExitCode: number };
    expect(out.ExitCode).toBe(2);
    expect(out.Id).toMatch(/^RdsPlan\.(Usage|InvalidPlan),Invoke-RdsPlanCheck$/);
    expect(out.Message).toContain(target);
    expect(injectedLines(r)).toEqual([]);
  });

  test("with Windows PowerShell 5.1's Legacy argument passing: spaces and quotes still arrive intact, a double quote is refused", async () => {
    const dir = tempDir();
    const spaced = join(dir, "a b; c 'd' ‘e’.json");
    const quoted = join(dir, 'say "PWNED7".json');
    copyFileSync(resetExample, spaced);
    copyFileSync(resetExample, quoted);
    const r = await runModule(`
      $PSNativeCommandArgumentPassing = 'Legacy'
      Test-RdsPlan -Path $env:RDSPLAN_T_SPACED | ${emitJson}
      try { Test-RdsPlan -Path $env:RDSPLAN_T_QUOTED } catch { Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message })) }
      $PSNativeCommandArgumentPassing = 'Standard'
      Test-RdsPlan -Path $env:RDSPLAN_T_QUOTED | ${emitJson}
    `, { RDSPLAN_T_SPACED: spaced, RDSPLAN_T_QUOTED: quoted });
    expect(r.stderr).toBe('');
    expect(r.json[0]).toEqual([{ Path: spaced, Valid: true, Steps: 6, Diagnostics: [] }]);
    expect(r.json[1]).toEqual({
      Id: 'RdsPlan.UnsafeArgument,Test-RdsPlan',
      Message: `cannot pass a value containing a double quote to rdsplan intact in this PowerShell (native argument passing is 'Legacy'): ${quoted}`,
    });
    expect(r.json[2]).toEqual([{ Path: quoted, Valid: true, Steps: 6, Diagnostics: [] }]);
    expect(injectedLines(r)).toEqual([]);
  });
});

describe('RdsPlan module: locating node and the CLI', () => {
  test('RDSPLAN_NODE pointing nowhere: one clear terminating error, even for a pipeline of plans', async () => {
    const r = await runModule(`@($env:RDSPLAN_T_PLAN, $env:RDSPLAN_T_PLAN, $env:RDSPLAN_T_PLAN) | Test-RdsPlan`, {
      RDSPLAN_NODE: '/nonexistent/rdsplan-test/node',
      RDSPLAN_T_PLAN: resetExample,
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    const message = "Node.js not found: RDSPLAN_NODE is set to '/nonexistent/rdsplan-test/node', which is not an existing file. Set RDSPLAN_NODE to the path of node (Node.js 20.5 or later), or remove it to use node from PATH.";
    // ConciseView wraps at 120 columns inside a `|` box: compare with the box and wrapping undone.
    const flat = r.stderr.replace(/\r?\n\s*\|\s?/g, ' ').replace(/\s+/g, ' ');
    expect(flat.split(message).length - 1).toBe(1);
    expect(r.stderr).toMatch(/^Test-RdsPlan: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('the error record: ObjectNotFound, RdsPlan.NodeNotFound; a program name not on PATH is named too', async () => {
    const r = await runModule(`
      foreach ($node in @('/nonexistent/rdsplan-test/node', 'rdsplan-no-such-node')) {
        $env:RDSPLAN_NODE = $node
        try { Get-RdsPlanReview -Path $env:RDSPLAN_T_PLAN } catch {
          Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Message = $_.Exception.Message; Type = $_.Exception.GetType().Name }))
        }
      }
    `, { RDSPLAN_T_PLAN: resetExample });
    expect(r.stderr).toBe('');
    expect(r.json).toEqual([
      expect.objectContaining({ Id: 'RdsPlan.NodeNotFound,Get-RdsPlanReview', Category: 'ObjectNotFound', Type: 'FileNotFoundException' }),
      expect.objectContaining({ Id: 'RdsPlan.NodeNotFound,Get-RdsPlanReview', Category: 'ObjectNotFound', Message: expect.stringContaining("RDSPLAN_NODE is set to 'rdsplan-no-such-node', which is not a program on PATH") }),
    ]);
  });

  test('a .cmd/.bat "node" (cmd.exe would re-parse the arguments) is refused, never run', async () => {
    const dir = tempDir();
    const shim = join(dir, 'node.cmd');
    writeFileSync(shim, '#!/bin/sh\necho PWNED8\n', { mode: 0o755 });
    const r = await runModule(
      `try { Test-RdsPlan -Path $env:RDSPLAN_T_PLAN } catch { Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message })) }`,
      { RDSPLAN_NODE: shim, RDSPLAN_T_PLAN: resetExample },
    );
    expect(r.stderr).toBe('');
    expect(r.json[0]).toEqual({
      Id: 'RdsPlan.NodeIsBatchFile,Test-RdsPlan',
      Message: `rdsplan needs node itself, but RDSPLAN_NODE is a batch file ('${shim}'); batch files pass their arguments through cmd.exe, which re-parses them. Set RDSPLAN_NODE to the path of node.exe.`,
    });
    expect(injectedLines(r)).toEqual([]);
  });

  test('RDSPLAN_CLI pointing nowhere is named; RDSPLAN_NODE and RDSPLAN_CLI as real paths are used', async () => {
    const dir = tempDir();
    const r = await runModule(`
      try { Test-RdsPlan -Path $env:RDSPLAN_T_PLAN } catch { Write-Output ('@@json ' + (ConvertTo-Json -Compress -InputObject @{ Id = $_.FullyQualifiedErrorId; Message = $_.Exception.Message })) }
      $env:RDSPLAN_CLI = $env:RDSPLAN_T_CLI
      $env:RDSPLAN_NODE = $env:RDSPLAN_T_NODE
      Test-RdsPlan -Path $env:RDSPLAN_T_PLAN | ${emitJson}
    `, { RDSPLAN_CLI: join(dir, 'no-such.mjs'), RDSPLAN_T_CLI: join(repoRoot, 'dist', 'rdsplan.mjs'), RDSPLAN_T_NODE: process.execPath, RDSPLAN_T_PLAN: resetExample });
    expect(r.stderr).toBe('');
    expect(r.json[0]).toEqual({
      Id: 'RdsPlan.CliNotFound,Test-RdsPlan',
      Message: `rdsplan CLI not found: RDSPLAN_CLI is set to '${join(dir, 'no-such.mjs')}', which is not an existing file. Set it to the path of rdsplan.mjs, or remove it to use '${join(repoRoot, 'dist', 'rdsplan.mjs')}'.`,
    });
    expect(r.json[1]).toEqual([{ Path: resetExample, Valid: true, Steps: 6, Diagnostics: [] }]);
    expect(existsSync(join(dir, 'no-such.mjs'))).toBe(false);
  });
});
