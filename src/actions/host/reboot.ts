import { always } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';

type Params = { delaySeconds: number };

export const hostReboot: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'host.reboot',
  summary: 'Reboot the host at the end of the run; runs only after an earlier change unless always is true.',
  handler: true,
  schema: { properties: { delaySeconds: { type: 'integer', minimum: 0, maximum: 86400 }, always }, required: [] },
  example: { delaySeconds: 30 },
  parameters: parametersSchema({ delaySeconds: { type: 'integer', minimum: 0 } }, ['delaySeconds']),
  normalize: (step) => ({ delaySeconds: typeof step.delaySeconds === 'number' ? step.delaySeconds : 0 }),
  effects: () => [],
  describe: (p) => `Reboot the host ${p.delaySeconds > 0 ? `${p.delaySeconds} seconds after` : 'right after'} the run completes (never in the middle of the plan, never after a failure).`,
  risks: () => [
    { class: 'reboot', text: 'the host reboots' },
    { class: 'service-restart', text: 'every RDP session on the host disconnects' },
  ],
  privileges: () => ['SeShutdownPrivilege'],
  rollback: () => null,
};
