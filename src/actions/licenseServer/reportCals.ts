import { parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';
import { CAL_TABLES } from './cal-tables.js';

type Params = Record<string, never>;

/** The license server's inventory, kept in the run record: what existed before a revoke nothing can undo. */
export const licenseServerReportCals: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: false,
  reports: CAL_TABLES,
  name: 'licenseServer.reportCals',
  summary: 'On a license server, report the CAL packs, the issued per-device CALs (Win32_TSLicenseKeyPack, Win32_TSIssuedLicense) and the usage report summary (Win32_TSLicenseReport, 2012+) into the run record as JSON and CSV.',
  schema: { properties: {}, required: [] },
  example: {},
  parameters: parametersSchema({}, []),
  normalize: () => ({}),
  effects: () => [],
  describe: () =>
    `Read the license server's ${CAL_TABLES.map((table) => `${table.title} (${table.columns.map((column) => column.title).join(', ')})`).join(', ')} through WMI; the usage report is generated on the server (GenerateReportEx, 2012+) and deleted after it is read. The run record keeps them as JSON and CSV.`,
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};
