import type { JournalFields, PrimitiveStep } from './types.js';

/**
 * What the actions' journal checks share. A journal entry is data from a file, not an
 * instruction: everything it would touch must be what its plan step named, and fields the
 * undo does not read are refused too, so nothing unchecked reaches a template.
 */
export const sameText = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
export const isObject = (v: unknown): v is JournalFields => typeof v === 'object' && v !== null && !Array.isArray(v);

export function onlyFields(entry: JournalFields, allowed: readonly string[]): string | null {
  const extra = Object.keys(entry).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? `fields the undo does not take: ${extra.join(', ')}` : null;
}

export function sameKey(entry: JournalFields, step: PrimitiveStep): string | null {
  if (!sameText(entry.Path, step.params.path)) return `key ${JSON.stringify(entry.Path)} is not the step's ${JSON.stringify(step.params.path)}`;
  if (!sameText(entry.View ?? 'Default', step.params.view ?? 'Default')) return `view ${JSON.stringify(entry.View)} is not the step's ${JSON.stringify(step.params.view)}`;
  return null;
}

export function sameService(entry: JournalFields, step: PrimitiveStep): string | null {
  return sameText(entry.Name, step.params.name) ? null : `service ${JSON.stringify(entry.Name)} is not the step's ${JSON.stringify(step.params.name)}`;
}

export function sameChannel(entry: JournalFields, step: PrimitiveStep): string | null {
  return sameText(entry.Via, step.params.via ?? 'wmi') ? null : `channel ${JSON.stringify(entry.Via)} is not the step's`;
}

/** PowerShell -like wildcards (* ? [set]), case-insensitive. */
export function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, end).replace(/[\\^\]]/g, '\\$&')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

export function nameMatches(name: unknown, step: PrimitiveStep): boolean {
  if (typeof name !== 'string') return false;
  if (typeof step.params.name === 'string') return name.toLowerCase() === step.params.name.toLowerCase();
  return typeof step.params.namePattern === 'string' && wildcard(step.params.namePattern).test(name);
}

/** A key snapshot (deleteKey, deleteSubkeys): its path exactly `path`, its subkeys direct children, recursively. */
export function snapshotUnder(snapshot: unknown, path: string): string | null {
  if (!isObject(snapshot)) return 'a key snapshot that is not an object';
  const fields = onlyFields(snapshot, ['Path', 'Sddl', 'Values', 'Subkeys']);
  if (fields) return fields;
  if (!sameText(snapshot.Path, path)) return `snapshot of ${JSON.stringify(snapshot.Path)} where ${JSON.stringify(path)} was expected`;
  for (const sub of Array.isArray(snapshot.Subkeys) ? snapshot.Subkeys : []) {
    const name = isObject(sub) && typeof sub.Path === 'string' ? sub.Path.slice(path.length + 1) : '';
    if (name === '' || name.includes('\\')) return `subkey ${JSON.stringify(isObject(sub) ? sub.Path : sub)} is not directly below ${JSON.stringify(path)}`;
    const problem = snapshotUnder(sub, `${path}\\${name}`);
    if (problem) return problem;
  }
  return null;
}
