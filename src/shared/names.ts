/**
 * Names an administrator reads instead of raw identifiers: the well-known SIDs that RDS
 * licensing keys carry (DOMAIN.md, "ACLs") and the values of LicensingType / LicensingMode.
 * Used by every human view (CLI text, markdown and HTML review); JSON keeps the raw values.
 */
const WELL_KNOWN_SIDS: Readonly<Record<string, string>> = {
  'S-1-1-0': 'Everyone',
  'S-1-3-0': 'CREATOR OWNER',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-18': 'SYSTEM',
  'S-1-5-19': 'LOCAL SERVICE',
  'S-1-5-20': 'NETWORK SERVICE',
  'S-1-5-32-544': 'Administrators',
  'S-1-5-32-545': 'Users',
  'S-1-5-80-0': 'ALL SERVICES',
  'S-1-15-2-1': 'ALL APPLICATION PACKAGES',
};

/** SDDL's two-letter aliases for the same principals (O:NS, (A;;KA;;;BA), ...). */
const SDDL_ALIASES: Readonly<Record<string, string>> = {
  WD: 'S-1-1-0',
  CO: 'S-1-3-0',
  AU: 'S-1-5-11',
  SY: 'S-1-5-18',
  LS: 'S-1-5-19',
  NS: 'S-1-5-20',
  BA: 'S-1-5-32-544',
  BU: 'S-1-5-32-545',
  AC: 'S-1-15-2-1',
};

/** "NETWORK SERVICE (S-1-5-20)" for a well-known SID or SDDL alias; anything else unchanged. */
export function sidName(sid: string): string {
  const full = SDDL_ALIASES[sid] ?? sid;
  const name = WELL_KNOWN_SIDS[full.toUpperCase()];
  return name ? `${name} (${full})` : sid;
}

/** Replaces every SID (S-1-...) in a text by sidName, for messages and SDDL shown to people. */
export function nameSids(text: string): string {
  return text.replace(/\bS-1-\d+(?:-\d+)+\b/g, (sid) => sidName(sid));
}

/** Win32_TerminalServiceSetting.LicensingType and the LicensingMode policy value (DOMAIN.md). */
const LICENSING_MODES: Readonly<Record<number, string>> = {
  0: 'Personal Desktop',
  1: 'Remote Administration',
  2: 'Per Device',
  4: 'Per User',
  5: 'not configured',
  6: 'AAD Per User',
};

/** "Per User (4)"; an unknown value is shown as "mode 7". */
export function licensingModeName(value: number): string {
  const name = LICENSING_MODES[value];
  return name ? `${name} (${value})` : `mode ${value}`;
}
