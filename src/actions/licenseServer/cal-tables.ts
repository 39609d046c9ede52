import type { ReportTable } from '../types.js';

/** The columns in the order written: field name to column title. */
const columns = (titles: Readonly<Record<string, string>>): ReportTable['columns'] => Object.entries(titles).map(([field, title]) => ({ field, title }));

/**
 * The report's tables as the run record's CSV files and the text views show them: the columns
 * Get-RdsCalInventory (runtime/Licenses.ps1) writes into licenseServer.reportCals' After.
 */
export const CAL_TABLES: readonly ReportTable[] = [
  {
    name: 'keyPacks',
    field: 'KeyPacks',
    title: 'CAL packs',
    columns: columns({ ProductVersion: 'product version', Type: 'type', KeyPackId: 'key pack', Total: 'total', Issued: 'issued', Available: 'available', Expires: 'expires' }),
  },
  {
    name: 'deviceCals',
    field: 'DeviceCals',
    title: 'issued per-device CALs',
    columns: columns({ Computer: 'computer', HardwareId: 'hardware id', Status: 'status', ProductVersion: 'product version', LicenseId: 'license', KeyPackId: 'key pack', Issued: 'issued', Expires: 'expires' }),
  },
  {
    name: 'usage',
    field: 'Usage',
    title: 'usage report',
    columns: columns({ ProductVersion: 'product version', Type: 'type', Installed: 'installed', Issued: 'issued', Availability: 'availability' }),
  },
];
