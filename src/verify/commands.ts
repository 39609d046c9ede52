/**
 * Reading the grammar's `command` nodes: which command a call names and which parameters it
 * passes, for the checks that judge calls (ps7-only.ts, ps51-commands.ts). Only what the
 * script states literally counts; a splatted hashtable (`@params`) could hold anything.
 */
import type { Node } from 'web-tree-sitter';
import type { ParsedScript } from './parsed-script.js';
import { commandName } from './tree-walk.js';

// The aliases the checks must see through: PowerShell resolves them before the command runs.
const COMMAND_ALIASES: Record<string, string> = { foreach: 'foreach-object', '%': 'foreach-object', '?': 'where-object', where: 'where-object' };

export interface CommandCall {
  node: Node;
  /** The name as written, for messages. */
  nameNode: Node;
  /** Lower case, without a module qualifier, aliases resolved: `foreach-object`. */
  name: string;
}

export interface CommandParameter {
  /** Lower case, without the dash and a trailing colon: `-Depth:` → `depth`. */
  given: string;
  node: Node;
  /** The argument bound to it (`-Depth 3`, `-Depth:3`), or null for a switch. */
  value: Node | null;
}

/** The command a `command` node calls by a literal name (`Get-Item`, `reg.exe`, `& 'reg.exe'`); null for `& $variable`. */
export function readCommand(script: ParsedScript, node: Node): CommandCall | null {
  const nameNode = node.childForFieldName('command_name');
  if (!nameNode) return null;
  let text = script.textOf(nameNode);
  if (nameNode.type === 'command_name_expr') {
    const literal = nameNode.namedChildren.find((c) => c?.type === 'string_literal');
    if (!literal || literal.namedChildren[0]?.type !== 'verbatim_string_characters') return null;
    text = text.trim().slice(1, -1);
  }
  const raw = commandName(text);
  return { node, nameNode, name: COMMAND_ALIASES[raw] ?? raw };
}

/** The elements after the name: parameters, arguments, redirections (separators dropped). */
function elementsOf(node: Node): Node[] {
  const elements = node.childForFieldName('command_elements');
  return elements ? elements.namedChildren.filter((c): c is Node => c !== null) : [];
}

export function commandParameters(script: ParsedScript, node: Node): CommandParameter[] {
  const elements = elementsOf(node);
  const out: CommandParameter[] = [];
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]!;
    if (element.type !== 'command_parameter') continue;
    const given = script.textOf(element).replace(/^-+/, '').replace(/:$/, '').toLowerCase();
    out.push({ given, node: element, value: parameterValue(script, elements, i) });
  }
  return out;
}

/** `-Name:value` puts the value inside the separator; `-Name value` in the next element, unless that is another parameter. */
function parameterValue(script: ParsedScript, elements: Node[], index: number): Node | null {
  const next = elements[index + 1];
  if (!next) return null;
  if (next.type === 'command_argument_sep') {
    if (script.textOf(next).trimStart().startsWith(':')) return next.namedChildren[0] ?? elements[index + 2] ?? null;
    return valueElement(elements[index + 2]);
  }
  return valueElement(next);
}

function valueElement(node: Node | undefined): Node | null {
  if (!node || node.type === 'command_parameter' || node.type === 'redirection' || node.type === 'command_argument_sep') return null;
  return node;
}

/** The parameter a call passes under any unambiguous prefix of `full` at least `minPrefix` long. */
export function findParameter(parameters: CommandParameter[], full: string, minPrefix: number): CommandParameter | undefined {
  const lower = full.toLowerCase();
  return parameters.find((p) => p.given.length >= minPrefix && lower.startsWith(p.given));
}

/** Positional arguments and parameter values, in order (not parameters, separators or redirections). */
export function commandArguments(node: Node): Node[] {
  return elementsOf(node).filter((e) => e.type !== 'command_parameter' && e.type !== 'command_argument_sep' && e.type !== 'redirection');
}

export function redirections(node: Node): Node[] {
  return elementsOf(node).filter((e) => e.type === 'redirection');
}

/** `@params` among the arguments: the call may pass parameters nobody can see. */
export function isSplatted(script: ParsedScript, node: Node): boolean {
  return commandArguments(node).some((e) => /^@[A-Za-z_]/.test(script.textOf(e).trim()));
}
