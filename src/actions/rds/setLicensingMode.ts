import { parametersSchema } from '../../shared/review-fragments.js';
import { isObject, onlyFields, sameChannel } from '../journal.js';
import type { PrimitiveAction } from '../types.js';
import { POLICY_KEY } from './setLicenseServers.js';

type Params = { mode: 'PerUser' | 'PerDevice'; via: 'wmi' | 'policy' };

/** Win32_TerminalServiceSetting.ChangeMode and the policy's LicensingMode share these numbers. */
export const LICENSING_TYPE = { PerDevice: 2, PerUser: 4 } as const;

export const rdsSetLicensingMode: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'rds.setLicensingMode',
  summary: 'Set the RD licensing mode (WMI ChangeMode, or the policy LicensingMode value).',
  schema: {
    properties: {
      mode: { enum: ['PerUser', 'PerDevice'], description: '"PerUser" or "PerDevice"' },
      via: { enum: ['wmi', 'policy'], description: '"wmi" (default) or "policy"' },
    },
    required: ['mode'],
  },
  example: { mode: 'PerUser', via: 'policy' },
  parameters: parametersSchema({ mode: { enum: ['PerUser', 'PerDevice'] }, via: { enum: ['wmi', 'policy'] } }, ['mode', 'via']),
  normalize: (step) => ({ mode: step.mode as Params['mode'], via: step.via === 'policy' ? 'policy' : 'wmi' }),
  effects: (p) => (p.via === 'policy' ? [{ key: { path: POLICY_KEY, view: 'Default' }, effect: 'write' }] : []),
  describe: (p) =>
    p.via === 'wmi'
      ? `Set the licensing mode to ${p.mode} (${LICENSING_TYPE[p.mode]}) through Win32_TerminalServiceSetting.ChangeMode.`
      : `Set the policy value LicensingMode under ${POLICY_KEY} to ${LICENSING_TYPE[p.mode]} (${p.mode}).`,
  risks: (p) => [
    { class: 'configuration', text: 'changes which CAL type clients need' },
    ...(p.via === 'policy' ? [{ class: 'configuration' as const, text: 'on a domain-joined host a GPO refresh may overwrite a local policy value' }] : []),
  ],
  privileges: () => [],
  rollback: () => 'set the previous licensing mode again',
  journal: (e, step) =>
    onlyFields(e, ['Via', 'LicensingType', 'Previous', 'PreviousLocal']) ??
    sameChannel(e, step) ??
    (e.PreviousLocal === undefined || e.PreviousLocal === null || (isObject(e.PreviousLocal) && e.PreviousLocal.Name === 'LicensingMode') ? null : 'PreviousLocal names another value than LicensingMode'),
};
