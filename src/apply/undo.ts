import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Target } from '../plan/types.js';
import { sha256Hex } from '../shared/hash.js';
import { stateFileFor } from '../run/state-files.js';
import { renderUndoScript } from '../render/undo-script.js';
import type { RenderedScript } from '../render/script.js';
import type { FoundPowerShell } from '../run/find-powershell.js';
import { hostExitCode, worstExitCode, type HostRun } from '../run/host-run.js';
import type { RunEvent } from '../run/protocol.js';
import { runRecorded } from '../run/records/recorded-run.js';
import { compareStates, statesInEvents, type DriftReport } from '../run/records/drift.js';
import { UndoRefusedError, verifyForUndo, type VerifiedUndo } from '../run/records/undo-check.js';
import { runPlan, type RunPlanOptions } from '../run/run-plan.js';
import { newRunId } from '../run/run-id.js';
import { approvalOf, listRunRecords, readRunRecord } from '../run/record.js';
import { howToGetToken } from './apply.js';
import { EXIT, StageError } from './outcome.js';
import { recordsFolder } from './records.js';
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

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/**
 * What `undo <arg>` reverses: a record folder, or every host's record of the apply run with
 * that run id (a fleet apply writes one record per host, all with the run's id) in the
 * records folder, in host order.
 */
export function undoSources(cwd: string, arg: string, records: string | undefined): string[] {
  const path = resolve(cwd, arg);
  if (existsSync(path) || !RUN_ID.test(arg)) return [path];
  const root = recordsFolder(cwd, records);
  const found: { host: string; dir: string }[] = [];
  const unreadable: string[] = [];
  for (const dir of listRunRecords(root)) {
    try {
      const record = readRunRecord(dir);
      if (record.runId === arg && record.mode === 'apply') found.push({ host: record.host.toLowerCase(), dir });
    } catch (error) {
      unreadable.push((error as Error).message);
    }
  }
  // One host's record unreadable would leave that host as the run left it: the whole run is refused.
  if (found.length === 0 || unreadable.length > 0) {
    const why = found.length === 0 ? `no record of apply run ${arg} in ${root}` : `run ${arg} cannot be undone as a whole while a record in ${root} cannot be read: ${unreadable.join('; ')}`;
    throw new StageError(terminalSafe(`refused: ${why}; nothing was run`), EXIT.refused);
  }
  return found.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)).map((f) => f.dir);
}

/** The state file of each host of a simulated fleet: --simulate names a folder of <host>.json then. */
export function undoStateFile(simulate: string | undefined, dir: string, fleet: boolean): string | undefined {
  if (simulate === undefined) return undefined;
  return fleet ? stateFileFor(simulate, { computerName: readRunRecord(dir).host } as Target, false) : simulate;
}

/**
 * The token an undo is approved with: the host's undo token, or for several hosts one token
 * over all of theirs (in host order), so approving it approves exactly those undo scripts.
 */
export function undoToken(prepared: readonly PreparedUndo[]): string {
  if (prepared.length === 1) return prepared[0]!.token;
  return `sha256:${sha256Hex(`rdsplan-undo-fleet/v1\n${prepared.map((p) => `${p.verified.record.host}\n${p.token}`).join('\n')}`)}`;
}

/** A token given with --approve, or none off a terminal: refused before the host is even read. */
export function refuseUnapproved(prepared: readonly PreparedUndo[], given: string | undefined, onTerminal: boolean, source: string): void {
  const token = undoToken(prepared);
  // The right token is not printed here: it must come from the reviewed dry run.
  const how = howToGetToken(`rdsplan undo ${source} --dry-run`);
  if (given !== undefined && given !== token) throw new StageError(terminalSafe(`refused: ${given} is not the approval token of this undo; ${how}. Nothing was run`), EXIT.refused);
  if (given === undefined && !onTerminal) throw new StageError(terminalSafe(`refused: undo needs --approve <token> when not run on a terminal; ${how}. Nothing was run`), EXIT.refused);
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

/** A fleet's undo exits as a fleet apply does: with its worst host's code. */
export const undoExitCode = (outcomes: readonly UndoOutcome[]): number => worstExitCode(outcomes.map((o) => o.exitCode));

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
      approval: approvalOf(request.how, prepared.token),
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
