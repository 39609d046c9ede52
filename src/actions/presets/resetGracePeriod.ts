import { always } from '../../plan/schema/fragments.js';
import { registryDeleteValue } from '../registry/deleteValue.js';
import { registryExport } from '../registry/export.js';
import { registryRestoreSecurity } from '../registry/restoreSecurity.js';
import { ADMINISTRATORS_SID, registryTakeOwnership } from '../registry/takeOwnership.js';
import { rdsGetGracePeriodDays } from '../rds/getGracePeriodDays.js';
import { serviceRestart } from '../service/restart.js';
import type { PresetAction } from '../types.js';
import { derive } from './derive.js';

export const GRACE_PERIOD_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod';
/** DOMAIN.md: deleting only the timebomb value is the least destructive reset. */
export const TIMEBOMB_PATTERN = 'L$RTMTIMEBOMB*';

export const rdsResetGracePeriod: PresetAction = {
  kind: 'preset',
  name: 'rds.resetGracePeriod',
  summary: 'Reset the RD Session Host grace period: back up, take ownership of RCM\\GracePeriod, delete only the timebomb value, restore owner and ACL.',
  starter: { restartService: true },
  schema: { properties: { restartService: { type: 'boolean' }, always }, required: [] },
  expand: (step, pointer) => {
    const key = { path: GRACE_PERIOD_KEY };
    const steps = [
      derive(step, pointer, 'export', registryExport, key),
      derive(step, pointer, 'own', registryTakeOwnership, { ...key, owner: ADMINISTRATORS_SID, grant: [{ identity: ADMINISTRATORS_SID, rights: 'FullControl' }] }, { after: ['export'] }),
      derive(step, pointer, 'delete', registryDeleteValue, { ...key, namePattern: TIMEBOMB_PATTERN }, { after: ['export', 'own'] }),
      // Depends on `own` only: the ACL comes back even when the delete failed.
      derive(step, pointer, 'restore', registryRestoreSecurity, { ...key, fromStep: `${step.id}.own` }, { after: ['own'] }),
    ];
    if (step.restartService === true) {
      steps.push(derive(step, pointer, 'restart', serviceRestart, { name: 'TermService', force: true }, { after: ['delete'], runWhen: step.always === true ? 'always' : 'changed' }));
    }
    steps.push(derive(step, pointer, 'days', rdsGetGracePeriodDays, {}, { after: [] }));
    return steps;
  },
  notes: (step) =>
    step.restartService === true
      ? []
      : ['GetGracePeriodDays reports the old figure until TermService restarts (restartService: true, or a reboot).'],
};
