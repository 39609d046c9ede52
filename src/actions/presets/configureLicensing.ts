import { rdsSetLicenseServers } from '../rds/setLicenseServers.js';
import { rdsSetLicensingMode } from '../rds/setLicensingMode.js';
import type { PresetAction } from '../types.js';
import { derive } from './derive.js';

export const rdsConfigureLicensing: PresetAction = {
  kind: 'preset',
  name: 'rds.configureLicensing',
  summary: 'Set the license servers and the licensing mode of a session host in one step.',
  starter: { servers: ['lic01.contoso.com'], mode: 'PerUser' },
  schema: {
    properties: { servers: rdsSetLicenseServers.schema.properties.servers, mode: rdsSetLicensingMode.schema.properties.mode, via: rdsSetLicenseServers.schema.properties.via },
    required: ['servers', 'mode'],
  },
  expand: (step, pointer) => [
    derive(step, pointer, 'servers', rdsSetLicenseServers, { servers: step.servers, via: step.via }),
    derive(step, pointer, 'mode', rdsSetLicensingMode, { mode: step.mode, via: step.via }),
  ],
  notes: () => [],
};
