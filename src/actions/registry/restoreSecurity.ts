import { stepId } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema, stepId as stepIdOut } from '../../shared/review-fragments.js';
import { onlyFields, sameKey } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keyChange, keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; fromStep: string };

/** Emitted after a takeOwnership step's work is done; never written in a plan by hand. */
export const registryRestoreSecurity: PrimitiveAction<Params> = {
  ...keyChange,
  closesDeferred: true,
  internal: true,
  name: 'registry.restoreSecurity',
  summary: 'Restore the owner and ACL that a takeOwnership step saved.',
  schema: { properties: { ...keySchemaProperties, fromStep: stepId }, required: ['path', 'fromStep'] },
  example: { path: 'HKLM\\SOFTWARE\\Contoso', fromStep: 'own-contoso' },
  parameters: parametersSchema({ ...keyParameters, fromStep: stepIdOut }, ['path', 'view', 'fromStep']),
  normalize: (step) => ({ ...normalizeKeyParams(step), fromStep: String(step.fromStep) }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'restore' }],
  describe: (p) => `Restore the original owner and ACL of ${describeKey(p)} saved by step ${p.fromStep}, and compare the SDDL read back with the saved one.`,
  risks: (p) => [{ class: 'ownership', text: `restores the owner and ACL of ${p.path}` }],
  privileges: () => ['SeTakeOwnershipPrivilege', 'SeRestorePrivilege'],
  rollback: () => null,
  journal: (e, step) =>
    onlyFields(e, ['Path', 'View', 'FromStep', 'Sddl', 'OriginalSddl']) ?? sameKey(e, step) ?? (e.FromStep === step.params.fromStep ? null : `FromStep ${JSON.stringify(e.FromStep)} is not the step's ${JSON.stringify(step.params.fromStep)}`),
};
