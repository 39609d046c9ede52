import { activeSessions, always, serviceName } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import { normalizeActiveSessions, sessionCheck } from '../host/testSessions.js';
import { onlyFields, sameService } from '../journal.js';
import type { JournalFields, PrimitiveAction, PrimitiveStep, Risk } from '../types.js';

type Params = { name: string; force: boolean; activeSessions?: ReturnType<typeof normalizeActiveSessions> };
type Verb = 'start' | 'stop' | 'restart';

const SESSION_SERVICES = new Set(['termservice', 'umrdpservice']);
const takesSessionsDown = (service: string) => SESSION_SERVICES.has(service.toLowerCase());

/** The disconnect warning a change board must see whenever Remote Desktop Services goes down. */
export function sessionRisks(service: string): Risk[] {
  return takesSessionsDown(service)
    ? [{ class: 'service-restart', text: 'every RDP session on the host disconnects' }]
    : [];
}

type JournalCheck = (entry: JournalFields, step: PrimitiveStep<Params>) => string | null;

const WORDS: Record<Verb, { summary: string; does: string; rollback: string | null; journal?: JournalCheck }> = {
  start: {
    summary: 'Start a service (unchanged when it runs already).',
    does: 'Start',
    rollback: 'stop it again',
    journal: (e, step) => onlyFields(e, ['Name', 'Force']) ?? sameService(e, step),
  },
  stop: {
    summary: 'Stop a service (with force: its dependents too).',
    does: 'Stop',
    rollback: 'start it again',
    // The one thing an entry may name that the plan did not: the dependents the stop found running, which the undo only starts again.
    journal: (e, step) =>
      onlyFields(e, ['Name', 'Dependents', 'Final']) ??
      sameService(e, step) ??
      ((Array.isArray(e.Dependents) ? e.Dependents : []).every((d) => typeof d === 'string' && /^[A-Za-z0-9_.$-]+$/.test(d)) ? null : 'dependents that are not service names'),
  },
  restart: { summary: 'Restart a service; runs only after an earlier change unless always is true.', does: 'Restart', rollback: null },
};

/** JSON Schema patterns have no case-insensitive flag: each letter becomes a class of both cases. */
const anyCase = (name: string) => name.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);

/** activeSessions on another service would be ignored: refuse it rather than let a reader believe it holds. */
const SESSIONS_ONLY_FOR_SESSION_SERVICES = {
  if: { properties: { name: { not: { type: 'string', pattern: `^(?:${[...SESSION_SERVICES].map(anyCase).join('|')})$` } } } },
  then: { properties: { activeSessions: { not: {}, description: 'activeSessions applies only to TermService and UmRdpService, whose stop disconnects the signed-in users' } } },
};

const SESSION_POLICY_WORDS: Record<NonNullable<Params['activeSessions']>['policy'], (policy: NonNullable<Params['activeSessions']>) => string> = {
  refuse: () => 'refuse the run while any are signed in',
  wait: (p) => `wait up to ${p.waitMinutes} minute(s) for them to sign off, then refuse`,
  proceed: (p) => `go ahead and disconnect them (${p.reason})`,
};

const PARAMETERS = parametersSchema({ name: { type: 'string' }, force: { type: 'boolean' } }, ['name', 'force']);
const STOPPING_PARAMETERS = parametersSchema(
  {
    name: { type: 'string' },
    force: { type: 'boolean' },
    activeSessions: parametersSchema({ policy: { enum: ['refuse', 'wait', 'proceed'] }, waitMinutes: { type: 'integer', minimum: 1 }, reason: { type: 'string' } }, ['policy']),
  },
  ['name', 'force'],
);

export function defineServiceControl(verb: Verb): PrimitiveAction<Params> {
  const words = WORDS[verb];
  const stops = verb !== 'start';
  return {
    kind: 'primitive',
    changesHost: true,
    deferrable: false,
    name: `service.${verb}`,
    summary: words.summary,
    handler: verb === 'restart',
    schema: {
      properties: { name: serviceName, force: { type: 'boolean' }, ...(verb === 'restart' ? { always } : {}), ...(stops ? { activeSessions: { ...activeSessions, description: `${activeSessions.description} (TermService and UmRdpService only)` } } : {}) },
      required: ['name'],
      ...(stops ? { allOf: [SESSIONS_ONLY_FOR_SESSION_SERVICES] } : {}),
    },
    example: { name: 'TermService', force: true, ...(stops ? { activeSessions: { policy: 'wait', waitMinutes: 20 } } : {}) },
    parameters: stops ? STOPPING_PARAMETERS : PARAMETERS,
    normalize: (step) => ({
      name: String(step.name),
      force: step.force === true,
      ...(stops && takesSessionsDown(String(step.name)) ? { activeSessions: normalizeActiveSessions(step.activeSessions) } : {}),
    }),
    effects: () => [],
    ...(stops ? { companions: (step: PrimitiveStep<Params>) => (step.params.activeSessions ? [sessionCheck(step, step.params.name, step.params.activeSessions)] : []) } : {}),
    describe: (p) => `${words.does} service ${p.name}${p.force ? ' (force: dependent services too)' : ''}.${p.activeSessions ? ` Signed-in users: ${SESSION_POLICY_WORDS[p.activeSessions.policy](p.activeSessions)} (checked before the first change of the run).` : ''}`,
    risks: (p) => [
      { class: verb === 'start' ? 'service' : 'service-restart', text: `${p.name} ${verb === 'start' ? 'starts' : verb === 'stop' ? 'stops' : 'restarts'}` },
      ...(verb === 'start' ? [] : sessionRisks(p.name)),
    ],
    privileges: () => [],
    rollback: () => words.rollback,
    ...(words.journal ? { journal: words.journal } : {}),
  };
}
