/**
 * Schema pieces shared by the actions. Every string that can reach the generated script is
 * limited to characters that survive a single-quoted PowerShell literal and a CRLF-normalised
 * file: no C0/C1 control characters (tab excepted) and no lone surrogates (which UTF-8 cannot
 * carry). Patterns run with ajv's `u` flag, where a lone surrogate is its own code point.
 */
const NO_CONTROL = '\\u0000-\\u0008\\u000A-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF';

export const scriptText = {
  type: 'string',
  maxLength: 4096,
  pattern: `^[^${NO_CONTROL}]*$`,
  description: 'text without control characters (line breaks included) or lone surrogates',
} as const;

export const freeText = {
  type: 'string',
  maxLength: 4000,
  pattern: '^[^\\u0000\\uD800-\\uDFFF]*$',
  description: 'text without NUL characters or lone surrogates',
} as const;

export const registryPath = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  pattern: `^(?:HKLM|HKCU|HKU|HKCR|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS|HKEY_CLASSES_ROOT):?(?:\\\\[^\\\\${NO_CONTROL}]+)+\\\\?$`,
  description:
    'a registry key path below a hive, such as HKLM\\SOFTWARE\\Contoso (roots HKLM, HKCU, HKU, HKCR; no empty segments, no control characters)',
} as const;

export const registryView = {
  enum: ['64', '32'],
  description: 'the registry view: "64" or "32"',
} as const;

export const valueName = {
  ...scriptText,
  maxLength: 16383,
  description: 'a registry value name ("" is the default value) without control characters',
} as const;

export const wildcard = {
  ...scriptText,
  minLength: 1,
  maxLength: 1024,
  description: 'a PowerShell wildcard pattern (* ? [a-z]) without control characters',
} as const;

export const sid = {
  type: 'string',
  pattern: '^S-1-[0-9]+(?:-[0-9]+)+$',
  description: 'a security identifier such as S-1-5-32-544 (names are localized; SIDs are not)',
} as const;

export const serviceName = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: `^[^\\\\/${NO_CONTROL}]+$`,
  description: 'a service name such as TermService (no slashes or control characters)',
} as const;

export const hostName = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9](?:[A-Za-z0-9._:-]*[A-Za-z0-9])?$',
  description: 'a host name, FQDN or IP address',
} as const;

export const stepId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9-]*$',
  description: 'a step id: lowercase letters, digits and dashes, starting with a letter or digit',
} as const;

/** Properties every step may carry, whatever its action. */
export const commonStepProperties = {
  id: stepId,
  description: freeText,
  dependsOn: { type: 'array', items: stepId, uniqueItems: true },
} as const;

/** Opting out of the backup rule needs a reason a change board can read. */
export const backupOptOut = {
  type: 'object',
  required: ['skip', 'reason'],
  properties: {
    skip: { const: true },
    reason: { ...freeText, minLength: 10, description: 'why no backup is needed (at least 10 characters)' },
  },
  additionalProperties: false,
} as const;

/** Restart and reboot steps are handlers: they run only after a change unless always is true. */
export const always = {
  type: 'boolean',
  description: 'run even when no earlier step changed anything',
} as const;

/**
 * What a step that disconnects every session (a TermService restart or stop) does when users
 * are signed in, decided before the first change of the run: refuse (the default), wait for
 * them to sign off, or go ahead with a reason the change board reads.
 */
export const activeSessions = {
  type: 'object',
  required: ['policy'],
  properties: {
    policy: { enum: ['refuse', 'wait', 'proceed'], description: 'refuse while users are signed in (the default), wait up to waitMinutes for them to sign off, or proceed and disconnect them' },
    waitMinutes: { type: 'integer', minimum: 1, maximum: 60, description: 'how long to wait for the sessions to end (policy "wait")' },
    reason: { ...freeText, minLength: 10, description: 'why disconnecting signed-in users is acceptable (policy "proceed", at least 10 characters)' },
  },
  additionalProperties: false,
  allOf: [
    {
      if: { properties: { policy: { const: 'wait' } } },
      then: { required: ['waitMinutes'] },
      else: { properties: { waitMinutes: { not: {}, description: 'waitMinutes applies only to policy "wait"' } } },
    },
    {
      if: { properties: { policy: { const: 'proceed' } } },
      then: { required: ['reason'] },
      else: { properties: { reason: { not: {}, description: 'reason applies only to policy "proceed"' } } },
    },
  ],
  description: 'what to do when users are signed in on the host (active or disconnected sessions): checked before the first change of the run',
} as const;
