import { resolve } from 'node:path';
import { listRunRecords, readRunRecord, type RunRecord } from '../run/record.js';
import { EXIT, StageError } from './outcome.js';

/** One line of `rdsplan runs`: a record that cannot be read is left out, not fatal. */
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
  undoOf?: string;
}

/** The run records under `records` (default ./.rdsplan), oldest first. */
export function listRuns(cwd: string, records: string | undefined): RunRow[] {
  let dirs: string[];
  try {
    dirs = listRunRecords(resolve(cwd, records ?? '.rdsplan'));
  } catch (error) {
    throw new StageError(`cannot list the run records: ${(error as Error).message}`, EXIT.failed);
  }
  return dirs.flatMap((dir) => {
    try {
      const r = readRunRecord(dir);
      const complete = r.formatVersion === 1 || r.complete === true;
      return [{ dir, runId: r.runId, startedAt: r.startedAt, plan: r.plan.name, host: r.host, mode: r.mode, status: complete ? r.status : 'incomplete', complete, exitCode: r.exitCode, ...(r.undoOf ? { undoOf: r.undoOf.runId } : {}) }];
    } catch {
      return [];
    }
  });
}

export function showRun(cwd: string, dir: string): RunRecord {
  try {
    return readRunRecord(resolve(cwd, dir));
  } catch (error) {
    throw new StageError(`cannot read the run record in ${dir}: ${(error as Error).message}`, EXIT.failed);
  }
}
