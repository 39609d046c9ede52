import { join } from 'node:path';
import { sha256Hex } from '../../shared/hash.js';
import type { RecordManifest, RunRecord } from '../record.js';
import { REPORT_FILE } from './report-files.js';
import { readTrustedFile } from './store.js';

/**
 * The manifest a finalized record carries: the sha256 of every file of its folder
 * (record.json excepted: it holds the manifest; the reports a run wrote included) and of every backup the run reported. Undo
 * checks it before anything runs, so an edit to the plan, script, journal or a backup after
 * the run is detected rather than executed.
 */
export const MANIFEST_FILES = ['plan.json', 'script.ps1', 'events.jsonl', 'journal.jsonl', 'stderr.log'] as const;

export function buildManifest(dir: string, backups: RunRecord['backups'], reports: readonly string[] = []): RecordManifest {
  const files: Record<string, string> = {};
  for (const name of [...MANIFEST_FILES, ...reports]) files[name] = sha256Hex(readTrustedFile(join(dir, name)));
  return { files, backups: backups.map(({ stepId, file, sha256 }) => ({ stepId, file, sha256 })) };
}

/** Each file whose bytes no longer match the manifest, in one phrase each. */
export function manifestMismatches(dir: string, manifest: RecordManifest): string[] {
  const problems: string[] = [];
  // The reports a run wrote are in its manifest too; a name of any other shape is never opened.
  const reports = Object.keys(manifest.files).filter((name) => REPORT_FILE.test(name));
  for (const name of [...MANIFEST_FILES, ...reports]) {
    const expected = manifest.files[name];
    if (expected === undefined) {
      problems.push(`${name} is not in the manifest`);
      continue;
    }
    let actual: string;
    try {
      actual = sha256Hex(readTrustedFile(join(dir, name)));
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    if (actual !== expected) problems.push(`${name} has sha256 ${actual}, the manifest says ${expected}`);
  }
  return problems;
}
