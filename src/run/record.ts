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

/**
 * How a run was approved. `token`: the reviewed token was given with --approve (what a change
 * board hands out). `interactive`: someone typed the confirmation at a terminal after seeing
 * the review; who, where and when is kept so it is never mistaken for a change board's token.
 * Either way `token` is the token of what was approved (the plan's Windows rendering).
 */
export type Approval = { kind: 'token'; token: string } | { kind: 'interactive'; token: string; user: string; host?: string; time: string };

/** The approval of a run about to start: the token passed, or the confirmation just typed here. */
export function approvalOf(how: 'token' | 'confirmed', token: string, at: Date = new Date()): Approval {
  return how === 'token' ? { kind: 'token', token } : { kind: 'interactive', token, user: userInfo().username, host: hostname(), time: at.toISOString() };
}

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
  approval?: Approval;
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

/** A record.json that is not JSON, not a run record, or lacks what every view of it reads. */
export class DamagedRecordError extends Error {
  override name = 'DamagedRecordError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: damaged run record: ${problem}`);
  }
}

const isText = (v: unknown) => typeof v === 'string';
const isList = (v: unknown) => Array.isArray(v);
/** What show-run, runs and undo read without asking: a record lacking any of it is damaged, not a crash later. */
const REQUIRED: [string, (v: unknown) => boolean][] = [
  ['runId', isText],
  ['mode', (v) => v === 'check' || v === 'apply' || v === 'undo'],
  ['host', isText],
  ['status', isText],
  ['exitCode', (v) => typeof v === 'number'],
  ['plan.name', isText],
  ['plan.file', isText],
  ['plan.sha256', isText],
  ['script.sha256', isText],
  ['script.approvalToken', isText],
  ['script.platform', isText],
  ['script.toolVersion', isText],
  ['ranBy.user', isText],
  ['ranBy.machine', isText],
  ['startedAt', isText],
  ['endedAt', isText],
  ['steps', isList],
  ['backups', isList],
];
const REQUIRED_V2: typeof REQUIRED = [
  ['plan.bytesSha256', isText],
  ['journal', isList],
];

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function shapeProblems(record: Record<string, unknown>): string[] {
  const fields = record.formatVersion === 1 ? REQUIRED : [...REQUIRED, ...REQUIRED_V2];
  const problems = fields.filter(([path, ok]) => !ok(at(record, path))).map(([path]) => path);
  const steps = Array.isArray(record.steps) ? record.steps : [];
  steps.forEach((step, i) => {
    for (const key of ['stepId', 'action', 'status']) if (!isText(at(step, key))) problems.push(`steps[${i}].${key}`);
  });
  const backups = Array.isArray(record.backups) ? record.backups : [];
  backups.forEach((backup, i) => {
    for (const key of ['stepId', 'file', 'sha256']) if (!isText(at(backup, key))) problems.push(`backups[${i}].${key}`);
  });
  const approval = record.approval as Approval | undefined;
  if (approval !== undefined && !((approval?.kind === 'token' || approval?.kind === 'interactive') && isText(approval.token))) problems.push('approval');
  return problems;
}

/** Format 2 records written before approvals said who confirmed: `{ how, token }`. */
function upgradeApproval(record: RunRecord & { approval?: Approval | { how?: string; token: string } }): void {
  const legacy = record.approval as { how?: string; token?: unknown } | undefined;
  if (!legacy || legacy.how === undefined || typeof legacy.token !== 'string') return;
  record.approval =
    legacy.how === 'token'
      ? { kind: 'token', token: legacy.token }
      : // Confirmed at the terminal that started the run: its user and machine, at its start.
        { kind: 'interactive', token: legacy.token, user: record.ranBy?.user, ...(record.ranBy?.machine ? { host: record.ranBy.machine } : {}), time: record.startedAt };
}

export function readRunRecord(dir: string, acl: FolderAcl = hostFolderAcl): RunRecord {
  assertTrustedFolder(dir, acl);
  const file = join(dir, 'record.json');
  const bytes = readTrustedFile(file);
  let record: RunRecord;
  try {
    record = JSON.parse(bytes.toString('utf8')) as RunRecord;
  } catch (error) {
    throw new DamagedRecordError(file, `not JSON (${(error as Error).message})`);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new DamagedRecordError(file, 'not a JSON object');
  if (record.formatVersion !== RECORD_FORMAT_VERSION && record.formatVersion !== 1) throw new DamagedRecordError(file, `run record format ${String(record.formatVersion)} is not supported`);
  upgradeApproval(record);
  const problems = shapeProblems(record as unknown as Record<string, unknown>);
  if (problems.length > 0) throw new DamagedRecordError(file, `missing or malformed ${problems.join(', ')}`);
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
