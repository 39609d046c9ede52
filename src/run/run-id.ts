import { randomBytes } from 'node:crypto';

/** `20261123T064012Z-1a2b3c`: sortable by time, unique enough for one operator's runs. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
