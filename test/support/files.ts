/** Temporary folders and what the tests read back from disk: files, run record folders, hashes. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'rdsplan-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** The run folders of a records folder (records/runs/<run id>), oldest name first. */
export function recordDirs(records: string): string[] {
  const runs = join(records, 'runs');
  try {
    return readdirSync(runs)
      .map((name) => join(runs, name))
      .filter((dir) => statSync(dir).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
