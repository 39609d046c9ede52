/**
 * The engine's C# stand-ins for Microsoft.PowerShell.Utility/Management cmdlets, each
 * compared with what pwsh 7 prints for the same call. Expected text comes from the cmdlet
 * reference on learn.microsoft.com (module microsoft.powershell.utility or .management,
 * view=powershell-7.4; cited per test) and pwsh 7's documented formats; the suite runs
 * unchanged against a real pwsh (RDSPLAN_POWERSHELL=pwsh), which is how to re-check them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describeEngine, runPowerShell, usingTestEngine } from '../support/engine.js';

/** Runs one -Command and insists it succeeded quietly, returning stdout. */
async function out(command: string): Promise<string> {
  const r = await runPowerShell({ command });
  expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
  return r.stdout;
}

describeEngine('Write-* cmdlets', () => {
  // Write-Output, Example 3 (-NoEnumerate): the array travels as one object.
  test('Write-Output enumerates unless -NoEnumerate', async () => {
    expect(await out("(Write-Output 1,2,3 | ForEach-Object { 'x' }).Count; Write-Output 1,2,3 -NoEnumerate | ForEach-Object { $_.GetType().Name }")).toBe('3\nObject[]\n');
  });

  // Write-Host, Examples 1 and 2 (-NoNewline, -Separator).
  test('Write-Host -NoNewline and -Separator', async () => {
    expect(await out('Write-Host "no newline test " -NoNewline; Write-Host "second string"')).toBe('no newline test second string\n');
    expect(await out('Write-Host (2,4,6,8,10,12) -Separator ", +2= "')).toBe('2, +2= 4, +2= 6, +2= 8, +2= 10, +2= 12\n');
  });

  // Write-Host writes to the information stream (about_Redirection: stream 6), so 6>$null hides it.
  test('Write-Host goes through the information stream', async () => {
    expect(await out("Write-Host 'hidden' 6>$null; Write-Host 'a' 'b'; Write-Host -Object $null")).toBe('a b\n\n');
  });

  // Write-Warning, Example 1; Write-Verbose, Example 2; Write-Debug with -Debug.
  test('Write-Warning / Write-Verbose / Write-Debug prefixes', async () => {
    expect(
      await out(
        'Write-Warning "This is only a test warning."; Write-Verbose -Message "Searching the Application Event Log." -Verbose; ' +
          '$DebugPreference = "Continue"; Write-Debug "dbg"; $WarningPreference = "SilentlyContinue"; Write-Warning "quiet"',
      ),
    ).toBe('WARNING: This is only a test warning.\nVERBOSE: Searching the Application Event Log.\nDEBUG: dbg\n');
  });

  // Write-Information, Example 1 (shown with -InformationAction Continue, silent by default).
  test('Write-Information shows only when asked', async () => {
    expect(await out('Write-Information -MessageData "Got your features!" -InformationAction Continue; Write-Information "silent"')).toBe('Got your features!\n');
  });

  // Write-Error: pwsh 7's ConciseView prints "<command>: <message>" on the error stream;
  // inside a function the function's name leads (the record carries the caller's invocation).
  test('Write-Error renders like pwsh and builds the same record', async () => {
    const r = await runPowerShell({
      command:
        "function Test-It { Write-Error 'in function' }; Test-It; Write-Error 'Access denied.' -Category PermissionDenied -ErrorId 'E1' -ErrorAction SilentlyContinue; " +
        "$e = $Error[0]; $e.FullyQualifiedErrorId; $e.CategoryInfo.Category; Write-Error 'plain' -ErrorAction SilentlyContinue; $Error[0].FullyQualifiedErrorId; $Error[0].Exception.GetType().FullName",
    });
    expect(r.stderr).toBe('Test-It: in function\n');
    expect(r.stdout).toBe('E1\nPermissionDenied\nMicrosoft.PowerShell.Commands.WriteErrorException\nMicrosoft.PowerShell.Commands.WriteErrorException\n');
  });
});

describeEngine('ConvertTo-Json (pwsh 7: Newtonsoft.Json, 2-space indent)', () => {
  // ConvertTo-Json reference: default -Depth 2, -Compress, -AsArray, -EnumsAsStrings.
  test('objects, arrays, nesting and null in pwsh 7 layout', async () => {
    expect(
      await out("[pscustomobject]@{ Name = 'a'; Count = 2; Tags = @('x', 'y'); Nested = [ordered]@{ On = $true; Off = $null } } | ConvertTo-Json"),
    ).toBe('{\n  "Name": "a",\n  "Count": 2,\n  "Tags": [\n    "x",\n    "y"\n  ],\n  "Nested": {\n    "On": true,\n    "Off": null\n  }\n}\n');
  });

  test('-Compress, pipeline input becomes an array, -AsArray, empty array, $null', async () => {
    expect(
      await out(
        "[ordered]@{ a = 1; b = 'two' } | ConvertTo-Json -Compress; 1, 2 | ConvertTo-Json -Compress; 1 | ConvertTo-Json -AsArray -Compress; " +
          'ConvertTo-Json -InputObject @() -Compress; ConvertTo-Json -InputObject $null',
      ),
    ).toBe('{"a":1,"b":"two"}\n[1,2]\n[1]\n[]\nnull\n');
  });

  test('scalars: doubles keep ".0", enums are numbers unless -EnumsAsStrings, strings escape only what JSON needs', async () => {
    expect(
      await out(
        "[double]1 | ConvertTo-Json; 1.5 | ConvertTo-Json; [DayOfWeek]::Monday | ConvertTo-Json; [DayOfWeek]::Monday | ConvertTo-Json -EnumsAsStrings; " +
          "\"q`\"b\\`t<>&é\" | ConvertTo-Json",
      ),
    ).toBe('1.0\n1.5\n1\n"Monday"\n"q\\"b\\\\\\t<>&é"\n');
  });

  test('dates are ISO 8601 with their kind; Get-Date output carries no DisplayHint (7.2+)', async () => {
    expect(
      await out(
        "[datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc) | ConvertTo-Json; [datetime]::new(2020, 1, 2, 3, 4, 5) | ConvertTo-Json; " +
          "Get-Date -Date ([datetime]::new(2020, 1, 2)) | ConvertTo-Json",
      ),
    ).toBe('"2020-01-02T03:04:05Z"\n"2020-01-02T03:04:05"\n"2020-01-02T00:00:00"\n');
  });

  test('past -Depth: the value\'s string form and one warning', async () => {
    const r = await runPowerShell({ command: '@{ a = @{ b = @{ c = @{ d = 1 } } } } | ConvertTo-Json -Compress' });
    expect(r.stdout).toBe('WARNING: Resulting JSON is truncated as serialization has exceeded the set depth of 2.\n{"a":{"b":{"c":"System.Collections.Hashtable"}}}\n');
  });
});

describeEngine('ConvertFrom-Json (pwsh 7)', () => {
  // ConvertFrom-Json reference: PSCustomObject by default, -AsHashtable (OrderedHashtable
  // since 7.3), arrays enumerated unless -NoEnumerate, integers Int64, ISO dates DateTime.
  test('types of the converted values', async () => {
    expect(
      await out(
        "$o = '{\"n\":1,\"big\":12345678901234567890,\"f\":1.5,\"s\":\"x\",\"b\":true,\"z\":null,\"t\":\"2020-01-02T03:04:05Z\",\"a\":[1,2]}' | ConvertFrom-Json; " +
          "$o.GetType().FullName; $o.n.GetType().FullName; $o.big.GetType().FullName; $o.f.GetType().FullName; $o.b.GetType().FullName; $null -eq $o.z; " +
          "$o.t.GetType().FullName; $o.t.Kind; $o.a.GetType().FullName; ($o.PSObject.Properties | ForEach-Object Name) -join ','",
      ),
    ).toBe(
      'System.Management.Automation.PSCustomObject\nSystem.Int64\nSystem.Numerics.BigInteger\nSystem.Double\nSystem.Boolean\nTrue\n' +
        'System.DateTime\nUtc\nSystem.Object[]\nn,big,f,s,b,z,t,a\n',
    );
  });

  test('-AsHashtable, -NoEnumerate, top-level arrays enumerate', async () => {
    expect(
      await out(
        "$h = '{\"b\":1,\"a\":{\"c\":2}}' | ConvertFrom-Json -AsHashtable; $h.GetType().FullName; ($h.Keys -join ','); $h.a.GetType().Name; " +
          "('[1,2,3]' | ConvertFrom-Json | ForEach-Object { 'x' }).Count; '[1,2,3]' | ConvertFrom-Json -NoEnumerate | ForEach-Object { $_.Count }",
      ),
    ).toBe('System.Management.Automation.OrderedHashtable\nb,a\nOrderedHashtable\n3\n3\n');
  });

  test('a PSCustomObject result formats as pwsh formats it', async () => {
    expect(await out("'{\"Name\":\"a\",\"Size\":1}' | ConvertFrom-Json")).toBe('\nName Size\n---- ----\na       1\n\n');
  });

  test('invalid JSON and keys differing only in case are terminating errors with pwsh\'s messages', async () => {
    const bad = await runPowerShell({ command: "'{bad' | ConvertFrom-Json; 'after'" });
    expect(bad.stdout).toBe('after\n'); // statement-terminating, like the original
    expect(bad.stderr).toMatch(/^ConvertFrom-Json: Conversion from JSON failed with error: /);
    const cased = await runPowerShell({ command: "'{\"a\":1,\"A\":2}' | ConvertFrom-Json" });
    expect(cased.exitCode).toBe(1);
    expect(cased.stderr).toContain('Cannot convert the JSON string because it contains keys with different casing.');
  });
});

describeEngine('Get-Date', () => {
  // Get-Date reference: -Format (.NET format strings and FileDate* shortcuts), -AsUTC,
  // DisplayHint note property on the DateTime it returns.
  test('-Format, FileDate shortcuts, component parameters, -AsUTC, DisplayHint', async () => {
    expect(
      await out(
        "$d = [datetime]::new(2020, 1, 2, 3, 4, 5, 123); Get-Date -Date $d -Format 'yyyy-MM-dd HH:mm:ss'; Get-Date -Date $d -Format FileDate; " +
          "Get-Date -Date $d -Format FileDateTime; Get-Date -Date $d -Year 2021 -Month 12 -Day 31 -Hour 0 -Format 'yyyy-MM-dd HH'; " +
          "(Get-Date -Date ([datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)) -AsUTC).Kind; (Get-Date).DisplayHint; (Get-Date -DisplayHint Date).DisplayHint; " +
          '((Get-Date) - [datetime]::Now).TotalSeconds -lt 5',
      ),
    ).toBe('2020-01-02 03:04:05\n20200102\n20200102T0304051230\n2021-12-31 00\nUtc\nDateTime\nDate\nTrue\n');
  });
});

describeEngine('Join-Path / Split-Path / Test-Path (FileSystem provider on Linux)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rdsplan-paths-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'file.txt'), 'x');
    writeFileSync(join(dir, 'br[1].txt'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Join-Path reference: -AdditionalChildPath (7.0+), several -Path values; on Linux the
  // separator is '/'.
  test('Join-Path', async () => {
    expect(await out("Join-Path 'a' 'b'; Join-Path '/base' 'x' 'y' 'z'; Join-Path -Path 'p','q' -ChildPath 'c'; Join-Path 'dir/' '/leaf'")).toBe(
      'a/b\n/base/x/y/z\np/c\nq/c\ndir/leaf\n',
    );
  });

  // Split-Path reference: -Parent (default), -Leaf, -LeafBase, -Extension, -IsAbsolute.
  test('Split-Path', async () => {
    expect(
      await out(
        "Split-Path '/a/b/c.txt'; Split-Path '/a/b/c.txt' -Leaf; Split-Path '/a/b/c.txt' -LeafBase; Split-Path '/a/b/c.txt' -Extension; " +
          "Split-Path '/a/b/c.txt' -IsAbsolute; Split-Path 'rel/x' -IsAbsolute; Split-Path 'rel/x' -Parent",
      ),
    ).toBe('/a/b\nc.txt\nc\n.txt\nTrue\nFalse\nrel\n');
  });

  // Test-Path reference: -PathType Container/Leaf, -LiteralPath (no wildcards), wildcards
  // with -Path, an empty string is $false (7.x), a missing drive is $false.
  test('Test-Path', async () => {
    const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
    expect(
      await out(
        [
          `Test-Path ${q(dir)}`,
          `Test-Path ${q(dir)} -PathType Container`,
          `Test-Path ${q(dir)} -PathType Leaf`,
          `Test-Path ${q(join(dir, 'file.txt'))} -PathType Leaf`,
          `Test-Path ${q(join(dir, 'missing'))}`,
          `Test-Path ${q(join(dir, 'fi*.txt'))}`,
          `Test-Path -LiteralPath ${q(join(dir, 'fi*.txt'))}`,
          `Test-Path -LiteralPath ${q(join(dir, 'br[1].txt'))}`,
          "Test-Path ''",
          "Test-Path 'Q:\\nowhere'",
        ].join('; '),
      ),
    ).toBe('True\nTrue\nFalse\nTrue\nFalse\nTrue\nFalse\nTrue\nFalse\nFalse\n');
  });
});

describeEngine('Out-String', () => {
  // Out-String reference: one string with a final newline; -Stream one string per line;
  // -NoNewline joins; the text is the console's formatting.
  test('-Stream, -NoNewline and formatted objects', async () => {
    expect(
      await out(
        "$s = 'a','b' | Out-String; $s.Length; ('a','b' | Out-String -Stream).Count; 'a','b' | Out-String -NoNewline; " +
          "([pscustomobject]@{ Name = 'a'; Size = 1 } | Out-String) -replace \"`n\", '|'",
      ),
    ).toBe('4\n2\nab\n|Name Size|---- ----|a       1||\n');
  });
});

describeEngine('cmdlet surface', () => {
  // ps-templates/README.md promises the templates exactly these; a missing one would
  // only show up as a CommandNotFound in some later test.
  test('every cmdlet the templates may use resolves', async () => {
    const names = [
      'Write-Host', 'Write-Output', 'Write-Warning', 'Write-Verbose', 'Write-Error', 'ConvertFrom-Json', 'Get-Date',
      'Join-Path', 'Split-Path', 'Test-Path', 'ForEach-Object', 'Where-Object', 'Out-Null', 'Get-Command',
    ];
    expect(await out(`(Get-Command ${names.join(',')} | ForEach-Object Name) -join ','`)).toBe(`${names.join(',')}\n`);
  });

  test('the test engine has no Add-Type (Windows-only platform code must not run here)', async () => {
    if (!usingTestEngine()) return; // pwsh has Add-Type; this is about the SMA-only engine
    expect(await out("[bool](Get-Command Add-Type -ErrorAction SilentlyContinue)")).toBe('False\n');
  });
});
