import { describe, expect, test } from '@jest/globals';
import { quotePowerShell } from '../../src/render/quote.js';
import { verifyScript, type Finding } from '../../src/verify/verify-script.js';
import { BACKUP_DIRECTORY, buildBody, buildScript, CONTEXT_LINE, EPILOGUE, GRACE_PATH, lineOf, PROLOGUE, STEPS, withHeader } from '../support/scripts.js';

const off = { powershell: 'off' } as const;

function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

function step(parameters: string): string {
  return `Invoke-RdsPlanStep -Context $RdsContext -StepId 'x' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ ${parameters} }`;
}

describe('verifyScript: a rendered script', () => {
  test('is ok, with CRLF and BOM as rendered', async () => {
    const report = await verifyScript(buildScript(), { ...off, fileName: 'plan.ps1' });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.fileName).toBe('plan.ps1');
    expect(report.parsers.powershell).toBeNull();
  });

  test('is ok with LF line ends too (a checkout that converted them is not tampering)', async () => {
    const crlf = buildScript();
    const report = await verifyScript(crlf.replace(/\r\n/g, '\n'), off);
    expect(report.findings).toEqual([]);
  });

  test('finds every expected plan value as an intact literal, in the steps or the param() defaults', async () => {
    const report = await verifyScript(buildScript(), { ...off, expectedLiterals: [BACKUP_DIRECTORY, GRACE_PATH, 'L$RTMTIMEBOMB*', 'TermService', 'grace-export', '64', 'reset-grace-period'] });
    expect(report.findings).toEqual([]);
  });
});

describe('verifyScript: tampering', () => {
  test('an edited body no longer matches the approval token', async () => {
    const script = buildScript().replace("Data = 4", 'Data = 2');
    const report = await verifyScript(script, off);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'tampered', severity: 'error', line: 5, column: 1 })]);
    expect(report.findings[0]!.message).toMatch(/body or the header was edited after rendering/);
  });

  test('an edited token in the header is caught', async () => {
    const script = buildScript();
    const edited = script.replace(/# approval-token: sha256:([0-9a-f])/, (_m, c: string) => `# approval-token: sha256:${c === '0' ? '1' : '0'}`);
    expect(edited).not.toBe(script);
    const report = await verifyScript(edited, off);
    expect(codes(report.findings)).toEqual(['tampered']);
  });

  test('an edited plan hash in the header is caught', async () => {
    const edited = buildScript().replace(/# plan-sha256: 3/, '# plan-sha256: 4');
    expect(codes((await verifyScript(edited, off)).findings)).toEqual(['tampered']);
  });

  test('a script without the header is reported, and still checked', async () => {
    const body = buildBody({ steps: [step("Path = $x")] });
    const report = await verifyScript(body, off);
    expect(codes(report.findings)).toEqual(['header-missing', 'non-literal-argument']);
  });
});

describe('verifyScript: syntax', () => {
  test('a missing brace is reported where the grammar runs out of input', async () => {
    const prologue = [...PROLOGUE, 'function Get-Broken {', "    if ($true) { Write-Host 'x'", '}', ''];
    const script = buildScript({ prologue });
    const report = await verifyScript(script, off);
    // PowerShell's parser names the unclosed `{`; tree-sitter inserts the MISSING `}` at the end of the input.
    const lastLine = lineOf(script, EPILOGUE);
    expect(report.findings).toEqual([{ severity: 'error', code: 'syntax-error', line: lastLine, column: EPILOGUE.length + 1, message: "missing '}' after '…-RdsPlan -Context $RdsContext'" }]);
    expect(report.ok).toBe(false);
  });

  // The grammar marks the operator that lacks its operand (PowerShell's own parser points just after it).
  test('an unparsable token is reported at its exact position', async () => {
    const prologue = [...PROLOGUE, '$value = (1 + )', ''];
    const script = buildScript({ prologue });
    const report = await verifyScript(script, off);
    const line = lineOf(script, '$value = (1 + )');
    expect(report.findings.filter((f) => f.code === 'syntax-error')).toEqual([
      expect.objectContaining({ line, column: '$value = (1 '.length + 1, message: "cannot parse '+'" }),
    ]);
  });

  test('columns count UTF-16 code units after non-ASCII text on the same line', async () => {
    const prologue = [...PROLOGUE, "$label = 'Größe 😀'; $value = (1 + )", ''];
    const script = buildScript({ prologue });
    const report = await verifyScript(script, off);
    const line = lineOf(script, '$label');
    expect(report.findings.filter((f) => f.code === 'syntax-error')).toEqual([
      expect.objectContaining({ line, column: "$label = 'Größe 😀'; $value = (1 ".length + 1 }),
    ]);
  });

  test('grammar gaps PowerShell does not have: -PlanSha256 (digits in a parameter name), 0x80000000L and 10MB (upper-case suffixes)', async () => {
    expect(CONTEXT_LINE).toContain('-PlanSha256 ');
    const gaps = ['Get-FileHash -Path $PSCommandPath -Algorithm SHA256 | Out-Null', 'Test-Thing -Sha256 1 -Ab3c 2', '$mask = 0x80000000L -bor 0X1F -bor 10MB -bor 5D'];
    const report = await verifyScript(buildScript({ prologue: [...PROLOGUE, ...gaps, ''] }), off);
    expect(report.findings).toEqual([]);
  });

  test('a non-ASCII script without BOM gets an encoding warning (5.1 reads it as ANSI)', async () => {
    const withUmlaut = buildScript({ bom: false, prologue: [...PROLOGUE, "Write-Verbose 'Größe'", ''] });
    const report = await verifyScript(withUmlaut, off);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'encoding', severity: 'warning', line: lineOf(withUmlaut, 'Größe') })]);
    expect(report.ok).toBe(true);
    expect((await verifyScript(buildScript({ bom: false }), off)).findings).toEqual([]);
  });
});

describe('verifyScript: the steps section holds constants only', () => {
  const cases: Array<[string, string, string]> = [
    ['a variable', 'Path = $Path', '$Path'],
    ['an environment variable', 'Path = $env:TEMP', '$env:TEMP'],
    ['a double-quoted string with a variable', 'Path = "HKLM\\$x"', '"HKLM\\$x"'],
    ['a double-quoted string without one', 'Path = "HKLM\\SOFTWARE"', '"HKLM\\SOFTWARE"'],
    ['a subexpression', 'Path = $(Get-Date)', '$(Get-Date)'],
    ['a script block', 'Path = { Remove-Item C:\\ }', '{ Remove-Item C:\\ }'],
    ['a here-string', "Path = @'\r\nHKLM\\SOFTWARE\r\n'@", "@'"],
    ['an expandable here-string', 'Path = @"\r\nHKLM\\$x\r\n"@', '@"'],
    ['a bareword command', 'Path = Get-Date', 'Get-Date'],
    ['a cast', 'Data = [int]5', '[int]5'],
    ['arithmetic', 'Data = 2 + 2', '2 + 2'],
    ['a method call', "Path = [System.IO.Path]::GetTempPath()", '[System.IO.Path]'],
    ['a variable inside an array', "Data = @('a', $x)", '$x'],
    ['a variable inside a nested hashtable', "Data = @{ Inner = @{ Deep = $x } }", '$x'],
  ];

  test.each(cases)('%s is flagged', async (_name, parameters, where) => {
    const script = buildScript({ steps: [...STEPS, step(parameters)] });
    const report = await verifyScript(script, off);
    const flagged = report.findings.filter((f) => f.code === 'non-literal-argument');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ severity: 'error', line: lineOf(script, where) });
    expect(report.ok).toBe(false);
  });

  test('arguments outside -Parameters are checked too: splatting, a variable step id, a bareword', async () => {
    const script = buildScript({
      steps: [
        "Invoke-RdsPlanStep -Context $RdsContext -StepId $id -Action 'a' @splat",
        "Invoke-RdsPlanStep -Context $RdsContext -StepId 'x' -Action registry.export",
      ],
    });
    const messages = (await verifyScript(script, off)).findings.map((f) => `${f.code}: ${f.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^non-literal-argument: Invoke-RdsPlanStep: a variable '\$id'/),
      expect.stringMatching(/^non-literal-argument: Invoke-RdsPlanStep: a splatted variable '@splat'/),
      expect.stringMatching(/^non-literal-argument: Invoke-RdsPlanStep: a bareword 'registry.export'/),
    ]);
  });

  test('the script parameters ($TargetName here) count as run-time variables', async () => {
    expect(CONTEXT_LINE).toContain('-TargetName $TargetName -ApprovalToken $ApprovalToken');
    expect((await verifyScript(buildScript(), off)).findings).toEqual([]);
    const undeclared = buildScript({ prologue: PROLOGUE.filter((line) => !line.includes('$TargetName')) });
    expect((await verifyScript(undeclared, off)).findings).toEqual([expect.objectContaining({ code: 'non-literal-argument', message: expect.stringContaining("a variable '$TargetName'") })]);
  });

  test('parameter defaults must be constants too (the backup directory is a plan value)', async () => {
    const prologue = PROLOGUE.map((line) => line.replace("[string]$RunId = ''", '[string]$RunId = "$env:COMPUTERNAME-run"'));
    const script = buildScript({ prologue });
    const report = await verifyScript(script, off);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'non-literal-argument', line: lineOf(script, '$RunId = "'), message: expect.stringMatching(/^param\(\): a double-quoted string/) })]);
  });

  test('New-RdsPlanContext may use only the documented run-time variables', async () => {
    const script = buildScript().replace('-RunId $RunId', '-RunId $env:RUN_ID');
    const report = await verifyScript(withHeader(script.slice(script.indexOf('#Requires'))), off);
    expect(report.findings).toEqual([expect.objectContaining({ code: 'non-literal-argument', message: expect.stringContaining('$env:RUN_ID') })]);
  });

  test('constants of every documented kind pass: integers, negative, $true/$false/$null, arrays, nested hashtables', async () => {
    const script = buildScript({ steps: [step("Data = @(1, -2, 0x10); Flag = $false; None = $null; Q = '18446744073709551615'; Nested = @{ 'Quoted Key' = @('a', 'b'); Empty = @() }")] });
    expect((await verifyScript(script, off)).findings).toEqual([]);
  });

  test('a statement smuggled between the step calls is flagged', async () => {
    const script = buildScript({ steps: [STEPS[0]!, 'Remove-Item -Path C:\\Windows -Recurse', STEPS[1]!] });
    const report = await verifyScript(script, off);
    // -Recurse is a 5.1 pitfall of its own (it follows directory links there).
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'unexpected-statement', line: lineOf(script, 'Remove-Item') }),
      expect.objectContaining({ code: 'ps51-pitfall', line: lineOf(script, 'Remove-Item') }),
    ]);
  });

  test('a step call piped somewhere is flagged', async () => {
    const script = buildScript({ steps: [`${STEPS[0]!} | Out-Null`] });
    expect(codes((await verifyScript(script, off)).findings)).toEqual(['unexpected-statement']);
  });

  test('a script without New-RdsPlanContext has no steps section', async () => {
    const body = PROLOGUE.map((l) => `${l}\r\n`).join('');
    expect(codes((await verifyScript(withHeader(body), off)).findings)).toEqual(['steps-missing']);
  });

  test('the context must be assigned to $RdsContext', async () => {
    const body = buildBody().replace('$RdsContext = New-RdsPlanContext', '$Other = New-RdsPlanContext');
    expect(codes((await verifyScript(withHeader(body), off)).findings)).toEqual(['steps-missing']);
  });

  test('a syntax error in the runtime does not hide the steps section from the checks', async () => {
    const script = buildScript({ prologue: [...PROLOGUE, "$name = $Parameters['Name'] ?? 'default'", 'function Get-Half { if ($true) {', ''], steps: [step('Path = $x')] });
    const report = await verifyScript(script, { ...off, expectedLiterals: ['missing-value'] });
    expect(codes(report.findings)).toEqual(expect.arrayContaining(['ps7-only', 'non-literal-argument', 'literal-missing']));
    expect(report.findings.find((f) => f.code === 'non-literal-argument')).toMatchObject({ line: lineOf(script, 'Path = $x') });
  });
});

describe('verifyScript: expected literals', () => {
  test("a value `a'b` rendered without doubling the quote is reported", async () => {
    const script = buildScript({ steps: [step("Name = 'a'b'")] });
    const report = await verifyScript(script, { ...off, expectedLiterals: ["a'b"] });
    expect(codes(report.findings)).toContain('literal-missing');
    expect(report.findings.find((f) => f.code === 'literal-missing')!.message).toContain("'a'b'");
  });

  test('a value split into two literals is reported even though both halves are present', async () => {
    const script = buildScript({ steps: [step("Name = 'TermService'; Other = 'Licensing'")] });
    const report = await verifyScript(script, { ...off, expectedLiterals: ['TermService Licensing'] });
    expect(codes(report.findings)).toEqual(['literal-missing']);
  });

  test('a value present only in a comment or the runtime, not in the steps, is reported', async () => {
    const script = buildScript({ prologue: [...PROLOGUE, "# 'Secret'", "$unused = 'Secret'", ''] });
    const report = await verifyScript(script, { ...off, expectedLiterals: ['Secret'] });
    expect(codes(report.findings)).toEqual(['literal-missing']);
  });

  test('a lone typographic quote (PowerShell ends the literal there, the grammar does not) is reported', async () => {
    const value = 'it\u2019s';
    const script = buildScript({ steps: [step(`Name = 'it\u2019s'`)] });
    const report = await verifyScript(script, { ...off, expectedLiterals: [value] });
    expect(codes(report.findings).sort()).toEqual(['literal-missing', 'non-literal-argument', 'parser-disagreement']);
    expect(report.findings.find((f) => f.code === 'non-literal-argument')!.message).toMatch(/typographic quote/);
  });

  const hostile = [
    "it's",
    '\u2018\u2019\u201A\u201B\'',
    "'; Remove-Item C:\\ -Recurse; '",
    '$(Remove-Item C:\\)',
    '`n`$x``',
    '#> <# comment',
    "'@\r\n@'",
    '"@ "double" $env:PATH',
    'Größe 😀 日本語 \u200B',
    '',
  ];

  test.each(hostile.map((v) => [JSON.stringify(v), v]))('hostile value %s rendered with quotePowerShell verifies as intact', async (_name, value) => {
    const script = buildScript({ steps: [...STEPS, step(`Name = ${quotePowerShell(value)}; List = @(${quotePowerShell(value)}, 'x')`)] });
    const report = await verifyScript(script, { ...off, expectedLiterals: [value, GRACE_PATH] });
    expect(report.findings).toEqual([]);
  });
});

describe('verifyScript: where tree-sitter and PowerShell read the text differently', () => {
  test('code after a backtick-escaped #> in a block comment (PowerShell runs it, the grammar sees a comment)', async () => {
    const hidden = '<# note `#> Remove-Item -Path C:\\Windows -Recurse <# #>';
    const script = buildScript({ steps: [STEPS[0]!, hidden, STEPS[1]!] });
    const report = await verifyScript(script, off);
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'parser-disagreement', line: lineOf(script, hidden), column: hidden.indexOf('Remove-Item') + 1 }),
    ]);
  });

  test('the same in the runtime part of the script', async () => {
    const script = buildScript({ prologue: [...PROLOGUE, '<# `#> Write-Host hidden #>', ''] });
    expect(codes((await verifyScript(script, off)).findings)).toEqual(['parser-disagreement']);
  });

  test('a # glued to a word is a warning (a comment in an expression, part of the word in a command), and later disagreements are still found', async () => {
    const glued = 'Write-Verbose $BackupDirectory#note; Remove-Item -Path $BackupDirectory';
    const hidden = '<# `#> Write-Host hidden #>';
    const script = buildScript({ prologue: [...PROLOGUE, glued, '$copy = $BackupDirectory #fine', hidden, ''] });
    const report = await verifyScript(script, off);
    expect(report.findings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'parser-disagreement', line: lineOf(script, glued), column: glued.indexOf('#') + 1 }),
      expect.objectContaining({ severity: 'error', code: 'parser-disagreement', line: lineOf(script, hidden) }),
    ]);
  });

  test('a lone typographic quote inside a single-quoted string in the runtime', async () => {
    // PowerShell ends the string at ’ and the final ' opens another one that swallows the rest
    // of the script (the steps section included): the first disagreement is the one to fix.
    const line = "Write-Verbose 'it\u2019s; Remove-Item x; '";
    const script = buildScript({ prologue: [...PROLOGUE, line, ''] });
    const report = await verifyScript(script, off);
    expect(report.findings.filter((f) => f.code === 'parser-disagreement')).toEqual([
      expect.objectContaining({ line: lineOf(script, line), column: line.indexOf('s; Remove') + 1 }),
    ]);
  });
});

describe('verifyScript: structure of the report', () => {
  test('findings are sorted by position and ok reflects errors only', async () => {
    const script = buildScript({
      prologue: [...PROLOGUE, '$x = $PSStyle.Reset', ''],
      steps: [step('Path = $x')],
    });
    const report = await verifyScript(script, off);
    const positions = report.findings.map((f) => [f.line, f.column] as const);
    expect(positions).toEqual([...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(report.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:ps7-only', 'error:non-literal-argument']);
    expect(report.ok).toBe(false);
  });

  test('a script with only warnings is ok', async () => {
    const report = await verifyScript(buildScript({ prologue: [...PROLOGUE, "$s = 'a', 'b' | Join-String", ''] }), off);
    expect(report.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'ps7-only' })]);
    expect(report.ok).toBe(true);
  });
});

