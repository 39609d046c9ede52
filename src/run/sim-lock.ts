import { readFileSync, unlinkSync } from 'node:fs';

/**
 * The simulated host's lock file (`<state>.lock`, written by Lock-RdsHost with the PowerShell's
 * pid) outlives a PowerShell that was killed. After rdsplan itself killed the run (Ctrl-C,
 * SIGTERM, timeout) it removes the lock, but only when the pid in it no longer runs: a lock
 * held by a live run is never touched.
 */
export function releaseStaleSimLock(stateFile: string): boolean {
  const path = `${stateFile}.lock`;
  let pid: number;
  try {
    pid = Number((JSON.parse(readFileSync(path, 'utf8')) as { processId?: unknown }).processId);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A killed child not yet reaped is a zombie: it holds nothing.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
