import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Target } from '../plan/types.js';

/**
 * Where a simulated target keeps its state: `--simulate` names one state file (one target
 * only) or a folder of `<host>.json`. An existing folder, or a path not ending in .json,
 * is a folder.
 */
export function isStateFolder(simulate: string): boolean {
  const path = resolve(simulate);
  return existsSync(path) ? statSync(path).isDirectory() : !path.toLowerCase().endsWith('.json');
}

export function stateFileFor(simulate: string, target: Target, single: boolean): string {
  if (!isStateFolder(simulate)) {
    if (!single) throw new Error(`--simulate ${simulate} is one state file, but the run has several targets; give a folder holding <host>.json per target`);
    return resolve(simulate);
  }
  return join(resolve(simulate), `${target.computerName}.json`);
}
