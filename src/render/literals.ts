import type { ParamValue } from '../actions/types.js';
import { quotePowerShell } from './quote.js';

/**
 * Plan values as PowerShell constant expressions: strings only through quotePowerShell,
 * numbers as digits (the schema admits integers only), arrays as @(…), maps as @{ … } with
 * PascalCase keys. Nothing here can produce a variable, a subexpression or a script block.
 */
export function toPowerShell(value: ParamValue): string {
  if (value === null || typeof value !== 'object') return scalarLiteral(value)!;
  if (Array.isArray(value)) return `@(${value.map(toPowerShell).join(', ')})`;
  return toHashtable(value);
}

export function toHashtable(map: { [key: string]: ParamValue }): string {
  const entries = Object.entries(map).map(([key, item]) => `${pascalCase(key)} = ${toPowerShell(item)}`);
  return entries.length === 0 ? '@{}' : `@{ ${entries.join('; ')} }`;
}

function pascalCase(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`parameter names are identifiers, not ${JSON.stringify(key)}`);
  return key[0]!.toUpperCase() + key.slice(1);
}

/** Every string a value holds: what verify must find intact in the script. */
export function stringsIn(value: ParamValue): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/**
 * Journal entries (what a run recorded for undoing a step) as a constant: like toPowerShell,
 * but map keys are quoted too, since they can be registry value names.
 */
export function toPowerShellData(value: unknown): string {
  const scalar = scalarLiteral(value ?? null);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(value)) return `@(${value.map(toPowerShellData).join(', ')})`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${quotePowerShell(key)} = ${toPowerShellData(item)}`);
    return entries.length === 0 ? '@{}' : `@{ ${entries.join('; ')} }`;
  }
  throw new Error(`a ${typeof value} cannot enter a script`);
}

/** Every string in a journal entry, keys included. */
export function stringsInData(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsInData);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => [key, ...stringsInData(item)]);
  return [];
}

/** $null, a quoted string, $true/$false or an integer; undefined for arrays and maps. */
function scalarLiteral(value: unknown): string | undefined {
  if (value === null) return '$null';
  if (typeof value === 'string') return quotePowerShell(value);
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`only integers enter a script, not ${value}`);
    return String(value);
  }
  return undefined;
}
