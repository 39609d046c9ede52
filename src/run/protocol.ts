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

export type RunEvent = StartEvent | StepEvent | SummaryEvent;

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

/** The sentence a run's hosts fail with when its results protocol was garbled. */
export function garbledProtocolMessage(problems: readonly string[]): string {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `the results protocol was garbled, so the run cannot be trusted: ${problems[0]}${more}`;
}
