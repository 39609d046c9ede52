import { stepId } from '../../plan/schema/fragments.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; fromStep: string };

/** Emitted after a takeOwnership step's work is done; never written in a plan by hand. */
export const registryRestoreSecurity: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  internal: true,
  name: 'registry.restoreSecurity',
  summary: 'Restore the owner and ACL that a takeOwnership step saved.',
  schema: { properties: { ...keySchemaProperties, fromStep: stepId }, required: ['path', 'fromStep'] },
  normalize: (step) => ({ ...normalizeKeyParams(step), fromStep: String(step.fromStep) }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'restore' }],
  describe: (p) => `Restore the original owner and ACL of ${describeKey(p)} saved by step ${p.fromStep}, and compare the SDDL read back with the saved one.`,
  risks: (p) => [{ class: 'ownership', text: `restores the owner and ACL of ${p.path}` }],
  privileges: () => ['SeTakeOwnershipPrivilege', 'SeRestorePrivilege'],
  rollback: () => null,
};
