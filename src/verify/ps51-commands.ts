/**
 * Calls that both Windows PowerShell 5.1 and PowerShell 7 run, differently: JSON, file
 * encodings, native programs, Remove-Item. Each finding names what 5.1 does. Only what the
 * call states literally is judged: a splatted call (`@params`) may pass the parameter the
 * rule asks for, so it is left alone.
 */
import type { Node } from 'web-tree-sitter';
import { commandArguments, commandParameters, findParameter, isSplatted, readCommand, type CommandCall } from './commands.js';
import type { ParsedScript } from './parsed-script.js';
import type { Report } from './ps51-pitfalls.js';
import { literalText } from './string-literal.js';
import { visitTypes } from './tree-walk.js';

// What each cmdlet does without -Encoding in 5.1; PowerShell 7 reads and writes UTF-8 without BOM.
const DEFAULT_ENCODING: Record<string, string> = {
  'out-file': 'writes UTF-16LE',
  'set-content': 'writes the ANSI code page',
  'add-content': 'writes the ANSI code page',
  'export-csv': 'writes ASCII (every other character becomes ?)',
  'get-content': 'reads a file without a BOM as the ANSI code page',
};
const WRITES_TEXT = new Set(['out-file', 'set-content', 'add-content', 'export-csv']);
// -Encoding values 5.1's FileSystemCmdletProviderEncoding lacks, and the version that added them.
const ENCODINGS_7: Record<string, string> = { utf8nobom: '6.0', utf8bom: '6.0', ansi: '7.4' };

// Native programs are recognised by their extension, and a few Windows tools often called without it.
const NATIVE_EXTENSION = /\.(exe|com|bat|cmd)$/i;
const NATIVE_NAMES = new Set(['reg', 'cmd', 'net', 'netsh', 'schtasks', 'icacls', 'takeown', 'shutdown', 'wmic', 'robocopy', 'certutil', 'bcdedit', 'qwinsta', 'quser', 'whoami', 'msiexec']);
// 'Continue' or [System.Management.Automation.ActionPreference]::Continue, and the quieter ones.
const RELAXED_PREFERENCE = /(^["']?|::)(Continue|SilentlyContinue|Ignore)["']?$/i;
const ERROR_PREFERENCE = /^\$(script:|global:|local:)?ErrorActionPreference$/i;

export function checkCommandPitfalls(script: ParsedScript, node: Node, report: Report): void {
  const call = readCommand(script, node);
  if (call) {
    checkJson(script, call, report);
    checkEncoding(script, call, report);
    if (call.name === 'remove-item') checkRemoveItem(script, call, report);
    if (isNative(call)) checkNativeArguments(script, call, report);
  }
  checkNativeErrors(script, node, call, report);
}

function checkJson(script: ParsedScript, call: CommandCall, report: Report): void {
  if (call.name === 'convertfrom-json') {
    const chain = call.node.parent;
    const elements = chain?.type === 'pipeline_chain' ? chain.namedChildren.filter((c) => c?.type !== 'comment') : [];
    const list = chain?.parent?.parent;
    if (elements.length > 1) {
      report(call.nameNode, 'warning', 'ps51-pitfall', `${script.textOf(call.nameNode)} in a pipeline: Windows PowerShell 5.1 writes a JSON array to the pipeline as one object, PowerShell 7 writes its elements; write (ConvertFrom-Json -InputObject $text), inside @() where the JSON may be an array`);
    } else if (list?.type === 'statement_list' && list.parent?.type === 'array_expression') {
      report(call.nameNode, 'warning', 'ps51-pitfall', `@(${script.textOf(call.nameNode)} …): Windows PowerShell 5.1 writes a JSON array as one object, so @() holds one element, the whole array (PowerShell 7: its elements); write @((ConvertFrom-Json -InputObject $text))`);
    }
  } else if (call.name === 'convertto-json' && !isSplatted(script, call.node) && !findParameter(commandParameters(script, call.node), 'Depth', 3)) {
    report(call.nameNode, 'warning', 'ps51-pitfall', `${script.textOf(call.nameNode)} without -Depth stops at depth 2: Windows PowerShell 5.1 writes deeper values as their type name without a warning, and dates as "\\/Date(…)\\/"; pass -Depth`);
  }
}

function checkEncoding(script: ParsedScript, call: CommandCall, report: Report): void {
  const does = DEFAULT_ENCODING[call.name];
  if (!does || isSplatted(script, call.node)) return;
  const parameters = commandParameters(script, call.node);
  // -AsByteStream (7) reads and writes bytes; ps7-only reports the parameter itself.
  if (findParameter(parameters, 'AsByteStream', 3)) return;
  const encoding = findParameter(parameters, 'Encoding', 2);
  const written = script.textOf(call.nameNode);
  if (!encoding) {
    report(call.nameNode, 'warning', 'ps51-pitfall', `${written} without -Encoding ${does} in Windows PowerShell 5.1, UTF-8 without BOM in PowerShell 7; pass -Encoding`);
    return;
  }
  const value = encoding.value ? (literalText(script, encoding.value) ?? script.textOf(encoding.value)).trim().toLowerCase() : '';
  const since = ENCODINGS_7[value];
  if (since) {
    report(encoding.value!, 'warning', 'ps7-only', `${written} -Encoding ${script.textOf(encoding.value!).trim()} exists only in PowerShell ${since} and later; Windows PowerShell 5.1 refuses the value`);
  } else if ((value === 'utf8' || value === 'utf-8') && WRITES_TEXT.has(call.name)) {
    report(encoding.value!, 'warning', 'ps51-pitfall', `${written} -Encoding ${script.textOf(encoding.value!).trim()} writes a BOM in Windows PowerShell 5.1, none in PowerShell 7`);
  }
}

/** `> file`, `>> file`, `2> file`: Out-File in disguise (`> $null` writes nothing). */
export function checkRedirection(script: ParsedScript, node: Node, report: Report): void {
  const operator = node.namedChildren.find((c) => c?.type === 'file_redirection_operator');
  const target = node.namedChildren.find((c) => c?.type === 'redirected_file_name');
  if (!operator || !target || /^\s*\$null\s*$/i.test(script.textOf(target))) return;
  report(operator, 'warning', 'ps51-pitfall', `the redirection '${script.textOf(operator)}' to a file writes UTF-16LE in Windows PowerShell 5.1 (it is Out-File), UTF-8 without BOM in PowerShell 7; use Out-File -Encoding or Set-Content -Encoding`);
}

function checkRemoveItem(script: ParsedScript, call: CommandCall, report: Report): void {
  const recurse = findParameter(commandParameters(script, call.node), 'Recurse', 2);
  if (!recurse) return;
  report(recurse.node, 'warning', 'ps51-pitfall', `${script.textOf(call.nameNode)} -Recurse on a directory symbolic link or junction: Windows PowerShell 5.1 deletes the contents of its target, PowerShell 7 only the link`);
}

function isNative(call: CommandCall): boolean {
  return NATIVE_EXTENSION.test(call.name) || NATIVE_NAMES.has(call.name);
}

/** Literal arguments that 5.1's legacy argument passing (also 7.0-7.2) does not deliver intact. */
function checkNativeArguments(script: ParsedScript, call: CommandCall, report: Report): void {
  for (const argument of commandArguments(call.node)) {
    const value = literalText(script, argument);
    if (value === null) continue;
    let problem = '';
    if (value === '') problem = 'drops an empty string argument';
    else if (value.includes('"')) problem = 'does not escape the double quote in this argument';
    else if (/\s/.test(value) && value.endsWith('\\')) problem = 'quotes this argument, and its trailing backslash escapes the closing quote';
    if (problem) {
      report(argument, 'warning', 'ps51-pitfall', `Windows PowerShell 5.1 passes arguments to native programs the legacy way and ${problem} (PowerShell 7.3 and later pass it intact)`);
    }
  }
}

/**
 * In 5.1 every stderr line of a native program becomes an error record where stderr is
 * redirected (`2>&1`, and always in remoting and jobs); under $ErrorActionPreference 'Stop'
 * the first one ends the script. Fine where the call's own scope relaxed the preference.
 */
function checkNativeErrors(script: ParsedScript, node: Node, call: CommandCall | null, report: Report): void {
  const redirectsErrors = (node.childForFieldName('command_elements')?.namedChildren ?? []).some(
    (e) => e?.type === 'redirection' && /^(2|\*)>/.test(script.textOf(e).trim()),
  );
  const dynamic = !call && node.children.some((c) => c?.type === 'command_invokation_operator');
  if (!(call && isNative(call)) && !(dynamic && redirectsErrors)) return;
  if (errorPreferenceAt(script, node) !== 'stop') return;
  const at = call ? call.nameNode : node;
  const label = call ? script.textOf(call.nameNode) : `& ${script.textOf(node.childForFieldName('command_name')!)}`;
  report(at, 'warning', 'ps51-pitfall', `${label}: Windows PowerShell 5.1 turns each line a native program writes to stderr into an error record (with 2>&1, in remoting and in jobs), and under $ErrorActionPreference = 'Stop' the first one ends the script; set $ErrorActionPreference = 'Continue' in the calling function and check $LASTEXITCODE`);
}

/**
 * The $ErrorActionPreference in effect at a node, read lexically: the last literal
 * assignment before it in its own scope (function or script block), else in the scopes
 * around it; PowerShell's default 'Continue' when there is none. A value that is not one of
 * the relaxed names counts as 'Stop' (it may be).
 */
function errorPreferenceAt(script: ParsedScript, node: Node): 'stop' | 'relaxed' {
  for (let scope = enclosingScope(node); scope; scope = scope.type === 'program' ? null : enclosingScope(scope)) {
    const last = lastPreferenceAssignment(script, scope, node.startIndex);
    if (last) return RELAXED_PREFERENCE.test(script.textOf(last.childForFieldName('value')!).trim()) ? 'relaxed' : 'stop';
  }
  return 'relaxed';
}

function enclosingScope(node: Node): Node | null {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'script_block' || n.type === 'program') return n;
  return null;
}

const SCOPE_TYPES = new Set(['assignment_expression', 'script_block']);

/** The scope's own last assignment to $ErrorActionPreference before `before`, not one of a function or script block inside it. */
function lastPreferenceAssignment(script: ParsedScript, scope: Node, before: number): Node | null {
  let last: Node | null = null;
  visitTypes(scope, SCOPE_TYPES, (n) => {
    if (n.type === 'script_block') return n.id === scope.id;
    const left = n.namedChildren[0];
    if (n.startIndex < before && left && n.childForFieldName('value') && ERROR_PREFERENCE.test(script.textOf(left).trim())) last = n;
  });
  return last;
}
