/**
 * PowerShell's own parser, where a PowerShell is at hand: the authority on what is a syntax
 * error (tree-sitter-powershell is a close but imperfect grammar), and, through its AST, on
 * which PowerShell 7 constructs a script uses. The helper below runs on 5.1 too: it names
 * AST types as strings (5.1 lacks TernaryExpressionAst & co.) and writes its JSON by hand,
 * because ConvertTo-Json differs between versions and the test engine may only shim it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { FoundPowerShell } from '../run/find-powershell.js';

export interface PowerShellParseError {
  line: number;
  column: number;
  id: string;
  message: string;
}

export interface PowerShellConstruct {
  line: number;
  column: number;
  /** A description such as "the ternary operator '? :'". */
  construct: string;
}

export interface PowerShellParseResult {
  errors: PowerShellParseError[];
  constructs: PowerShellConstruct[];
}

const MARKER = '@@rdsplan-parse ';

const HELPER = String.raw`param([Parameter(Mandatory = $true)][string]$Path)
$ErrorActionPreference = 'Stop'

function Format-JsonString([string]$Value) {
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.Append([char]34)
    foreach ($c in $Value.ToCharArray()) {
        $code = [int]$c
        if ($code -eq 34 -or $code -eq 92) { [void]$builder.Append([char]92).Append($c) }
        elseif ($code -lt 32 -or $code -gt 126) { [void]$builder.Append('\u').Append($code.ToString('x4')) }
        else { [void]$builder.Append($c) }
    }
    [void]$builder.Append([char]34)
    $builder.ToString()
}

function Get-Ps7Construct($Node) {
    switch ($Node.GetType().Name) {
        'TernaryExpressionAst' { return @($Node, "the ternary operator '? :'") }
        'PipelineChainAst' {
            if ($Node.Operator.ToString() -eq 'AndAnd') { return @($Node, "the pipeline chain operator '&&'") }
            return @($Node, "the pipeline chain operator '||'")
        }
        'BinaryExpressionAst' { if ($Node.Operator.ToString() -eq 'QuestionQuestion') { return @($Node, "the null-coalescing operator '??'") } }
        'AssignmentStatementAst' { if ($Node.Operator.ToString() -eq 'QuestionQuestionEquals') { return @($Node, "the null-coalescing assignment '??='") } }
        'MemberExpressionAst' { if ($Node.NullConditional) { return @($Node.Member, "the null-conditional operator '?.'") } }
        'InvokeMemberExpressionAst' { if ($Node.NullConditional) { return @($Node.Member, "the null-conditional operator '?.'") } }
        'IndexExpressionAst' { if ($Node.NullConditional) { return @($Node.Index, "the null-conditional operator '?['") } }
        'ScriptBlockAst' { if ($Node.CleanBlock) { return @($Node.CleanBlock, "the 'clean' block") } }
    }
    return $null
}

$tokens = $null
$errors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
$out = [Console]::Out
foreach ($e in $errors) {
    $out.WriteLine('${MARKER}{"kind":"error","line":' + $e.Extent.StartLineNumber + ',"column":' + $e.Extent.StartColumnNumber + ',"id":' + (Format-JsonString $e.ErrorId) + ',"message":' + (Format-JsonString $e.Message) + '}')
}
foreach ($node in $ast.FindAll({ param($n) $true }, $true)) {
    $found = Get-Ps7Construct $node
    if ($null -ne $found) {
        $extent = $found[0].Extent
        $out.WriteLine('${MARKER}{"kind":"construct","line":' + $extent.StartLineNumber + ',"column":' + $extent.StartColumnNumber + ',"construct":' + (Format-JsonString $found[1]) + '}')
    }
}
$out.WriteLine('${MARKER}{"kind":"done"}')
$out.Flush()
`;

export async function parseWithPowerShell(text: string, powershell: FoundPowerShell, timeoutMs = 60_000): Promise<PowerShellParseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rdsplan-verify-'));
  try {
    const helper = join(dir, 'parse.ps1');
    const script = join(dir, 'script.ps1');
    await writeFile(helper, `\uFEFF${HELPER}`, 'utf8');
    // Always with a BOM: Windows PowerShell 5.1 reads a BOM-less file as ANSI and would shift columns.
    await writeFile(script, `\uFEFF${text.replace(/^\uFEFF/, '')}`, 'utf8');
    const result = await execa(
      powershell.path,
      ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', helper, script],
      { timeout: timeoutMs, reject: false, stdin: 'ignore', encoding: 'utf8' },
    );
    return parseOutput(result.stdout, () =>
      `${powershell.path} could not parse the script (${result.timedOut ? `timed out after ${timeoutMs} ms` : `exit code ${String(result.exitCode)}`}): ${result.stderr.trim().slice(0, 300) || result.stdout.trim().slice(0, 300)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the helper's marker lines; without its final "done" line the run failed part-way. */
export function parseOutput(stdout: string, failure: () => string): PowerShellParseResult {
  const errors: PowerShellParseError[] = [];
  const constructs: PowerShellConstruct[] = [];
  let done = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.startsWith(MARKER)) continue;
    const record = JSON.parse(line.slice(MARKER.length)) as Record<string, unknown>;
    if (record.kind === 'error') errors.push(record as unknown as PowerShellParseError);
    else if (record.kind === 'construct') constructs.push(record as unknown as PowerShellConstruct);
    else if (record.kind === 'done') done = true;
  }
  if (!done) throw new Error(failure());
  return { errors, constructs };
}
