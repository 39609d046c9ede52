import type { Plan } from '../../plan/types.js';
import { scriptBytes, type RenderedScript } from '../../render/script.js';
import type { HostRun } from '../host-run.js';
import type { RunEvent } from '../protocol.js';
import type { RunRecord } from '../record.js';
import { runPlan, type PlanRun, type RunPlanOptions } from '../run-plan.js';
import { releaseStaleSimLock } from '../sim-lock.js';
import { stateFileFor } from '../state-files.js';
import type { FileOps } from './store.js';
import { RecordWriter } from './writer.js';

/**
 * A run that is on record from before it starts to after it ends (apply and undo): one
 * record per host written intent first, the events streamed into them, finalized at the end.
 * SIGINT and SIGTERM during the run kill the PowerShell tree, release the simulated host's
 * lock and finalize the records as interrupted; so does a record that can no longer be
 * written (a full disk), because a run without its safety net must not go on.
 */
export interface RecordedRunOptions extends Omit<RunPlanOptions, 'render' | 'onHostEvent' | 'scriptPath' | 'signal'> {
  mode: 'apply' | 'undo';
  script: RenderedScript;
  plan: Pick<Plan, 'name' | 'file' | 'sha256'>;
  /** The plan file's bytes exactly as validated: never read again from disk. */
  planBytes: Uint8Array;
  approval: NonNullable<RunRecord['approval']>;
  recordsRoot: string;
  undoOf?: RunRecord['undoOf'];
  forced?: RunRecord['forced'];
  /** Tests inject a full disk here. */
  fileOps?: FileOps;
}

export interface RecordedRun {
  run: PlanRun;
  /** One record folder per host, in target order. */
  records: string[];
  /** Set when the run was cut short by a signal or a failing record. */
  interrupted?: string;
  /** Records that could not be finalized (each stays as its intent, marked incomplete). */
  recordProblems: string[];
}

/** Thrown when the intent cannot be written: nothing has run. */
export class RecordIntentError extends Error {
  override name = 'RecordIntentError';
}

/** The records of one run, one writer per host: begun before anything runs, finalized after. */
export class RunRecords {
  private constructor(private readonly writers: Map<string, RecordWriter>) {}

  /** Writes every host's intent; throws RecordIntentError (nothing has run) when it cannot. */
  static begin(options: Omit<RecordedRunOptions, 'powershell' | 'timeoutMs' | 'throttle' | 'name'>): RunRecords {
    const startedAt = new Date();
    const bytes = scriptBytes(options.script);
    const targets = options.targets.map((t) => t.computerName);
    const writers = new Map<string, RecordWriter>();
    try {
      for (const target of options.targets) {
        const writer = RecordWriter.begin(
          options.recordsRoot,
          {
            runId: options.runId,
            mode: options.mode,
            host: target.computerName,
            plan: options.plan,
            script: options.script,
            approval: options.approval,
            targets,
            ...(options.undoOf ? { undoOf: options.undoOf } : {}),
            ...(options.forced ? { forced: options.forced } : {}),
            startedAt,
            ...(options.simulate ? { simulatedState: stateFileFor(options.simulate, target, options.targets.length === 1) } : {}),
          },
          options.planBytes,
          bytes,
          options.fileOps,
        );
        writers.set(target.computerName.toLowerCase(), writer);
      }
    } catch (error) {
      // Nothing has run: the other hosts' intents are no records of anything either.
      for (const writer of writers.values()) writer.discard();
      throw new RecordIntentError(`cannot write the run record under ${options.recordsRoot}: ${(error as Error).message}; nothing was run`);
    }
    return new RunRecords(writers);
  }

  /** The recorded script.ps1 (the same bytes for every host): the file that runs. */
  get scriptPath(): string {
    return this.writers.values().next().value!.scriptPath;
  }

  get dirs(): string[] {
    return [...this.writers.values()].map((w) => w.dir);
  }

  /** Files one event; returns why the record can no longer be written, if so. */
  event(run: HostRun, event: RunEvent, line: string): string | undefined {
    const writer = this.writers.get(run.host.toLowerCase());
    writer?.event(event, line);
    return writer?.failureMessage;
  }

  /** Finalizes every host's record; the problems of those that stay incomplete. */
  finalize(hosts: HostRun[], stderr: string, interrupted?: string): string[] {
    const endedAt = new Date();
    const problems: string[] = [];
    for (const run of hosts) {
      const problem = this.writers.get(run.host.toLowerCase())?.finalize(run, endedAt, stderr, interrupted);
      if (problem) problems.push(problem);
    }
    return problems;
  }
}

/** SIGINT / SIGTERM while `work` runs abort its signal instead of ending rdsplan unrecorded. */
export async function withInterrupts<T>(work: (signal: AbortSignal, abort: (reason: string) => void) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal, (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function runRecorded(options: RecordedRunOptions): Promise<RecordedRun> {
  const records = RunRecords.begin(options);
  const run = await withInterrupts((signal, abort) =>
    runPlan({
      ...options,
      render: () => options.script,
      // What runs is the record's own script.ps1: what ran is what is recorded.
      scriptPath: records.scriptPath,
      signal,
      onHostEvent: (hostRun, event, line) => {
        const failure = records.event(hostRun, event, line);
        if (failure) abort(failure);
      },
    }),
  );
  const interrupted = run.process.interrupted ?? (run.process.timedOut ? 'timed out' : undefined);
  if (interrupted && options.simulate) for (const target of options.targets) releaseStaleSimLock(stateFileFor(options.simulate, target, options.targets.length === 1));
  const recordProblems = records.finalize(run.hosts, run.process.stderr, interrupted);
  return { run, records: records.dirs, ...(run.process.interrupted ? { interrupted: run.process.interrupted } : {}), recordProblems };
}
