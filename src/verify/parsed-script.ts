/**
 * One parse of a script shared by all checks: the tree-sitter tree, the lexer's code/string
 * map and a line index, all over the same UTF-16 offsets as the original text.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { CODE, classifyText } from './lexer.js';
import { LineIndex, type Position } from './findings.js';
import { parsePowerShell } from './tree-sitter.js';

export interface ParsedScript {
  text: string;
  tree: Tree;
  kinds: Uint8Array;
  lines: LineIndex;
  /** The node's original source text (the grammar saw a masked copy, see maskForGrammar). */
  textOf(node: Node): string;
  positionOf(node: Node): Position;
}

export async function parseScript(text: string): Promise<ParsedScript> {
  const kinds = classifyText(text);
  return withTree(text, kinds, new LineIndex(text), await parsePowerShell(maskForGrammar(text, kinds)));
}

const SECTION_START = /^[ \t]*\$RdsContext[ \t]*=[ \t]*New-RdsPlanContext\b/gim;

/**
 * The steps section (from the `$RdsContext = New-RdsPlanContext` line on) parsed on its own,
 * everything before it blanked out with offsets and lines kept. The grammar's error recovery
 * after a construct it cannot parse (`??` in the runtime, say) can swallow the statements
 * that follow; the checks on plan values must not depend on the runtime parsing cleanly.
 * Found by the lexer, not the tree, for the same reason. Null when there is no such line.
 */
export async function parseStepsSection(script: ParsedScript): Promise<{ start: number; section: ParsedScript } | null> {
  for (const match of script.text.matchAll(SECTION_START)) {
    const start = match.index + match[0].length - match[0].trimStart().length;
    if (script.kinds[start] !== CODE) continue;
    const blanked = script.text.slice(0, start).replace(/[^\r\n]/g, ' ') + script.text.slice(start);
    const tree = await parsePowerShell(maskForGrammar(blanked, script.kinds));
    return { start, section: withTree(script.text, script.kinds, script.lines, tree) };
  }
  return null;
}

function withTree(text: string, kinds: Uint8Array, lines: LineIndex, tree: Tree): ParsedScript {
  return {
    text,
    tree,
    kinds,
    lines,
    textOf: (node) => text.slice(node.startIndex, node.endIndex),
    positionOf: (node) => lines.position(firstVisible(text, node.startIndex, node.endIndex)),
  };
}

// A parameter name with a digit in it: `-PlanSha256`, `-Sha256`.
const DIGIT_PARAMETER = /(?<=^|[\s;(){}|])-[A-Za-z_][A-Za-z_]*[0-9][A-Za-z0-9_]*/g;
// A number with an upper-case prefix or suffix: `0X1F`, `0x80000000L`, `10MB`, `5D`.
const NUMBER_WITH_SUFFIX = /\b(?:0[xX][0-9A-Fa-f]+|[0-9]+)[lLdD]?(?:[kKmMgGtTpP][bB])?\b/g;

/**
 * Works around three gaps of tree-sitter-powershell 0.26 without moving any offset:
 * its parameter token is /-[a-zA-Z_?`-]+/, so `-PlanSha256` becomes `-PlanSha` followed
 * by a redirection `256` with a MISSING `>`, and `-Ab3c` derails the whole statement; its
 * number suffixes are lower case only (`0x80000000L`, `10MB` are ERRORs); and it does not
 * know the byte-order mark. In code only, digits in parameter names become `_` and numbers
 * are lower-cased, and the BOM becomes a space; PowerShell reads both texts alike (it is
 * case-insensitive there), and the checks read the original.
 */
export function maskForGrammar(text: string, kinds: Uint8Array): string {
  let masked = text.replace(/^\uFEFF/, ' ');
  masked = masked.replace(DIGIT_PARAMETER, (match, offset: number) =>
    kinds[offset] === CODE ? match.replace(/[0-9]/g, '_') : match,
  );
  masked = masked.replace(NUMBER_WITH_SUFFIX, (match, offset: number) => (kinds[offset] === CODE ? match.toLowerCase() : match));
  return masked;
}

/** Error nodes often start with the whitespace before the offending token; point at the token. */
function firstVisible(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && /\s/.test(text[i]!)) i++;
  return i < end ? i : start;
}
