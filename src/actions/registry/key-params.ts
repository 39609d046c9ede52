import { registryPath, registryView } from '../../shared/schema-fragments.js';
import type { PlanStep } from '../types.js';
import { keyRef } from './path.js';

/** Every registry action names a key and optionally a view. */
export const keySchemaProperties = { path: registryPath, view: registryView } as const;

export function normalizeKeyParams(step: PlanStep): { path: string; view: '64' | '32' | 'Default' } {
  return keyRef(step.path, step.view);
}

/** A registry step that changes the host at once (nothing to prepare) and may opt out of the backup rule with a reason. */
export const keyChange = { kind: 'primitive', changesHost: true, deferrable: false, backupOptOut: true } as const;
