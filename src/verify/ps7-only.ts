/**
 * PowerShell 7 constructs in a script that must also run on Windows PowerShell 5.1.
 *
 * Operators: the grammar cannot parse `?:`, `??`, `??=`, `?.`, `?[` or `clean {}` and leaves
 * ERROR nodes; a `?` in code (per the lexer) inside an ERROR is classified by the raw text
 * around it. `&&`/`||` the grammar parses as pipeline chains. Commands, parameters and
 * automatic variables that 5.1 lacks are run-time failures rather than parse errors (and a
 * script could define a function of that name), so they are warnings; an automatic variable
 * read behind a version test (version-guard.ts) is not reported. .NET APIs that .NET
 * Framework lacks are checked with the other 5.1 pitfalls (ps51-dotnet.ts).
 */
import type { Node } from 'web-tree-sitter';
import { CODE } from './lexer.js';
import { commandParameters, findParameter, readCommand } from './commands.js';
import { finding, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import { hasAncestorOfType, visitTypes } from './tree-walk.js';
import { isVersionGuarded } from './version-guard.js';

/** A finding with the source range that explains it, so syntax errors inside it are not reported twice. */
export interface LocatedFinding {
  start: number;
  end: number;
  finding: Finding;
}

export function ps7SyntaxMessage(construct: string): string {
  return `${construct} is PowerShell 7 only; Windows PowerShell 5.1 cannot parse it`;
}

const COMMANDS_7: Record<string, string> = {
  'join-string': '6.2',
  'get-error': '7.0',
  'test-json': '6.1',
  'convertfrom-markdown': '6.1',
  'show-markdown': '6.1',
  'get-markdownoption': '6.1',
  'set-markdownoption': '6.1',
  'get-uptime': '6.0',
  'remove-alias': '6.0',
  'remove-service': '6.0',
  'get-experimentalfeature': '6.2',
  'enable-experimentalfeature': '6.2',
  'disable-experimentalfeature': '6.2',
  'get-pssubsystem': '7.1',
};

// command → parameters (full names; PowerShell accepts unambiguous prefixes, checked with a minimum length).
const PARAMETERS_7: Record<string, Record<string, { since: string; minPrefix: number }>> = {
  'foreach-object': { Parallel: { since: '7.0', minPrefix: 2 }, ThrottleLimit: { since: '7.0', minPrefix: 2 }, AsJob: { since: '7.0', minPrefix: 2 } },
  'convertfrom-json': { AsHashtable: { since: '6.0', minPrefix: 3 }, Depth: { since: '6.2', minPrefix: 3 }, NoEnumerate: { since: '7.0', minPrefix: 2 } },
  'get-content': { AsByteStream: { since: '6.0', minPrefix: 3 } },
  'set-content': { AsByteStream: { since: '6.0', minPrefix: 3 } },
  'add-content': { AsByteStream: { since: '6.0', minPrefix: 3 } },
  'invoke-webrequest': { SkipCertificateCheck: { since: '6.0', minPrefix: 5 } },
  'invoke-restmethod': { SkipCertificateCheck: { since: '6.0', minPrefix: 5 } },
  'split-path': { LeafBase: { since: '6.0', minPrefix: 5 }, Extension: { since: '6.0', minPrefix: 2 } },
  'get-date': { AsUTC: { since: '7.1', minPrefix: 2 }, UnixTimeSeconds: { since: '7.1', minPrefix: 2 } },
  'join-path': { AdditionalChildPath: { since: '6.0', minPrefix: 2 } },
  'convertto-json': { EnumsAsStrings: { since: '6.2', minPrefix: 2 }, AsArray: { since: '6.2', minPrefix: 2 }, EscapeHandling: { since: '6.2', minPrefix: 2 } },
  // `-Not` is a whole name (NotLike, NotMatch … share its first letters).
  'where-object': { Not: { since: '6.1', minPrefix: 3 } },
};

const VARIABLES_7 = new Set(['psstyle', 'iswindows', 'islinux', 'ismacos', 'iscoreclr', 'psnativecommandargumentpassing', 'psnativecommanduseerroractionpreference', 'enabledexperimentalfeatures']);

export function findPs7Only(script: ParsedScript): LocatedFinding[] {
  return [...operatorFindings(script), ...treeFindings(script)];
}

function operatorFindings(script: ParsedScript): LocatedFinding[] {
  const { text, kinds, tree } = script;
  const out: LocatedFinding[] = [];
  const inError = (offset: number): boolean => hasAncestorOfType(tree.rootNode.descendantForIndex(offset), 'ERROR');
  const code = (i: number): boolean => kinds[i] === CODE && i < text.length;
  const add = (start: number, length: number, what: string): void => {
    out.push({ start, end: start + length, finding: finding('error', 'ps7-only', script.lines.position(start), ps7SyntaxMessage(what)) });
  };
  for (let i = 0; i < text.length; i++) {
    if (!code(i)) continue;
    const c = text[i];
    if ((c === '&' || c === '|') && code(i + 1) && text[i + 1] === c) {
      // The grammar parses `&&`/`||` (a pipeline chain) as valid.
      add(i, 2, `the pipeline chain operator '${c}${c}'`);
      i++;
    } else if (c === '?' && inError(i)) {
      const operator = questionOperator(text, i);
      if (operator) {
        add(i, operator.length, operator.what);
        i += operator.length - 1;
      }
    } else if ((c === 'c' || c === 'C') && /^clean\s*\{/i.test(text.slice(i, i + 40)) && /^$|[\s{};]/.test(text[i - 1] ?? '') && inError(i)) {
      add(i, 5, "the 'clean' block");
    }
  }
  return out;
}

/** What a `?` that the grammar could not parse starts, judged by the characters around it. */
function questionOperator(text: string, i: number): { length: number; what: string } | null {
  const prev = text[i - 1] ?? '';
  const next = text[i + 1] ?? '';
  if (next === '?' && text[i + 2] === '=') return { length: 3, what: "the null-coalescing assignment '??='" };
  if (next === '?') return { length: 2, what: "the null-coalescing operator '??'" };
  if ((next === '.' || next === '[') && /[})\]]/.test(prev)) return { length: 2, what: `the null-conditional operator '?${next}'` };
  // PowerShell 7 itself reads `$a?.b` as the variable `a?`; the operator needs `${a}?.b`.
  if ((next === '.' || next === '[') && /\w/.test(prev)) return { length: 2, what: `the null-conditional operator '?${next}' (which even PowerShell 7 only applies after \${name}, not $name)` };
  if (/\s/.test(prev) && /\s/.test(next)) return { length: 1, what: "the ternary operator '? :'" };
  return null;
}

const TREE_TYPES = new Set(['variable', 'command']);

function treeFindings(script: ParsedScript): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  const warn = (node: Node, message: string, severity: 'error' | 'warning' = 'warning'): void => {
    out.push({ start: node.startIndex, end: node.endIndex, finding: finding(severity, 'ps7-only', script.positionOf(node), message) });
  };
  visitTypes(script.tree.rootNode, TREE_TYPES, (node) => {
    // Inside ERROR regions the grammar may read a string's contents as code; the lexer knows better.
    if (script.kinds[node.startIndex] !== CODE) return;
    if (node.type === 'variable') {
      const name = script.textOf(node).replace(/^\$(global:|script:)?/i, '').toLowerCase();
      if (VARIABLES_7.has(name) && !isVersionGuarded(script, node)) warn(node, `$${script.textOf(node).slice(1)} does not exist in Windows PowerShell 5.1 (under Set-StrictMode it is an error to read it)`);
    } else if (node.type === 'command') {
      checkCommand(script, node, warn);
    }
  });
  return out;
}

function checkCommand(script: ParsedScript, node: Node, warn: (node: Node, message: string, severity?: 'error' | 'warning') => void): void {
  const call = readCommand(script, node);
  if (!call) return;
  const written = script.textOf(call.nameNode);
  const since = COMMANDS_7[call.name];
  if (since) warn(call.nameNode, `${written} exists only in PowerShell ${since} and later, not in Windows PowerShell 5.1`);
  const parameters = PARAMETERS_7[call.name];
  if (!parameters) return;
  const given = commandParameters(script, node);
  for (const [parameter, { since: paramSince, minPrefix }] of Object.entries(parameters)) {
    const passed = findParameter(given, parameter, minPrefix);
    if (!passed) continue;
    // -Parallel changes what the script block does (runspaces, no shared scope): never a harmless warning.
    const severity = call.name === 'foreach-object' ? 'error' : 'warning';
    warn(passed.node, `${written} -${parameter} exists only in PowerShell ${paramSince} and later, not in Windows PowerShell 5.1`, severity);
  }
}
