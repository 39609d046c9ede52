/**
 * PowerShell's own parser, where a PowerShell is at hand: the authority on what is a syntax
 * error (tree-sitter-powershell is a close but imperfect grammar), and, through its AST, on
 * which PowerShell 7 constructs a script uses. The helper below runs on 5.1 too: it names
 * AST types as strings (5.1 lacks TernaryExpressionAst & co.) and writes its JSON by hand,
 * because ConvertTo-Json differs between versions and the test engine may only shim it;
 * it needs no cmdlet at all (the test engine hosts a bare SMA).
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

/** A single-quoted literal among the step commands' arguments or the param() defaults, decoded by PowerShell. */
export interface PowerShellLiteral {
  line: number;
  column: number;
  value: string;
}

export interface PowerShellParseResult {
  errors: PowerShellParseError[];
  constructs: PowerShellConstruct[];
  literals: PowerShellLiteral[];
}

const MARKER = '@@rdsplan-parse ';

const HELPER = String.raw`param([Parameter(Mandatory = $true)][string]$Path)
$ErrorActionPreference = 'Stop'

function Format-JsonString([string]$Value) {
    $builder = [System.Text.StringBuilder]::new()
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
        'BinaryExpressionAst' { return @($Node, "the null-coalescing operator '??'") }
        'AssignmentStatementAst' { return @($Node, "the null-coalescing assignment '??='") }
        'IndexExpressionAst' { return @($Node.Index, "the null-conditional operator '?['") }
        'ScriptBlockAst' { return @($Node.CleanBlock, "the 'clean' block") }
    }
    return @($Node.Member, "the null-conditional operator '?.'")
}

$tokens = $null
$errors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
$out = [Console]::Out
foreach ($e in $errors) {
    $out.WriteLine('${MARKER}{"kind":"error","line":' + $e.Extent.StartLineNumber + ',"column":' + $e.Extent.StartColumnNumber + ',"id":' + (Format-JsonString $e.ErrorId) + ',"message":' + (Format-JsonString $e.Message) + '}')
}

# The predicate runs once per AST node (tens of thousands in a rendered script), so it
# decides by itself and only hits reach the loop below. Properties 5.1 lacks
# (NullConditional, CleanBlock) read as $null there: no strict mode in this helper.
$steps = @{ 'New-RdsPlanContext' = $true; 'Invoke-RdsPlanStep' = $true; 'Complete-RdsPlan' = $true }
$hits = $ast.FindAll({
    param($n)
    switch ($n.GetType().Name) {
        'TernaryExpressionAst' { return $true }
        'PipelineChainAst' { return $true }
        'BinaryExpressionAst' { return $n.Operator.ToString() -eq 'QuestionQuestion' }
        'AssignmentStatementAst' { return $n.Operator.ToString() -eq 'QuestionQuestionEquals' }
        'MemberExpressionAst' { return [bool]$n.NullConditional }
        'InvokeMemberExpressionAst' { return [bool]$n.NullConditional }
        'IndexExpressionAst' { return [bool]$n.NullConditional }
        'ScriptBlockAst' { return $null -ne $n.CleanBlock }
        'CommandAst' { return $steps.ContainsKey([string]$n.GetCommandName()) }
    }
    return $false
}, $true)

function Write-Literal($Literal) {
    $out.WriteLine('${MARKER}{"kind":"literal","line":' + $Literal.Extent.StartLineNumber + ',"column":' + $Literal.Extent.StartColumnNumber + ',"value":' + (Format-JsonString $Literal.Value) + '}')
}

# The script's parameter defaults hold plan values too (the backup directory).
if ($null -ne $ast.ParamBlock) {
    foreach ($parameter in $ast.ParamBlock.Parameters) {
        $default = $parameter.DefaultValue
        if ($null -ne $default -and $default.GetType().Name -eq 'StringConstantExpressionAst' -and $default.StringConstantType.ToString() -eq 'SingleQuoted') { Write-Literal $default }
    }
}

foreach ($node in $hits) {
    if ($node.GetType().Name -eq 'CommandAst') {
        # Single-quoted literals whose nearest enclosing command is this step command.
        foreach ($literal in $node.FindAll({ param($n) $n.GetType().Name -eq 'StringConstantExpressionAst' -and $n.StringConstantType.ToString() -eq 'SingleQuoted' }, $true)) {
            $parent = $literal.Parent
            while ($parent.GetType().Name -ne 'CommandAst') { $parent = $parent.Parent }
            if ([object]::ReferenceEquals($parent, $node)) { Write-Literal $literal }
        }
        continue
    }
    $found = Get-Ps7Construct $node
    $extent = $found[0].Extent
    $out.WriteLine('${MARKER}{"kind":"construct","line":' + $extent.StartLineNumber + ',"column":' + $extent.StartColumnNumber + ',"construct":' + (Format-JsonString $found[1]) + '}')
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
  const literals: PowerShellLiteral[] = [];
  let done = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.startsWith(MARKER)) continue;
    const record = JSON.parse(line.slice(MARKER.length)) as Record<string, unknown>;
    if (record.kind === 'error') errors.push(record as unknown as PowerShellParseError);
    else if (record.kind === 'construct') constructs.push(record as unknown as PowerShellConstruct);
    else if (record.kind === 'literal') literals.push(record as unknown as PowerShellLiteral);
    else if (record.kind === 'done') done = true;
  }
  if (!done) throw new Error(failure());
  return { errors, constructs, literals };
}
