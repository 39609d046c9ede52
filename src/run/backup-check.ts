import { existsSync, readFileSync } from 'node:fs';
import { sha256Hex } from '../render/hash.js';
import type { RunRecord } from './record.js';

/**
 * Before an undo: the backups a run recorded must still be what it wrote. A file this
 * machine can read is hashed; one on a remote host cannot be checked from here and is
 * listed as such.
 */
export interface BackupCheck {
  changed: string[];
  unreachable: string[];
}

export function checkBackups(record: RunRecord): BackupCheck {
  const result: BackupCheck = { changed: [], unreachable: [] };
  for (const backup of record.backups) {
    if (!existsSync(backup.file)) {
      if (record.simulated) result.changed.push(`${backup.file} is gone`);
      else result.unreachable.push(backup.file);
      continue;
    }
    const actual = sha256Hex(readFileSync(backup.file));
    if (actual !== backup.sha256) result.changed.push(`${backup.file} has sha256 ${actual}, the run recorded ${backup.sha256}`);
  }
  return result;
}
