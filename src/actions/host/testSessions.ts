import { parametersSchema } from '../../shared/review-fragments.js';
import { activeSessions, serviceName } from '../../shared/schema-fragments.js';
import { gateStep } from '../gate.js';
import type { PrimitiveAction, PrimitiveStep } from '../types.js';

type Policy = 'refuse' | 'wait' | 'proceed';
type Params = { service: string; policy: Policy; waitMinutes: number; reason: string };

/** A plan's activeSessions as written (or absent), as the step parameters carry it: refuse unless said otherwise. */
export function normalizeActiveSessions(raw: unknown): { policy: Policy; waitMinutes?: number; reason?: string } {
  const given = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  if (given.policy === 'wait') return { policy: 'wait', waitMinutes: Number(given.waitMinutes) };
  if (given.policy === 'proceed') return { policy: 'proceed', reason: String(given.reason) };
  return { policy: 'refuse' };
}

const SIGNED_IN = 'count the users signed in on the host (active or disconnected sessions, through WTSEnumerateSessions)';

/**
 * The check that protects signed-in users from a step that takes Remote Desktop Services down:
 * moved to the front of the plan and carried out just before the first change of the host,
 * so a refusal leaves the host as it was (exit 4); a run that changes nothing never asks.
 */
export const hostTestSessions: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: true,
  beforeAnyChange: true,
  internal: true,
  name: 'host.testSessions',
  summary: 'Before the first change of the run, count the users signed in on the host and refuse, wait or go ahead as the step that would disconnect them says.',
  schema: { properties: { service: serviceName, activeSessions }, required: ['service'] },
  example: { service: 'TermService', activeSessions: { policy: 'wait', waitMinutes: 15 } },
  parameters: parametersSchema(
    {
      service: { type: 'string' },
      policy: { enum: ['refuse', 'wait', 'proceed'] },
      waitMinutes: { type: 'integer', minimum: 0, maximum: 60 },
      reason: { type: 'string' },
    },
    ['service', 'policy', 'waitMinutes', 'reason'],
  ),
  normalize: (step) => {
    // Normalised parameters carry the policy flat: read them as they are.
    const policy = normalizeActiveSessions(step.activeSessions ?? { policy: step.policy, waitMinutes: step.waitMinutes, reason: step.reason });
    return { service: String(step.service), policy: policy.policy, waitMinutes: policy.waitMinutes ?? 0, reason: policy.reason ?? '' };
  },
  effects: () => [],
  describe: (p) => {
    const before = `Before the first change of the run, ${SIGNED_IN}: stopping ${p.service} would disconnect them.`;
    if (p.policy === 'wait') return `${before} When there are any, wait up to ${p.waitMinutes} minute(s) for them to sign off, checking every 15 seconds; if some are still signed in then, the run is refused (exit 4) and nothing is changed.`;
    if (p.policy === 'proceed') return `${before} Go ahead even when there are any (they are disconnected), because: ${p.reason}`;
    return `${before} When there are any, the run is refused (exit 4) and nothing is changed.`;
  },
  risks: (p) =>
    p.policy === 'proceed'
      ? [{ class: 'service-restart', text: `signed-in users are disconnected, by decision: ${p.reason}` }]
      : [{ class: 'read-only', text: p.policy === 'wait' ? `reads only; may hold the run up to ${p.waitMinutes} minute(s)` : 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};

/** The session check a step that would disconnect users brings with it, under the step's id. */
export function sessionCheck(owner: PrimitiveStep, service: string, policy: unknown): PrimitiveStep {
  return gateStep(owner, 'sessions', hostTestSessions, hostTestSessions.normalize({ id: `${owner.id}.sessions`, action: hostTestSessions.name, service, activeSessions: policy as never }));
}
