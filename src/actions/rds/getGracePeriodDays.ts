import type { PrimitiveAction } from '../types.js';

/** The read-back after a grace-period reset; emitted by the preset. */
export const rdsGetGracePeriodDays: PrimitiveAction<Record<string, never>> = {
  kind: 'primitive',
  internal: true,
  name: 'rds.getGracePeriodDays',
  summary: 'Read the grace days left (Win32_TerminalServiceSetting.GetGracePeriodDays).',
  schema: { properties: {}, required: [] },
  normalize: () => ({}),
  effects: () => [],
  describe: () => 'Read the grace period days left through WMI GetGracePeriodDays (the value is stale until TermService restarts).',
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};
