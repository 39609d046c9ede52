import { hostName } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import { gateStep } from '../gate.js';
import type { PlanStep, PrimitiveAction, PrimitiveStep } from '../types.js';

export type RevokeParams = { computers?: string[]; issuedBefore?: string; maxShare: number };

/** DOMAIN.md: a license server revokes a limited share of a version's per-device CALs at a time (commonly cited: 20%, unverified). */
export const DEFAULT_MAX_SHARE = 20;

export const revokeSchema = {
  computers: { type: 'array', minItems: 1, maxItems: 256, uniqueItems: true, items: hostName, description: 'revoke the CALs issued to these computers (the name the CAL was issued to, any case)' },
  issuedBefore: {
    type: 'string',
    pattern: '^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$',
    description: 'revoke the CALs issued before this day (yyyy-MM-dd, UTC); with computers: only theirs',
  },
  maxShare: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: `the percentage of a product version's installed per-device CALs that may be revoked, counting those the server lists as revoked (default ${DEFAULT_MAX_SHARE})`,
  },
} as const;

const revokeParameters = parametersSchema(
  { computers: { type: 'array', minItems: 1, items: { type: 'string' } }, issuedBefore: { type: 'string' }, maxShare: { type: 'integer', minimum: 1, maximum: 100 } },
  ['maxShare'],
);

export function normalizeRevoke(step: PlanStep): RevokeParams {
  return {
    ...(Array.isArray(step.computers) ? { computers: (step.computers as string[]).slice() } : {}),
    ...(typeof step.issuedBefore === 'string' ? { issuedBefore: step.issuedBefore } : {}),
    maxShare: typeof step.maxShare === 'number' ? step.maxShare : DEFAULT_MAX_SHARE,
  };
}

/** Which CALs a revoke step names, in words. */
export function selectionWords(p: RevokeParams): string {
  const to = p.computers ? ` issued to ${p.computers.join(', ')}` : '';
  const before = p.issuedBefore ? ` issued before ${p.issuedBefore}` : '';
  return `the active per-device CALs${to}${p.computers && p.issuedBefore ? ' and' : ''}${before}`;
}

/**
 * The check a revoke brings with it: moved to the front of the plan and decided just before the
 * first change of the run, so a revoke beyond the allowance is refused (exit 4) with nothing
 * revoked or changed.
 */
export const licenseServerTestRevokeAllowance: PrimitiveAction<RevokeParams> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: true,
  beforeAnyChange: true,
  internal: true,
  name: 'licenseServer.testRevokeAllowance',
  summary: 'Before the first change of the run, work out from the inventory whether a revoke stays within the license server\'s revoke allowance, and refuse the run when it would not.',
  schema: { properties: revokeSchema, required: [] },
  example: { computers: ['WS-042'], maxShare: 20 },
  parameters: revokeParameters,
  normalize: normalizeRevoke,
  effects: () => [],
  describe: (p) =>
    `Before the first change of the run, count ${selectionWords(p)} per product version, and what may still be revoked: ${p.maxShare}% of the version's installed per-device CALs, less those the server lists as revoked. When the revoke would go beyond it, the run is refused (exit 4) and nothing is revoked or changed.`,
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};

export const licenseServerRevokeDeviceCal: PrimitiveAction<RevokeParams> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  irreversible: 'a revoked CAL cannot be given back, so a rollback of the run leaves it revoked (the report before it is the record of what existed; a revoke that fails part-way names the CALs it revoked)',
  oncePerPlan: 'its allowance is worked out before the first change of the run from the inventory as it is then, so a second revoke would be counted against the same allowance again; name every computer in one step',
  name: 'licenseServer.revokeDeviceCal',
  summary: 'On a license server, revoke the per-device CALs issued to computers and/or before a date (Win32_TSIssuedLicense.Revoke), within the revoke allowance; cannot be undone.',
  schema: { properties: revokeSchema, required: [], allOf: [{ anyOf: [{ required: ['computers'] }, { required: ['issuedBefore'] }], description: 'name the CALs to revoke: computers, issuedBefore, or both' }] },
  example: { computers: ['WS-042'], issuedBefore: '2026-06-01', maxShare: 20 },
  parameters: revokeParameters,
  normalize: normalizeRevoke,
  effects: () => [],
  companions: (step: PrimitiveStep<RevokeParams>) => [allowanceCheck(step)],
  describe: (p) =>
    `Revoke ${selectionWords(p)} through Win32_TSIssuedLicense.Revoke, one at a time, each recorded (license, computer, key pack). The allowance (${p.maxShare}% of a product version's per-device CALs) is checked before the first change of the run; a revoke the server still refuses ends the step failed with the server's NextRevokeAllowedOn.`,
  risks: (p) => [
    { class: 'irreversible', text: `a revoked CAL cannot be given back: the device takes another CAL from the pack when it connects again, and beyond the allowance only Microsoft's clearinghouse can reissue (${selectionWords(p)})` },
    ...(p.maxShare > DEFAULT_MAX_SHARE
      ? [{ class: 'irreversible' as const, text: `maxShare ${p.maxShare}% is above the ${DEFAULT_MAX_SHARE}% a license server is commonly cited to allow: the server may refuse part-way, after some CALs are already revoked` }]
      : []),
    { class: 'configuration', text: 'the devices need a CAL again at their next connection' },
  ],
  privileges: () => ['Administrators on the license server'],
  rollback: () => null,
};

/** The allowance check a revoke step brings with it, under the step's id. */
export function allowanceCheck(owner: PrimitiveStep): PrimitiveStep<RevokeParams> {
  return gateStep(owner, 'allowance', licenseServerTestRevokeAllowance, { ...(owner.params as RevokeParams) });
}
