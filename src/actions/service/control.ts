import { always, serviceName } from '../../plan/schema/fragments.js';
import type { PrimitiveAction, Risk } from '../types.js';

type Params = { name: string; force: boolean };
type Verb = 'start' | 'stop' | 'restart';

const SESSION_SERVICES = new Set(['termservice', 'umrdpservice']);

/** The disconnect warning a change board must see whenever Remote Desktop Services goes down. */
export function sessionRisks(service: string): Risk[] {
  return SESSION_SERVICES.has(service.toLowerCase())
    ? [{ class: 'service-restart', text: 'every RDP session on the host disconnects' }]
    : [];
}

const WORDS: Record<Verb, { summary: string; does: string; rollback: string | null }> = {
  start: { summary: 'Start a service (unchanged when it runs already).', does: 'Start', rollback: 'stop it again' },
  stop: { summary: 'Stop a service (with force: its dependents too).', does: 'Stop', rollback: 'start it again' },
  restart: { summary: 'Restart a service; runs only after an earlier change unless always is true.', does: 'Restart', rollback: null },
};

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
    normalize: (step) => ({ name: String(step.name), force: step.force === true }),
    effects: () => [],
    describe: (p) => `${words.does} service ${p.name}${p.force ? ' (force: dependent services too)' : ''}.`,
    risks: (p) => [
      { class: verb === 'start' ? 'service' : 'service-restart', text: `${p.name} ${verb === 'start' ? 'starts' : verb === 'stop' ? 'stops' : 'restarts'}` },
      ...(verb === 'start' ? [] : sessionRisks(p.name)),
    ],
    privileges: () => [],
    rollback: () => words.rollback,
  };
}
