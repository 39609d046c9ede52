import { valueName } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema } from '../../shared/review-fragments.js';
import { nameMatches, onlyFields, sameKey } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';
import { canonicalData, dataConditions, formatData, VALUE_TYPES, type CanonicalData, type ValueType } from './value-data.js';

type Params = { path: string; view: '64' | '32' | 'Default'; name: string; type: ValueType; data: CanonicalData };

export const registrySetValue: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  backupOptOut: true,
  name: 'registry.setValue',
  summary: 'Set a registry value (creating the key if missing); the previous value is journalled for rollback.',
  schema: {
    properties: { ...keySchemaProperties, name: valueName, type: { enum: VALUE_TYPES, description: 'a registry value type' }, data: {} },
    required: ['path', 'name', 'type', 'data'],
    allOf: dataConditions,
  },
  example: { path: 'HKLM\\SOFTWARE\\Contoso', name: 'Enabled', type: 'DWord', data: 1, backup: { skip: true, reason: 'a new value nobody relies on yet' } },
  parameters: parametersSchema(
    {
      ...keyParameters,
      name: { type: 'string' },
      type: { enum: VALUE_TYPES },
      data: {
        anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'string' } }],
        description: 'String/ExpandString: the text; MultiString: the strings; DWord: a number; QWord: a decimal string; Binary: lowercase hex',
      },
    },
    ['path', 'view', 'name', 'type', 'data'],
  ),
  normalize: (step) => {
    const type = step.type as ValueType;
    return { ...normalizeKeyParams(step), name: String(step.name), type, data: canonicalData(type, step.data) };
  },
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'write', value: p.name }],
  describe: (p) => `Set ${p.type} value ${JSON.stringify(p.name)} of ${describeKey(p)} to ${formatData(p.type, p.data)}, creating the key if it is missing.`,
  risks: (p) => [{ class: 'configuration', text: `overwrites ${JSON.stringify(p.name)} if it exists` }],
  privileges: () => [],
  rollback: () => 'put the previous value back (or remove the value, and the key if this step created it)',
  journal: (e, step) => {
    const created = Array.isArray(e.CreatedKeys) ? e.CreatedKeys : [];
    const path = step.params.path.toLowerCase();
    const badCreated = created.find((k) => typeof k !== 'string' || !(path === k.toLowerCase() || path.startsWith(`${k.toLowerCase()}\\`)));
    return (
      onlyFields(e, ['Path', 'View', 'Name', 'KeyExisted', 'CreatedKeys', 'Previous']) ??
      sameKey(e, step) ??
      (nameMatches(e.Name, step) ? null : `value ${JSON.stringify(e.Name)} is not the step's ${JSON.stringify(step.params.name)}`) ??
      (badCreated !== undefined ? `created key ${JSON.stringify(badCreated)} is not the step's key or one of its parents` : null)
    );
  },
};
