import { valueName, wildcard } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema } from '../../shared/review-fragments.js';
import { isObject, nameMatches, onlyFields, sameKey } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; name?: string; namePattern?: string; mustExist: boolean };

export const registryDeleteValue: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  backupOptOut: true,
  name: 'registry.deleteValue',
  summary: 'Delete one value, or every value whose name matches a wildcard; the key stays.',
  schema: {
    properties: { ...keySchemaProperties, name: valueName, namePattern: wildcard, mustExist: { type: 'boolean' } },
    required: ['path'],
    allOf: [{ oneOf: [{ required: ['name'] }, { required: ['namePattern'] }] }],
  },
  example: { path: 'HKLM\\SOFTWARE\\Contoso', name: 'Obsolete', mustExist: true, backup: { skip: true, reason: 'the value is a leftover nobody reads' } },
  parameters: parametersSchema(
    { ...keyParameters, name: { type: 'string' }, namePattern: { type: 'string' }, mustExist: { type: 'boolean' } },
    ['path', 'view', 'mustExist'],
    { oneOf: [{ required: ['name'] }, { required: ['namePattern'] }] },
  ),
  normalize: (step) => ({
    ...normalizeKeyParams(step),
    ...(typeof step.name === 'string' ? { name: step.name } : { namePattern: String(step.namePattern) }),
    mustExist: step.mustExist === true,
  }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'deleteValues' }],
  describe: (p) =>
    `Delete ${p.name !== undefined ? `value ${JSON.stringify(p.name)}` : `every value matching ${JSON.stringify(p.namePattern)}`} from ${describeKey(p)}; the key and its ACL stay${p.mustExist ? '; fails if nothing matches' : ''}.`,
  risks: () => [{ class: 'destructive', text: 'deletes registry values' }],
  privileges: () => [],
  rollback: () => 're-create the deleted values with their types and data',
  journal: (e, step) => {
    const values = Array.isArray(e.Values) ? e.Values : [];
    const bad = values.find((v) => !isObject(v) || !nameMatches(v.Name, step) || onlyFields(v, ['Name', 'Type', 'Data']) !== null);
    return onlyFields(e, ['Path', 'View', 'Values']) ?? sameKey(e, step) ?? (bad !== undefined ? `value ${JSON.stringify(isObject(bad) ? bad.Name : bad)} is not one the step named` : null);
  },
};
