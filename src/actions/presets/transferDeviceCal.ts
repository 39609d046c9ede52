import { hostName } from '../../shared/schema-fragments.js';
import { licenseServerReportCals } from '../licenseServer/reportCals.js';
import { allowanceCheck, licenseServerRevokeDeviceCal, revokeSchema } from '../licenseServer/revokeDeviceCal.js';
import type { PresetAction } from '../types.js';
import { derive } from './derive.js';

/**
 * KB 248430's "transfer a TS CAL" as it is done today: on the license server, revoke the CAL of
 * the computer that no longer needs it, so the pack has one to issue to its replacement. The
 * report before is the record of what existed, the one after of what the revoke left.
 */
export const rdsTransferDeviceCal: PresetAction = {
  kind: 'preset',
  name: 'rds.transferDeviceCal',
  summary: 'On a license server, free the per-device CAL of a computer for another one: report the CALs, revoke that computer\'s CAL within the revoke allowance, report again.',
  starter: { fromComputer: 'WS-042' },
  schema: {
    properties: { fromComputer: { ...hostName, description: 'the computer whose per-device CAL is revoked (the name it was issued to)' }, maxShare: revokeSchema.maxShare },
    required: ['fromComputer'],
  },
  expand: (step, pointer) => {
    const revoke = derive(step, pointer, 'revoke', licenseServerRevokeDeviceCal, { computers: [step.fromComputer], ...(step.maxShare !== undefined ? { maxShare: step.maxShare } : {}) }, { after: ['before'] });
    return [
      derive(step, pointer, 'before', licenseServerReportCals, {}),
      revoke,
      allowanceCheck(revoke),
      // What the revoke left (it runs only when the revoke succeeded: a failed one names its CALs in its error).
      derive(step, pointer, 'after', licenseServerReportCals, {}),
    ];
  },
  notes: (step) => [
    `Clear the old client's own copy of the CAL with rds.clearClientLicenseCache on ${String(step.fromComputer)}, or it keeps presenting it.`,
    'The next computer that connects gets the freed CAL from the pack. Reissuing beyond the revoke allowance goes through the Microsoft Clearinghouse (RD Licensing Manager: Manage RDS CALs, or the telephone activation).',
  ],
};
