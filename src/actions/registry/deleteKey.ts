import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; recurse: boolean };

export const registryDeleteKey: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'registry.deleteKey',
  summary: 'Delete a key (with its subkeys when recurse is true).',
  schema: { properties: { ...keySchemaProperties, recurse: { type: 'boolean' } }, required: ['path'] },
  normalize: (step) => ({ ...normalizeKeyParams(step), recurse: step.recurse === true }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'destroy' }],
  describe: (p) =>
    `Delete ${describeKey(p)}${p.recurse ? ' with every subkey and value below it (the run lists each one as it goes)' : '; fails if it has subkeys'}.`,
  risks: (p) => [{ class: 'destructive', text: `deletes the key ${p.path}${p.recurse ? ' and everything below it' : ''}` }],
  privileges: () => [],
  rollback: () => 're-create the key, its subkeys and values, and their ACLs from the snapshot taken before deleting',
};
