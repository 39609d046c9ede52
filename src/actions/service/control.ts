import { always, serviceName } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import { onlyFields, sameService } from '../journal.js';
import type { JournalFields, PrimitiveAction, PrimitiveStep, Risk } from '../types.js';

type Params = { name: string; force: boolean };
type Verb = 'start' | 'stop' | 'restart';

const SESSION_SERVICES = new Set(['termservice', 'umrdpservice']);

/** The disconnect warning a change board must see whenever Remote Desktop Services goes down. */
export function sessionRisks(service: string): Risk[] {
  return SESSION_SERVICES.has(service.toLowerCase())
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

const PARAMETERS = parametersSchema({ name: { type: 'string' }, force: { type: 'boolean' } }, ['name', 'force']);

export function defineServiceControl(verb: Verb): PrimitiveAction<Params> {
  const words = WORDS[verb];
  return {
    kind: 'primitive',
    changesHost: true,
    deferrable: false,
    name: `service.${verb}`,
    summary: words.summary,
    handler: verb === 'restart',
    schema: {
      properties: { name: serviceName, force: { type: 'boolean' }, ...(verb === 'restart' ? { always } : {}) },
      required: ['name'],
    },
    example: { name: 'TermService', force: true },
    parameters: PARAMETERS,
    normalize: (step) => ({ name: String(step.name), force: step.force === true }),
    effects: () => [],
    describe: (p) => `${words.does} service ${p.name}${p.force ? ' (force: dependent services too)' : ''}.`,
    risks: (p) => [
      { class: verb === 'start' ? 'service' : 'service-restart', text: `${p.name} ${verb === 'start' ? 'starts' : verb === 'stop' ? 'stops' : 'restarts'}` },
      ...(verb === 'start' ? [] : sessionRisks(p.name)),
    ],
    privileges: () => [],
    rollback: () => words.rollback,
    ...(words.journal ? { journal: words.journal } : {}),
  };
}
