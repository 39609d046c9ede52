import type { KeyRef, RegistryView } from '../types.js';

/**
 * Registry paths as the plan may write them (HKLM\…, HKLM:\…, HKEY_LOCAL_MACHINE\…) reduced
 * to one form, so that policy rules compare keys reliably and the script gets one spelling.
 */
const ROOTS: Record<string, string> = {
  HKLM: 'HKLM',
  HKEY_LOCAL_MACHINE: 'HKLM',
  HKCU: 'HKCU',
  HKEY_CURRENT_USER: 'HKCU',
  HKU: 'HKU',
  HKEY_USERS: 'HKU',
  HKCR: 'HKCR',
  HKEY_CLASSES_ROOT: 'HKCR',
};

export function normalizeRegistryPath(path: string): string {
  const match = /^([A-Z_]+):?\\(.*?)\\?$/is.exec(path);
  const root = match ? ROOTS[match[1]!.toUpperCase()] : undefined;
  if (!match || !root) throw new Error(`not a registry path: ${path}`);
  return `${root}\\${match[2]}`;
}

export function normalizeView(view: unknown): RegistryView {
  return view === '64' || view === '32' ? view : 'Default';
}

export function keyRef(path: unknown, view: unknown): KeyRef {
  return { path: normalizeRegistryPath(String(path)), view: normalizeView(view) };
}

export function segments(path: string): string[] {
  return path.split('\\');
}

/** True when `ancestor` is `key` or one of its ancestors (case-insensitive, same view). */
export function coversKey(ancestor: KeyRef, key: KeyRef): boolean {
  if (ancestor.view !== key.view) return false;
  const a = ancestor.path.toLowerCase();
  const k = key.path.toLowerCase();
  return k === a || k.startsWith(`${a}\\`);
}

export function sameKey(a: KeyRef, b: KeyRef): boolean {
  return a.view === b.view && a.path.toLowerCase() === b.path.toLowerCase();
}

export function describeKey(key: KeyRef): string {
  return key.view === 'Default' ? key.path : `${key.path} (${key.view}-bit view)`;
}
