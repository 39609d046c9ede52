import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary folder only this user can read (mode 0700): the script and target list written
 * there are run as they are, so nobody else may swap them between writing and running.
 */
export function withPrivateDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rdsplan-'));
  return work(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}
