/**
 * Whether code that only works on PowerShell 7 is behind a version test. `$IsWindows` is
 * undefined in Windows PowerShell 5.1 (an error under Set-StrictMode), but
 * `if ($PSVersionTable.PSVersion.Major -ge 6) { $IsWindows }` and
 * `$PSVersionTable.PSVersion.Major -ge 6 -and $IsWindows` never read it there. The test is
 * recognised, not evaluated: a condition that looks at the version or edition, or asks
 * whether the variable exists, guards every branch of its `if` (the else branch is the
 * other version's), and a test earlier in the same statement guards what follows it
 * (`-and`/`-or` stop early).
 */
import type { Node } from 'web-tree-sitter';
import { CODE, COMMENT } from './lexer.js';
import type { ParsedScript } from './parsed-script.js';
import { statementOf } from './tree-walk.js';

// `variable:IsWindows` is usually a string (Test-Path -Path 'variable:…'); the rest is code.
const VERSION_TEST = /\$PSVersionTable\b|\$PSEdition\b|\bvariable:|\bGet-Variable\b|\.PSVariable\b/gi;

export function isVersionGuarded(script: ParsedScript, node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type !== 'if_statement' && n.type !== 'elseif_clause') continue;
    const condition = n.childForFieldName('condition');
    if (!condition) continue;
    // Inside the condition itself only a test before the node counts.
    const end = node.startIndex >= condition.startIndex && node.startIndex < condition.endIndex ? node.startIndex : condition.endIndex;
    if (hasVersionTest(script, condition.startIndex, end)) return true;
  }
  const statement = statementOf(node);
  return hasVersionTest(script, statement.startIndex, node.startIndex);
}

function hasVersionTest(script: ParsedScript, start: number, end: number): boolean {
  for (const match of script.text.slice(start, end).matchAll(VERSION_TEST)) {
    const kind = script.kinds[start + match.index];
    if (kind !== COMMENT && (kind === CODE || match[0].toLowerCase() === 'variable:')) return true;
  }
  return false;
}
