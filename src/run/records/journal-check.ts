import type { PrimitiveStep } from '../../actions/types.js';
import type { JournalEntry } from '../record.js';

/**
 * A journal entry is data from a file, not an instruction: before an undo runs it, each entry
 * must belong to a step of the run's (verified) plan with the same action, and everything it
 * would touch must be what that step named: the same registry key and view, the same value
 * name (or one matching the step's namePattern), subkeys only below the step's key, the same
 * service, the same licensing channel. Fields an action's undo does not read are refused too,
 * so nothing unchecked reaches a template. The one thing an entry may name that the plan did
 * not: the dependents a service.stop found running, which its undo only starts again.
 */
type Entry = Record<string, unknown>;
type Check = (entry: Entry, step: PrimitiveStep) => string | null;

const sameText = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const isObject = (v: unknown): v is Entry => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyFields(entry: Entry, allowed: readonly string[]): string | null {
  const extra = Object.keys(entry).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? `fields the undo does not take: ${extra.join(', ')}` : null;
}

function sameKey(entry: Entry, step: PrimitiveStep): string | null {
  if (!sameText(entry.Path, step.params.path)) return `key ${JSON.stringify(entry.Path)} is not the step's ${JSON.stringify(step.params.path)}`;
  if (!sameText(entry.View ?? 'Default', step.params.view ?? 'Default')) return `view ${JSON.stringify(entry.View)} is not the step's ${JSON.stringify(step.params.view)}`;
  return null;
}

/** PowerShell -like wildcards (* ? [set]), case-insensitive. */
function wildcard(pattern: string): RegExp {
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

function nameMatches(name: unknown, step: PrimitiveStep): boolean {
  if (typeof name !== 'string') return false;
  if (typeof step.params.name === 'string') return name.toLowerCase() === step.params.name.toLowerCase();
  return typeof step.params.namePattern === 'string' && wildcard(step.params.namePattern).test(name);
}

/** A key snapshot (deleteKey, deleteSubkeys): its path exactly `path`, its subkeys direct children, recursively. */
function snapshotUnder(snapshot: unknown, path: string): string | null {
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

const SERVICE_START_MODES = new Set(['Boot', 'System', 'Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled']);

const CHECKS: Record<string, Check> = {
  'registry.setValue': (e, step) => {
    const created = Array.isArray(e.CreatedKeys) ? e.CreatedKeys : [];
    const path = String(step.params.path).toLowerCase();
    const badCreated = created.find((k) => typeof k !== 'string' || !(path === k.toLowerCase() || path.startsWith(`${k.toLowerCase()}\\`)));
    return (
      onlyFields(e, ['Path', 'View', 'Name', 'KeyExisted', 'CreatedKeys', 'Previous']) ??
      sameKey(e, step) ??
      (nameMatches(e.Name, step) ? null : `value ${JSON.stringify(e.Name)} is not the step's ${JSON.stringify(step.params.name)}`) ??
      (badCreated !== undefined ? `created key ${JSON.stringify(badCreated)} is not the step's key or one of its parents` : null)
    );
  },
  'registry.deleteValue': (e, step) => {
    const values = Array.isArray(e.Values) ? e.Values : [];
    const bad = values.find((v) => !isObject(v) || !nameMatches(v.Name, step) || onlyFields(v, ['Name', 'Type', 'Data']) !== null);
    return onlyFields(e, ['Path', 'View', 'Values']) ?? sameKey(e, step) ?? (bad !== undefined ? `value ${JSON.stringify(isObject(bad) ? bad.Name : bad)} is not one the step named` : null);
  },
  'registry.deleteKey': (e, step) => onlyFields(e, ['Path', 'View', 'Snapshot']) ?? sameKey(e, step) ?? snapshotUnder(e.Snapshot, String(step.params.path)),
  'registry.deleteSubkeys': (e, step) => {
    const parent = String(step.params.path);
    for (const sub of Array.isArray(e.Subkeys) ? e.Subkeys : []) {
      const name = isObject(sub) && typeof sub.Path === 'string' ? sub.Path.slice(parent.length + 1) : '';
      if (name === '' || name.includes('\\') || (typeof step.params.namePattern === 'string' && !wildcard(step.params.namePattern).test(name))) return `subkey ${JSON.stringify(isObject(sub) ? sub.Path : sub)} is not one the step deletes`;
      const problem = snapshotUnder(sub, `${parent}\\${name}`);
      if (problem) return problem;
    }
    return onlyFields(e, ['Path', 'View', 'Subkeys']) ?? sameKey(e, step);
  },
  'registry.takeOwnership': (e, step) =>
    onlyFields(e, ['Path', 'View', 'Sddl', 'StepId']) ?? sameKey(e, step) ?? (e.StepId === undefined || e.StepId === step.id ? null : `step id ${JSON.stringify(e.StepId)} is not ${step.id}`),
  'registry.restoreSecurity': (e, step) =>
    onlyFields(e, ['Path', 'View', 'FromStep', 'Sddl', 'OriginalSddl']) ?? sameKey(e, step) ?? (e.FromStep === step.params.fromStep ? null : `FromStep ${JSON.stringify(e.FromStep)} is not the step's ${JSON.stringify(step.params.fromStep)}`),
  'service.setStartMode': (e, step) =>
    onlyFields(e, ['Name', 'StartMode']) ?? (sameText(e.Name, step.params.name) ? null : `service ${JSON.stringify(e.Name)} is not the step's ${JSON.stringify(step.params.name)}`) ?? (SERVICE_START_MODES.has(String(e.StartMode)) ? null : `start mode ${JSON.stringify(e.StartMode)} is not one`),
  'service.start': (e, step) => onlyFields(e, ['Name', 'Force']) ?? (sameText(e.Name, step.params.name) ? null : `service ${JSON.stringify(e.Name)} is not the step's ${JSON.stringify(step.params.name)}`),
  'service.stop': (e, step) =>
    onlyFields(e, ['Name', 'Dependents', 'Final']) ??
    (sameText(e.Name, step.params.name) ? null : `service ${JSON.stringify(e.Name)} is not the step's ${JSON.stringify(step.params.name)}`) ??
    ((Array.isArray(e.Dependents) ? e.Dependents : []).every((d) => typeof d === 'string' && /^[A-Za-z0-9_.$-]+$/.test(d)) ? null : 'dependents that are not service names'),
  'rds.setLicenseServers': (e, step) => onlyFields(e, ['Via', 'Servers', 'Previous']) ?? (sameText(e.Via, step.params.via ?? 'wmi') ? null : `channel ${JSON.stringify(e.Via)} is not the step's`),
  'rds.setLicensingMode': (e, step) =>
    onlyFields(e, ['Via', 'LicensingType', 'Previous', 'PreviousLocal']) ??
    (sameText(e.Via, step.params.via ?? 'wmi') ? null : `channel ${JSON.stringify(e.Via)} is not the step's`) ??
    (e.PreviousLocal === undefined || e.PreviousLocal === null || (isObject(e.PreviousLocal) && e.PreviousLocal.Name === 'LicensingMode') ? null : 'PreviousLocal names another value than LicensingMode'),
};

/** Why the entry may not be undone; null when it matches its plan step. */
export function journalEntryProblem(entry: JournalEntry, steps: readonly PrimitiveStep[]): string | null {
  const step = steps.find((s) => s.id === entry.stepId);
  if (!step) return `step ${JSON.stringify(entry.stepId)} is not a step of the run's plan`;
  if (entry.action !== step.action) return `step ${entry.stepId} is ${step.action} in the plan, the journal says ${JSON.stringify(entry.action)}`;
  const check = CHECKS[entry.action];
  if (!check) return `step ${entry.stepId} (${entry.action}) has nothing to undo`;
  if (!isObject(entry.undo)) return `step ${entry.stepId}: the undo entry is not an object`;
  const problem = check(entry.undo, step);
  return problem ? `step ${entry.stepId} (${entry.action}): ${problem}` : null;
}
