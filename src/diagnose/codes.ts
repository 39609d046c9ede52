/**
 * The Windows codes a diagnosis names, as Microsoft documents them: every code is shown by
 * name, so a reader never has to look one up.
 */

/** Win32_TerminalServiceSetting.GetTStoLSConnectivityStatus, TStoLSConnectivityStatus. */
export const CONNECTIVITY: Readonly<Record<number, { name: string; text: string }>> = {
  0: { name: 'LS_CONNECTABLE_UNKNOWN', text: 'the connectivity cannot be determined' },
  1: { name: 'LS_CONNECTABLE_VALID_WS08R2', text: 'reachable (a Windows Server 2008 R2 license server)' },
  2: { name: 'LS_CONNECTABLE_VALID_WS08', text: 'reachable (a Windows Server 2008 license server)' },
  3: { name: 'LS_CONNECTABLE_BETA_RTM_MISMATCH', text: 'reachable, but one of the servers runs a beta of Windows' },
  4: { name: 'LS_CONNECTABLE_LOWER_VERSION', text: 'reachable, but the license server is of a lower version than the session host' },
  5: { name: 'LS_CONNECTABLE_NOT_IN_TSCGROUP', text: 'reachable, but the license server\'s security group policy does not include this session host' },
  6: { name: 'LS_NOT_CONNECTABLE', text: 'the license server cannot be reached' },
  7: { name: 'LS_CONNECTABLE_UNKNOWN_VALIDITY', text: 'reachable, but whether it is valid cannot be determined' },
  8: { name: 'LS_CONNECTABLE_BUT_ACCESS_DENIED', text: 'reachable, but the account has no administrator rights on the license server' },
  9: { name: 'LS_CONNECTABLE_VALID_WS08R2_VDI', text: 'reachable and valid (Windows Server 2008 R2 VDI)' },
  10: { name: 'LS_CONNECTABLE_FEATURE_NOT_SUPPORTED', text: 'the feature is not supported' },
  11: { name: 'LS_CONNECTABLE_VALID_LS', text: 'reachable and valid' },
};

/** DOMAIN.md: 9 and 11 mean valid. 1 and 2 are a Windows Server 2008 (R2) license server, which has no CALs for a later session host. */
export const VALID_CONNECTIVITY: ReadonlySet<number> = new Set([9, 11]);

export const connectivityName = (code: number | null): string =>
  code === null ? 'no answer' : `${CONNECTIVITY[code]?.name ?? 'an undocumented code'} (${code})`;

/** Win32_TerminalServiceSetting.LicensingType (Licensing Core LicensingMode). */
export const LICENSING_TYPES: Readonly<Record<number, string>> = {
  0: 'personal terminal server',
  1: 'remote desktop for administration',
  2: 'per device',
  4: 'per user',
  5: 'not configured',
  6: 'per user (Microsoft Entra ID)',
};

export const licensingTypeName = (type: number): string => `${LICENSING_TYPES[type] ?? 'an undocumented mode'} (${type})`;
