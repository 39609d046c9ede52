import { registryDeleteKey } from '../registry/deleteKey.js';
import { registryExport } from '../registry/export.js';
import type { PresetAction } from '../types.js';
import { derive } from './derive.js';

export const MSLICENSING_KEY = 'HKLM\\SOFTWARE\\Microsoft\\MSLicensing';
export const MSLICENSING_WOW_KEY = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\MSLicensing';

export const rdsClearClientLicenseCache: PresetAction = {
  kind: 'preset',
  name: 'rds.clearClientLicenseCache',
  summary: 'Delete the client CAL cache (MSLicensing and its 32-bit copy) after exporting it.',
  starter: {},
  schema: { properties: {}, required: [] },
  expand: (step, pointer) => [
    derive(step, pointer, 'export', registryExport, { path: MSLICENSING_KEY, view: '64' }),
    derive(step, pointer, 'export-wow', registryExport, { path: MSLICENSING_WOW_KEY, view: '64' }),
    derive(step, pointer, 'delete', registryDeleteKey, { path: MSLICENSING_KEY, view: '64', recurse: true }, { after: ['export'] }),
    derive(step, pointer, 'delete-wow', registryDeleteKey, { path: MSLICENSING_WOW_KEY, view: '64', recurse: true }, { after: ['export-wow'] }),
  ],
  notes: () => [
    'Run the Remote Desktop client (mstsc.exe) once as administrator afterwards, so it can re-create HKLM\\SOFTWARE\\Microsoft\\MSLicensing; otherwise the next connection fails with "An error occurred in the licensing protocol".',
  ],
};
