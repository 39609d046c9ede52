import { parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';

/** Days left below which rds.resetGracePeriod resets (a freshly reset host has 120). */
export const DEFAULT_MINIMUM_DAYS_LEFT = 30;

/** The schema of the threshold, shared by the preset (where the plan writes it) and this gate. */
export const minimumDaysLeftSchema = {
  type: 'integer',
  minimum: 1,
  maximum: 120,
  description: `reset only when fewer than this many days of the 120-day grace period are left (default ${DEFAULT_MINIMUM_DAYS_LEFT}); an expired grace period counts as 0`,
} as const;

type Params = { minimumDaysLeft: number };

/**
 * The gate of a grace-period reset, emitted by the preset as its first step: the desired state
 * is "enough days left" (TermService writes a fresh timebomb value when it starts, so "value
 * absent" never lasts). The reset steps depend on it and run only when it reports a change.
 */
export const rdsTestGracePeriod: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  internal: true,
  name: 'rds.testGracePeriod',
  summary: 'Decide whether a grace-period reset is due (Win32_TerminalServiceSetting.GetGracePeriodDays below a threshold).',
  schema: { properties: { minimumDaysLeft: minimumDaysLeftSchema }, required: [] },
  example: { minimumDaysLeft: 30 },
  parameters: parametersSchema(
    { minimumDaysLeft: { type: 'integer', minimum: 1, maximum: 120, description: 'a reset is due when fewer days of the grace period are left' } },
    ['minimumDaysLeft'],
  ),
  normalize: (step) => ({ minimumDaysLeft: typeof step.minimumDaysLeft === 'number' ? step.minimumDaysLeft : DEFAULT_MINIMUM_DAYS_LEFT }),
  effects: () => [],
  describe: (p) =>
    `Read the grace period days left through WMI GetGracePeriodDays (an expired grace period counts as 0). A reset is due only when fewer than ${p.minimumDaysLeft} days are left: then this step reports a change (it changes nothing itself) and the reset steps after it run; otherwise they are skipped and TermService is not restarted. Days that cannot be read fail this step, and nothing of the reset runs.`,
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};
