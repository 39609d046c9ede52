import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import type { RenderedScript } from '../render/script.js';
import type { HostRun, Mode } from './host-run.js';
import { hostExitCode } from './host-run.js';
import type { StepEvent } from './protocol.js';

/**
 * The run record an auditor reads: one folder per host and run, holding the plan and the
 * exact script as run, both hashes, who ran it where and when, every step's before/after and
 * status, the backups with their sha256, the undo journal and the raw results stream.
 * Only what the tool and the script reported goes in: no environment, no credentials.
 */
export const RECORD_FORMAT_VERSION = 1;

export interface RunRecord {
  formatVersion: typeof RECORD_FORMAT_VERSION;
  runId: string;
  mode: Mode;
  host: string;
  status: 'succeeded' | 'failed' | 'rolledBack' | 'refused' | 'incomplete';
  exitCode: number;
  plan: { name: string; file: string; sha256: string };
  script: { sha256: string; approvalToken: string; platform: string; toolVersion: string };
  /** The token the operator approved (`--approve`, or the one shown at the prompt): the plan's token for Windows. */
  approvedToken?: string;
  ranBy: { user: string; machine: string; remoteUser?: string };
  startedAt: string;
  endedAt: string;
  simulated?: { stateFile: string };
  summary?: HostRun['summary'];
  error?: string;
  steps: Pick<StepEvent, 'stepId' | 'action' | 'status' | 'target' | 'before' | 'after' | 'backup' | 'message' | 'durationMs'>[];
  backups: { stepId: string; file: string; sha256: string; sddlFile?: string }[];
  /** Completed changes with what reverses them, in the order they were made (undo runs them backwards). */
  journal: { stepId: string; action: string; undo: unknown }[];
}

export interface RecordInput {
  root: string;
  run: HostRun;
  mode: Mode;
  plan: Pick<Plan, 'name' | 'file' | 'sha256'>;
  planText: Uint8Array;
  script: RenderedScript;
  scriptBytes: Uint8Array;
  startedAt: Date;
  endedAt: Date;
  stderr: string;
  simulatedState?: string;
  approvedToken?: string;
}

function folderName(startedAt: Date, planName: string, host: string): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  return `${stamp}-${planName}-${host.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export function buildRecord(input: RecordInput): RunRecord {
  const { run, plan, script } = input;
  const changed = run.steps.filter((s) => s.status === 'changed');
  const undone = new Set(run.steps.filter((s) => s.status === 'rolledBack').map((s) => s.stepId));
  return {
    formatVersion: RECORD_FORMAT_VERSION,
    runId: run.start?.runId ?? run.summary?.runId ?? '',
    mode: input.mode,
    host: run.host,
    status: run.summary?.status ?? 'incomplete',
    exitCode: hostExitCode(run, input.mode),
    plan: { name: plan.name, file: plan.file, sha256: plan.sha256 },
    script: { sha256: script.scriptSha256, approvalToken: script.approvalToken, platform: script.platform, toolVersion: script.header.toolVersion },
    ...(input.approvedToken ? { approvedToken: input.approvedToken } : {}),
    ranBy: { user: userInfo().username, machine: hostname(), ...(run.start ? { remoteUser: run.start.user } : {}) },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    ...(input.simulatedState ? { simulated: { stateFile: input.simulatedState } } : {}),
    ...(run.summary ? { summary: run.summary } : {}),
    ...(run.error ? { error: run.error } : {}),
    steps: run.steps.map(({ stepId, action, status, target, before, after, backup, message, durationMs }) => ({ stepId, action, status, target, before, after, backup, message, durationMs })),
    backups: run.steps.flatMap((s) => (s.backup ? [{ stepId: s.stepId, ...s.backup }] : [])),
    journal: changed.filter((s) => s.undo !== undefined && s.undo !== null && !undone.has(s.stepId)).map((s) => ({ stepId: s.stepId, action: s.action, undo: s.undo })),
  };
}

export function writeRunRecord(input: RecordInput): string {
  const record = buildRecord(input);
  const dir = join(input.root, 'runs', folderName(input.startedAt, input.plan.name, input.run.host));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'record.json'), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(dir, 'plan.json'), input.planText);
  writeFileSync(join(dir, 'script.ps1'), input.scriptBytes);
  writeFileSync(join(dir, 'events.jsonl'), input.run.lines.map((line) => `${line}\n`).join(''));
  writeFileSync(join(dir, 'stderr.log'), input.stderr);
  return dir;
}

export function readRunRecord(dir: string): RunRecord {
  const record = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')) as RunRecord;
  if (record.formatVersion !== RECORD_FORMAT_VERSION) throw new Error(`${dir}: run record format ${String(record.formatVersion)} is not supported`);
  return record;
}

export function listRunRecords(root: string): string[] {
  const runs = join(root, 'runs');
  try {
    return readdirSync(runs, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(runs, entry.name))
      .sort();
  } catch {
    return [];
  }
}
