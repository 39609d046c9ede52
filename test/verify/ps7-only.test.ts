import { describe, expect, test } from '@jest/globals';
import { verifyScript } from '../../src/verify/verify-script.js';
import { buildScript, lineOf, PROLOGUE } from '../support/scripts.js';

const off = { powershell: 'off' } as const;

async function findingsFor(lines: string[]) {
  const script = buildScript({ prologue: [...PROLOGUE, ...lines, ''] });
  return { script, findings: (await verifyScript(script, off)).findings };
}

// [name, line of code, the text the finding must point at, what the message names]
const syntax: Array<[string, string, string, RegExp]> = [
  ['ternary', '$mode = $IsDomain ? 1 : 2', '? 1', /ternary operator '\? :'/],
  ['null-coalescing', "$name = $Parameters['Name'] ?? 'default'", "?? 'default'", /null-coalescing operator '\?\?'/],
  ['null-coalescing assignment', "$Parameters['View'] ??= 'Default'", '??=', /null-coalescing assignment '\?\?='/],
  ['null-conditional member', '$length = ${Value}?.Length', '?.Length', /null-conditional operator '\?\.'/],
  ['null-conditional after a plain variable', '$length = $Value?.Length', '?.Length', /only applies after \$\{name\}/],
  ['null-conditional index', '$first = ${Items}?[0]', '?[0]', /null-conditional operator '\?\['/],
  ['pipeline chain &&', 'Test-Path -Path $BackupDirectory && Write-Host ok', '&&', /pipeline chain operator '&&'/],
  ['pipeline chain ||', "Test-Path -Path $BackupDirectory || Write-Warning 'none'", '||', /pipeline chain operator '\|\|'/],
  ['clean block', "function Get-Cleanup {\r\n    process { 1 }\r\n    Clean { Write-Verbose 'x' }\r\n}", 'Clean {', /'clean' block/],
  ['ForEach-Object -Parallel', '1..3 | ForEach-Object -Parallel { $_ }', '-Parallel', /ForEach-Object -Parallel exists only in PowerShell 7\.0/],
  ['% -Parallel (alias, abbreviated)', '1..3 | % -Pa { $_ }', '-Pa', /% -Parallel/],
];

describe('PowerShell 7 syntax is an error', () => {
  test.each(syntax)('%s', async (_name, code, at, message) => {
    const { script, findings } = await findingsFor([code]);
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'ps7-only', line: lineOf(script, at), message: expect.stringMatching(message) }),
    ]);
    const line = script.split(/\r\n/)[findings[0]!.line - 1]!;
    expect(line.slice(findings[0]!.column - 1)).toMatch(new RegExp(`^${at.replace(/[?.*+()[\]{}|$\\^]/g, '\\$&')}`, 'i'));
  });
});

describe('the same text inside strings and comments is not flagged', () => {
  const texts = ["$a ? 1 : 2", "$b ?? 'x'", '$c ??= 1', '${d}?.Name', '${e}?[0]', 'a && b || c', 'clean { }', 'ForEach-Object -Parallel { }', '$PSStyle Join-String'];
  test.each(texts)('%s', async (text) => {
    const verbatim = `'${text.replace(/'/g, "''")}'`;
    const { findings } = await findingsFor([
      `$s1 = ${verbatim}`,
      `$s2 = "${text.replace(/\$/g, '`$')}"`,
      `$s3 = @'\r\n${text}\r\n'@`,
      `# ${text}`,
      `<# ${text}\r\n   ${text} #>`,
      `Write-Verbose ${verbatim} # ${text}`,
    ]);
    expect(findings).toEqual([]);
  });

  test('but code inside $( ) of a double-quoted string is code', async () => {
    const { script, findings } = await findingsFor(['$s = "value: $(Get-Item -Path $BackupDirectory && 1)"']);
    expect(findings).toEqual([expect.objectContaining({ code: 'ps7-only', line: lineOf(script, '&& 1') })]);
  });

  test('a string holding ?? inside a statement the grammar cannot parse is not mistaken for the operator', async () => {
    const { findings } = await findingsFor(["$x = $y ?? 'what?? ? : &&'"]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toMatch(/'\?\?'/);
  });
});

describe('5.1-compatible constructs that look similar are not flagged', () => {
  test.each([
    ['Where-Object alias ?', 'Get-ChildItem -Path $BackupDirectory | ? { $_.Length -gt 0 }'],
    ['-and / -or', '$ok = ($a -and $b) -or $c'],
    ['using namespace is 5.1 syntax', 'using namespace System.Text'],
    ['ForEach-Object -Process', '1..3 | ForEach-Object -Process { $_ }'],
    ['a wildcard ? in a parameter value', "Get-ChildItem -Path 'C:\\a?c' -Filter 'L$RTM*'"],
    ['ConvertFrom-Json without 7-only parameters', "$o = (ConvertFrom-Json -InputObject '{}')"],
    ['Where-Object -NotLike (not -Not)', "Get-ChildItem -Path $BackupDirectory | Where-Object -Property Name -NotLike 'x*'"],
    ['Join-Path with -ChildPath only', "$p = Join-Path -Path 'C:\\a' -ChildPath 'b'"],
  ])('%s', async (_name, code) => {
    const { findings } = await findingsFor([code]);
    expect(findings).toEqual([]);
  });
});

describe('commands, parameters and variables that 5.1 lacks are warnings', () => {
  test.each([
    ['$PSStyle', '$reset = $PSStyle.Reset', '$PSStyle'],
    ['$IsWindows', 'if ($IsWindows) { 1 }', '$IsWindows'],
    ['Join-String', "$s = 'a', 'b' | Join-String -Separator ','", 'Join-String'],
    ['Get-Error', 'Get-Error -Newest 1', 'Get-Error'],
    ['module-qualified command', "Microsoft.PowerShell.Utility\\Test-Json -Json '{}'", 'Microsoft.PowerShell.Utility\\Test-Json'],
    ['ConvertFrom-Json -AsHashtable', "$h = (ConvertFrom-Json -InputObject '{}' -AsHashtable)", '-AsHashtable'],
    ['Get-Content -AsByteStream', "$b = Get-Content -Path 'x' -AsByteStream", '-AsByteStream'],
    ['Join-Path -AdditionalChildPath', "$p = Join-Path -Path 'C:\\a' -ChildPath 'b' -AdditionalChildPath 'c'", '-AdditionalChildPath'],
    ['ConvertTo-Json -EnumsAsStrings', '$j = ConvertTo-Json -InputObject $o -Depth 3 -EnumsAsStrings', '-EnumsAsStrings'],
    ['Where-Object -Not', 'Get-ChildItem -Path $BackupDirectory | Where-Object -Not -Property PSIsContainer', '-Not'],
  ])('%s', async (_name, code, at) => {
    const { script, findings } = await findingsFor([code]);
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'ps7-only', line: lineOf(script, code) })]);
    const line = script.split(/\r\n/)[findings[0]!.line - 1]!;
    expect(line.slice(findings[0]!.column - 1).startsWith(at)).toBe(true);
  });
});
