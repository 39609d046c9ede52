import { valueName } from '../../plan/schema/fragments.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';
import { canonicalData, dataConditions, formatData, VALUE_TYPES, type CanonicalData, type ValueType } from './value-data.js';

type Params = { path: string; view: '64' | '32' | 'Default'; name: string; type: ValueType; data: CanonicalData };

export const registrySetValue: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'registry.setValue',
  summary: 'Set a registry value (creating the key if missing); the previous value is journalled for rollback.',
  schema: {
    properties: { ...keySchemaProperties, name: valueName, type: { enum: VALUE_TYPES, description: 'a registry value type' }, data: {} },
    required: ['path', 'name', 'type', 'data'],
    allOf: dataConditions,
  },
  normalize: (step) => {
    const type = step.type as ValueType;
    return { ...normalizeKeyParams(step), name: String(step.name), type, data: canonicalData(type, step.data) };
  },
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'write' }],
  describe: (p) => `Set ${p.type} value ${JSON.stringify(p.name)} of ${describeKey(p)} to ${formatData(p.type, p.data)}, creating the key if it is missing.`,
  risks: (p) => [{ class: 'configuration', text: `overwrites ${JSON.stringify(p.name)} if it exists` }],
  privileges: () => [],
  rollback: () => 'put the previous value back (or remove the value, and the key if this step created it)',
};
