import { hostName } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import { onlyFields, sameChannel } from '../journal.js';
import type { PrimitiveAction } from '../types.js';

type Params = { servers: string[]; via: 'wmi' | 'policy' };

export const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';

export const rdsSetLicenseServers: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'rds.setLicenseServers',
  summary: 'Point the session host at its license servers (WMI SetSpecifiedLicenseServerList, or the policy value).',
  schema: {
    properties: {
      servers: { type: 'array', minItems: 1, maxItems: 32, uniqueItems: true, items: hostName },
      via: { enum: ['wmi', 'policy'], description: '"wmi" (default) or "policy"' },
    },
    required: ['servers'],
  },
  example: { servers: ['lic01.contoso.com'], via: 'wmi' },
  parameters: parametersSchema({ servers: { type: 'array', minItems: 1, items: { type: 'string' } }, via: { enum: ['wmi', 'policy'] } }, ['servers', 'via']),
  normalize: (step) => ({ servers: (step.servers as string[]).slice(), via: step.via === 'policy' ? 'policy' : 'wmi' }),
  effects: (p) => (p.via === 'policy' ? [{ key: { path: POLICY_KEY, view: 'Default' }, effect: 'write' }] : []),
  describe: (p) =>
    p.via === 'wmi'
      ? `Set the specified license servers to ${p.servers.join(', ')} through Win32_TerminalServiceSetting.SetSpecifiedLicenseServerList.`
      : `Set the policy value LicenseServers under ${POLICY_KEY} to "${p.servers.join(',')}".`,
  risks: (p) => [
    { class: 'configuration', text: 'changes which license servers issue CALs' },
    ...(p.via === 'policy' ? [{ class: 'configuration' as const, text: 'on a domain-joined host a GPO refresh may overwrite a local policy value' }] : []),
  ],
  privileges: () => [],
  rollback: () => 'set the previous server list again',
  journal: (e, step) => onlyFields(e, ['Via', 'Servers', 'Previous']) ?? sameChannel(e, step),
};
