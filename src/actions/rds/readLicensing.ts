import { parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';

type Params = { eventDays: number };

export const DEFAULT_EVENT_DAYS = 7;

/** What RD Licensing Diagnoser shows, read as data: `rdsplan diagnose` runs it and works the findings out. */
export const rdsReadLicensing: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: false,
  name: 'rds.readLicensing',
  summary: 'Read the licensing state of a host: mode and license servers with their source, connectivity to each server, grace days, TermServLicensing, recent licensing events, CAL packs on a license server.',
  schema: { properties: { eventDays: { type: 'integer', minimum: 1, maximum: 90, description: `how many days of licensing events to read (default ${DEFAULT_EVENT_DAYS})` } }, required: [] },
  example: { eventDays: 7 },
  parameters: parametersSchema({ eventDays: { type: 'integer', minimum: 1, maximum: 90 } }, ['eventDays']),
  normalize: (step) => ({ eventDays: typeof step.eventDays === 'number' ? step.eventDays : DEFAULT_EVENT_DAYS }),
  effects: () => [],
  describe: (p) =>
    `Read the licensing mode and the license servers (Win32_TerminalServiceSetting, with their source: local or Group Policy), GetTStoLSConnectivityStatus for each server, the grace days left, the TermServLicensing service, the licensing events of the last ${p.eventDays} day(s) (1069, 1028, 1004, 50280, 50282; 18, 21 on a license server) and, on a license server, the CAL packs. What cannot be read is named; nothing is changed.`,
  risks: () => [{ class: 'read-only', text: 'reads only' }],
  privileges: () => [],
  rollback: () => null,
};
