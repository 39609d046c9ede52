import { basename, join } from 'node:path';
import { renderUndoScript } from '../render/undo-script.js';
import type { RenderedScript } from '../render/script.js';
import type { FoundPowerShell } from '../run/find-powershell.js';
import { hostExitCode, type HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import { runRecorded } from '../run/records/recorded-run.js';
import { compareStates, statesInEvents, type DriftReport } from '../run/records/drift.js';
import { UndoRefusedError, verifyForUndo, type VerifiedUndo } from '../run/records/undo-check.js';
import { runPlan, type RunPlanOptions } from '../run/run-plan.js';
import { newRunId } from '../run/run-id.js';
import { EXIT, StageError } from './outcome.js';
import { recordOrFail } from './settings.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * `rdsplan undo <record>`: verified first (src/run/records/undo-check.ts), then the host read
 * with the undo script run as -WhatIf: each step the journal names must still be as the run
 * left it (src/run/records/drift.ts), or the undo is refused unless forced with a reason. Then
 * approved like an apply: the undo script has its own approval token, printed by --dry-run and
 * required by --approve (or typed confirmation on a terminal). The undo is a run of its own
 * with its own record, naming the run it reversed and any refusal it was forced past.
 */
export interface PreparedUndo {
  verified: VerifiedUndo;
  /** The undo's approval token (of its Windows rendering). */
  readonly token: string;
  render: (platform: 'windows' | 'sim') => RenderedScript;
  simulate?: string;
  force?: { reason: string };
}

export function prepareUndo(dir: string, options: { simulate?: string; force?: { reason: string } }): PreparedUndo {
  let verified: VerifiedUndo;
  try {
    verified = verifyForUndo(dir, options);
  } catch (error) {
    if (error instanceof UndoRefusedError) throw new StageError(terminalSafe(error.message), EXIT.refused);
    throw error;
  }
  const source = { plan: verified.record.plan, journal: verified.journal, steps: verified.steps };
  const backupDirectory = (platform: 'windows' | 'sim') => (platform === 'sim' ? verified.backupDirectory : verified.plan.options.backupDirectory);
  const render = (platform: 'windows' | 'sim') => renderUndoScript(source, backupDirectory(platform), { platform });
  let token: string | undefined;
  // Rendered only when asked for: a run that left nothing to undo has no undo script.
  return {
    verified,
    get token() {
      token ??= render('windows').approvalToken;
      return token;
    },
    render,
    ...options,
  };
}

/** A token given with --approve, or none off a terminal: refused before the host is even read. */
export function refuseUnapproved(prepared: PreparedUndo, given: string | undefined, onTerminal: boolean): void {
  const { token } = prepared;
  // The right token is not printed here: it must come from the reviewed dry run.
  if (given !== undefined && given !== token) throw new StageError(`refused: ${given} is not the approval token of this undo; review it with rdsplan undo --dry-run, which prints the token. Nothing was run`, EXIT.refused);
  if (given === undefined && !onTerminal) throw new StageError(`refused: undo needs --approve ${token.slice(0, 14)}… (the token rdsplan undo --dry-run prints) when not run on a terminal; nothing was run`, EXIT.refused);
}

type UndoRunOptions = Omit<RunPlanOptions, 'mode' | 'runId' | 'throttle'>;

function undoRunOptions(prepared: PreparedUndo, powershell: FoundPowerShell, timeoutMs: number): UndoRunOptions {
  const { verified, simulate } = prepared;
  const target = verified.plan.targets.find((t) => t.computerName.toLowerCase() === verified.record.host.toLowerCase())!;
  return {
    name: `undo-${verified.record.plan.name}`,
    render: prepared.render,
    targets: [target],
    powershell,
    timeoutMs,
    ...(simulate ? { simulate, simulatedBackupRoot: join(verified.recordsRoot, 'backups') } : {}),
  };
}

/** How the host differs from the state the run left: the undo script run with -WhatIf, which changes nothing. */
export async function readDrift(prepared: PreparedUndo, powershell: FoundPowerShell, timeoutMs: number): Promise<DriftReport> {
  const { verified } = prepared;
  const run = await runPlan({ ...undoRunOptions(prepared, powershell, timeoutMs), mode: 'check', runId: newRunId(), throttle: 1 });
  const host = run.hosts[0]!;
  const code = hostExitCode(host, 'check');
  if (code !== EXIT.ok && code !== EXIT.pending) {
    const why = host.error ?? host.summary?.message ?? 'no summary';
    throw new StageError(terminalSafe(`refused: ${verified.dir}: the host could not be read before the undo (${why}); nothing was changed`), code);
  }
  return compareStates(verified.steps.map((step) => step.id), verified.left, statesInEvents(host.lines.join('\n'), host.start?.runId ?? ''));
}

/** A host changed since the run is not overwritten, unless forced. */
export function refuseDrift(prepared: PreparedUndo, drift: DriftReport): void {
  const { dir, record } = prepared.verified;
  if (drift.drifted.length > 0 && !prepared.force) {
    throw new StageError(terminalSafe(`refused: ${dir}: ${record.host} changed since run ${record.runId} left it, and undoing would overwrite that: ${drift.drifted.join('; ')}. Review the host; to undo anyway give --force --reason "<why>"; nothing was run`), EXIT.refused);
  }
}

/** What the operator is warned of before the undo runs. */
export function undoWarnings(prepared: PreparedUndo, drift: DriftReport): string[] {
  return [...drift.unchecked, ...prepared.verified.warnings, ...drift.drifted.map((d) => `forced past drift: ${d}`)];
}

export interface UndoOutcome {
  hosts: HostRun[];
  records: string[];
  stderr: string;
  interrupted?: string;
  recordProblems: string[];
  /** The undo script's own exit code; `exitCode` also counts an interrupted or unfinished record. */
  runExitCode: number;
  exitCode: number;
}

export const undoHostExit = (hostRun: HostRun): number => hostExitCode(hostRun, 'undo');

/** The recorded undo run; refused drift must have been checked (refuseDrift) before. */
export async function runUndo(prepared: PreparedUndo, drift: DriftReport, request: { how: 'token' | 'confirmed'; powershell: FoundPowerShell; timeoutMs: number; onEvent: (event: RunEvent) => void }): Promise<UndoOutcome> {
  const { verified, force } = prepared;
  const overridden = [...verified.overridden, ...drift.drifted.map((d) => `drift: ${d}`)];
  const { run, records, interrupted, recordProblems } = await recordOrFail(() =>
    runRecorded({
      ...undoRunOptions(prepared, request.powershell, request.timeoutMs),
      mode: 'undo',
      script: prepared.render(prepared.simulate ? 'sim' : 'windows'),
      plan: verified.plan,
      planBytes: verified.planBytes,
      approval: { how: request.how, token: prepared.token },
      recordsRoot: verified.recordsRoot,
      undoOf: { runId: verified.record.runId, record: basename(verified.dir) },
      ...(force ? { forced: { reason: force.reason, overrode: overridden } } : {}),
      runId: newRunId(),
      throttle: 1,
      onEvent: request.onEvent,
    }),
  );
  const exitCode = run.exitCode === EXIT.ok && !interrupted && recordProblems.length === 0 ? EXIT.ok : EXIT.failed;
  return { hosts: run.hosts, records, stderr: run.process.stderr, ...(interrupted ? { interrupted } : {}), recordProblems, runExitCode: run.exitCode, exitCode };
}
