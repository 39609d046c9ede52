import { keyParameters, parametersSchema } from '../../shared/review-fragments.js';
import { onlyFields, sameKey, snapshotUnder } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keyChange, keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; recurse: boolean };

export const registryDeleteKey: PrimitiveAction<Params> = {
  ...keyChange,
  name: 'registry.deleteKey',
  summary: 'Delete a key (with its subkeys when recurse is true).',
  schema: { properties: { ...keySchemaProperties, recurse: { type: 'boolean' } }, required: ['path'] },
  example: { path: 'HKLM\\SOFTWARE\\Contoso\\Stale', recurse: true, backup: { skip: true, reason: 'the key was created by a test install and holds nothing else' } },
  parameters: parametersSchema({ ...keyParameters, recurse: { type: 'boolean' } }, ['path', 'view', 'recurse']),
  normalize: (step) => ({ ...normalizeKeyParams(step), recurse: step.recurse === true }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'deleteKey' }],
  describe: (p) =>
    `Delete ${describeKey(p)}${p.recurse ? ' with every subkey and value below it (the run lists each one as it goes)' : '; fails if it has subkeys'}.`,
  risks: (p) => [{ class: 'destructive', text: `deletes the key ${p.path}${p.recurse ? ' and everything below it' : ''}` }],
  privileges: () => [],
  rollback: () => 're-create the key, its subkeys and values, and their ACLs from the snapshot taken before deleting',
  journal: (e, step) => onlyFields(e, ['Path', 'View', 'Snapshot']) ?? sameKey(e, step) ?? snapshotUnder(e.Snapshot, step.params.path),
};
