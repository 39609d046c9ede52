/**
 * Plan values enter the script in two places: the steps section, whose calls may hold
 * constants only (ps-templates/README.md, "Steps section"),
 *
 *   $RdsContext = New-RdsPlanContext -PlanName '…' … -BackupDirectory $BackupDirectory …
 *   Invoke-RdsPlanStep -Context $RdsContext -StepId '…' … -Parameters @{ Path = '…'; … }
 *   Complete-RdsPlan -Context $RdsContext
 *
 * and the defaults of the script's own param() block (the backup directory). The run-time
 * variables the calls may use are the script's parameters plus $PSCmdlet and $RdsContext. A value that broke out of its quotes shows up as a non-constant, a
 * literal PowerShell reads differently from the grammar, or an extra statement.
 */
import type { Node } from 'web-tree-sitter';
import { unquotePowerShell } from '../render/quote.js';
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import { commandName, unwrap, visitTypes } from './tree-walk.js';

const COMMAND = new Set(['command']);
const SCRIPT_PARAMETER = new Set(['script_parameter']);
const STEP_COMMANDS = new Set(['new-rdsplancontext', 'invoke-rdsplanstep', 'complete-rdsplan']);
// Documented in ps-templates/README.md; parameters declared in the script's param() block are added.
const RUNTIME_VARIABLES = ['backupdirectory', 'runid', 'simulationstate', 'pscmdlet', 'rdscontext'];
const CONSTANT_VARIABLES = new Set(['true', 'false', 'null']);

export interface StepLiteral {
  value: string;
  node: Node;
}

export interface StepsAnalysis {
  findings: Finding[];
  /** Every intact single-quoted literal in the step calls and parameter defaults, decoded as PowerShell reads it. */
  literals: StepLiteral[];
  /** Where the section starts (the New-RdsPlanContext statement), if found. */
  start: Node | null;
}

/**
 * `section` is the steps section parsed on its own (see parseStepsSection); calls before it
 * are taken from the whole script's tree.
 */
export function analyseSteps(script: ParsedScript, steps: { start: number; section: ParsedScript } | null): StepsAnalysis {
  const findings: Finding[] = [];
  const literals: StepLiteral[] = [];
  const callsIn = (parsed: ParsedScript, keep: (call: Node) => boolean): Node[] => {
    const calls: Node[] = [];
    visitTypes(parsed.tree.rootNode, COMMAND, (node) => {
      if (STEP_COMMANDS.has(nameOf(parsed, node)) && keep(node)) calls.push(node);
    });
    return calls;
  };
  const context: CheckContext = { script, findings, literals, runtime: new Set(RUNTIME_VARIABLES) };
  checkParamBlock(context);
  const before = callsIn(script, (call) => !steps || call.startIndex < steps.start);
  const within = steps ? callsIn(steps.section, () => true) : [];
  for (const call of [...before, ...within]) checkCall(context, call);

  const contextCall = within.find((call) => nameOf(script, call) === 'new-rdsplancontext');
  const start = contextCall ? statementOf(contextCall) : null;
  if (!start) {
    findings.push(finding('error', 'steps-missing', { line: 1, column: 1 }, 'no steps section: no line of the script starts with $RdsContext = New-RdsPlanContext'));
  } else {
    checkSection(script, start, findings);
  }
  return { findings, literals, start };
}

function nameOf(script: ParsedScript, command: Node): string {
  const nameNode = command.childForFieldName('command_name');
  return nameNode ? commandName(script.textOf(nameNode)) : '';
}

/** The statement a command belongs to: the ancestor directly inside a statement list. */
function statementOf(node: Node): Node | null {
  for (let n: Node | null = node; n?.parent; n = n.parent) {
    if (n.parent.type === 'statement_list' || n.parent.type === 'program' || n.parent.type === 'ERROR') return n;
  }
  return null;
}

/** From the context statement on, only the three step commands, each a statement of its own. */
function checkSection(script: ParsedScript, start: Node, findings: Finding[]): void {
  const assigned = start.type === 'assignment_expression' ? start : unwrap(start);
  if (assigned.type !== 'assignment_expression' || !/^\$RdsContext$/i.test(script.textOf(assigned.child(0)!).trim())) {
    findings.push(finding('error', 'unexpected-statement', script.positionOf(start), 'the steps section must start with $RdsContext = New-RdsPlanContext …'));
  }
  for (let sibling = start.nextSibling; sibling; sibling = sibling.nextSibling) {
    if (sibling.type === 'comment' || sibling.type === ';' || !sibling.isNamed) continue;
    const command = unwrap(sibling);
    const name = command.type === 'command' ? nameOf(script, command) : '';
    if (name !== 'invoke-rdsplanstep' && name !== 'complete-rdsplan') {
      findings.push(
        finding('error', 'unexpected-statement', script.positionOf(sibling), `only Invoke-RdsPlanStep and Complete-RdsPlan calls may follow New-RdsPlanContext, found '${snippet(script.textOf(sibling), 50)}'`),
      );
    }
  }
}

interface CheckContext {
  script: ParsedScript;
  findings: Finding[];
  literals: StepLiteral[];
  /** Variables (lower-case, without `$`) that hold run-time input rather than plan values. */
  runtime: Set<string>;
}

/** The script's own param() block: its parameters are run-time inputs, their defaults constants. */
function checkParamBlock(context: CheckContext): void {
  const block = context.script.tree.rootNode.children.find((child) => child?.type === 'param_block');
  if (!block) return;
  const problems: Problem[] = [];
  visitTypes(block, SCRIPT_PARAMETER, (parameter) => {
    for (const child of parameter.namedChildren) {
      if (child?.type === 'variable') context.runtime.add(context.script.textOf(child).slice(1).toLowerCase());
      if (child?.type === 'script_parameter_default') {
        for (const value of child.namedChildren) if (value) collect(context, value, problems);
      }
    }
    return false;
  });
  report(context, 'param()', problems);
}

function checkCall(context: CheckContext, call: Node): void {
  const elements = call.childForFieldName('command_elements');
  const problems: Problem[] = [];
  for (const element of elements?.children ?? []) {
    if (!element || element.type === 'command_argument_sep' || element.type === 'command_parameter' || element.type === ':' || element.type === 'comment') continue;
    collect(context, element, problems);
  }
  report(context, context.script.textOf(call.childForFieldName('command_name')!), problems);
}

function report(context: CheckContext, where: string, problems: Problem[]): void {
  for (const problem of problems) {
    const message = `${where}: ${problem.what} '${snippet(context.script.textOf(problem.node), 50)}' where only constants are allowed`;
    context.findings.push(finding('error', 'non-literal-argument', context.script.positionOf(problem.node), message));
  }
}

interface Problem {
  node: Node;
  what: string;
}

/** Records every part of a value that is not a constant, and every literal on the way. */
function collect(context: CheckContext, node: Node, problems: Problem[]): void {
  const n = unwrap(node);
  const problem = (what: string): void => {
    problems.push({ node: n, what });
  };
  switch (n.type) {
    case 'string_literal':
      return stringLiteral(context, n, problem);
    case 'integer_literal':
    case 'decimal_integer_literal':
    case 'hexadecimal_integer_literal':
      return;
    case 'expression_with_unary_operator': {
      // Only a negative number: `-5`.
      const [operator, operand] = n.children;
      const inner = operand ? unwrap(operand) : null;
      if (n.childCount === 2 && operator?.type === '-' && inner && /integer_literal$/.test(inner.type)) return;
      return problem('an expression');
    }
    case 'variable':
      return variable(context, n, problem);
    case 'array_expression':
      return children(context, n, problems, ['@(', ')']);
    case 'statement_list':
      return children(context, n, problems, [';']);
    case 'array_literal_expression':
      return children(context, n, problems, [',']);
    case 'hash_literal_expression':
      return children(context, n, problems, ['@{', '}']);
    case 'hash_literal_body':
      return children(context, n, problems, []);
    case 'hash_entry':
      return hashEntry(context, n, problems);
    case 'sub_expression':
      return problem('a subexpression');
    case 'script_block_expression':
      return problem('a script block');
    case 'generic_token':
      return problem('a bareword');
    case 'redirection':
      return problem('a redirection');
    case 'ERROR':
      return problem('text the grammar cannot parse');
    default:
      return problem(`an expression (${n.type})`);
  }
}

function stringLiteral(context: CheckContext, n: Node, problem: (what: string) => void): void {
  const inner = n.child(0);
  if (inner?.type !== 'verbatim_string_characters') {
    const hereString = inner?.type === 'verbatim_here_string_characters' || inner?.type === 'expandable_here_string_literal';
    return problem(hereString ? 'a here-string' : 'a double-quoted string');
  }
  try {
    context.literals.push({ value: unquotePowerShell(context.script.textOf(n)), node: n });
  } catch {
    // The grammar knows only ASCII quotes; PowerShell also ends a literal at a lone ‘ ’ ‚ ‛.
    problem('a literal that PowerShell ends early at a typographic quote');
  }
}

function variable(context: CheckContext, n: Node, problem: (what: string) => void): void {
  const text = context.script.textOf(n);
  if (/^\$\w+$/.test(text)) {
    const name = text.slice(1).toLowerCase();
    if (CONSTANT_VARIABLES.has(name) || context.runtime.has(name)) return;
  }
  problem(text.startsWith('@') ? 'a splatted variable' : 'a variable');
}

/** Every named child must be a constant; `syntax` lists the tokens allowed around them. */
function children(context: CheckContext, n: Node, problems: Problem[], syntax: string[]): void {
  for (const child of n.children) {
    if (!child || child.type === 'comment') continue;
    if (child.isNamed) collect(context, child, problems);
    else if (!syntax.includes(child.type)) problems.push({ node: child, what: `the token '${child.type}'` });
  }
}

/** `Key = constant`: the key a plain name or itself a constant. */
function hashEntry(context: CheckContext, n: Node, problems: Problem[]): void {
  for (const child of n.children) {
    if (!child || child.type === '=' || child.type === ';' || child.type === 'comment') continue;
    if (child.type === 'key_expression' && unwrap(child).type === 'simple_name') continue;
    collect(context, child, problems);
  }
}
