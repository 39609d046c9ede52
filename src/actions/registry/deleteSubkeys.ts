import { wildcard } from '../../plan/schema/fragments.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; namePattern: string };

export const registryDeleteSubkeys: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'registry.deleteSubkeys',
  summary: 'Delete the subkeys of a key (all, or those matching a wildcard), keeping the key itself and its values.',
  schema: { properties: { ...keySchemaProperties, namePattern: wildcard }, required: ['path'] },
  normalize: (step) => ({ ...normalizeKeyParams(step), namePattern: typeof step.namePattern === 'string' ? step.namePattern : '*' }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'destroy' }],
  describe: (p) =>
    `Delete ${p.namePattern === '*' ? 'every subkey' : `the subkeys matching ${JSON.stringify(p.namePattern)}`} of ${describeKey(p)}, with everything below them; the key itself and its values stay.`,
  risks: () => [{ class: 'destructive', text: 'deletes subkeys and everything below them' }],
  privileges: () => [],
  rollback: () => 're-create the deleted subkeys, their values and ACLs from the snapshot taken before deleting',
};
