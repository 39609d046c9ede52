import type { ReportTable } from '../types.js';

/**
 * The report's tables as the run record's CSV files and the text views show them: the columns
 * Get-RdsCalInventory (runtime/Licenses.ps1) writes into licenseServer.reportCals' After.
 */
export const CAL_TABLES: readonly ReportTable[] = [
  {
    name: 'keyPacks',
    field: 'KeyPacks',
    title: 'CAL packs',
    columns: [
      { field: 'ProductVersion', title: 'product version' },
      { field: 'Type', title: 'type' },
      { field: 'KeyPackId', title: 'key pack' },
      { field: 'Total', title: 'total' },
      { field: 'Issued', title: 'issued' },
      { field: 'Available', title: 'available' },
      { field: 'Expires', title: 'expires' },
    ],
  },
  {
    name: 'deviceCals',
    field: 'DeviceCals',
    title: 'issued per-device CALs',
    columns: [
      { field: 'Computer', title: 'computer' },
      { field: 'HardwareId', title: 'hardware id' },
      { field: 'Status', title: 'status' },
      { field: 'ProductVersion', title: 'product version' },
      { field: 'LicenseId', title: 'license' },
      { field: 'KeyPackId', title: 'key pack' },
      { field: 'Issued', title: 'issued' },
      { field: 'Expires', title: 'expires' },
    ],
  },
  {
    name: 'usage',
    field: 'Usage',
    title: 'usage report',
    columns: [
      { field: 'ProductVersion', title: 'product version' },
      { field: 'Type', title: 'type' },
      { field: 'Installed', title: 'installed' },
      { field: 'Issued', title: 'issued' },
      { field: 'Availability', title: 'availability' },
    ],
  },
];
