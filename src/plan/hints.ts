import { normalizeRegistryPath } from '../actions/registry/path.js';
import { registryPath } from '../shared/schema-fragments.js';

/**
 * What an administrator most likely meant when a value fails the schema: the spellings other
 * Windows tools use for the same thing (regedit, PowerShell's registry provider, reg.exe's
 * type names), JSON's own traps (a single backslash, no hex numbers) and what ConvertTo-Json
 * writes when a plan is deeper than its -Depth. Each returns '' when it has nothing certain.
 */

const REGISTRY_PATH = new RegExp(registryPath.pattern, 'u');

/** Leading parts other tools put before a hive name, and why a plan does not take them. */
const FOREIGN_PREFIXES: [RegExp, string][] = [
  [/^(?:Microsoft\.PowerShell\.Core\\)?Registry::/i, '"Registry::" is the PowerShell provider prefix, which a plan leaves out'],
  [/^Computer\\/i, '"Computer\\" is from regedit\'s address bar, which a plan leaves out'],
];

/** The canonical spelling of a registry path written the way another tool writes it, with the reasons. */
export function registryPathHint(path: string): string | undefined {
  const reasons: string[] = [];
  let p = path;
  if (p.includes('/')) {
    p = p.replace(/\//g, '\\');
    reasons.push('registry paths take backslashes, not "/"');
  }
  for (const [prefix, reason] of FOREIGN_PREFIXES) {
    if (prefix.test(p)) {
      p = p.replace(prefix, '');
      reasons.push(reason);
    }
  }
  let canonical: string;
  try {
    canonical = normalizeRegistryPath(p);
  } catch {
    return undefined;
  }
  if (canonical === path || !REGISTRY_PATH.test(canonical)) return undefined;
  const root = p.split(/[:\\]/)[0]!;
  if (root !== root.toUpperCase()) reasons.push('hive names are written in capitals');
  if (reasons.length === 0) return undefined;
  return `not a registry path as a plan writes it (${reasons.join('; ')}): did you mean ${canonical}? In JSON: ${JSON.stringify(canonical)}`;
}

/** reg.exe's and regedit's type names; the plan uses the names of .NET's RegistryValueKind. */
const REG_TYPES: Record<string, string> = {
  REG_SZ: 'String',
  REG_EXPAND_SZ: 'ExpandString',
  REG_MULTI_SZ: 'MultiString',
  REG_DWORD: 'DWord',
  REG_DWORD_LITTLE_ENDIAN: 'DWord',
  REG_QWORD: 'QWord',
  REG_QWORD_LITTLE_ENDIAN: 'QWord',
  REG_BINARY: 'Binary',
};

export function valueTypeHint(value: string, allowed: readonly string[]): string | undefined {
  const name = REG_TYPES[value.toUpperCase()];
  return name && allowed.includes(name) ? ` (did you mean "${name}"? ${value} is reg.exe's name for it)` : undefined;
}

/** JSON escapes that turn a single backslash in a Windows path into a control character. */
const ESCAPED: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function controlCharacterHint(value: string): string | undefined {
  const found = [...new Set([...value].filter((c) => ESCAPED[c]))].map((c) => `"${ESCAPED[c]}"`);
  if (found.length === 0) return undefined;
  return ` (JSON read ${found.join(', ')} as a control character: a single backslash starts an escape, so write each backslash twice, as in "HKLM\\\\SOFTWARE")`;
}

/** What ConvertTo-Json writes for a value nested deeper than -Depth: the type name or PowerShell's @{…} text. */
const FLATTENED = /^(?:System\.[A-Za-z0-9_.]+(?:\[\])?|@\{.*\})$/s;

/** True when some string in the document is one ConvertTo-Json wrote in place of an object or list. */
export function looksFlattened(value: unknown): boolean {
  if (typeof value === 'string') return FLATTENED.test(value);
  if (value !== null && typeof value === 'object') return Object.values(value).some(looksFlattened);
  return false;
}

const DEPTH_ADVICE = 'write the plan with ConvertTo-Json -Depth 10';

/**
 * A string where a number, list or object belongs. `flattened`: the document shows
 * ConvertTo-Json's traces elsewhere, so even a plain string in place of a list is its doing.
 */
export function typeHint(value: unknown, expected: readonly string[], flattened: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (expected.includes('integer') || expected.includes('number')) {
    const text = value.trim();
    if (/^0x[0-9a-f]+$/i.test(text)) {
      const n = Number.parseInt(text.slice(2), 16);
      if (Number.isSafeInteger(n)) return ` (JSON has no hex numbers: write ${n} without quotes for ${text})`;
    }
    if (/^(?:0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text))) return ` (write ${text} without quotes)`;
  }
  if (expected.includes('array') || expected.includes('object')) {
    if (FLATTENED.test(value)) return ` (${JSON.stringify(value)} is how ConvertTo-Json writes a value nested deeper than its -Depth, default 2: ${DEPTH_ADVICE})`;
    if (flattened) return ` (ConvertTo-Json wrote this plan and flattened what is nested deeper than its -Depth, default 2, into text: ${DEPTH_ADVICE})`;
  }
  return undefined;
}

/** JSON escape errors: the parser stops at a single backslash in a Windows path with a bare "Unexpected character". */
export function backslashHint(text: string, index: number): string | undefined {
  const slash = text.lastIndexOf('\\', index);
  if (slash < 0 || index - slash > 5 || (slash !== index && text[slash + 1] !== 'u')) return undefined;
  return `a single backslash ("${text.slice(slash, slash + 2)}") starts a JSON escape; write each backslash twice, as in "HKLM\\\\SOFTWARE"`;
}
