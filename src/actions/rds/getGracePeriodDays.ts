import { scriptText } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';

type Params = { restartStep?: string; minimumDaysLeft?: number };

/** The read-back after a grace-period reset; emitted by the preset. */
export const rdsGetGracePeriodDays: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: false,
  internal: true,
  name: 'rds.getGracePeriodDays',
  summary: 'Read the grace days left (Win32_TerminalServiceSetting.GetGracePeriodDays).',
  schema: { properties: { restartStep: scriptText, minimumDaysLeft: { type: 'integer', minimum: 1, maximum: 120 } }, required: [] },
  example: { restartStep: 'reset.restart', minimumDaysLeft: 30 },
  parameters: parametersSchema(
    {
      restartStep: { type: 'string', description: 'the TermService restart step: after it changed something the read is retried for a bounded time' },
      minimumDaysLeft: { type: 'integer', minimum: 1, maximum: 120, description: 'fewer days after the restart is a warning (the reset did not take)' },
    },
    [],
  ),
  normalize: (step) => ({
    ...(typeof step.restartStep === 'string' ? { restartStep: step.restartStep } : {}),
    ...(typeof step.minimumDaysLeft === 'number' ? { minimumDaysLeft: step.minimumDaysLeft } : {}),
  }),
  effects: () => [],
  describe: (p) =>
    p.restartStep === undefined
      ? 'Read the grace period days left through WMI GetGracePeriodDays (the value is stale until TermService restarts). Never fails: what it cannot read is a warning.'
      : `Read the grace period days left through WMI GetGracePeriodDays; after step ${p.restartStep} restarted TermService, read again for up to 60 seconds until WMI answers${p.minimumDaysLeft !== undefined ? `, and warn when fewer than ${p.minimumDaysLeft} days are left (the reset did not take)` : ''}. Never fails and never rolls the reset back: what it cannot read is a warning.`,
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};
