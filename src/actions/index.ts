import { hostReboot } from './host/reboot.js';
import { hostTestSessions } from './host/testSessions.js';
import { licenseServerReportCals } from './licenseServer/reportCals.js';
import { licenseServerRevokeDeviceCal, licenseServerTestRevokeAllowance } from './licenseServer/revokeDeviceCal.js';
import { rdsClearClientLicenseCache } from './presets/clearClientLicenseCache.js';
import { rdsConfigureLicensing } from './presets/configureLicensing.js';
import { rdsDisableLicensingService } from './presets/disableLicensingService.js';
import { rdsResetGracePeriod } from './presets/resetGracePeriod.js';
import { rdsTransferDeviceCal } from './presets/transferDeviceCal.js';
import { rdsGetGracePeriodDays } from './rds/getGracePeriodDays.js';
import { rdsReadLicensing } from './rds/readLicensing.js';
import { rdsSetLicenseServers } from './rds/setLicenseServers.js';
import { rdsSetLicensingMode } from './rds/setLicensingMode.js';
import { rdsTestGracePeriod } from './rds/testGracePeriod.js';
import { registryDeleteKey } from './registry/deleteKey.js';
import { registryDeleteSubkeys } from './registry/deleteSubkeys.js';
import { registryDeleteValue } from './registry/deleteValue.js';
import { registryExport } from './registry/export.js';
import { registryRestoreSecurity } from './registry/restoreSecurity.js';
import { registrySetValue } from './registry/setValue.js';
import { registryTakeOwnership } from './registry/takeOwnership.js';
import { serviceRestart } from './service/restart.js';
import { serviceSetStartMode } from './service/setStartMode.js';
import { serviceStart } from './service/start.js';
import { serviceStop } from './service/stop.js';
import type { ActionDefinition, PresetAction, PrimitiveAction } from './types.js';

/** The catalogue, in the order the schema and the documentation list it. */
export const ACTIONS: readonly ActionDefinition[] = [
  registryExport,
  registryTakeOwnership,
  registrySetValue,
  registryDeleteValue,
  registryDeleteKey,
  registryDeleteSubkeys,
  serviceSetStartMode,
  serviceStart,
  serviceStop,
  serviceRestart,
  rdsSetLicenseServers,
  rdsSetLicensingMode,
  hostReboot,
  rdsReadLicensing,
  licenseServerReportCals,
  licenseServerRevokeDeviceCal,
  rdsResetGracePeriod,
  rdsClearClientLicenseCache,
  rdsDisableLicensingService,
  rdsConfigureLicensing,
  rdsTransferDeviceCal,
  registryRestoreSecurity,
  rdsTestGracePeriod,
  rdsGetGracePeriodDays,
  hostTestSessions,
  licenseServerTestRevokeAllowance,
];

const BY_NAME = new Map(ACTIONS.map((action) => [action.name, action]));

export function findAction(name: string): ActionDefinition | undefined {
  return BY_NAME.get(name);
}

export function primitive(name: string): PrimitiveAction<any> {
  const action = BY_NAME.get(name);
  if (!action || action.kind !== 'primitive') throw new Error(`no primitive action ${name}`);
  return action;
}

export function isPreset(action: ActionDefinition): action is PresetAction {
  return action.kind === 'preset';
}

/** The actions a plan may name (internal ones are produced by expansion only). */
export function planActions(): ActionDefinition[] {
  return ACTIONS.filter((action) => action.kind === 'preset' || !action.internal);
}
