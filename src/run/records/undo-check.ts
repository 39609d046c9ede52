import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, win32 } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { validatePlanText } from '../../plan/validate.js';
import { sha256Hex } from '../../shared/hash.js';
import { splitScript } from '../../render/header.js';
import { renderScript } from '../../render/script.js';
import { scriptSha256 } from '../../shared/hash.js';
import { TOOL_VERSION } from '../../version.js';
import { listRunRecords, readRunRecord, RECORD_FORMAT_VERSION, type JournalEntry, type RunRecord } from '../record.js';
import { statesInEvents, type StepState } from './drift.js';
import { journalEntryProblem } from './journal-check.js';
import { manifestMismatches } from './manifest.js';
import { readTrustedFile } from './store.js';
import { parseJournal, RECORD_FILES } from './writer.js';

/**
 * What `undo` verifies before it renders anything: the record is ours (private folder and
 * files, checked by the store), its manifest matches (or, for a record left incomplete by an
 * interrupted run, its plan and script match the intent's hashes), its plan validates again
 * under today's policy and is the plan it names, its script is that plan's rendering, its
 * host is a target of that plan and a plain name, each journal entry touches only what its
 * plan step named, the backups are inside the run's own backup folder and unchanged, the
 * run was not undone already, and no later apply of the plan on the host changed it since
 * (unless forced with a reason). Whether the host itself still is as the run left it needs
 * the host: the undo command reads it (./drift.ts). Nothing the record says is used as a path unchecked; a
 * simulated run's state file is never taken from the record.
 */
export class UndoRefusedError extends Error {
  override name = 'UndoRefusedError';
}

export interface VerifiedUndo {
  dir: string;
  recordsRoot: string;
  record: RunRecord;
  plan: Plan;
  planBytes: Buffer;
  /** Newest change last, as made (the undo script reverses it). */
  journal: JournalEntry[];
  /** The plan steps the journal names, in journal order, once each: what the drift check reads. */
  steps: Plan['steps'];
  /** The state the run left per step (its `state` events), to compare the host with. */
  left: Map<string, StepState>;
  /** The folder the undo script keeps its own backups and journal in. */
  backupDirectory: string;
  warnings: string[];
  /** The refusals --force went past (a later run that changed the host). */
  overridden: string[];
}

export interface UndoCheckOptions {
  /** The state file given with --simulate (required for a simulated run). */
  simulate?: string;
  /** --force --reason: go ahead although a later run changed the host. */
  force?: { reason: string };
}

const HOST_SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9])?$/;

function refuse(dir: string, message: string): never {
  throw new UndoRefusedError(`refused: ${dir}: ${message}; nothing was run`);
}

function inside(folder: string, file: string, windows: boolean): boolean {
  const path = windows ? win32 : { relative, isAbsolute, resolve };
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function verifyForUndo(dirArg: string, options: UndoCheckOptions = {}): VerifiedUndo {
  const dir = resolve(dirArg);
  const recordsRoot = dirname(dirname(dir));
  let record: RunRecord;
  try {
    record = readRunRecord(dir);
  } catch (error) {
    refuse(dir, `cannot read the run record: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no record.json there' : (error as Error).message}`);
  }
  if (record.formatVersion !== RECORD_FORMAT_VERSION) refuse(dir, `a format ${record.formatVersion} record carries no manifest and cannot be verified`);
  if (record.mode !== 'apply') refuse(dir, `this is a record of ${record.mode}, not of an apply; only an apply can be undone`);
  const warnings: string[] = [];

  const read = (name: string) => {
    try {
      return readTrustedFile(join(dir, name));
    } catch (error) {
      refuse(dir, `${name}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message}`);
    }
  };
  const planBytes = read(RECORD_FILES.plan);
  const scriptText = read(RECORD_FILES.script).toString('utf8');
  if (record.complete && record.manifest) {
    const mismatches = manifestMismatches(dir, record.manifest);
    if (mismatches.length > 0) refuse(dir, `the record changed since the run wrote it: ${mismatches.join('; ')}`);
  } else {
    warnings.push(`the run was interrupted (${record.interrupted ?? 'rdsplan ended before finalizing the record'}); its journal is not covered by a manifest, each entry is checked against the plan`);
  }
  if (sha256Hex(planBytes) !== record.plan.bytesSha256) refuse(dir, 'plan.json is not the plan the run validated');
  const split = splitScript(scriptText);
  if (!split || scriptSha256(split.body) !== record.script.sha256) refuse(dir, 'script.ps1 is not the script the run ran');

  const validated = validatePlanText(record.plan.file, planBytes);
  if (!validated.plan) refuse(dir, `plan.json no longer validates: ${validated.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  const plan = validated.plan;
  if (plan.sha256 !== record.plan.sha256 || plan.name !== record.plan.name) refuse(dir, 'plan.json is another plan than the record names');
  if (record.script.toolVersion === TOOL_VERSION) {
    const platform = record.script.platform === 'sim' ? 'sim' : 'windows';
    if (renderScript(plan, { platform }).approvalToken !== record.script.approvalToken || split.header.approvalToken !== record.script.approvalToken) refuse(dir, "script.ps1 is not this plan's script");
  } else {
    warnings.push(`the run was made by rdsplan ${record.script.toolVersion}; its script cannot be re-rendered by ${TOOL_VERSION} to compare`);
  }

  if (!HOST_SEGMENT.test(record.host) || !plan.targets.some((t) => t.computerName.toLowerCase() === record.host.toLowerCase())) {
    refuse(dir, `host ${JSON.stringify(record.host)} is not a target of the run's plan`);
  }

  let journal: JournalEntry[];
  try {
    journal = parseJournal(read(RECORD_FILES.journal).toString('utf8'), join(dir, RECORD_FILES.journal));
  } catch (error) {
    refuse(dir, (error as Error).message);
  }
  const problems = journal.map((entry) => journalEntryProblem(entry, plan.steps)).filter((p): p is string => p !== null);
  if (problems.length > 0) refuse(dir, `the journal names changes the plan did not make: ${problems.join('; ')}`);

  const steps = [...new Set(journal.map((entry) => entry.stepId))].map((id) => plan.steps.find((step) => step.id === id)!);
  const left = statesInEvents(read(RECORD_FILES.events).toString('utf8'), record.runId);

  const simulated = record.script.platform === 'sim';
  if (simulated && options.simulate === undefined) refuse(dir, 'the run was simulated: name the state file to undo it on with --simulate (a record never chooses the file written)');
  const backupDirectory = simulated || options.simulate !== undefined ? join(recordsRoot, 'backups', record.host) : plan.options.backupDirectory;
  const runBackups = simulated || options.simulate !== undefined ? join(backupDirectory, record.runId) : win32.join(backupDirectory, record.runId);
  const local = simulated || options.simulate !== undefined || process.platform === 'win32';
  for (const backup of record.backups) {
    for (const file of [backup.file, ...(backup.sddlFile ? [backup.sddlFile] : [])]) {
      if (!inside(runBackups, file, !(simulated || options.simulate !== undefined))) refuse(dir, `backup ${JSON.stringify(file)} of step ${backup.stepId} is outside the run's backup folder ${runBackups}`);
    }
    if (!local) {
      warnings.push(`${backup.file} is on ${record.host} and cannot be checked from here`);
      continue;
    }
    if (!existsSync(backup.file)) refuse(dir, `the run's backups changed since it wrote them: ${backup.file} is gone`);
    const actual = sha256Hex(readFileSync(backup.file));
    if (actual !== backup.sha256) refuse(dir, `the run's backups changed since it wrote them: ${backup.file} has sha256 ${actual}, the run recorded ${backup.sha256}`);
  }

  const later = laterRuns(recordsRoot, dir, record);
  if (later.undone) refuse(dir, `run ${record.runId} on ${record.host} was undone already by ${later.undone}`);
  if (later.changed && !options.force) refuse(dir, `a later run changed ${record.host} since (${later.changed}); undoing would restore stale values. Review that run; to undo anyway give --force --reason "<why>"`);
  const overridden = later.changed ? [`the later run ${later.changed}`] : [];
  if (later.changed) warnings.push(`forced past the later run ${later.changed}: ${options.force!.reason}`);

  return { dir, recordsRoot, record, plan, planBytes, journal, steps, left, backupDirectory, warnings, overridden };
}

/** The undo run that reversed this one, and the first later apply that changed its host. */
function laterRuns(root: string, dir: string, record: RunRecord): { undone?: string; changed?: string } {
  const found: { undone?: string; changed?: string } = {};
  for (const other of listRunRecords(root)) {
    if (other === dir) continue;
    let r: RunRecord;
    try {
      r = readRunRecord(other);
    } catch {
      continue;
    }
    if (r.host.toLowerCase() !== record.host.toLowerCase()) continue;
    if (r.mode === 'undo' && r.undoOf?.record === basename(dir) && r.status !== 'refused') found.undone ??= other;
    if (r.mode === 'apply' && r.startedAt > record.startedAt && (r.status === 'incomplete' || r.steps.some((s) => s.status === 'changed'))) found.changed ??= other;
  }
  return found;
}
