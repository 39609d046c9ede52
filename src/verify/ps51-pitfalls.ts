/**
 * The known Windows PowerShell 5.1 pitfalls (ps-templates/README.md, "Windows PowerShell 5.1
 * vs PowerShell 7"): code that PowerShell 7 runs as intended and 5.1 runs differently or not
 * at all, beyond the 7-only syntax, commands, parameters and variables of ps7-only.ts.
 *
 * Two finding codes:
 * - `ps7-only`: an API that .NET Framework or 5.1 lacks (error where nothing can stand in for
 *   it, see ps51-dotnet.ts; warning where the script does not say which type it calls).
 * - `ps51-pitfall` (warnings): both versions run it, 5.1 with another result (JSON
 *   enumeration, default encodings, culture-sensitive search, native stderr and arguments).
 * Each message says what 5.1 does and what to write instead.
 */
import type { Node } from 'web-tree-sitter';
import { CODE, STRING } from './lexer.js';
import { finding, type Finding, type FindingCode, type Severity } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import { checkCommandPitfalls, checkRedirection } from './ps51-commands.js';
import { checkDotNetPitfalls } from './ps51-dotnet.js';
import { visitTypes } from './tree-walk.js';

export type Report = (node: Node, severity: Severity, code: FindingCode, message: string) => void;

const VISITED = new Set(['command', 'redirection', 'invokation_expression', 'member_access', 'type_literal', 'expandable_string_literal', 'expandable_here_string_literal']);
// Escapes of double-quoted strings that PowerShell 6.0 added.
const ESCAPES_6 = /`(u\{[0-9A-Fa-f]+\}|e)/g;

export function findPs51Pitfalls(script: ParsedScript): Finding[] {
  const out: Finding[] = [];
  const report: Report = (node, severity, code, message) => out.push(finding(severity, code, script.positionOf(node), message));
  visitTypes(script.tree.rootNode, VISITED, (node) => {
    if (node.type === 'expandable_string_literal' || node.type === 'expandable_here_string_literal') return checkNewEscapes(script, node, out);
    // Inside ERROR regions the grammar may read a string's contents as code; the lexer knows better.
    if (script.kinds[node.startIndex] !== CODE) return;
    if (node.type === 'command') checkCommandPitfalls(script, node, report);
    else if (node.type === 'redirection') checkRedirection(script, node, report);
    else checkDotNetPitfalls(script, node, report);
  });
  return out;
}

/** "`u{2019}" and "`e" are escapes since PowerShell 6.0; 5.1 reads the text u{2019} and the letter e. */
function checkNewEscapes(script: ParsedScript, node: Node, out: Finding[]): void {
  for (const match of script.textOf(node).matchAll(ESCAPES_6)) {
    const at = node.startIndex + match.index;
    // "``u{41}" is an escaped backtick followed by the text u{41}.
    const backticks = /`*$/.exec(script.text.slice(node.startIndex, at))![0].length;
    if (script.kinds[at] !== STRING || backticks % 2 === 1) continue;
    const [escape] = match;
    const instead = escape === '`e' ? 'the letter e; write [char]27' : `the text ${escape.slice(1)}; write [char]::ConvertFromUtf32(0x${escape.slice(3, -1)})`;
    out.push(finding('warning', 'ps7-only', script.lines.position(at), `the escape ${escape} is PowerShell 6.0 and later: Windows PowerShell 5.1 reads it as ${instead}`));
  }
}
