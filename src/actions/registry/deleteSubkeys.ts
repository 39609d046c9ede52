import { wildcard } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema } from '../../shared/review-fragments.js';
import { isObject, onlyFields, sameKey, snapshotUnder, wildcard as wildcardPattern } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keyChange, keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; namePattern: string };

export const registryDeleteSubkeys: PrimitiveAction<Params> = {
  ...keyChange,
  name: 'registry.deleteSubkeys',
  summary: 'Delete the subkeys of a key (all, or those matching a wildcard), keeping the key itself and its values.',
  schema: { properties: { ...keySchemaProperties, namePattern: wildcard }, required: ['path'] },
  example: { path: 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing\\Store', namePattern: 'LICENSE*', backup: { skip: true, reason: 'the licenses are issued again on the next logon' } },
  parameters: parametersSchema({ ...keyParameters, namePattern: { type: 'string' } }, ['path', 'view', 'namePattern']),
  normalize: (step) => ({ ...normalizeKeyParams(step), namePattern: typeof step.namePattern === 'string' ? step.namePattern : '*' }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'deleteSubkeys' }],
  describe: (p) =>
    `Delete ${p.namePattern === '*' ? 'every subkey' : `the subkeys matching ${JSON.stringify(p.namePattern)}`} of ${describeKey(p)}, with everything below them; the key itself and its values stay.`,
  risks: () => [{ class: 'destructive', text: 'deletes subkeys and everything below them' }],
  privileges: () => [],
  rollback: () => 're-create the deleted subkeys, their values and ACLs from the snapshot taken before deleting',
  journal: (e, step) => {
    const parent = step.params.path;
    const pattern = wildcardPattern(step.params.namePattern);
    for (const sub of Array.isArray(e.Subkeys) ? e.Subkeys : []) {
      const name = isObject(sub) && typeof sub.Path === 'string' ? sub.Path.slice(parent.length + 1) : '';
      if (name === '' || name.includes('\\') || !pattern.test(name)) return `subkey ${JSON.stringify(isObject(sub) ? sub.Path : sub)} is not one the step deletes`;
      const problem = snapshotUnder(sub, `${parent}\\${name}`);
      if (problem) return problem;
    }
    return onlyFields(e, ['Path', 'View', 'Subkeys']) ?? sameKey(e, step);
  },
};
