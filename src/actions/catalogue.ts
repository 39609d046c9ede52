/**
 * The catalogue: one line per action definition. Adding an action is one line here; the
 * index, the schemas, the review and the tests read the catalogue and name no action.
 */
export { hostReboot } from './host/reboot.js';
export { hostTestSessions } from './host/testSessions.js';
export { licenseServerReportCals } from './licenseServer/reportCals.js';
export { licenseServerRevokeDeviceCal } from './licenseServer/revokeDeviceCal.js';
export { licenseServerTestRevokeAllowance } from './licenseServer/revokeDeviceCal.js';
export { rdsClearClientLicenseCache } from './presets/clearClientLicenseCache.js';
export { rdsConfigureLicensing } from './presets/configureLicensing.js';
export { rdsDisableLicensingService } from './presets/disableLicensingService.js';
export { rdsGetGracePeriodDays } from './rds/getGracePeriodDays.js';
export { rdsReadLicensing } from './rds/readLicensing.js';
export { rdsResetGracePeriod } from './presets/resetGracePeriod.js';
export { rdsSetLicenseServers } from './rds/setLicenseServers.js';
export { rdsSetLicensingMode } from './rds/setLicensingMode.js';
export { rdsTestGracePeriod } from './rds/testGracePeriod.js';
export { rdsTransferDeviceCal } from './presets/transferDeviceCal.js';
export { registryDeleteKey } from './registry/deleteKey.js';
export { registryDeleteSubkeys } from './registry/deleteSubkeys.js';
export { registryDeleteValue } from './registry/deleteValue.js';
export { registryExport } from './registry/export.js';
export { registryRestoreSecurity } from './registry/restoreSecurity.js';
export { registrySetValue } from './registry/setValue.js';
export { registryTakeOwnership } from './registry/takeOwnership.js';
export { serviceRestart } from './service/restart.js';
export { serviceSetStartMode } from './service/setStartMode.js';
export { serviceStart } from './service/start.js';
export { serviceStop } from './service/stop.js';
