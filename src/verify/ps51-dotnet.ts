/**
 * .NET seen through PowerShell: Windows PowerShell 5.1 runs on .NET Framework 4.5-4.8,
 * PowerShell 7 on .NET 8+. Types and static members that .NET Framework lacks fail in 5.1
 * whenever they are reached and cannot be redefined, so they are errors unless a version
 * test guards them; the rest are warnings: members that exist in both but behave
 * differently, APIs that depend on which .NET Framework 4.x the host has, and instance
 * methods, whose object's type the script does not state.
 */
import type { Node } from 'web-tree-sitter';
import type { ParsedScript } from './parsed-script.js';
import type { Report } from './ps51-pitfalls.js';
import { literalText } from './string-literal.js';
import { isVersionGuarded } from './version-guard.js';

// Type names lower case, without `System.` (PowerShell resolves `[IO.Path]` as System.IO.Path).
const TYPES_CORE: Record<string, string> = {
  hashcode: '.NET Core 2.1',
  span: '.NET Core 2.1',
  readonlyspan: '.NET Core 2.1',
  memory: '.NET Core 2.1',
  readonlymemory: '.NET Core 2.1',
  mathf: '.NET Core 2.0',
  half: '.NET 5',
  dateonly: '.NET 6',
  timeonly: '.NET 6',
  int128: '.NET 7',
  uint128: '.NET 7',
  'text.rune': '.NET Core 3.0',
  'collections.generic.priorityqueue': '.NET 6',
  // In .NET Framework only through a NuGet package, which Windows PowerShell 5.1 does not load.
  'io.filesystemaclextensions': '.NET Core 2.0',
};
const NAMESPACES_CORE: Record<string, string> = { 'text.json.': '.NET Core 3.0' };

const STATIC_CORE: Record<string, Record<string, string>> = {
  'io.path': { getrelativepath: '.NET Core 2.0', join: '.NET Core 2.1', ispathfullyqualified: '.NET Core 2.1', trimendingdirectoryseparator: '.NET Core 3.0', endsindirectoryseparator: '.NET Core 3.0', exists: '.NET 7' },
  'io.file': { createsymboliclink: '.NET 6', resolvelinktarget: '.NET 6', openhandle: '.NET 6' },
  'io.directory': { createsymboliclink: '.NET 6', resolvelinktarget: '.NET 6', createtempsubdirectory: '.NET 7' },
  convert: { tohexstring: '.NET 5', fromhexstring: '.NET 5', tohexstringlower: '.NET 9' },
  array: { fill: '.NET Core 2.0' },
  math: { clamp: '.NET Core 2.0', cbrt: '.NET Core 2.1', bitincrement: '.NET Core 3.0', bitdecrement: '.NET Core 3.0', copysign: '.NET Core 3.0', log2: '.NET Core 3.0' },
  string: { create: '.NET Core 2.1' },
  environment: { processid: '.NET 5', processpath: '.NET 6', isprivilegedprocess: '.NET 8' },
  operatingsystem: { iswindows: '.NET 5', islinux: '.NET 5', ismacos: '.NET 5', iswindowsversionatleast: '.NET 5' },
  random: { shared: '.NET 6' },
  datetime: { unixepoch: '.NET Core 2.1' },
  guid: { createversion7: '.NET 9' },
  'text.encoding': { latin1: '.NET 5' },
  'security.cryptography.sha256': { hashdata: '.NET 5' },
  'security.cryptography.sha1': { hashdata: '.NET 5' },
  'security.cryptography.sha384': { hashdata: '.NET 5' },
  'security.cryptography.sha512': { hashdata: '.NET 5' },
  'security.cryptography.md5': { hashdata: '.NET 5' },
  'security.cryptography.randomnumbergenerator': { getint32: '.NET Core 3.0', fill: '.NET Core 2.1', getbytes: '.NET 6', gethexstring: '.NET 8', getstring: '.NET 8' },
  'linq.enumerable': { skiplast: '.NET Core 2.0', takelast: '.NET Core 2.0', chunk: '.NET 6', minby: '.NET 6', maxby: '.NET 6', distinctby: '.NET 6', exceptby: '.NET 6', intersectby: '.NET 6', unionby: '.NET 6', trygetnonenumeratedcount: '.NET 6', order: '.NET 7', orderdescending: '.NET 7', countby: '.NET 9', aggregateby: '.NET 9', index: '.NET 9' },
};
// In .NET Framework only from the 4.x release named; 5.1 runs on whatever 4.5+ the host has.
const STATIC_FRAMEWORK: Record<string, Record<string, string>> = {
  'linq.enumerable': { tohashset: '4.7.2', append: '4.7.1', prepend: '4.7.1' },
};
const TYPES_FRAMEWORK: Record<string, string> = { 'runtime.interopservices.runtimeinformation': '4.7.1' };

// Instance methods by name: only where the name says which .NET type it belongs to.
const INSTANCE_CORE: Record<string, string> = {
  tryadd: 'Dictionary.TryAdd is .NET Core 2.0 and later (ConcurrentDictionary.TryAdd exists in both)',
  replacelineendings: 'String.ReplaceLineEndings is .NET 6 and later',
  ensurecapacity: 'EnsureCapacity of Dictionary, HashSet, List and Stack is .NET Core 2.1 and later',
};
// String methods whose StringComparison overload .NET Framework lacks: the argument's position.
const COMPARISON_OVERLOADS: Record<string, { at: number; since: string }> = { contains: { at: 1, since: '.NET Core 2.1' }, replace: { at: 2, since: '.NET Core 2.0' } };
const CULTURE_SEARCH = new Set(['indexof', 'lastindexof', 'startswith', 'endswith']);
// Control characters other than tab, line feed, vertical tab, form feed and carriage return:
// ICU (PowerShell 7 on .NET 5+) ignores them in a culture-sensitive search, NLS (5.1) does
// not. (.NET 5 also missed "`n" inside "`r`n"; .NET 6, under PowerShell 7.2+, no longer does.)
const IGNORED_BY_ICU = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/;
const STRING_COMPARISON = /StringComparison|CultureInfo/i;

export function checkDotNetPitfalls(script: ParsedScript, node: Node, report: Report): void {
  if (node.type === 'type_literal') return checkType(script, node, report);
  const target = node.namedChildren[0];
  const member = node.namedChildren.find((c) => c?.type === 'member_name');
  if (!target || !member) return;
  const name = script.textOf(member).toLowerCase();
  const isStatic = node.children.some((c) => c?.type === '::');
  if (isStatic && target.type === 'type_literal') checkStatic(script, node, typeName(script, target), name, member, report);
  else if (!isStatic && node.type === 'invokation_expression') checkInstance(script, node, name, member, report);
  else if (!isStatic && node.type === 'member_access') checkVersionTable(script, node, target, member, report);
}

function checkType(script: ParsedScript, node: Node, report: Report): void {
  const type = typeName(script, node);
  const written = script.textOf(node);
  const core = TYPES_CORE[type] ?? Object.entries(NAMESPACES_CORE).find(([prefix]) => type.startsWith(prefix))?.[1];
  if (core && !isVersionGuarded(script, node)) {
    report(node, 'error', 'ps7-only', `${written} is ${core} and later: Windows PowerShell 5.1 (.NET Framework) cannot find the type`);
  }
  const framework = TYPES_FRAMEWORK[type];
  if (framework && !isVersionGuarded(script, node)) {
    report(node, 'warning', 'ps51-pitfall', `${written} exists in .NET Framework ${framework} and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x (Windows Server 2016 ships 4.6.2) cannot find the type`);
  }
}

function checkStatic(script: ParsedScript, node: Node, type: string, name: string, member: Node, report: Report): void {
  const written = `${script.textOf(node.namedChildren[0]!)}::${script.textOf(member)}`;
  const core = STATIC_CORE[type]?.[name];
  if (core && !isVersionGuarded(script, node)) {
    report(member, 'error', 'ps7-only', `${written} is ${core} and later: Windows PowerShell 5.1 (.NET Framework) has no such member`);
  }
  const framework = STATIC_FRAMEWORK[type]?.[name];
  if (framework && !isVersionGuarded(script, node)) {
    report(member, 'warning', 'ps51-pitfall', `${written} exists in .NET Framework ${framework} and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x has no such member`);
  }
  if (type === 'text.encoding' && (name === 'default' || (name === 'getencoding' && argumentTexts(script, node)[0] === '0'))) {
    report(member, 'warning', 'ps51-pitfall', `${written} is the ANSI code page in Windows PowerShell 5.1 (.NET Framework), UTF-8 in PowerShell 7; name the encoding`);
  }
  if (type === 'collections.generic.hashset' && name === 'new' && /^\d+$/.test(argumentTexts(script, node).join(','))) {
    report(member, 'warning', 'ps51-pitfall', `${written}(capacity) exists in .NET Framework 4.7.2 and later only: Windows PowerShell 5.1 on an older .NET Framework 4.x has no such constructor`);
  }
}

function checkInstance(script: ParsedScript, node: Node, name: string, member: Node, report: Report): void {
  const args = argumentNodes(node);
  const texts = args.map((a) => script.textOf(a).trim());
  // Code behind a version test may call what only .NET has; the string pitfalls below hold in both branches.
  if (!isVersionGuarded(script, node)) {
    const note = INSTANCE_CORE[name];
    if (note) report(member, 'warning', 'ps7-only', `.${script.textOf(member)}(): ${note}; Windows PowerShell 5.1 (.NET Framework) has no such method`);
    const overload = COMPARISON_OVERLOADS[name];
    if (overload && texts.length === overload.at + 1 && STRING_COMPARISON.test(texts[overload.at]!)) {
      report(member, 'warning', 'ps7-only', `.${script.textOf(member)}() with a StringComparison is ${overload.since} and later: Windows PowerShell 5.1 (.NET Framework) has no such overload`);
    }
  }
  const first = args[0] ? literalText(script, args[0]) : null;
  if (first === null) return;
  if (name === 'split' && first.length > 1) {
    report(member, 'warning', 'ps51-pitfall', `.${script.textOf(member)}(${texts[0]}) with several characters: Windows PowerShell 5.1 splits at each of them (String.Split(char[])), PowerShell 7 at the whole string; use the -split operator`);
  }
  if (CULTURE_SEARCH.has(name) && IGNORED_BY_ICU.test(first) && !texts.slice(1).some((t) => STRING_COMPARISON.test(t))) {
    report(member, 'warning', 'ps51-pitfall', `.${script.textOf(member)}(${texts[0]}) compares by culture, and ICU gives control characters no weight: "Hel\`0lo".IndexOf("\`0") is 3 in Windows PowerShell 5.1 (NLS), 0 in PowerShell 7 (ICU); pass [System.StringComparison]::Ordinal`);
  }
}

// Keys of $PSVersionTable one edition has and the other lacks: reading them gives $null, silently.
const VERSION_TABLE_7 = new Set(['os', 'platform', 'gitcommitid']);

function checkVersionTable(script: ParsedScript, node: Node, target: Node, member: Node, report: Report): void {
  if (!/^\$PSVersionTable$/i.test(script.textOf(target).trim()) || !VERSION_TABLE_7.has(script.textOf(member).toLowerCase()) || isVersionGuarded(script, node)) return;
  report(member, 'warning', 'ps51-pitfall', `$PSVersionTable.${script.textOf(member)} is $null in Windows PowerShell 5.1 (the key is PowerShell 6.0 and later)`);
}

/** `[System.Collections.Generic.HashSet[string]]` → `collections.generic.hashset`. */
function typeName(script: ParsedScript, typeLiteral: Node): string {
  const spec = typeLiteral.namedChildren.find((c) => c?.type === 'type_spec');
  const text = (spec ? script.textOf(spec) : script.textOf(typeLiteral).slice(1, -1)).replace(/\s+/g, '');
  return text.split('[')[0]!.toLowerCase().replace(/^system\./, '');
}

function argumentNodes(invocation: Node): Node[] {
  const list = invocation.namedChildren.find((c) => c?.type === 'argument_list')?.childForFieldName('argument_expression_list');
  return list ? list.namedChildren.filter((c): c is Node => c?.type === 'argument_expression') : [];
}

function argumentTexts(script: ParsedScript, invocation: Node): string[] {
  return argumentNodes(invocation).map((a) => script.textOf(a).trim());
}
