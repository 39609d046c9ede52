import { serviceName } from '../../plan/schema/fragments.js';
import type { PrimitiveAction } from '../types.js';

export const START_MODES = ['Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled'] as const;
type Params = { name: string; startMode: (typeof START_MODES)[number] };

export const serviceSetStartMode: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: true,
  deferrable: false,
  name: 'service.setStartMode',
  summary: 'Set a service\'s start mode (delayed start through sc.exe, which Windows PowerShell 5.1 needs).',
  schema: { properties: { name: serviceName, startMode: { enum: START_MODES, description: 'a start mode' } }, required: ['name', 'startMode'] },
  normalize: (step) => ({ name: String(step.name), startMode: step.startMode as Params['startMode'] }),
  effects: () => [],
  describe: (p) => `Set the start mode of service ${p.name} to ${p.startMode}${p.startMode === 'AutomaticDelayedStart' ? ' (sc.exe config start= delayed-auto)' : ''}; the running state is not changed.`,
  risks: (p) => [{ class: 'service', text: `${p.name} starts ${p.startMode === 'Disabled' ? 'never' : p.startMode} from the next boot` }],
  privileges: () => [],
  rollback: () => 'set the previous start mode (and delayed-start flag) again',
};
