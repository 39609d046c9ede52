/**
 * The steps section is where plan values enter the script, so its calls may hold constants
 * only (ps-templates/README.md, "Steps section"):
 *
 *   $RdsContext = New-RdsPlanContext -PlanName '…' … -BackupDirectory $BackupDirectory …
 *   Invoke-RdsPlanStep -Context $RdsContext -StepId '…' … -Parameters @{ Path = '…'; … }
 *   Complete-RdsPlan -Context $RdsContext
 *
 * A value that broke out of its quotes shows up here as a non-constant argument, a literal
 * PowerShell reads differently from the grammar, or an extra statement between the calls.
 */
import type { Node } from 'web-tree-sitter';
import { unquotePowerShell } from '../render/quote.js';
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import { commandName, unwrap, walk } from './tree-walk.js';

const STEP_COMMANDS = new Set(['new-rdsplancontext', 'invoke-rdsplanstep', 'complete-rdsplan']);
const RUNTIME_VARIABLES = new Set(['backupdirectory', 'runid', 'simulationstate', 'pscmdlet', 'rdscontext']);
const CONSTANT_VARIABLES = new Set(['true', 'false', 'null']);

export interface StepLiteral {
  value: string;
  node: Node;
}

export interface StepsAnalysis {
  findings: Finding[];
  /** Every intact single-quoted literal in the step calls, decoded as PowerShell reads it. */
  literals: StepLiteral[];
  /** Where the section starts (the New-RdsPlanContext statement), if found. */
  start: Node | null;
}

export function analyseSteps(script: ParsedScript): StepsAnalysis {
  const findings: Finding[] = [];
  const literals: StepLiteral[] = [];
  const calls: Node[] = [];
  walk(script.tree.rootNode, (node) => {
    if (node.type === 'command' && STEP_COMMANDS.has(nameOf(script, node))) calls.push(node);
  });
  for (const call of calls) checkCall(script, call, findings, literals);

  const contextCall = calls.find((call) => nameOf(script, call) === 'new-rdsplancontext') ?? null;
  const start = contextCall ? statementOf(contextCall) : null;
  if (!start) {
    findings.push(finding('error', 'steps-missing', { line: 1, column: 1 }, 'no steps section: the script never calls New-RdsPlanContext'));
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

function checkCall(script: ParsedScript, call: Node, findings: Finding[], literals: StepLiteral[]): void {
  const elements = call.childForFieldName('command_elements');
  const name = script.textOf(call.childForFieldName('command_name')!);
  const problems: Problem[] = [];
  for (const element of elements?.children ?? []) {
    if (!element || element.type === 'command_argument_sep' || element.type === 'command_parameter' || element.type === ':' || element.type === 'comment') continue;
    collect(script, element, literals, problems);
  }
  for (const problem of problems) {
    findings.push(finding('error', 'non-literal-argument', script.positionOf(problem.node), `${name}: ${problem.what} '${snippet(script.textOf(problem.node), 50)}' where only constants are allowed`));
  }
}

interface Problem {
  node: Node;
  what: string;
}

/** Records every part of an argument that is not a constant, and every literal on the way. */
function collect(script: ParsedScript, node: Node, literals: StepLiteral[], problems: Problem[]): void {
  const n = unwrap(node);
  const problem = (what: string): void => {
    problems.push({ node: n, what });
  };
  switch (n.type) {
    case 'string_literal':
      return stringLiteral(script, n, literals, problem);
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
      return variable(script, n, problem);
    case 'array_expression':
      return children(script, n, literals, problems, ['@(', ')']);
    case 'statement_list':
      return children(script, n, literals, problems, [';']);
    case 'array_literal_expression':
      return children(script, n, literals, problems, [',']);
    case 'hash_literal_expression':
      return children(script, n, literals, problems, ['@{', '}']);
    case 'hash_literal_body':
      return children(script, n, literals, problems, []);
    case 'hash_entry':
      return hashEntry(script, n, literals, problems);
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

function stringLiteral(script: ParsedScript, n: Node, literals: StepLiteral[], problem: (what: string) => void): void {
  const inner = n.child(0);
  if (inner?.type !== 'verbatim_string_characters') {
    const hereString = inner?.type === 'verbatim_here_string_characters' || inner?.type === 'expandable_here_string_literal';
    return problem(hereString ? 'a here-string' : 'a double-quoted string');
  }
  try {
    literals.push({ value: unquotePowerShell(script.textOf(n)), node: n });
  } catch {
    // The grammar knows only ASCII quotes; PowerShell also ends a literal at a lone ‘ ’ ‚ ‛.
    problem('a literal that PowerShell ends early at a typographic quote');
  }
}

function variable(script: ParsedScript, n: Node, problem: (what: string) => void): void {
  const text = script.textOf(n);
  if (/^\$\w+$/.test(text)) {
    const name = text.slice(1).toLowerCase();
    if (CONSTANT_VARIABLES.has(name) || RUNTIME_VARIABLES.has(name)) return;
  }
  problem(text.startsWith('@') ? 'a splatted variable' : 'a variable');
}

/** Every named child must be a constant; `syntax` lists the tokens allowed around them. */
function children(script: ParsedScript, n: Node, literals: StepLiteral[], problems: Problem[], syntax: string[]): void {
  for (const child of n.children) {
    if (!child || child.type === 'comment') continue;
    if (child.isNamed) collect(script, child, literals, problems);
    else if (!syntax.includes(child.type)) problems.push({ node: child, what: `the token '${child.type}'` });
  }
}

/** `Key = constant`: the key a plain name or itself a constant. */
function hashEntry(script: ParsedScript, n: Node, literals: StepLiteral[], problems: Problem[]): void {
  for (const child of n.children) {
    if (!child || child.type === '=' || child.type === ';' || child.type === 'comment') continue;
    if (child.type === 'key_expression' && unwrap(child).type === 'simple_name') continue;
    collect(script, child, literals, problems);
  }
}
