/**
 * Places where tree-sitter and PowerShell would read the same characters differently, found
 * by comparing the grammar's comment and verbatim-string nodes with the lexer (which follows
 * PowerShell). Two known cases: the grammar lets a backtick escape `#>` inside `<# … #>`,
 * PowerShell ends the comment at the first `#>` and runs what follows; and the grammar knows
 * only ASCII quotes, PowerShell also ends a verbatim string at a lone ‘ ’ ‚ ‛. Either way the
 * other checks, which read the tree, would not see code that PowerShell runs.
 */
import type { Node } from 'web-tree-sitter';
import { CODE } from './lexer.js';
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import { statementOf, visitTypes } from './tree-walk.js';

const INERT: Record<string, string> = {
  comment: 'a comment',
  verbatim_string_characters: 'a single-quoted string',
  verbatim_here_string_characters: 'a single-quoted here-string',
};

const VISITED = new Set(['ERROR', ...Object.keys(INERT)]);

/**
 * The first disagreement only: after it the two readings are out of step, and every later
 * quote would be reported again (a glued `#`, a warning, ends with its line). `from` skips nodes before an offset (the steps section's
 * own tree has nothing before it).
 */
export function findDivergence(script: ParsedScript, from = 0): Finding[] {
  const out: Finding[] = [];
  visitTypes(script.tree.rootNode, VISITED, (node: Node) => {
    if (out.some((f) => f.severity === 'error') || node.endIndex <= from || node.type === 'ERROR') return false;
    const kind = INERT[node.type]!;
    const at = firstCode(script, node.startIndex, node.endIndex);
    // In a statement with a syntax error the grammar's recovery re-tokenizes freely (a string
    // may start at a closing quote); that is a syntax finding already, not a disagreement.
    if (at < 0 || node.startIndex < from || statementOf(node).hasError) return false;
    if (node.type === 'comment' && at === node.startIndex) {
      // `#` glued to a word: a comment in an expression, part of the word in a command argument.
      const message = `'${snippet(script.textOf(node), 40)}' is glued to the word before it: in a command argument PowerShell reads it as part of that word and the rest of the line as code, the grammar reads a comment; put a space before '#'`;
      out.push(finding('warning', 'parser-disagreement', script.lines.position(at), message));
      return false;
    }
    const message = `PowerShell reads code at '${snippet(script.text.slice(at, node.endIndex), 40)}' where the grammar sees ${kind} '${snippet(script.textOf(node), 40)}'`;
    out.push(finding('error', 'parser-disagreement', script.lines.position(at), message));
    return false;
  });
  return out;
}

function firstCode(script: ParsedScript, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (script.kinds[i] === CODE && !/\s/.test(script.text[i]!)) return i;
  }
  return -1;
}
