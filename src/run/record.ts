import { readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import type { RenderedScript } from '../render/script.js';
import type { HostRun, Mode } from './host-run.js';
import { hostExitCode } from './host-run.js';
import type { StepEvent } from './protocol.js';
import { assertTrustedFolder, checkFoldersAhead, hostFolderAcl, readTrustedFile, type FolderAcl } from './records/store.js';

/**
 * The run record an auditor reads and `undo` trusts: one folder per host and run, holding the
 * plan bytes as validated, the exact script as run, both tokens, how the run was approved,
 * who ran it where and when, every step's before/after and status, the backups with their
 * sha256, the undo journal and the raw results stream. Written intent first (before
 * PowerShell starts, status 'incomplete'), appended while the run streams, finalized with a
 * manifest of sha256 sums at the end (src/run/records/). Only what the tool and the script
 * reported goes in: no environment, no credentials.
 *
 * Format 2 (format 1 had no intent, manifest, approval, targets or undoOf, and is shown but
 * never undone).
 */
export const RECORD_FORMAT_VERSION = 2;

export type JournalEntry = { stepId: string; action: string; undo: unknown };

/** sha256 of each file of the record folder (record.json excepted) and of every backup. */
export interface RecordManifest {
  files: Record<string, string>;
  backups: { stepId: string; file: string; sha256: string }[];
}

export interface RunRecord {
  formatVersion: typeof RECORD_FORMAT_VERSION | 1;
  runId: string;
  mode: Mode;
  host: string;
  status: 'succeeded' | 'failed' | 'rolledBack' | 'refused' | 'incomplete';
  /** False from the intent until the run is finalized; a record left false was interrupted. */
  complete?: boolean;
  /** Why the run was cut short (signal, timeout, record write failure). */
  interrupted?: string;
  exitCode: number;
  plan: { name: string; file: string; sha256: string; bytesSha256?: string };
  script: { sha256: string; approvalToken: string; platform: string; toolVersion: string };
  /** The token the operator approved (`--approve`, or the one shown at the prompt): the plan's token for Windows. */
  approvedToken?: string;
  approval?: { how: 'token' | 'confirmed'; token: string };
  /** Every host of this run (this record is one of them). */
  targets?: string[];
  /** An undo run: the run it reversed. */
  undoOf?: { runId: string; record: string };
  /** An undo run past a refusal (`--force --reason`): the reason given and what it overrode. */
  forced?: { reason: string; overrode: string[] };
  ranBy: { user: string; machine: string; remoteUser?: string };
  startedAt: string;
  endedAt: string;
  /** Informational: undo never takes the state file from a record (it is given with --simulate). */
  simulated?: { stateFile: string };
  summary?: HostRun['summary'];
  error?: string;
  steps: Pick<StepEvent, 'stepId' | 'action' | 'status' | 'target' | 'before' | 'after' | 'backup' | 'message' | 'durationMs'>[];
  backups: { stepId: string; file: string; sha256: string; sddlFile?: string }[];
  /** Completed changes with what reverses them, in the order they were made (undo runs them backwards). */
  journal: JournalEntry[];
  manifest?: RecordManifest;
}

/** What the intent record knows before PowerShell starts. */
export interface RecordIntent {
  runId: string;
  mode: Mode;
  host: string;
  plan: Pick<Plan, 'name' | 'file' | 'sha256'> & { bytesSha256: string };
  script: RenderedScript;
  approval?: RunRecord['approval'];
  targets: string[];
  undoOf?: RunRecord['undoOf'];
  forced?: RunRecord['forced'];
  startedAt: Date;
  simulatedState?: string;
}

export function intentRecord(intent: RecordIntent): RunRecord {
  const { script } = intent;
  return {
    formatVersion: RECORD_FORMAT_VERSION,
    runId: intent.runId,
    mode: intent.mode,
    host: intent.host,
    status: 'incomplete',
    complete: false,
    exitCode: 1,
    plan: { name: intent.plan.name, file: intent.plan.file, sha256: intent.plan.sha256, bytesSha256: intent.plan.bytesSha256 },
    script: { sha256: script.scriptSha256, approvalToken: script.approvalToken, platform: script.platform, toolVersion: script.header.toolVersion },
    ...(intent.approval ? { approvedToken: intent.approval.token, approval: intent.approval } : {}),
    targets: intent.targets,
    ...(intent.undoOf ? { undoOf: intent.undoOf } : {}),
    ...(intent.forced ? { forced: intent.forced } : {}),
    ranBy: { user: userInfo().username, machine: hostname() },
    startedAt: intent.startedAt.toISOString(),
    endedAt: '',
    ...(intent.simulatedState ? { simulated: { stateFile: intent.simulatedState } } : {}),
    steps: [],
    backups: [],
    journal: [],
  };
}

/** The journal a run's events leave: changes with an undo, minus those rolled back. */
export function journalOf(steps: readonly StepEvent[]): JournalEntry[] {
  const undone = new Set(steps.filter((s) => s.status === 'rolledBack').map((s) => s.stepId));
  return steps.filter((s) => s.status === 'changed' && s.undo !== undefined && s.undo !== null && !undone.has(s.stepId)).map((s) => ({ stepId: s.stepId, action: s.action, undo: s.undo }));
}

/** The finalized record: the intent plus what the host reported. */
export function finalRecord(intent: RunRecord, run: HostRun, endedAt: Date, manifest: RecordManifest, interrupted?: string): RunRecord {
  return {
    ...intent,
    status: run.summary?.status ?? 'incomplete',
    complete: interrupted === undefined,
    ...(interrupted ? { interrupted } : {}),
    exitCode: hostExitCode(run, intent.mode),
    runId: intent.runId || (run.start?.runId ?? ''),
    ranBy: { ...intent.ranBy, ...(run.start ? { remoteUser: run.start.user } : {}) },
    endedAt: endedAt.toISOString(),
    ...(run.summary ? { summary: run.summary } : {}),
    ...(run.error ? { error: run.error } : {}),
    steps: run.steps.map(({ stepId, action, status, target, before, after, backup, message, durationMs }) => ({ stepId, action, status, target, before, after, backup, message, durationMs })),
    backups: run.steps.flatMap((s) => (s.backup ? [{ stepId: s.stepId, ...s.backup }] : [])),
    journal: journalOf(run.steps),
    manifest,
  };
}

export function readRunRecord(dir: string, acl: FolderAcl = hostFolderAcl): RunRecord {
  assertTrustedFolder(dir, acl);
  const record = JSON.parse(readTrustedFile(join(dir, 'record.json')).toString('utf8')) as RunRecord;
  if (record.formatVersion !== RECORD_FORMAT_VERSION && record.formatVersion !== 1) throw new Error(`${dir}: run record format ${String(record.formatVersion)} is not supported`);
  return record;
}

export function listRunRecords(root: string, acl: FolderAcl = hostFolderAcl): string[] {
  const runs = join(root, 'runs');
  let entries;
  try {
    entries = readdirSync(runs, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // A planted runs/ (a symlink, another user's folder) is refused, not listed.
  assertTrustedFolder(runs, acl);
  const dirs = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(runs, entry.name))
    .sort();
  // Each is read next (readRunRecord): on Windows one PowerShell for all, not one per record.
  checkFoldersAhead(dirs, acl);
  return dirs;
}
