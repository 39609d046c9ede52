import { sid } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema, sid as sidOut } from '../../shared/review-fragments.js';
import { onlyFields, sameKey } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { registryRestoreSecurity } from './restoreSecurity.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

export const ADMINISTRATORS_SID = 'S-1-5-32-544';
const RIGHTS = ['FullControl', 'ReadKey', 'WriteKey', 'SetValue', 'CreateSubKey', 'Delete', 'ReadPermissions', 'ChangePermissions', 'TakeOwnership'] as const;

type Grant = { identity: string; rights: string };
type Params = { path: string; view: '64' | '32' | 'Default'; owner: string; grant: Grant[]; restore: 'afterPlan' | 'never' };

export const registryTakeOwnership: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: true,
  backupOptOut: true,
  name: 'registry.takeOwnership',
  summary: 'Take ownership of a locked key and grant access, saving its original SDDL for restoring.',
  schema: {
    properties: {
      ...keySchemaProperties,
      owner: { ...sid, description: 'the new owner as a SID (default S-1-5-32-544, Administrators)' },
      grant: {
        type: 'array',
        maxItems: 16,
        items: {
          type: 'object',
          required: ['identity', 'rights'],
          properties: { identity: sid, rights: { enum: RIGHTS, description: 'a RegistryRights name' } },
          additionalProperties: false,
        },
      },
      restore: { enum: ['afterPlan', 'never'], description: '"afterPlan" (default) restores the original owner and ACL at the end' },
    },
    required: ['path'],
  },
  example: { path: 'HKLM\\SOFTWARE\\Contoso', restore: 'afterPlan', backup: { skip: true, reason: 'the original ACL is saved and restored by the run' } },
  parameters: parametersSchema(
    {
      ...keyParameters,
      owner: sidOut,
      grant: { type: 'array', items: parametersSchema({ identity: sidOut, rights: { type: 'string' } }, ['identity', 'rights']) },
      restore: { enum: ['afterPlan', 'never'] },
    },
    ['path', 'view', 'owner', 'grant', 'restore'],
  ),
  normalize: (step) => {
    const owner = typeof step.owner === 'string' ? step.owner : ADMINISTRATORS_SID;
    const grant = Array.isArray(step.grant) ? (step.grant as Grant[]).map((g) => ({ identity: g.identity, rights: g.rights })) : [{ identity: owner, rights: 'FullControl' }];
    return { ...normalizeKeyParams(step), owner, grant, restore: step.restore === 'never' ? 'never' : 'afterPlan' };
  },
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'own' }],
  describe: (p) =>
    `Take ownership of ${describeKey(p)} as ${p.owner} and grant ${p.grant.map((g) => `${g.rights} to ${g.identity}`).join(', ')}; the original owner and ACL are saved as SDDL first${p.restore === 'afterPlan' ? ' and restored at the end of the plan, whatever happens' : ' and NOT restored (restore: never)'}.`,
  risks: (p) => [
    { class: 'ownership', text: `changes the owner and ACL of ${p.path}` },
    ...(p.restore === 'never' ? [{ class: 'ownership' as const, text: 'the original owner and ACL are not restored' }] : []),
  ],
  privileges: () => ['SeTakeOwnershipPrivilege', 'SeRestorePrivilege'],
  rollback: () => 'restore the saved SDDL (owner, group and ACL) and compare it on read-back',
  // "afterPlan" brings the restore to the end of the plan, after every step that needs the access.
  companions: (step) => {
    if (step.params.restore !== 'afterPlan') return [];
    const id = `${step.id}.restore`;
    const { path, view } = step.params;
    const params = registryRestoreSecurity.normalize({ id, action: registryRestoreSecurity.name, path, view: view === 'Default' ? undefined : view, fromStep: step.id });
    return [{ id, action: registryRestoreSecurity.name, params, dependsOn: [step.id], runWhen: 'always', pointer: step.pointer }];
  },
  journal: (e, step) =>
    onlyFields(e, ['Path', 'View', 'Sddl', 'StepId']) ?? sameKey(e, step) ?? (e.StepId === undefined || e.StepId === step.id ? null : `step id ${JSON.stringify(e.StepId)} is not ${step.id}`),
};
