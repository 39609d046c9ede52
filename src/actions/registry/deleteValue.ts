import { valueName, wildcard } from '../../plan/schema/fragments.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; name?: string; namePattern?: string; mustExist: boolean };

export const registryDeleteValue: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'registry.deleteValue',
  summary: 'Delete one value, or every value whose name matches a wildcard; the key stays.',
  schema: {
    properties: { ...keySchemaProperties, name: valueName, namePattern: wildcard, mustExist: { type: 'boolean' } },
    required: ['path'],
    allOf: [{ oneOf: [{ required: ['name'] }, { required: ['namePattern'] }] }],
  },
  normalize: (step) => ({
    ...normalizeKeyParams(step),
    ...(typeof step.name === 'string' ? { name: step.name } : { namePattern: String(step.namePattern) }),
    mustExist: step.mustExist === true,
  }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'destroy' }],
  describe: (p) =>
    `Delete ${p.name !== undefined ? `value ${JSON.stringify(p.name)}` : `every value matching ${JSON.stringify(p.namePattern)}`} from ${describeKey(p)}; the key and its ACL stay${p.mustExist ? '; fails if nothing matches' : ''}.`,
  risks: () => [{ class: 'destructive', text: 'deletes registry values' }],
  privileges: () => [],
  rollback: () => 're-create the deleted values with their types and data',
};
