import { activeSessions, always } from '../../shared/schema-fragments.js';
import { registryDeleteValue } from '../registry/deleteValue.js';
import { registryExport } from '../registry/export.js';
import { registryRestoreSecurity } from '../registry/restoreSecurity.js';
import { ADMINISTRATORS_SID, registryTakeOwnership } from '../registry/takeOwnership.js';
import { sessionCheck } from '../host/testSessions.js';
import { rdsGetGracePeriodDays } from '../rds/getGracePeriodDays.js';
import { DEFAULT_MINIMUM_DAYS_LEFT, minimumDaysLeftSchema, rdsTestGracePeriod } from '../rds/testGracePeriod.js';
import { serviceRestart } from '../service/restart.js';
import type { PlanStep, PresetAction } from '../types.js';
import { derive } from './derive.js';

export const GRACE_PERIOD_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
/** DOMAIN.md: deleting only the timebomb value is the least destructive reset. */
export const TIMEBOMB_PATTERN = 'L$RTMTIMEBOMB*';

const minimumDaysLeft = (step: PlanStep): number =>
  typeof step.minimumDaysLeft === 'number' ? step.minimumDaysLeft : DEFAULT_MINIMUM_DAYS_LEFT;

/**
 * The desired state is "enough days left" (DOMAIN.md: TermService writes a fresh timebomb value
 * when it starts): the `due` gate reads GetGracePeriodDays first, and every step of the reset
 * depends on it with runWhen 'changed', so a host with enough days skips them all and
 * TermService is not restarted. The restart depends on the gate as well as on the delete: a
 * due host whose value is already gone (or whose GracePeriod key is absent) is restarted too,
 * which is what makes TermService begin a new grace period.
 */
export const rdsResetGracePeriod: PresetAction = {
  kind: 'preset',
  name: 'rds.resetGracePeriod',
  summary: `Reset the RD Session Host grace period when fewer than minimumDaysLeft days are left (default ${DEFAULT_MINIMUM_DAYS_LEFT}): back up, take ownership of RCM\\GracePeriod, delete only the timebomb value, restore owner and ACL.`,
  starter: { restartService: true, minimumDaysLeft: DEFAULT_MINIMUM_DAYS_LEFT },
  schema: {
    properties: {
      restartService: { type: 'boolean' },
      minimumDaysLeft: minimumDaysLeftSchema,
      always: { ...always, description: 'restart TermService on every run, even when no reset is due (every session disconnects each time)' },
      activeSessions: { ...activeSessions, description: `${activeSessions.description} (with restartService)` },
    },
    required: [],
  },
  expand: (step, pointer) => {
    const key = { path: GRACE_PERIOD_KEY };
    const due = { runWhen: 'changed' as const };
    const steps = [
      derive(step, pointer, 'due', rdsTestGracePeriod, { minimumDaysLeft: minimumDaysLeft(step) }),
      derive(step, pointer, 'export', registryExport, key, { ...due, after: ['due'] }),
      derive(step, pointer, 'own', registryTakeOwnership, { ...key, owner: ADMINISTRATORS_SID, grant: [{ identity: ADMINISTRATORS_SID, rights: 'FullControl' }] }, { ...due, after: ['due', 'export'] }),
      derive(step, pointer, 'delete', registryDeleteValue, { ...key, namePattern: TIMEBOMB_PATTERN }, { ...due, after: ['due', 'export', 'own'] }),
      // Depends on `own` (and the gate) only: the ACL comes back even when the delete failed.
      derive(step, pointer, 'restore', registryRestoreSecurity, { ...key, fromStep: `${step.id}.own` }, { ...due, after: ['due', 'own'] }),
    ];
    if (step.restartService === true) {
      const restart = { name: 'TermService', force: true, activeSessions: step.activeSessions };
      const restartStep =
        step.always === true
          ? derive(step, pointer, 'restart', serviceRestart, restart, { after: ['due'], runWhen: 'always' })
          : derive(step, pointer, 'restart', serviceRestart, restart, { ...due, after: ['due', 'delete'] });
      steps.push(restartStep, sessionCheck(restartStep, 'TermService', step.activeSessions));
    }
    const verify = step.restartService === true ? { restartStep: `${step.id}.restart`, minimumDaysLeft: minimumDaysLeft(step) } : {};
    steps.push(derive(step, pointer, 'days', rdsGetGracePeriodDays, verify, { after: [] }));
    return steps;
  },
  notes: (step) => [
    `Resets only when fewer than ${minimumDaysLeft(step)} days of the grace period are left (GetGracePeriodDays; an expired grace period counts as 0): on a host with more, every step of the reset is skipped${step.restartService === true && step.always !== true ? ' and TermService is not restarted' : ''}. A host that gets its licenses from a license server may answer 0 days: it would be reset on every run.`,
    ...(step.restartService === true
      ? []
      : ['GetGracePeriodDays reports the old figure until TermService restarts (restartService: true, or a reboot).']),
  ],
};
