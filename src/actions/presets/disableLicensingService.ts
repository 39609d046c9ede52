import { serviceSetStartMode } from '../service/setStartMode.js';
import { serviceStop } from '../service/stop.js';
import type { PresetAction } from '../types.js';
import { derive } from './derive.js';

/**
 * Stop first, then disable: undo runs newest first, so the start mode is back before the
 * service is started again (a Disabled service cannot be started).
 */
export const rdsDisableLicensingService: PresetAction = {
  kind: 'preset',
  name: 'rds.disableLicensingService',
  summary: 'Set the Remote Desktop Licensing service (TermServLicensing) to Disabled, and stop it if asked.',
  starter: { stop: true },
  schema: { properties: { stop: { type: 'boolean' } }, required: [] },
  expand: (step, pointer) => [
    ...(step.stop === true ? [derive(step, pointer, 'stop', serviceStop, { name: 'TermServLicensing', force: true })] : []),
    derive(step, pointer, 'start-mode', serviceSetStartMode, { name: 'TermServLicensing', startMode: 'Disabled' }),
  ],
  notes: () => ['Session hosts that use this server must be pointed at another license server before CALs run out.'],
};
