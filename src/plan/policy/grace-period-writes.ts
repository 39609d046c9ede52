import { primitive } from '../../actions/index.js';
import type { PolicyRule } from './types.js';

/**
 * The grace period's timebomb is a machine-bound blob holding the expiry date: a plan that
 * writes under RCM\GracePeriod (a forged value, an old copy put back, a key created beside
 * it) fakes the licensing date, as some public tools offer to. Deleting (the reset) and the
 * ownership and ACL steps around it stay allowed.
 */
const GRACE_PERIOD = /^HKLM\\SYSTEM\\(?:CurrentControlSet|ControlSet\d{3})\\Control\\Terminal Server\\RCM\\GracePeriod(?:\\|$)/i;

export const gracePeriodWrites: PolicyRule = ({ steps }) =>
  steps.flatMap((step) =>
    primitive(step.action)
      .effects(step.params)
      .filter(({ key, effect }) => effect === 'write' && GRACE_PERIOD.test(key.path))
      .map(({ key }) => ({
        pointer: step.preset ? step.pointer : `${step.pointer}/path`,
        severity: 'error' as const,
        code: 'policy.grace-period-write',
        message: `${key.path} holds the grace period's expiry: no plan may write there (a written or re-imported value fakes the licensing date); deleting the value (rds.resetGracePeriod) is the only change allowed`,
      })),
  );
