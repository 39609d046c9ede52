import { join, resolve } from 'node:path';
import { DamagedRecordError, listRunRecords, readRunRecord, type Approval, type RunRecord } from '../run/record.js';
import { EXIT, StageError } from './outcome.js';

/**
 * The folder that holds runs/ and backups/ for every command on every platform: `--records`,
 * else ./.rdsplan. Never derived from a plan: `runs`, `show-run` and `undo` have none, and a
 * plan's backupDirectory is a folder on its targets, not on the machine that keeps the records.
 */
export function recordsFolder(cwd: string, records: string | undefined): string {
  return resolve(cwd, records ?? '.rdsplan');
}

/** One line of `rdsplan runs`. */
export interface RunRow {
  dir: string;
  runId: string;
  startedAt: string;
  plan: string;
  host: string;
  mode: RunRecord['mode'];
  status: string;
  complete: boolean;
  exitCode: number;
  /** Run against the simulated host (--simulate), not a Windows host. */
  simulated: boolean;
  /** How the run was approved (absent for format 1 records, which did not say). */
  approval?: Approval['kind'];
  undoOf?: string;
}

/** A record folder whose record.json cannot be read: listed with why, never left out silently. */
export interface DamagedRow {
  dir: string;
  file: string;
  status: 'damaged';
  problem: string;
}

export interface RunList {
  folder: string;
  rows: (RunRow | DamagedRow)[];
}

export const isDamaged = (row: RunRow | DamagedRow): row is DamagedRow => row.status === 'damaged';

function runRow(dir: string, r: RunRecord): RunRow {
  const complete = r.formatVersion === 1 || r.complete === true;
  return {
    dir,
    runId: r.runId,
    startedAt: r.startedAt,
    plan: r.plan.name,
    host: r.host,
    mode: r.mode,
    status: complete ? r.status : 'incomplete',
    complete,
    exitCode: r.exitCode,
    simulated: r.script.platform === 'sim',
    ...(r.approval ? { approval: r.approval.kind } : {}),
    ...(r.undoOf ? { undoOf: r.undoOf.runId } : {}),
  };
}

/** The run records under the records folder, oldest first. */
export function listRuns(cwd: string, records: string | undefined): RunList {
  const folder = recordsFolder(cwd, records);
  let dirs: string[];
  try {
    dirs = listRunRecords(folder);
  } catch (error) {
    throw new StageError(`cannot list the run records in ${folder}: ${(error as Error).message}`, EXIT.failed);
  }
  const rows = dirs.map((dir): RunRow | DamagedRow => {
    try {
      return runRow(dir, readRunRecord(dir));
    } catch (error) {
      const file = error instanceof DamagedRecordError ? error.file : join(dir, 'record.json');
      const problem = error instanceof DamagedRecordError ? `damaged run record: ${error.problem}` : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no record.json' : (error as Error).message;
      return { dir, file, status: 'damaged', problem };
    }
  });
  return { folder, rows };
}

export function showRun(cwd: string, dir: string): RunRecord {
  try {
    return readRunRecord(resolve(cwd, dir));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `no record.json in ${dir}` : (error as Error).message;
    throw new StageError(`cannot read the run record in ${dir}: ${why}`, EXIT.failed);
  }
}
