import { hostExitCode, worstExitCode, type HostRun } from '../run/host-run.js';

/** The documented exit codes (README exit table). */
export const EXIT = { ok: 0, failed: 1, invalid: 2, usage: 2, pending: 3, refused: 4, notElevated: 5 } as const;

/** A failure the user can act on: one message, a documented exit code, no stack trace. */
export class StageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** What an apply, batch or interactive, left behind: the hosts, their record folders and whatever cut it short. */
export interface ApplyOutcome {
  hosts: HostRun[];
  /** The record folder of each host, in the order of `hosts`. */
  records: string[];
  stderr: string;
  /** Set when an interactive session died during the apply. */
  sessionError?: string;
  /** Set when a signal or a failing record cut the run short. */
  interrupted?: string;
  /** Records that stay incomplete because they could not be finalized. */
  recordProblems: string[];
}

export const applyHostExit = (hostRun: HostRun): number => hostExitCode(hostRun, 'apply');

/** The worst host decides, unless the run was cut short or a record stays incomplete: then it failed. */
export function applyExitCode(outcome: Pick<ApplyOutcome, 'hosts' | 'interrupted' | 'recordProblems'>): number {
  return outcome.interrupted || outcome.recordProblems.length > 0 ? EXIT.failed : worstExitCode(outcome.hosts.map(applyHostExit));
}
