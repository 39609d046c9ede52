import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { quotePowerShell } from '../../src/render/quote.js';
import { parseOutput } from '../../src/verify/powershell-parser.js';
import { verifyScript } from '../../src/verify/verify-script.js';
import { powershellPath } from '../support/powershell.js';
import { BACKUP_DIRECTORY, buildScript, GRACE_PATH, lineOf, PROLOGUE, STEPS } from '../support/scripts.js';

describe('parseOutput', () => {
  const failure = () => 'helper failed';

  test('reads errors and constructs from marker lines among other output', () => {
    const stdout = [
      'WARNING: something the profile printed',
      '@@rdsplan-parse {"kind":"error","line":3,"column":7,"id":"ExpectedValueExpression","message":"You must provide a value \\u00e9 \\"x\\"."}',
      '@@rdsplan-parse {"kind":"construct","line":4,"column":1,"construct":"the ternary operator \'? :\'"}',
      '@@rdsplan-parse {"kind":"done"}',
      '',
    ].join('\r\n');
    expect(parseOutput(stdout, failure)).toEqual({
      errors: [{ kind: 'error', line: 3, column: 7, id: 'ExpectedValueExpression', message: 'You must provide a value é "x".' }],
      constructs: [{ kind: 'construct', line: 4, column: 1, construct: "the ternary operator '? :'" }],
      literals: [],
    });
  });

  test('without the final done line the run failed part-way', () => {
    expect(() => parseOutput('@@rdsplan-parse {"kind":"error","line":1,"column":1,"id":"x","message":"y"}\n', failure)).toThrow('helper failed');
  });
});

describe('verifyScript with an unusable PowerShell', () => {
  test('falls back to tree-sitter with a warning', async () => {
    const report = await verifyScript(buildScript(), { powershell: { path: '/nonexistent/pwsh', source: 'RDSPLAN_POWERSHELL' } });
    expect(report.findings).toEqual([expect.objectContaining({ code: 'parser-unavailable', severity: 'warning', message: expect.stringContaining('/nonexistent/pwsh') })]);
    expect(report.ok).toBe(true);
  });
});

describe("verifyScript with PowerShell's own parser", () => {
  const powershell = { path: powershellPath(), source: 'RDSPLAN_POWERSHELL' as const };

  test('a rendered script has no findings from either parser', async () => {
    const report = await verifyScript(buildScript(), { powershell });
    expect(report.findings).toEqual([]);
    expect(report.parsers.powershell).toEqual(powershell);
  });

  test('PowerShell decodes every quoted value exactly as the plan had it (hostile and random values)', async () => {
    const hostile = ["it's", '\u2018\u2019\u201A\u201B\'', "'; Remove-Item C:\\ -Recurse; '", '$(Remove-Item C:\\)', '`n`$x``', '#> <#', "'@", '"@ $env:PATH', 'Größe 😀 日本語', ''];
    const random = fc.sample(fc.string({ unit: 'binary', maxLength: 30 }).filter((v) => !/[\u0000-\u001f\u007f-\u009f]/.test(v)), { numRuns: 60, seed: 42 });
    const values = [...hostile, ...random];
    const steps = values.map(
      (v, i) => `Invoke-RdsPlanStep -Context $RdsContext -StepId 'v${i}' -Action 'registry.setValue' -RunWhen 'always' -DependsOn @() -Parameters @{ Name = ${quotePowerShell(v)} }`,
    );
    const report = await verifyScript(buildScript({ steps: [STEPS[0]!, ...steps] }), { powershell, expectedLiterals: [...values, GRACE_PATH, BACKUP_DIRECTORY] });
    expect(report.findings).toEqual([]);
  });

  test('a value missing for both readings is reported once; one inside a nested command counts for neither', async () => {
    const script = buildScript({ steps: [...STEPS, "Invoke-RdsPlanStep -Context $RdsContext -StepId 'n' -Parameters @{ Name = (Get-Item -Path 'nested') }"] });
    const report = await verifyScript(script, { powershell, expectedLiterals: ['Default', 'not-there', 'nested'] });
    expect(report.findings.map((f) => f.code).sort()).toEqual(['literal-missing', 'literal-missing', 'non-literal-argument']);
    expect(report.findings.filter((f) => f.code === 'literal-missing').map((f) => f.message)).toEqual([
      expect.stringContaining("'not-there' is not an intact single-quoted literal"),
      expect.stringContaining("'nested' is not an intact single-quoted literal"),
    ]);
  });

  test("a syntax error is reported at PowerShell's position, once", async () => {
    const script = buildScript({ prologue: [...PROLOGUE, "$label = 'Größe 😀'; $value = (1 + )", ''] });
    const report = await verifyScript(script, { powershell });
    const line = lineOf(script, '$label');
    expect(report.findings).toEqual([
      {
        severity: 'error',
        code: 'syntax-error',
        line,
        // Just after the operator, in UTF-16 code units like the tree-sitter findings.
        column: "$label = 'Größe 😀'; $value = (1 +".length + 1,
        message: "You must provide a value expression following the '+' operator. (PowerShell parser, ExpectedValueExpression)",
      },
    ]);
  });

  test('a line PowerShell accepts but the grammar cannot parse is only a warning', async () => {
    const script = buildScript({ prologue: [...PROLOGUE, ':outer foreach ($i in 1..2) { continue outer }', ''] });
    const report = await verifyScript(script, { powershell });
    // The grammar's recovery adds a MISSING '}' at the end of the file; PowerShell contradicts both.
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.severity === 'warning' && f.code === 'syntax-unconfirmed')).toBe(true);
    expect(report.findings[0]).toMatchObject({ line: lineOf(script, ':outer'), message: expect.stringContaining("cannot parse 'outer }'") });
    expect(report.ok).toBe(true);
    // Without PowerShell the same line is an error: tree-sitter alone cannot tell a gap from a mistake.
    expect((await verifyScript(script, { powershell: 'off' })).ok).toBe(false);
  });

  test('PowerShell 7 constructs are reported once each, whichever parser saw them', async () => {
    const lines = ['$mode = $IsDomain ? 1 : 2', "$name = $x ?? 'default'", 'Test-Path -Path $BackupDirectory && Write-Host ok'];
    const script = buildScript({ prologue: [...PROLOGUE, ...lines, ''] });
    const report = await verifyScript(script, { powershell });
    const ps7 = report.findings.filter((f) => f.code === 'ps7-only');
    expect(ps7.map((f) => f.line)).toEqual(lines.map((l) => lineOf(script, l)));
    expect(report.ok).toBe(false);
  });

  test('a clean block is reported once, though both parsers see it', async () => {
    const script = buildScript({ prologue: [...PROLOGUE, 'function Get-X {', '    process { 1 }', '    clean { 2 }', '}', ''] });
    const report = await verifyScript(script, { powershell });
    expect(report.findings.filter((f) => f.code === 'ps7-only')).toEqual([expect.objectContaining({ line: lineOf(script, 'clean {') })]);
  });
});
