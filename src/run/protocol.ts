/**
 * The results protocol: `@@rdsplan {json}` lines among whatever else a script prints
 * (schemas/result.schema.json). Lines arrive in chunks; LineSplitter reassembles them.
 */
import { stripTerminalControls } from './terminal-text.js';

export const PROTOCOL_PREFIX = '@@rdsplan ';

export type StepStatus = 'changed' | 'unchanged' | 'wouldChange' | 'skipped' | 'failed' | 'rolledBack';

interface EventBase {
  runId: string;
  host: string;
  time: string;
}

export interface StartEvent extends EventBase {
  event: 'start';
  plan: string;
  planSha256: string;
  toolVersion: string;
  mode: 'check' | 'apply' | 'undo';
  user: string;
  backupDirectory?: string;
}

export interface StepEvent extends EventBase {
  event: 'step';
  stepId: string;
  action: string;
  status: StepStatus;
  target?: string;
  before?: unknown;
  after?: unknown;
  backup?: { file: string; sha256: string; sddlFile?: string } | null;
  undo?: unknown;
  message?: string;
  durationMs: number;
}

/**
 * What a step's Test reads on the host at that moment: at the end of an apply for each step it
 * changed (the state the run left), at the start of an undo (the state the undo would overwrite).
 * `message` instead of `state` when it could not be read.
 */
export interface StateEvent extends EventBase {
  event: 'state';
  stepId: string;
  action: string;
  state?: unknown;
  message?: string;
}

export interface SummaryEvent extends EventBase {
  event: 'summary';
  status: 'succeeded' | 'failed' | 'rolledBack' | 'refused';
  /** Why a refused run was refused, where that has an exit code of its own (notElevated: 5). */
  reason?: 'notElevated';
  counts: Partial<Record<StepStatus, number>>;
  restoredToStart?: boolean;
  rebootRequired?: boolean;
  message?: string;
  durationMs: number;
}

export type RunEvent = StartEvent | StepEvent | StateEvent | SummaryEvent;

const STATUSES = new Set(['changed', 'unchanged', 'wouldChange', 'skipped', 'failed', 'rolledBack']);

/**
 * Parses one protocol line; null for ordinary output. A line that claims to be protocol but
 * is not well-formed throws, because a script that garbles its own protocol is not trusted.
 */
export function parseProtocolLine(line: string): RunEvent | null {
  const text = line.replace(/\r$/, '');
  if (!text.startsWith(PROTOCOL_PREFIX)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(PROTOCOL_PREFIX.length));
  } catch {
    throw new Error(`malformed protocol line: ${text.slice(0, 120)}`);
  }
  const event = value as Partial<RunEvent> & Record<string, unknown>;
  const ok =
    event !== null &&
    typeof event === 'object' &&
    typeof event.runId === 'string' &&
    typeof event.host === 'string' &&
    (event.event === 'start' ||
      (event.event === 'step' && typeof event.stepId === 'string' && STATUSES.has(String(event.status))) ||
      (event.event === 'state' && typeof event.stepId === 'string' && typeof event.action === 'string') ||
      (event.event === 'summary' && typeof event.status === 'string'));
  if (!ok) throw new Error(`protocol event without the required fields: ${text.slice(0, 120)}`);
  // A message quotes PowerShell's error text, which may carry colour codes JSON-escaped.
  if (typeof event.message === 'string') event.message = stripTerminalControls(event.message);
  return event as RunEvent;
}

/** Reassembles lines from chunks; terminal escape sequences are dropped (one could hide a protocol prefix). */
export class LineSplitter {
  private pending = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop()!;
    for (const part of parts) onLine(cleanLine(part));
  }

  flush(onLine: (line: string) => void): void {
    if (this.pending !== '') onLine(cleanLine(this.pending));
    this.pending = '';
  }
}

function cleanLine(line: string): string {
  return stripTerminalControls(line.replace(/\r$/, ''));
}

/**
 * The fleet driver (ps-templates/fleet/Invoke-RdsFleet.ps1) relays every line a host prints in
 * an envelope naming the connection the line came over: `@@rdsplan-relay {"host","line"}`.
 */
export const RELAY_PREFIX = '@@rdsplan-relay ';

/** What one line of the fleet driver's stdout means for the run. */
export type FleetLine =
  /** An event of the host whose connection relayed it; `line` is the host's own line. */
  | { kind: 'event'; host: string; event: RunEvent; line: string }
  /** Ordinary text, prefixed with the relaying host's name when a host printed it. */
  | { kind: 'output'; line: string }
  /** An event a host reported in another host's name: it counts for neither. */
  | { kind: 'misattributed'; host: string; claimed: string };

/**
 * Reads one line of the fleet driver's stdout. Only the driver's envelopes are trusted, and an
 * event counts for the host of its envelope alone: the host a payload names is the payload's
 * claim, the envelope's is the connection's. `targets` maps lower-case names to the run's
 * targets. A bare protocol line (printed around the driver's relay), an envelope from a host
 * that is no target and a garbled line throw, as a garbled protocol line does; empty lines are null.
 */
export function readFleetLine(line: string, targets: ReadonlyMap<string, string>): FleetLine | null {
  if (parseProtocolLine(line) !== null) throw new Error(`a results-protocol line outside the fleet driver's relay: ${line.slice(0, 120)}`);
  const text = line.replace(/\r$/, '');
  if (!text.startsWith(RELAY_PREFIX)) return text === '' ? null : { kind: 'output', line: text };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(RELAY_PREFIX.length));
  } catch {
    throw new Error(`malformed relay line: ${text.slice(0, 120)}`);
  }
  const envelope = value as { host?: unknown; line?: unknown } | null;
  // The driver splits what a host prints into lines: a line break inside one is not its work.
  if (envelope === null || typeof envelope !== 'object' || typeof envelope.host !== 'string' || typeof envelope.line !== 'string' || envelope.line.includes('\n')) {
    throw new Error(`relay line without a host and one line: ${text.slice(0, 120)}`);
  }
  const host = targets.get(envelope.host.toLowerCase());
  if (host === undefined) throw new Error(`a relay line from a host that is not a target of this run: ${JSON.stringify(envelope.host)}`);
  // The host's text arrives JSON-escaped: its escape sequences are dropped as on a line of its own.
  const inner = cleanLine(envelope.line);
  const event = parseProtocolLine(inner);
  if (event === null) return inner === '' ? null : { kind: 'output', line: `${host}: ${inner}` };
  if (event.host.toLowerCase() !== host.toLowerCase()) return { kind: 'misattributed', host, claimed: event.host };
  return { kind: 'event', host, event, line: inner };
}

/** The sentence a host fails with when it reported events as another host. */
export function misattributedMessage(host: string, claimed: string, count: number): string {
  const [events, they] = count === 1 ? ['1 event', 'it was'] : [`${count} events`, 'they were'];
  const name = JSON.stringify(claimed);
  return `${host} reported ${events} as ${name}; ${they} not filed under ${name}, and ${host}'s own report cannot be trusted`;
}

/** The sentence a run's hosts fail with when its results protocol was garbled. */
export function garbledProtocolMessage(problems: readonly string[]): string {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `the results protocol was garbled, so the run cannot be trusted: ${problems[0]}${more}`;
}
