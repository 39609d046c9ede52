import { serviceName } from '../../shared/schema-fragments.js';
import { parametersSchema } from '../../shared/review-fragments.js';
import { onlyFields, sameService } from '../journal.js';
import type { PrimitiveAction } from '../types.js';

export const START_MODES = ['Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled'] as const;
/** What the journal may say the start mode was: Windows knows more modes than a plan may set. */
const SERVICE_START_MODES = new Set(['Boot', 'System', 'Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled']);

type Params = { name: string; startMode: (typeof START_MODES)[number] };

export const serviceSetStartMode: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'service.setStartMode',
  summary: 'Set a service\'s start mode (delayed start through sc.exe, which Windows PowerShell 5.1 needs).',
  schema: { properties: { name: serviceName, startMode: { enum: START_MODES, description: 'a start mode' } }, required: ['name', 'startMode'] },
  example: { name: 'TermService', startMode: 'AutomaticDelayedStart' },
  parameters: parametersSchema({ name: { type: 'string' }, startMode: { enum: START_MODES } }, ['name', 'startMode']),
  normalize: (step) => ({ name: String(step.name), startMode: step.startMode as Params['startMode'] }),
  effects: () => [],
  describe: (p) => `Set the start mode of service ${p.name} to ${p.startMode}${p.startMode === 'AutomaticDelayedStart' ? ' (sc.exe config start= delayed-auto)' : ''}; the running state is not changed.`,
  risks: (p) => [{ class: 'service', text: `${p.name} starts ${p.startMode === 'Disabled' ? 'never' : p.startMode} from the next boot` }],
  privileges: () => [],
  rollback: () => 'set the previous start mode (and delayed-start flag) again',
  journal: (e, step) => onlyFields(e, ['Name', 'StartMode']) ?? sameService(e, step) ?? (SERVICE_START_MODES.has(String(e.StartMode)) ? null : `start mode ${JSON.stringify(e.StartMode)} is not one`),
};
